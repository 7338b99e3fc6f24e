//! Unit tests of loading and validating the configuration.
use super::*;
use crate::oauth::client_assertion::{AssertionAlg, JwkSource};

const HASH: &str = "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$7sFrbNPIEvIvZS6R0E0q3lUO5JgxSvgEjWEnSvi4hhw";

fn config_with_client(client: &str) -> String {
    format!("issuer = \"https://id.example.com\"\n[[clients]]\n{client}\n")
}

fn error_key(text: &str) -> String {
    Config::from_toml(text)
        .expect_err("config should be refused")
        .key
}

#[test]
fn defaults_are_valid() {
    let config = Config::from_toml("").unwrap();
    assert_eq!(config.database_url, "sqlite://data/tessera.db");
    assert_eq!(config.authorization_code_ttl, 60);
    assert!(config.issuer_is_loopback_http());
    assert!(!config.secure_cookies());
}

#[test]
fn unknown_key_is_refused_by_name() {
    let err = Config::from_toml("isuer = \"https://x\"").unwrap_err();
    assert!(err.message.contains("isuer"), "{err}");
}

#[test]
fn issuer_with_query_fragment_or_path_is_refused() {
    assert_eq!(
        error_key("issuer = \"https://id.example.com?x=1\""),
        "issuer"
    );
    assert_eq!(error_key("issuer = \"https://id.example.com#x\""), "issuer");
    assert_eq!(error_key("issuer = \"https://id.example.com/\""), "issuer");
    assert_eq!(error_key("issuer = \"not a url\""), "issuer");
}

#[test]
fn duplicate_client_id_is_refused() {
    let client = format!(
        "client_id = \"a\"\nclient_secret_hash = \"{HASH}\"\nredirect_uris = [\"https://a.example/cb\"]"
    );
    let text = format!("{}[[clients]]\n{client}\n", config_with_client(&client));
    assert_eq!(error_key(&text), "clients[1].client_id");
}

#[test]
fn bad_redirect_uris_are_refused() {
    for uri in [
        "/relative/cb",
        "https://a.example/cb#frag",
        "http://a.example/cb",
        "javascript:alert(1)",
    ] {
        let client = format!(
            "client_id = \"a\"\nclient_secret_hash = \"{HASH}\"\nredirect_uris = [\"{uri}\"]"
        );
        assert_eq!(
            error_key(&config_with_client(&client)),
            "clients[0].redirect_uris[0]",
            "{uri}"
        );
    }
}

#[test]
fn loopback_http_and_custom_scheme_redirects_are_allowed() {
    let client = format!(
        "client_id = \"a\"\nclient_secret_hash = \"{HASH}\"\nredirect_uris = [\"http://127.0.0.1:8765/cb\", \"http://[::1]/cb\", \"com.example.app:/cb\"]"
    );
    Config::from_toml(&config_with_client(&client)).unwrap();
}

#[test]
fn confidential_client_needs_a_secret_and_public_client_must_not_have_one() {
    let client = "client_id = \"a\"\nredirect_uris = [\"https://a.example/cb\"]";
    assert_eq!(
        error_key(&config_with_client(client)),
        "clients[0].client_secret_hash"
    );
    let client = format!(
        "client_id = \"a\"\nclient_secret_hash = \"{HASH}\"\ntoken_endpoint_auth_method = \"none\"\nredirect_uris = [\"https://a.example/cb\"]"
    );
    assert_eq!(
        error_key(&config_with_client(&client)),
        "clients[0].client_secret_hash"
    );
    let client = "client_id = \"a\"\nclient_secret_hash = \"plain\"\nredirect_uris = [\"https://a.example/cb\"]";
    assert_eq!(
        error_key(&config_with_client(client)),
        "clients[0].client_secret_hash"
    );
}

#[test]
fn code_ttl_is_capped_at_sixty_seconds() {
    assert_eq!(
        error_key("authorization_code_ttl = 600"),
        "authorization_code_ttl"
    );
}

