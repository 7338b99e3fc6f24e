//! Which clients may use RFC 8693 token exchange, each refusal naming its key.
use super::*;

const ORDERS_API: &str =
    "[[resources]]\nidentifier = \"https://orders.example\"\nscopes = [\"orders:read\"]\n";
const GRANT: &str = "grant_types = [\"urn:ietf:params:oauth:grant-type:token-exchange\"]";

fn with_api(client: &str) -> String {
    format!("{}{ORDERS_API}", config_with_client(client))
}

#[test]
fn a_confidential_client_with_apis_may_exchange_tokens() {
    let client = format!(
        "client_id = \"backend\"\nclient_secret_hash = \"{HASH}\"\n{GRANT}\nscopes = [\"orders:read\"]\nresources = [\"https://orders.example\"]\ntoken_exchange_impersonation = true"
    );
    let config = Config::from_toml(&with_api(&client)).unwrap();
    let clients = config.clients();
    assert!(clients[0].may_use(crate::oauth::client::GrantType::TokenExchange));
    assert!(clients[0].token_exchange_impersonation);
}

#[test]
fn public_clients_clients_without_apis_and_stray_impersonation_are_refused() {
    let public = format!(
        "client_id = \"p\"\ntoken_endpoint_auth_method = \"none\"\n{GRANT}\nscopes = [\"orders:read\"]\nresources = [\"https://orders.example\"]"
    );
    assert_eq!(error_key(&with_api(&public)), "clients[0].grant_types");
    let no_apis =
        format!("client_id = \"b\"\nclient_secret_hash = \"{HASH}\"\n{GRANT}\nscopes = []");
    assert_eq!(error_key(&with_api(&no_apis)), "clients[0].resources");
    let stray = format!(
        "client_id = \"c\"\nclient_secret_hash = \"{HASH}\"\nredirect_uris = [\"https://c.example/cb\"]\ntoken_exchange_impersonation = true"
    );
    assert_eq!(
        error_key(&with_api(&stray)),
        "clients[0].token_exchange_impersonation"
    );
    // No exchange can ever make an admin API token: its clients use client_credentials alone.
    let admin = format!(
        "client_id = \"d\"\nclient_secret_hash = \"{HASH}\"\ngrant_types = [\"client_credentials\", \"urn:ietf:params:oauth:grant-type:token-exchange\"]\nscopes = [\"admin:read\"]\nresources = [\"urn:tessera:admin\"]"
    );
    assert_eq!(
        error_key(&config_with_client(&admin)),
        "clients[0].grant_types"
    );
}
