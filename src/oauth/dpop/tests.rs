use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use josekit::jws::{ES256, EdDSA, HS256, JwsSigner, PS256, RS256};
use serde_json::{Value, json};

use super::*;
use crate::oauth::client::{AuthMethod, Client};
use crate::oauth::error::ErrorCode;

const NOW: i64 = 1_800_000_000;
const TOKEN_URL: &str = "https://id.example/token";

/// A client's key pair: the signer and the public JWK its proofs carry.
struct Key {
    signer: Box<dyn JwsSigner>,
    public: Value,
    private: Value,
}

fn es256() -> Key {
    let pair = ES256.generate_key_pair().unwrap();
    Key {
        signer: Box::new(ES256.signer_from_jwk(&pair.to_jwk_private_key()).unwrap()),
        public: Value::Object(pair.to_jwk_public_key().into()),
        private: Value::Object(pair.to_jwk_private_key().into()),
    }
}

fn ed25519() -> Key {
    let pair = EdDSA
        .generate_key_pair(josekit::jwk::alg::ed::EdCurve::Ed25519)
        .unwrap();
    Key {
        signer: Box::new(EdDSA.signer_from_jwk(&pair.to_jwk_private_key()).unwrap()),
        public: Value::Object(pair.to_jwk_public_key().into()),
        private: Value::Object(pair.to_jwk_private_key().into()),
    }
}

/// A compact JWS of `header` and `claims` signed by `signer` (its alg unchanged).
fn jws(header: &Value, claims: &Value, signer: &dyn JwsSigner) -> String {
    let part = |v: &Value| URL_SAFE_NO_PAD.encode(serde_json::to_vec(v).unwrap());
    let input = format!("{}.{}", part(header), part(claims));
    let signature = signer.sign(input.as_bytes()).unwrap();
    format!("{input}.{}", URL_SAFE_NO_PAD.encode(signature))
}

fn header(key: &Key, alg: &str) -> Value {
    json!({ "typ": "dpop+jwt", "alg": alg, "jwk": key.public })
}

fn claims() -> Value {
    json!({ "jti": "j-1", "htm": "POST", "htu": TOKEN_URL, "iat": NOW })
}

fn expected() -> ExpectedProof<'static> {
    ExpectedProof {
        method: "POST",
        target: TOKEN_URL,
        access_token: None,
        iat_window: 60,
        now: NOW,
    }
}

fn proof_with(edit: impl FnOnce(&mut Value, &mut Value)) -> String {
    let key = es256();
    let (mut h, mut c) = (header(&key, "ES256"), claims());
    edit(&mut h, &mut c);
    jws(&h, &c, key.signer.as_ref())
}

fn refusal(proof: &str, expected: &ExpectedProof<'_>) -> String {
    let error = verify(proof, expected).unwrap_err();
    assert_eq!(error.code, ErrorCode::InvalidDpopProof, "{error}");
    error.description.into_owned()
}

#[test]
fn es256_and_eddsa_proofs_verify_and_name_their_key_by_thumbprint() {
    for key in [es256(), ed25519()] {
        let alg = if key.public["kty"] == "EC" {
            "ES256"
        } else {
            "EdDSA"
        };
        let proof = jws(&header(&key, alg), &claims(), key.signer.as_ref());
        let verified = verify(&proof, &expected()).unwrap();
        let jwk = key.public.as_object().unwrap();
        assert_eq!(verified.jkt, jwk_thumbprint(jwk).unwrap());
        assert_eq!(verified.jti, "j-1");
        assert_eq!(verified.nonce, None);
        assert_eq!(verified.remember_until, NOW + 60 + LEEWAY);
    }
}

