//! Unit tests of loading and validating the configuration.
use super::*;

mod admin_api;
mod apis;
mod branding;
mod email;
mod passkeys;
mod private_key_jwt;
mod profile;
mod signing_algs;
mod token_exchange;
mod upstreams;

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
    assert_eq!(config.mfa_issuer(), "Tessera");
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

#[test]
fn default_locale_is_english_and_must_be_a_supported_language() {
    use crate::i18n::Locale;
    assert_eq!(Config::from_toml("").unwrap().default_locale, Locale::En);
    let german = Config::from_toml("default_locale = \"de\"").unwrap();
    assert_eq!(german.default_locale, Locale::De);
    assert_eq!(error_key("default_locale = \"ja\""), "default_locale");
    // A region is a preference to negotiate, not a catalogue to name.
    assert_eq!(error_key("default_locale = \"de-CH\""), "default_locale");
    let err = Config::from_toml("default_locale = \"es\"").unwrap_err();
    assert!(err.message.contains("en, de, fr"), "{err}");
}

#[test]
fn default_locale_takes_effect_on_reload() {
    let running = Config::from_toml("").unwrap();
    let file = Config::from_toml("default_locale = \"fr\"").unwrap();
    let (reloaded, ignored) = running.reloaded(file, None);
    assert_eq!(reloaded.default_locale, crate::i18n::Locale::Fr);
    assert!(ignored.is_empty(), "{ignored:?}");
}

#[test]
fn password_min_length_defaults_to_eight_and_is_never_below_it() {
    let config = Config::from_toml("").unwrap();
    assert_eq!(config.password_min_length, 8);
    assert_eq!(config.password_rules().product_name, "Tessera");
    let longer = Config::from_toml("password_min_length = 12").unwrap();
    assert_eq!(longer.password_rules().min_length, 12);
    assert_eq!(error_key("password_min_length = 7"), "password_min_length");
    assert_eq!(error_key("password_min_length = 65"), "password_min_length");
}
