//! The DPoP check docs/apis.md shows an API (RFC 9449 §4.3, §7), copied here verbatim and
//! run against Tessera's real tokens and a real client's proofs: it must accept the holder's
//! request and refuse a bearer token, a replay, another key, another token and another URL.
use serde_json::json;

use crate::client::{DpopKey, ath, claims};
use crate::common::*;
use crate::*;

mod apis_md {
    use std::collections::HashSet;
    use std::time::{Duration, SystemTime};

    use base64::Engine;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    use josekit::jwk::Jwk;
    use josekit::jws::{ES256, EdDSA, JwsVerifier, PS256, RS256};
    use josekit::jwt::{self, JwtPayload};
    use sha2::{Digest, Sha256};

    /// RFC 9449 §4.3 and §7: `proof` (the one `DPoP` header) was made for this request (`method`,
    /// `url`: this endpoint's public URL, no query), for `token` (whose validated claims are
    /// `claims`), with the key the token is bound to. `seen` remembers the `jti`s of the last
    /// minute (share it between instances, and forget entries after a minute).
    pub fn check_dpop(
        proof: &str,
        method: &str,
        url: &str,
        token: &str,
        claims: &JwtPayload,
        seen: &mut HashSet<String>,
        now: SystemTime,
    ) -> Result<(), Box<dyn std::error::Error>> {
        let jkt = claims
            .claim("cnf")
            .and_then(|cnf| cnf.get("jkt"))
            .and_then(|jkt| jkt.as_str())
            .ok_or("not a DPoP-bound token")?;
        let header = jwt::decode_header(proof)?;
        if header.claim("typ").and_then(|t| t.as_str()) != Some("dpop+jwt") {
            return Err("typ is not dpop+jwt".into());
        }
        let jwk = header
            .claim("jwk")
            .and_then(|jwk| jwk.as_object())
            .ok_or("no jwk")?;
        if ["d", "p", "q", "dp", "dq", "qi", "k"]
            .iter()
            .any(|m| jwk.contains_key(*m))
        {
            return Err("the jwk holds a private key".into());
        }
        let jwk = Jwk::from_map(jwk.clone())?;
        let verifier: Box<dyn JwsVerifier> = match header.claim("alg").and_then(|a| a.as_str()) {
            Some("ES256") => Box::new(ES256.verifier_from_jwk(&jwk)?),
            Some("EdDSA") => Box::new(EdDSA.verifier_from_jwk(&jwk)?),
            Some("RS256") => Box::new(RS256.verifier_from_jwk(&jwk)?),
            Some("PS256") => Box::new(PS256.verifier_from_jwk(&jwk)?),
            _ => return Err("alg not accepted".into()),
        };
        // The signature, by the jwk; josekit also refuses a header alg other than the verifier's.
        let (proof_claims, _) = jwt::decode_with_verifier(proof, verifier.as_ref())?;
        let text = |name: &str| proof_claims.claim(name).and_then(|v| v.as_str());
        if text("htm") != Some(method) {
            return Err("htm is not this request's method".into());
        }
        if text("htu").map(|htu| htu.split(['?', '#']).next()) != Some(Some(url)) {
            return Err("htu is not this endpoint".into());
        }
        let iat = proof_claims.issued_at().ok_or("no iat")?;
        let age = now.duration_since(iat).unwrap_or_else(|e| e.duration());
        if age > Duration::from_secs(60) {
            return Err("iat is not within a minute of now".into());
        }
        let jti = proof_claims.jwt_id().ok_or("no jti")?;
        if !seen.insert(format!("{jkt} {jti}")) {
            return Err("this proof was used before".into());
        }
        if text("ath") != Some(URL_SAFE_NO_PAD.encode(Sha256::digest(token)).as_str()) {
            return Err("ath is not this token's hash".into());
        }
        if thumbprint(&jwk).as_deref() != Some(jkt) {
            return Err("the proof's key is not the one the token is bound to".into());
        }
        Ok(())
    }

    /// RFC 7638: SHA-256 over the required members in lexicographic order, no whitespace (their
    /// values are base64url or curve names, which need no escaping).
    fn thumbprint(jwk: &Jwk) -> Option<String> {
        let member = |name: &str| jwk.parameter(name).and_then(|v| v.as_str());
        let canonical = match jwk.key_type() {
            "EC" => format!(
                r#"{{"crv":"{}","kty":"EC","x":"{}","y":"{}"}}"#,
                member("crv")?,
                member("x")?,
                member("y")?
            ),
            "OKP" => format!(
                r#"{{"crv":"{}","kty":"OKP","x":"{}"}}"#,
                member("crv")?,
                member("x")?
            ),
            "RSA" => format!(
                r#"{{"e":"{}","kty":"RSA","n":"{}"}}"#,
                member("e")?,
                member("n")?
            ),
            _ => return None,
        };
        Some(URL_SAFE_NO_PAD.encode(Sha256::digest(canonical)))
    }
}

#[tokio::test]
async fn the_documented_dpop_check_accepts_the_holder_and_refuses_everyone_else() {
    let app = spawn(Backend::Sqlite).await;
    let key = DpopKey::es256();
    let issued = service_token(&app, "service", &[token_proof(&app, &key)]).await;
    let token = issued.body["access_token"].as_str().unwrap().to_string();
    let bearer = service_token(&app, "service", &[]).await;
    let bearer = bearer.body["access_token"].as_str().unwrap().to_string();
    // What `validate` in docs/apis.md returns; its own test is tests/api_resources.rs.
    let payload = |token: &str| {
        let claims = jwt_claims(token).as_object().unwrap().clone();
        josekit::jwt::JwtPayload::from_map(claims).unwrap()
    };
    let url = "https://orders.example.com/orders";
    let now = std::time::UNIX_EPOCH + std::time::Duration::from_secs(app.clock.now() as u64);
    let proof = |key: &DpopKey, token: &str, url: &str| {
        let mut c = claims("GET", url, app.clock.now());
        c["ath"] = json!(ath(token));
        key.proof(&c)
    };
    let mut seen = std::collections::HashSet::new();
    let mut check = |proof: &str, url: &str, token: &str| {
        apis_md::check_dpop(proof, "GET", url, token, &payload(token), &mut seen, now)
    };

    let good = proof(&key, &token, &format!("{url}?page=2"));
    check(&good, url, &token).expect("the holder's request");
    assert!(check(&good, url, &token).is_err(), "a replay");
    assert!(
        check(&proof(&key, &bearer, url), url, &bearer).is_err(),
        "a bearer token"
    );
    let thief = DpopKey::ed25519();
    assert!(
        check(&proof(&thief, &token, url), url, &token).is_err(),
        "another key"
    );
    assert!(
        check(&proof(&key, &bearer, url), url, &token).is_err(),
        "another token's ath"
    );
    let elsewhere = proof(&key, &token, "https://orders.example.com/admin");
    assert!(check(&elsewhere, url, &token).is_err(), "another URL");
    let mut private = key.header();
    private["jwk"] = key.private.clone();
    let mut c = claims("GET", url, app.clock.now());
    c["ath"] = json!(ath(&token));
    assert!(
        check(&key.sign(&private, &c), url, &token).is_err(),
        "a private jwk"
    );
    let mut stale = claims("GET", url, app.clock.now() - 120);
    stale["ath"] = json!(ath(&token));
    assert!(
        check(&key.proof(&stale), url, &token).is_err(),
        "a stale proof"
    );
    check(&proof(&key, &token, url), url, &token).expect("the holder's next request");
}
