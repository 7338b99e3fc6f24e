//! `[[resources]]` and the clients that use them.
use super::*;

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
