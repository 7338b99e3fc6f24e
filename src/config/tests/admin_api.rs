//! The built-in admin API (`urn:tessera:admin`) and its listener: a client lists it without a
//! `[[resources]]` block, but only with `client_credentials` alone, so no token a user signed
//! in for can carry admin scopes (that discovery never names them is `tests/admin_api.rs`).
use super::*;

fn admin_client(grant_types: &str) -> String {
    config_with_client(&format!(
        "client_id = \"admin-tool\"\nclient_secret_hash = \"{HASH}\"\ngrant_types = {grant_types}\nresources = [\"urn:tessera:admin\"]\nscopes = [\"admin:read\", \"admin:write\"]\nredirect_uris = [\"https://admin.example.com/cb\"]"
    ))
}

#[test]
fn a_client_credentials_client_may_list_the_built_in_admin_api() {
    let config = Config::from_toml(&admin_client("[\"client_credentials\"]")).unwrap();
    let client = &config.clients()[0];
    let admin = client
        .resources
        .iter()
        .find(|r| r.identifier == ADMIN_API)
        .expect("the built-in resource");
    assert_eq!(admin.scopes, vec![ADMIN_READ, ADMIN_WRITE]);
    assert!(admin.introspection_secret_hash.is_none());
    assert!(config.resources.is_empty(), "no [[resources]] block");
    assert!(
        config
            .all_resources()
            .iter()
            .any(|r| r.identifier == ADMIN_API)
    );
}

#[test]
fn a_client_that_a_user_could_sign_in_through_may_not_list_it() {
    for grants in [
        "[\"authorization_code\"]",
        "[\"authorization_code\", \"refresh_token\"]",
        "[\"client_credentials\", \"authorization_code\"]",
    ] {
        let err = Config::from_toml(&admin_client(grants)).unwrap_err();
        assert_eq!(err.key, "clients[0].grant_types", "{grants}");
        assert!(err.message.contains("client_credentials only"), "{err}");
    }
}

#[test]
fn admin_scopes_without_the_admin_api_are_refused() {
    let text = config_with_client(&format!(
        "client_id = \"sneaky\"\nclient_secret_hash = \"{HASH}\"\nredirect_uris = [\"https://app.example.com/cb\"]\nscopes = [\"openid\", \"admin:write\"]"
    ));
    assert_eq!(error_key(&text), "clients[0].scopes[1]");
}

#[test]
fn a_resources_block_may_not_claim_the_admin_api() {
    let text = "issuer = \"https://id.example.com\"\n[[resources]]\nidentifier = \"urn:tessera:admin\"\nscopes = [\"admin:read\"]\n";
    let err = Config::from_toml(text).unwrap_err();
    assert_eq!(err.key, "resources[0].identifier");
    assert!(err.message.contains("built-in"), "{err}");
}

#[test]
fn admin_listen_is_its_own_address() {
    let base = "issuer = \"https://id.example.com\"\nlisten = \"127.0.0.1:8080\"\nmetrics_listen = \"127.0.0.1:9464\"\n";
    let ok = Config::from_toml(&format!("{base}admin_listen = \"127.0.0.1:9465\"")).unwrap();
    assert_eq!(ok.admin_listen, Some("127.0.0.1:9465".parse().unwrap()));
    assert!(Config::from_toml(base).unwrap().admin_listen.is_none());
    for taken in ["127.0.0.1:8080", "127.0.0.1:9464"] {
        let text = format!("{base}admin_listen = \"{taken}\"");
        assert_eq!(error_key(&text), "admin_listen", "{taken}");
    }
    let text = format!("{base}admin_listen = \"not an address\"");
    assert!(Config::from_toml(&text).is_err());
}

#[test]
fn admin_listen_needs_a_restart() {
    let running = Config::from_toml("").unwrap();
    let file = Config::from_toml("admin_listen = \"127.0.0.1:9465\"").unwrap();
    let (applied, ignored) = running.reloaded(file, None);
    assert_eq!(ignored, vec!["admin_listen"]);
    assert!(applied.admin_listen.is_none());
}