#[test]
fn env_overrides_apply_and_are_checked() {
    let env = vec![
        (
            "TESSERA_ISSUER".to_string(),
            "https://login.example.org".to_string(),
        ),
        ("TESSERA_ACCESS_TOKEN_TTL".to_string(), "300".to_string()),
        ("TESSERA_CONFIG".to_string(), "ignored.toml".to_string()),
    ];
    let config = Config::from_toml_with_env("", env.into_iter()).unwrap();
    assert_eq!(config.issuer, "https://login.example.org");
    assert_eq!(config.access_token_ttl, 300);
    let env = vec![(
        "TESSERA_ISUER".to_string(),
        "https://typo.example".to_string(),
    )];
    let err = Config::from_toml_with_env("", env.into_iter()).unwrap_err();
    assert_eq!(err.key, "TESSERA_ISUER");
    let env = vec![("TESSERA_ACCESS_TOKEN_TTL".to_string(), "soon".to_string())];
    let err = Config::from_toml_with_env("", env.into_iter()).unwrap_err();
    assert_eq!(err.key, "TESSERA_ACCESS_TOKEN_TTL");
}

#[test]
fn mfa_settings_have_safe_defaults_and_are_checked() {
    let config = Config::from_toml("").unwrap();
    assert_eq!(config.mfa_issuer_name, "Tessera");
    assert!(config.mfa_encryption_key.is_none());
    assert_eq!(config.mfa_max_attempts, 5);
    assert_eq!(config.mfa_attempt_window, 900);
    assert_eq!(
        error_key("mfa_encryption_key = \"c2hvcnQ=\""),
        "mfa_encryption_key"
    );
    assert_eq!(error_key("mfa_issuer_name = \"A:B\""), "mfa_issuer_name");
    assert_eq!(error_key("mfa_max_attempts = 0"), "mfa_max_attempts");
    assert_eq!(error_key("mfa_attempt_window = 0"), "mfa_attempt_window");
}

#[test]
fn mfa_key_comes_from_the_environment_and_stays_out_of_debug() {
    let key = "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=";
    let env = vec![
        ("TESSERA_MFA_ENCRYPTION_KEY".to_string(), key.to_string()),
        ("TESSERA_MFA_MAX_ATTEMPTS".to_string(), "3".to_string()),
    ];
    let config = Config::from_toml_with_env("", env.into_iter()).unwrap();
    assert!(config.mfa_encryption_key.is_some());
    assert_eq!(config.mfa_max_attempts, 3);
    assert!(!format!("{config:?}").contains(key));
}

#[test]
fn clients_may_require_mfa_and_refuse_enrolment() {
    let client = format!(
        "client_id = \"a\"\nclient_secret_hash = \"{HASH}\"\nredirect_uris = [\"https://a.example/cb\"]\nrequire_mfa = true\nallow_enrolment = false"
    );
    let config = Config::from_toml(&config_with_client(&client)).unwrap();
    let clients = config.clients();
    assert!(clients[0].require_mfa);
    assert!(!clients[0].allow_enrolment);
    let plain = format!(
        "client_id = \"a\"\nclient_secret_hash = \"{HASH}\"\nredirect_uris = [\"https://a.example/cb\"]"
    );
    let clients = Config::from_toml(&config_with_client(&plain))
        .unwrap()
        .clients();
    assert!(!clients[0].require_mfa);
    assert!(clients[0].allow_enrolment);
}

#[test]
fn typed_values_are_parsed_once_and_errors_name_their_key() {
    let config = Config::from_toml(
        "listen = \"0.0.0.0:9000\"\ntrusted_proxies = [\"10.0.0.0/8\", \"127.0.0.1\"]",
    )
    .unwrap();
    assert_eq!(config.listen.port(), 9000);
    assert_eq!(config.trusted_proxies.len(), 2);
    assert!(config.trusted_proxies[1].contains(&"127.0.0.1".parse::<std::net::IpAddr>().unwrap()));
    assert_eq!(error_key("listen = \"localhost:80\""), "listen");
    assert_eq!(error_key("trusted_proxies = [\"nope\"]"), "trusted_proxies");
}

#[test]
fn a_plain_http_issuer_beyond_loopback_is_refused_unless_explicitly_allowed() {
    assert_eq!(error_key("issuer = \"http://id.example.com\""), "issuer");
    let config =
        Config::from_toml("issuer = \"http://id.example.com\"\nallow_insecure_http = true")
            .unwrap();
    assert!(!config.secure_cookies());
    for loopback in [
        "http://127.0.0.1:8080",
        "http://localhost:8080",
        "http://[::1]:8080",
    ] {
        Config::from_toml(&format!("issuer = \"{loopback}\"")).unwrap();
    }
}

