use josekit::jws::{ES256, JwsHeader};
use josekit::jwt::{self, JwtPayload};
use serde_json::json;

use super::*;

const ISSUER: &str = "https://id.example";
const NOW: i64 = 1_800_000_000;

fn expected(token_endpoint: Option<&str>) -> ExpectedAssertion<'_> {
    ExpectedAssertion {
        client_id: "app",
        issuer: ISSUER,
        token_endpoint,
        now: NOW,
    }
}

fn claims(edit: impl FnOnce(&mut Map<String, Value>)) -> Map<String, Value> {
    let mut claims = json!({
        "iss": "app", "sub": "app", "aud": ISSUER, "exp": NOW + 60, "iat": NOW, "jti": "j-1"
    })
    .as_object()
    .unwrap()
    .clone();
    edit(&mut claims);
    claims
}

fn refused(claims: Map<String, Value>) -> bool {
    check_claims(&claims, &expected(None)).is_err()
}

#[test]
fn good_claims_pass_and_the_jti_is_remembered_past_expiry() {
    let verified = check_claims(&claims(|_| {}), &expected(None)).unwrap();
    assert_eq!(verified.jti, "j-1");
    assert_eq!(verified.remember_until, NOW + 60 + SKEW);
}

#[test]
fn issuer_and_subject_must_both_be_the_client() {
    assert!(refused(claims(|c| {
        c.insert("iss".into(), json!("other"));
    })));
    assert!(refused(claims(|c| {
        c.insert("sub".into(), json!("other"));
    })));
    assert!(refused(claims(|c| {
        c.remove("iss");
    })));
}

#[test]
fn audience_is_the_issuer_and_the_token_endpoint_only_when_opted_in() {
    let token_endpoint = "https://id.example/token";
    let with_aud = |aud: Value| {
        claims(|c| {
            c.insert("aud".into(), aud);
        })
    };
    assert!(check_claims(&with_aud(json!(ISSUER)), &expected(None)).is_ok());
    for attack in [
        json!(token_endpoint),
        json!([token_endpoint]),
        json!("https://id.example/"),
        json!("https://attacker.example"),
        json!(null),
        json!([]),
    ] {
        assert!(refused(with_aud(attack.clone())), "{attack}");
    }
    assert!(
        check_claims(
            &with_aud(json!(token_endpoint)),
            &expected(Some(token_endpoint))
        )
        .is_ok()
    );
    // Even with the opt-in, the token endpoint counts only as the single audience.
    assert!(
        check_claims(
            &with_aud(json!([token_endpoint])),
            &expected(Some(token_endpoint))
        )
        .is_err()
    );
    assert!(refused(claims(|c| {
        c.remove("aud");
    })));
}

/// rfc7523bis: `aud` is one string. An array naming us among others is what a client tricked
/// by another server's metadata signs (CVE-2025-27370/27371), so it is refused whole.
#[test]
fn an_assertion_with_an_array_audience_naming_us_is_refused() {
    let with_aud = |aud: Value| {
        claims(|c| {
            c.insert("aud".into(), aud);
        })
    };
    for attack in [
        json!([ISSUER]),
        json!([ISSUER, "x"]),
        json!([
            "https://attacker.example",
            "https://attacker.example/token",
            ISSUER
        ]),
    ] {
        assert!(refused(with_aud(attack.clone())), "{attack}");
    }
}

#[test]
fn expiry_is_required_near_and_not_past() {
    let with_exp = |exp: Value| {
        claims(|c| {
            c.insert("exp".into(), exp);
        })
    };
    assert!(refused(claims(|c| {
        c.remove("exp");
    })));
    assert!(refused(with_exp(json!("soon"))));
    assert!(refused(with_exp(json!(NOW - SKEW))));
    assert!(!refused(with_exp(json!(NOW - SKEW + 1))), "within the skew");
    assert!(!refused(with_exp(json!(NOW + MAX_LIFETIME + SKEW))));
    assert!(refused(with_exp(json!(NOW + MAX_LIFETIME + SKEW + 1))));
    assert!(refused(with_exp(json!(NOW + 3600))));
    assert!(!refused(with_exp(json!(NOW as f64 + 60.5))));
}

#[test]
fn not_before_and_issued_at_may_not_be_in_the_future() {
    for name in ["nbf", "iat"] {
        assert!(!refused(claims(|c| {
            c.insert(name.into(), json!(NOW + SKEW));
        })));
        assert!(refused(claims(|c| {
            c.insert(name.into(), json!(NOW + SKEW + 1));
        })));
    }
}

#[test]
fn jti_is_required_and_bounded() {
    assert!(refused(claims(|c| {
        c.remove("jti");
    })));
    assert!(refused(claims(|c| {
        c.insert("jti".into(), json!(""));
    })));
    assert!(refused(claims(|c| {
        c.insert("jti".into(), json!("x".repeat(MAX_JTI_LEN + 1)));
    })));
    assert!(!refused(claims(|c| {
        c.insert("jti".into(), json!("x".repeat(MAX_JTI_LEN)));
    })));
}

fn unsigned(header: Value, payload: Value) -> String {
    let part = |v: &Value| URL_SAFE_NO_PAD.encode(v.to_string());
    format!("{}.{}.", part(&header), part(&payload))
}