#[test]
fn rsa_proofs_verify_with_rs256_and_ps256() {
    let pair = RS256.generate_key_pair(2048).unwrap();
    // Without `alg`: one RSA key for both algorithms.
    let mut private = pair.to_jwk_private_key();
    private.set_parameter("alg", None).unwrap();
    let mut public: Value = Value::Object(pair.to_jwk_public_key().into());
    public.as_object_mut().unwrap().remove("alg");
    for (alg, signer) in [
        (
            "RS256",
            Box::new(RS256.signer_from_jwk(&private).unwrap()) as Box<dyn JwsSigner>,
        ),
        ("PS256", Box::new(PS256.signer_from_jwk(&private).unwrap())),
    ] {
        let h = json!({ "typ": "dpop+jwt", "alg": alg, "jwk": public });
        assert!(
            verify(&jws(&h, &claims(), signer.as_ref()), &expected()).is_ok(),
            "{alg}"
        );
    }
}

#[test]
fn rfc_7638_thumbprint_of_its_own_example() {
    // RFC 7638 §3.1.
    let jwk = json!({
        "kty": "RSA",
        "n": "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw",
        "e": "AQAB",
        "alg": "RS256",
        "kid": "2011-04-29"
    });
    assert_eq!(
        jwk_thumbprint(jwk.as_object().unwrap()).unwrap(),
        "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs"
    );
    assert_eq!(
        jwk_thumbprint(json!({"kty": "oct", "k": "x"}).as_object().unwrap()),
        None
    );
    assert_eq!(
        jwk_thumbprint(
            json!({"kty": "EC", "crv": "P-256", "x": "a"})
                .as_object()
                .unwrap()
        ),
        None
    );
}

#[test]
fn the_header_must_be_typ_dpop_jwt_with_an_asymmetric_alg() {
    let no_typ = proof_with(|h, _| {
        h.as_object_mut().unwrap().remove("typ");
    });
    assert!(refusal(&no_typ, &expected()).contains("typ"));
    let other_typ = proof_with(|h, _| h["typ"] = json!("JWT"));
    assert!(refusal(&other_typ, &expected()).contains("typ"));
    assert!(
        verify(
            &proof_with(|h, _| h["typ"] = json!("DPoP+JWT")),
            &expected()
        )
        .is_ok()
    );

    // alg none: an empty signature.
    let key = es256();
    let part = |v: &Value| URL_SAFE_NO_PAD.encode(serde_json::to_vec(v).unwrap());
    let none = format!("{}.{}.", part(&header(&key, "none")), part(&claims()));
    assert!(refusal(&none, &expected()).contains("alg"));
    // HS256 with a secret the proof's own jwk names.
    let hmac = HS256
        .signer_from_bytes(b"a shared secret of thirty-two bytes!")
        .unwrap();
    let secret_jwk = json!({ "kty": "oct", "k": URL_SAFE_NO_PAD.encode(b"a shared secret of thirty-two bytes!") });
    let hs = jws(
        &json!({ "typ": "dpop+jwt", "alg": "HS256", "jwk": secret_jwk }),
        &claims(),
        &hmac,
    );
    assert!(refusal(&hs, &expected()).contains("alg"));
    // An accepted alg name over a key of another type.
    let mislabelled = proof_with(|h, _| h["alg"] = json!("RS256"));
    assert!(verify(&mislabelled, &expected()).is_err());
}

#[test]
fn a_private_key_or_a_shared_secret_in_the_jwk_is_refused() {
    let key = es256();
    let h = json!({ "typ": "dpop+jwt", "alg": "ES256", "jwk": key.private });
    let proof = jws(&h, &claims(), key.signer.as_ref());
    assert!(refusal(&proof, &expected()).contains("private key"));
    let oct = proof_with(|h, _| h["jwk"] = json!({ "kty": "oct", "k": "c2VjcmV0" }));
    assert!(refusal(&oct, &expected()).contains("shared secret"));
    let missing = proof_with(|h, _| {
        h.as_object_mut().unwrap().remove("jwk");
    });
    assert!(refusal(&missing, &expected()).contains("jwk"));
}

