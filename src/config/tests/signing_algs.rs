//! `signing_algs` and the algorithms clients ask for.
use super::*;

#[test]
fn signing_algs_default_to_rs256_must_include_it_and_list_each_once() {
    assert_eq!(
        Config::from_toml("").unwrap().signing_algs,
        [SigningAlg::Rs256]
    );
    let all =
        Config::from_toml("signing_algs = [\"RS256\", \"PS256\", \"ES256\", \"EdDSA\"]").unwrap();
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