#[test]
fn none_and_hmac_and_unregistered_algorithms_are_refused_before_any_key() {
    for alg in ["none", "HS256", "HS512", "RS384", "ES512", ""] {
        let token = unsigned(json!({"alg": alg}), json!({"sub": "app"}));
        assert!(read_header(&token, None).is_err(), "{alg}");
    }
    let es256 = unsigned(json!({"alg": "ES256", "kid": "k"}), json!({}));
    assert_eq!(
        read_header(&es256, None).unwrap(),
        AssertionHeader {
            alg: AssertionAlg::Es256,
            kid: Some("k".into())
        }
    );
    assert!(read_header(&es256, Some(AssertionAlg::Rs256)).is_err());
    assert!(read_header("a.b", None).is_err());
    assert!(read_header("a.b.c.d", None).is_err());
}

#[test]
fn the_client_is_found_by_the_unverified_subject() {
    let token = unsigned(json!({"alg": "ES256"}), json!({"sub": "app", "iss": "app"}));
    assert_eq!(unverified_subject(&token).unwrap(), "app");
    let token = unsigned(json!({"alg": "ES256"}), json!({"iss": "app"}));
    assert!(unverified_subject(&token).is_err());
}

fn es256_key(kid: &str) -> (josekit::jwk::alg::ec::EcKeyPair, Value) {
    let pair = ES256.generate_key_pair().unwrap();
    let mut public = pair.to_jwk_public_key();
    public.set_key_id(kid);
    let public = Value::Object(public.as_ref().clone());
    (pair, public)
}

fn sign(
    pair: &josekit::jwk::alg::ec::EcKeyPair,
    kid: Option<&str>,
    claims: &Map<String, Value>,
) -> String {
    let mut header = JwsHeader::new();
    if let Some(kid) = kid {
        header.set_key_id(kid);
    }
    let payload = JwtPayload::from_map(claims.clone()).unwrap();
    let signer = ES256.signer_from_jwk(&pair.to_jwk_private_key()).unwrap();
    jwt::encode_with_signer(&payload, &header, &signer).unwrap()
}

#[test]
fn a_signature_verifies_only_with_the_clients_key() {
    let (pair, public) = es256_key("k1");
    let (other, _) = es256_key("k1");
    let good = sign(&pair, Some("k1"), &claims(|_| {}));
    let header = read_header(&good, None).unwrap();
    assert!(verify(&good, &header, &public, &expected(None)).is_ok());
    let forged = sign(&other, Some("k1"), &claims(|_| {}));
    assert!(verify(&forged, &header, &public, &expected(None)).is_err());
    // Without a kid the header still verifies with the key chosen for it.
    let no_kid = sign(&pair, None, &claims(|_| {}));
    let header = read_header(&no_kid, None).unwrap();
    assert!(verify(&no_kid, &header, &public, &expected(None)).is_ok());
}

#[test]
fn keys_are_chosen_by_kid_or_as_the_only_fitting_one() {
    let (_, k1) = es256_key("k1");
    let (_, k2) = es256_key("k2");
    let keys = vec![k1.clone(), k2.clone()];
    assert_eq!(
        select_key(&keys, AssertionAlg::Es256, Some("k2")),
        KeyLookup::Found(&k2)
    );
    assert_eq!(
        select_key(&keys, AssertionAlg::Es256, Some("k3")),
        KeyLookup::NotFound
    );
    assert_eq!(
        select_key(&keys, AssertionAlg::Es256, None),
        KeyLookup::Ambiguous
    );
    assert_eq!(
        select_key(&keys[..1], AssertionAlg::Es256, None),
        KeyLookup::Found(&k1)
    );
    assert_eq!(
        select_key(&keys[..1], AssertionAlg::Rs256, None),
        KeyLookup::NotFound
    );
}

#[test]
fn keys_sharing_a_kid_are_told_apart_by_what_they_can_verify() {
    let (_, ec) = es256_key("shared");
    let rsa = josekit::jws::RS256.generate_key_pair(2048).unwrap();
    let mut rsa = Value::Object(rsa.to_jwk_public_key().as_ref().clone());
    rsa["kid"] = json!("shared");
    let keys = vec![rsa.clone(), ec.clone()];
    assert_eq!(
        select_key(&keys, AssertionAlg::Es256, Some("shared")),
        KeyLookup::Found(&ec)
    );
    assert_eq!(
        select_key(&keys, AssertionAlg::Rs256, Some("shared")),
        KeyLookup::Found(&rsa)
    );
    assert_eq!(
        select_key(&keys, AssertionAlg::EdDsa, Some("shared")),
        KeyLookup::NotFound
    );
}

#[test]
fn only_public_asymmetric_keys_register() {
    let (pair, public) = es256_key("k1");
    assert!(parse_jwk_set(&json!({"keys": [public]})).is_ok());
    let private = Value::Object(pair.to_jwk_private_key().as_ref().clone());
    let err = parse_jwk_set(&json!({"keys": [private]})).unwrap_err();
    assert!(err.contains("\"d\""), "{err}");
    let err = parse_jwk_set(&json!({"keys": [{"kty": "oct", "k": "c2VjcmV0"}]})).unwrap_err();
    assert!(err.contains("oct"), "{err}");
    assert!(parse_jwk_set(&json!({"keys": []})).is_err());
    assert!(parse_jwk_set(&json!([public])).is_err());
    assert!(
        parse_jwk_set(&json!({"keys": [{"kty": "EC", "crv": "P-256", "x": "AA", "y": "AA"}]}))
            .is_err()
    );
}
