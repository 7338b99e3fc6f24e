//! private_key_jwt client registrations: inline keys or a jwks_uri.
use super::*;
use crate::oauth::client_assertion::{AssertionAlg, JwkSource};

/// A private_key_jwt client with `extra` lines.
fn key_client(extra: &str) -> String {
    config_with_client(&format!(
        "client_id = \"k\"\ntoken_endpoint_auth_method = \"private_key_jwt\"\nredirect_uris = [\"https://k.example/cb\"]\n{extra}"
    ))
}

/// An EC P-256 JWK as a TOML inline table: the public key, or the whole key pair.
fn ec_key_toml(private: bool) -> String {
    let pair = josekit::jws::ES256.generate_key_pair().unwrap();
    let jwk = if private {
        pair.to_jwk_key_pair()
    } else {
        pair.to_jwk_public_key()
    };
    let members: Vec<String> = jwk
        .as_ref()
        .iter()
        .map(|(k, v)| format!("{k} = {v}"))
        .collect();
    format!("{{ kid = \"k1\", {} }}", members.join(", "))
}

#[test]
fn private_key_jwt_client_registers_inline_keys_or_a_jwks_uri() {
    let inline = key_client(&format!(
        "jwks = {{ keys = [ {} ] }}\ntoken_endpoint_auth_signing_alg = \"ES256\"",
        ec_key_toml(false)
    ));
    let config = Config::from_toml(&inline).unwrap();
    let client = config.clients().remove(0);
    let registration = client.private_key_jwt.unwrap();
    assert!(matches!(&registration.keys, JwkSource::Inline(keys) if keys.len() == 1));
    assert_eq!(registration.alg, Some(AssertionAlg::Es256));
    assert!(!registration.token_endpoint_audience);

    let by_uri = key_client(
        "jwks_uri = \"http://127.0.0.1:9000/jwks\"\nclient_assertion_accepts_token_endpoint_aud = true",
    );
    let client = Config::from_toml(&by_uri).unwrap().clients().remove(0);
    let registration = client.private_key_jwt.unwrap();
    assert_eq!(
        registration.keys,
        JwkSource::Uri("http://127.0.0.1:9000/jwks".into())
    );
    assert!(registration.token_endpoint_audience);
}

#[test]
fn private_key_jwt_registration_mistakes_are_refused_by_name() {
    let public = ec_key_toml(false);
    for (extra, key) in [
        ("", "clients[0].jwks"),
        (
            &format!("jwks = {{ keys = [ {public} ] }}\njwks_uri = \"https://k.example/jwks\""),
            "clients[0].jwks_uri",
        ),
        (
            "jwks_uri = \"http://k.example/jwks\"",
            "clients[0].jwks_uri",
        ),
        (
            &format!("jwks = {{ keys = [ {} ] }}", ec_key_toml(true)),
            "clients[0].jwks",
        ),
        (
            "jwks = { keys = [ { kty = \"oct\", k = \"c2VjcmV0c2VjcmV0\" } ] }",
            "clients[0].jwks",
        ),
        ("jwks = { keys = [] }", "clients[0].jwks"),
        (
            &format!(
                "jwks = {{ keys = [ {public} ] }}\ntoken_endpoint_auth_signing_alg = \"RS256\""
            ),
            "clients[0].token_endpoint_auth_signing_alg",
        ),
        (
            &format!("jwks = {{ keys = [ {public} ] }}\nclient_secret_hash = \"{HASH}\""),
            "clients[0].client_secret_hash",
        ),
    ] {
        assert_eq!(error_key(&key_client(extra)), key, "{extra}");
    }
    let message = Config::from_toml(&key_client(&format!(
        "jwks = {{ keys = [ {} ] }}",
        ec_key_toml(true)
    )))
    .unwrap_err()
    .message;
    assert!(message.contains("private member"), "{message}");
    assert!(
        Config::from_toml(&key_client(
            "jwks_uri = \"https://k.example/jwks\"\ntoken_endpoint_auth_signing_alg = \"HS256\""
        ))
        .is_err()
    );
}

#[test]
fn only_private_key_jwt_clients_register_keys() {
    let client = format!(
        "client_id = \"a\"\nclient_secret_hash = \"{HASH}\"\nredirect_uris = [\"https://a.example/cb\"]\njwks_uri = \"https://a.example/jwks\""
    );
    assert_eq!(
        error_key(&config_with_client(&client)),
        "clients[0].jwks_uri"
    );
}

#[test]
fn the_documented_private_key_jwt_example_loads() {
    let text = "issuer = \"https://id.example.com\"
[[clients]]
client_id = \"billing\"
token_endpoint_auth_method = \"private_key_jwt\"
redirect_uris = [\"https://billing.example.com/cb\"]
token_endpoint_auth_signing_alg = \"ES256\"

[[clients.jwks.keys]]
kty = \"EC\"
crv = \"P-256\"
kid = \"2026-11\"
x = \"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU\"
y = \"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0\"

[[clients]]
client_id = \"reports\"
token_endpoint_auth_method = \"private_key_jwt\"
redirect_uris = [\"https://reports.example.com/cb\"]
jwks_uri = \"https://reports.example.com/.well-known/jwks.json\"
";
    let clients = Config::from_toml(text).unwrap().clients();
    assert!(clients.iter().all(|c| c.private_key_jwt.is_some()));
}