#[test]
fn unknown_and_missing_keys_inside_clients_are_named_with_their_place() {
    let client = format!(
        "client_id = \"a\"\nclient_secret_hash = \"{HASH}\"\nredirect_uris = [\"https://a.example/cb\"]\nskip_concent = true"
    );
    assert_eq!(
        error_key(&config_with_client(&client)),
        "clients[0].skip_concent"
    );
    assert_eq!(
        error_key(&config_with_client(
            "client_id = \"a\"\ntoken_endpoint_auth_method = \"none\""
        )),
        "clients[0].redirect_uris"
    );
}

#[test]
fn back_channel_logout_uris_must_be_https_or_loopback_and_settings_positive() {
    let client = |uri: &str| {
        config_with_client(&format!(
            "client_id = \"a\"\nclient_secret_hash = \"{HASH}\"\nredirect_uris = [\"https://a.example/cb\"]\nbackchannel_logout_uri = \"{uri}\""
        ))
    };
    let config = Config::from_toml(&client("https://a.example/bcl")).unwrap();
    let registered = &config.clients()[0];
    assert_eq!(
        registered.backchannel_logout_uri.as_deref(),
        Some("https://a.example/bcl")
    );
    assert!(
        registered.backchannel_logout_session_required,
        "the default"
    );
    assert!(Config::from_toml(&client("http://127.0.0.1:9/bcl")).is_ok());
    for bad in ["http://a.example/bcl", "https://a.example/bcl#f", "/bcl"] {
        assert_eq!(
            error_key(&client(bad)),
            "clients[0].backchannel_logout_uri",
            "{bad}"
        );
    }
    assert_eq!(
        error_key("backchannel_logout_retry_for = 0"),
        "backchannel_logout_retry_for"
    );
    assert_eq!(
        error_key("backchannel_logout_timeout = 600"),
        "backchannel_logout_timeout"
    );
    assert_eq!(
        error_key("backchannel_logout_concurrency = 0"),
        "backchannel_logout_concurrency"
    );
}

const ORDERS_API: &str = "[[resources]]\nidentifier = \"https://orders.example\"\nname = \"Orders\"\nscopes = [\"orders:read\"]\n";

#[test]
fn apis_and_the_clients_that_use_them_are_checked_together() {
    let client = |extra: &str| {
        format!(
            "{}{ORDERS_API}",
            config_with_client(&format!(
                "client_id = \"a\"\nclient_secret_hash = \"{HASH}\"\n{extra}"
            ))
        )
    };
    let app = "redirect_uris = [\"https://a.example/cb\"]\nscopes = [\"openid\", \"orders:read\"]\nresources = [\"https://orders.example\"]";
    let config = Config::from_toml(&client(app)).unwrap();
    let clients = config.clients();
    assert_eq!(clients[0].resources[0].name, "Orders");
    assert!(clients[0].may_use(crate::oauth::client::GrantType::RefreshToken));
    let service = "grant_types = [\"client_credentials\"]\nscopes = [\"orders:read\"]\nresources = [\"https://orders.example\"]";
    assert!(
        Config::from_toml(&client(service)).is_ok(),
        "no redirect URI, no openid"
    );

    for (extra, key) in [
        // A scope nobody defines, an API nobody registered.
        (
            "redirect_uris = [\"https://a.example/cb\"]\nscopes = [\"openid\", \"orders:write\"]\nresources = [\"https://orders.example\"]",
            "clients[0].scopes[1]",
        ),
        (
            "redirect_uris = [\"https://a.example/cb\"]\nresources = [\"https://other.example\"]",
            "clients[0].resources[0]",
        ),
        // An API scope the client lists without the API.
        (
            "redirect_uris = [\"https://a.example/cb\"]\nscopes = [\"openid\", \"orders:read\"]",
            "clients[0].scopes[1]",
        ),
        ("grant_types = []", "clients[0].grant_types"),
        (
            "grant_types = [\"refresh_token\"]",
            "clients[0].grant_types",
        ),
        ("grant_types = [\"password\"]", "clients[0].grant_types[0]"),
        ("scopes = [\"openid\"]", "clients[0].redirect_uris"),
    ] {
        assert_eq!(error_key(&client(extra)), key, "{extra}");
    }
    let public_service = config_with_client(
        "client_id = \"p\"\ntoken_endpoint_auth_method = \"none\"\ngrant_types = [\"client_credentials\"]",
    );
    assert_eq!(error_key(&public_service), "clients[0].grant_types");
}