#[test]
fn a_proof_signed_by_another_key_than_its_jwk_is_refused() {
    let (signing, named) = (es256(), es256());
    let proof = jws(&header(&named, "ES256"), &claims(), signing.signer.as_ref());
    assert!(refusal(&proof, &expected()).contains("signature"));
}

#[test]
fn htm_and_htu_must_be_this_request() {
    let wrong_method = proof_with(|_, c| c["htm"] = json!("GET"));
    assert!(refusal(&wrong_method, &expected()).contains("htm"));
    for attack in [
        "https://id.example/userinfo",
        "https://other.example/token",
        "http://id.example/token",
        "https://id.example:8443/token",
        "https://id.example/token/",
        "https://user@id.example/token",
        "/token",
        "not a url",
    ] {
        let proof = proof_with(|_, c| c["htu"] = json!(attack));
        assert!(refusal(&proof, &expected()).contains("htu"), "{attack}");
    }
    // RFC 3986 §6.2.2 and §6.2.3: the same URL written otherwise; query and fragment ignored.
    for same in [
        "https://id.example/token?x=1",
        "https://id.example/token#frag",
        "HTTPS://ID.EXAMPLE/token",
        "https://id.example:443/token",
        "https://id.example/a/../token",
        "https://id.example/%74oken",
    ] {
        let proof = proof_with(|_, c| c["htu"] = json!(same));
        assert!(verify(&proof, &expected()).is_ok(), "{same}");
    }
    assert_eq!(
        normalise_htu("https://id.example/a%2fb").unwrap(),
        "https://id.example/a%2Fb"
    );
    assert_eq!(
        normalise_htu("https://id.example").unwrap(),
        "https://id.example/"
    );
}

#[test]
fn iat_must_be_within_the_window_either_way() {
    for (iat, ok) in [
        (NOW - 65, true),
        (NOW + 65, true),
        (NOW - 66, false),
        (NOW + 66, false),
        (NOW - 3600, false),
    ] {
        let proof = proof_with(|_, c| c["iat"] = json!(iat));
        assert_eq!(verify(&proof, &expected()).is_ok(), ok, "{}", iat - NOW);
    }
    let stale = proof_with(|_, c| c["iat"] = json!(NOW - 120));
    assert!(refusal(&stale, &expected()).contains("too old"));
    let future = proof_with(|_, c| c["iat"] = json!(NOW + 120));
    assert!(refusal(&future, &expected()).contains("future"));
    let text = proof_with(|_, c| c["iat"] = json!("1800000000"));
    assert!(refusal(&text, &expected()).contains("iat"));
}

#[test]
fn jti_is_required_and_bounded() {
    let missing = proof_with(|_, c| {
        c.as_object_mut().unwrap().remove("jti");
    });
    assert!(refusal(&missing, &expected()).contains("jti"));
    let long = proof_with(|_, c| c["jti"] = json!("x".repeat(257)));
    assert!(refusal(&long, &expected()).contains("jti"));
}

#[test]
fn at_a_resource_ath_must_hash_the_access_token() {
    let at_resource = ExpectedProof {
        method: "GET",
        target: "https://id.example/userinfo",
        access_token: Some("the-token"),
        ..expected()
    };
    let ath = URL_SAFE_NO_PAD.encode(<sha2::Sha256 as sha2::Digest>::digest(b"the-token"));
    let with_ath = |ath: Option<&str>| {
        proof_with(|_, c| {
            c["htm"] = json!("GET");
            c["htu"] = json!("https://id.example/userinfo");
            if let Some(ath) = ath {
                c["ath"] = json!(ath);
            }
        })
    };
    assert!(verify(&with_ath(Some(&ath)), &at_resource).is_ok());
    assert!(refusal(&with_ath(None), &at_resource).contains("ath"));
    let other = URL_SAFE_NO_PAD.encode(<sha2::Sha256 as sha2::Digest>::digest(b"another"));
    assert!(refusal(&with_ath(Some(&other)), &at_resource).contains("ath"));
}

