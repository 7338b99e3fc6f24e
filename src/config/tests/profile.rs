//! PAR and the FAPI 2.0 profile in the configuration: the global keys, what clients inherit,
//! and each registration the fapi2 profile refuses, by the key that breaks it.
use super::*;
use crate::oauth::profile::Profile;

/// A fapi2 client that keeps the profile: private_key_jwt, PS256, https; `extra` appended
/// (a key given twice in TOML is an error, so edits replace whole lines).
fn fapi_client(extra: &str, without: &[&str]) -> String {
    let lines = [
        "client_id = \"bank\"",
        "profile = \"fapi2\"",
        "token_endpoint_auth_method = \"private_key_jwt\"",
        "jwks_uri = \"https://bank.example/jwks\"",
        "redirect_uris = [\"https://bank.example/cb\"]",
        "id_token_signed_response_alg = \"PS256\"",
    ];
    let kept: Vec<&str> = lines
        .into_iter()
        .filter(|l| !without.iter().any(|w| l.starts_with(w)))
        .collect();
    format!(
        "issuer = \"https://id.example.com\"\nsigning_algs = [\"RS256\", \"PS256\", \"ES256\"]\n[[clients]]\n{}\n{extra}\n",
        kept.join("\n")
    )
}

#[test]
fn par_keys_default_and_par_expires_in_stays_under_600_seconds() {
    let config = Config::from_toml("").unwrap();
    assert_eq!(config.par_expires_in, 60);
    assert!(!config.require_pushed_authorization_requests);
    assert_eq!(config.default_profile, Profile::Standard);
    for bad in [
        "par_expires_in = 0",
        "par_expires_in = 600",
        "par_expires_in = -1",
    ] {
        assert_eq!(error_key(bad), "par_expires_in", "{bad}");
    }
    assert!(Config::from_toml("par_expires_in = 599").is_ok());
    let env = [
        ("TESSERA_PAR_EXPIRES_IN".to_string(), "30".to_string()),
        (
            "TESSERA_REQUIRE_PUSHED_AUTHORIZATION_REQUESTS".into(),
            "true".into(),
        ),
        ("TESSERA_DEFAULT_PROFILE".into(), "fapi2".into()),
    ];
    let config = Config::from_toml_with_env("", env.into_iter()).unwrap();
    assert_eq!(config.par_expires_in, 30);
    assert!(config.require_pushed_authorization_requests);
    assert_eq!(config.default_profile, Profile::Fapi2);
    let wrong = [("TESSERA_DEFAULT_PROFILE".to_string(), "fapi".to_string())];
    assert!(Config::from_toml_with_env("", wrong.into_iter()).is_err());
}

#[test]
fn clients_inherit_the_global_par_requirement_and_profile_unless_they_say_otherwise() {
    let client = format!(
        "client_id = \"a\"\nclient_secret_hash = \"{HASH}\"\nredirect_uris = [\"https://a.example/cb\"]"
    );
    let own = format!("{client}\nrequire_pushed_authorization_requests = false");
    let text = format!(
        "require_pushed_authorization_requests = true\n{}[[clients]]\n{}\n",
        config_with_client(&client),
        own.replace("\"a\"", "\"b\"")
    );
    let clients = Config::from_toml(&text).unwrap().clients();
    assert!(clients[0].require_pushed_authorization_requests);
    assert!(!clients[1].require_pushed_authorization_requests);
    assert_eq!(clients[0].profile, Profile::Standard);
    assert!(!clients[0].dpop_bound_access_tokens);
}