#[test]
fn an_api_is_an_absolute_uri_with_its_own_scopes() {
    let api = |body: &str| format!("issuer = \"https://id.example.com\"\n[[resources]]\n{body}\n");
    assert!(Config::from_toml(&api("identifier = \"urn:example:api\"")).is_ok());
    for (body, key) in [
        ("identifier = \"orders\"", "resources[0].identifier"),
        (
            "identifier = \"https://a.example#x\"",
            "resources[0].identifier",
        ),
        (
            "identifier = \"https://id.example.com\"",
            "resources[0].identifier",
        ),
        (
            "identifier = \"https://a.example\"\nscopes = [\"openid\"]",
            "resources[0].scopes[0]",
        ),
        (
            "identifier = \"https://a.example\"\nscopes = [\"a b\"]",
            "resources[0].scopes[0]",
        ),
        (
            "identifier = \"https://a.example\"\nintrospection_secret_hash = \"plain\"",
            "resources[0].introspection_secret_hash",
        ),
        (
            "identifier = \"https://a.example\"\naccess_token_ttl = 0",
            "resources[0].access_token_ttl",
        ),
        (
            "identifier = \"https://a.example\"\naccess_token_signed_response_alg = \"ES256\"",
            "resources[0].access_token_signed_response_alg",
        ),
    ] {
        assert_eq!(error_key(&api(body)), key, "{body}");
    }
    let twice = format!("{ORDERS_API}{ORDERS_API}");
    assert_eq!(error_key(&twice), "resources[1].identifier");
    let clash = format!(
        "{}{}",
        config_with_client(&format!(
            "client_id = \"https://orders.example\"\nclient_secret_hash = \"{HASH}\"\nredirect_uris = [\"https://a.example/cb\"]"
        )),
        ORDERS_API
    );
    assert_eq!(error_key(&clash), "resources[0].identifier");
}

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

#[test]
fn signing_algs_default_to_rs256_must_include_it_and_list_each_once() {
    assert_eq!(
        Config::from_toml("").unwrap().signing_algs,
        [SigningAlg::Rs256]
    );
    let all = Config::from_toml("signing_algs = [\"RS256\", \"ES256\", \"EdDSA\"]").unwrap();
    assert_eq!(all.signing_algs, SigningAlg::ALL);
    for refused in [
        "signing_algs = []",
        "signing_algs = [\"ES256\"]",
        "signing_algs = [\"RS256\", \"ES256\", \"ES256\"]",
    ] {
        assert_eq!(error_key(refused), "signing_algs", "{refused}");
    }
    let unknown = Config::from_toml("signing_algs = [\"RS256\", \"HS256\"]").unwrap_err();
    assert!(
        unknown.key.starts_with("signing_algs") && unknown.message.contains("HS256"),
        "{unknown}"
    );
}

#[test]
fn a_client_may_only_ask_for_an_algorithm_in_signing_algs() {
    let client = format!(
        "client_id = \"a\"\nclient_secret_hash = \"{HASH}\"\nredirect_uris = [\"https://a.example/cb\"]\nid_token_signed_response_alg = \"ES256\""
    );
    assert_eq!(
        error_key(&config_with_client(&client)),
        "clients[0].id_token_signed_response_alg"
    );
    let text = format!(
        "signing_algs = [\"RS256\", \"ES256\"]\n{}",
        config_with_client(&client)
    );
    let config = Config::from_toml(&text).unwrap();
    assert_eq!(
        config.clients()[0].id_token_signed_response_alg,
        SigningAlg::Es256
    );
    let default =
        config_with_client(&client.replace("\nid_token_signed_response_alg = \"ES256\"", ""));
    let config = Config::from_toml(&default).unwrap();
    assert_eq!(
        config.clients()[0].id_token_signed_response_alg,
        SigningAlg::Rs256
    );
}

#[test]
fn signing_algs_can_be_set_from_the_environment_as_a_list() {
    let env = [(
        "TESSERA_SIGNING_ALGS".to_string(),
        "RS256, EdDSA".to_string(),
    )];
    let config = Config::from_toml_with_env("", env.into_iter()).unwrap();
    assert_eq!(config.signing_algs, [SigningAlg::Rs256, SigningAlg::EdDsa]);
}