#[test]
fn a_nonce_is_read_when_present() {
    let proof = proof_with(|_, c| c["nonce"] = json!("n-1"));
    assert_eq!(
        verify(&proof, &expected()).unwrap().nonce.as_deref(),
        Some("n-1")
    );
    let number = proof_with(|_, c| c["nonce"] = json!(7));
    assert!(refusal(&number, &expected()).contains("nonce"));
}

#[test]
fn exactly_one_well_formed_header_field() {
    let values =
        |v: &[&'static str]| PresentedProof::from_header_values(v.iter().map(|s| s.as_bytes()));
    assert_eq!(values(&[]).single().unwrap(), None);
    assert_eq!(values(&["a.b.c"]).single().unwrap(), Some("a.b.c"));
    assert_eq!(
        values(&["a.b.c", "a.b.c"]).single().unwrap_err().code,
        ErrorCode::InvalidDpopProof
    );
    assert!(values(&["a b"]).single().is_err());
    for junk in ["a.b", "a.b.c.d", "!!.!!.!!", ""] {
        assert!(refusal(junk, &expected()).contains("JWT"), "{junk:?}");
    }
    assert_eq!(format!("{:?}", values(&["secret.proof.value"])), "One(..)");
}

#[test]
fn codes_and_public_refresh_tokens_are_used_only_with_their_key() {
    assert!(check_code_binding(None, None).is_ok());
    assert!(check_code_binding(None, Some("k")).is_ok());
    assert!(check_code_binding(Some("k"), Some("k")).is_ok());
    for (bound, proven) in [(Some("k"), None), (Some("k"), Some("other"))] {
        assert_eq!(
            check_code_binding(bound, proven).unwrap_err().code,
            ErrorCode::InvalidGrant
        );
        assert_eq!(
            check_refresh_binding(bound, proven).unwrap_err().code,
            ErrorCode::InvalidGrant
        );
    }
    let public = Client::new("p", AuthMethod::None);
    let confidential = Client::new("c", AuthMethod::ClientSecretBasic);
    assert_eq!(refresh_binding(&public, Some("k")), Some("k"));
    assert_eq!(refresh_binding(&confidential, Some("k")), None);
}

#[test]
fn a_client_registered_for_dpop_sends_a_proof_every_time() {
    let mut client = Client::new("c", AuthMethod::ClientSecretBasic);
    assert!(check_proof_required(&client, false).is_ok());
    client.dpop_bound_access_tokens = true;
    assert!(check_proof_required(&client, true).is_ok());
    assert_eq!(
        check_proof_required(&client, false).unwrap_err().code,
        ErrorCode::InvalidDpopProof
    );
}

#[test]
fn a_bound_token_goes_with_the_dpop_scheme_and_its_key_only() {
    let cnf = Confirmation { jkt: "k".into() };
    assert!(check_resource_binding(Scheme::Bearer, None, None).is_ok());
    assert!(check_resource_binding(Scheme::Dpop, Some(&cnf), Some("k")).is_ok());
    for (scheme, cnf, proven) in [
        (Scheme::Bearer, Some(&cnf), None),
        (Scheme::Dpop, Some(&cnf), Some("other")),
        (Scheme::Dpop, None, Some("k")),
    ] {
        let error = check_resource_binding(scheme, cnf, proven).unwrap_err();
        assert_eq!(error.code, ErrorCode::InvalidToken);
    }
    assert_eq!(token_type(true), "DPoP");
    assert_eq!(token_type(false), "Bearer");
}

#[test]
fn dpop_jkt_is_a_sha256_thumbprint() {
    let jkt = "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs";
    assert_eq!(parse_jkt(jkt).unwrap(), jkt);
    for bad in [
        "",
        "short",
        &format!("{jkt}A"),
        "NzbLsXh8uDCcd+6MNwXF4W/7noWXFZAfHkxZsRGC9Xs",
    ] {
        assert_eq!(
            parse_jkt(bad).unwrap_err().code,
            ErrorCode::InvalidRequest,
            "{bad}"
        );
    }
}