#[test]
fn a_fapi2_client_must_push_and_is_dpop_bound() {
    let config = Config::from_toml(&fapi_client("", &[])).unwrap();
    let bank = config.clients().remove(0);
    assert_eq!(bank.profile, Profile::Fapi2);
    assert!(bank.require_pushed_authorization_requests);
    assert!(bank.dpop_bound_access_tokens);
    let by_default = fapi_client("", &["profile"])
        .replace("signing_algs", "default_profile = \"fapi2\"\nsigning_algs");
    let bank = Config::from_toml(&by_default).unwrap().clients().remove(0);
    assert!(bank.is_fapi2() && bank.dpop_bound_access_tokens);
    let opted_out = fapi_client("profile = \"none\"", &["profile"]);
    let bank = Config::from_toml(&opted_out).unwrap().clients().remove(0);
    assert!(!bank.is_fapi2() && !bank.require_pushed_authorization_requests);
}

#[test]
fn a_fapi2_client_that_breaks_the_profile_is_refused_by_the_key_that_breaks_it() {
    let public = fapi_client(
        "token_endpoint_auth_method = \"none\"",
        &["token_endpoint_auth_method", "jwks_uri"],
    );
    let secret = fapi_client(
        &format!("client_secret_hash = \"{HASH}\""),
        &["token_endpoint_auth_method", "jwks_uri"],
    );
    let secret_post = fapi_client(
        &format!(
            "client_secret_hash = \"{HASH}\"\ntoken_endpoint_auth_method = \"client_secret_post\""
        ),
        &["token_endpoint_auth_method", "jwks_uri"],
    );
    let cases = [
        (public, "clients[0].token_endpoint_auth_method"),
        (secret, "clients[0].token_endpoint_auth_method"),
        (secret_post, "clients[0].token_endpoint_auth_method"),
        (
            fapi_client("", &["id_token_signed_response_alg"]),
            "clients[0].id_token_signed_response_alg",
        ),
        (
            fapi_client(
                "id_token_signed_response_alg = \"RS256\"",
                &["id_token_signed_response_alg"],
            ),
            "clients[0].id_token_signed_response_alg",
        ),
        (
            fapi_client("token_endpoint_auth_signing_alg = \"RS256\"", &[]),
            "clients[0].token_endpoint_auth_signing_alg",
        ),
        (
            fapi_client("client_assertion_accepts_token_endpoint_aud = true", &[]),
            "clients[0].client_assertion_accepts_token_endpoint_aud",
        ),
        (
            fapi_client("require_pushed_authorization_requests = false", &[]),
            "clients[0].require_pushed_authorization_requests",
        ),
        (
            fapi_client(
                "redirect_uris = [\"https://bank.example/cb\", \"http://127.0.0.1:9000/cb\"]",
                &["redirect_uris"],
            ),
            "clients[0].redirect_uris[1]",
        ),
        (
            fapi_client("", &[]).replace("signing_algs", "refresh_grace_period = 0\nsigning_algs"),
            "refresh_grace_period",
        ),
    ];
    for (text, key) in cases {
        let refused = Config::from_toml(&text).expect_err(key);
        assert_eq!(refused.key, key, "{refused}");
        assert!(
            refused.message.contains("fapi2") || refused.message.contains("FAPI"),
            "{refused}"
        );
    }
}

#[test]
fn a_fapi2_client_may_only_ask_for_apis_that_do_not_sign_with_rs256() {
    let api = |alg: &str| {
        format!(
            "[[resources]]\nidentifier = \"https://api.example\"\nname = \"API\"\nscopes = [\"read\"]\naccess_token_signed_response_alg = \"{alg}\"\n"
        )
    };
    let client = fapi_client("resources = [\"https://api.example\"]", &[]);
    let refused = format!("{client}{}", api("RS256"));
    assert_eq!(error_key(&refused), "clients[0].resources[0]");
    let allowed = format!("{client}{}", api("ES256"));
    assert!(Config::from_toml(&allowed).is_ok());
    let admin = fapi_client(
        "grant_types = [\"client_credentials\"]\nresources = [\"urn:tessera:admin\"]\nscopes = [\"admin:read\"]",
        &["redirect_uris"],
    );
    assert_eq!(error_key(&admin), "clients[0].resources[0]");
}
