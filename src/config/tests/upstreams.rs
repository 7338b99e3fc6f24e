//! `[[upstreams]]`: the identity providers people sign in with, each error naming its key.
use super::*;
use crate::config::UpstreamKind;

const GITHUB: &str = "[[upstreams]]\nid = \"github\"\nkind = \"github\"\ndisplay_name = \"GitHub\"\nclient_id = \"Iv1.abc\"\nclient_secret_file = \"/etc/tessera/github.secret\"\n";
const GOOGLE: &str = "[[upstreams]]\nid = \"google\"\nkind = \"oidc\"\ndisplay_name = \"Google\"\nclient_id = \"g-client\"\nclient_secret_env = \"GOOGLE_SECRET\"\nissuer = \"https://accounts.google.com\"\n";

fn with(upstreams: &str) -> String {
    format!("issuer = \"https://id.example.com\"\n{upstreams}")
}

/// GITHUB with `extra` lines added to its table.
fn github(extra: &str) -> String {
    with(&format!("{GITHUB}{extra}\n"))
}

fn google(extra: &str) -> String {
    with(&format!("{GOOGLE}{extra}\n"))
}

#[test]
fn kinds_get_their_defaults() {
    let config = Config::from_toml(&with(&format!("{GITHUB}{GOOGLE}"))).unwrap();
    let (gh, google) = (&config.upstreams[0], &config.upstreams[1]);
    assert_eq!(gh.kind, UpstreamKind::Github);
    assert_eq!(gh.web_url(), "https://github.com");
    assert_eq!(gh.api_url(), "https://api.github.com");
    assert_eq!(gh.scopes(), ["read:user", "user:email"]);
    assert_eq!(google.scopes(), ["openid", "email", "profile"]);
    assert!(!gh.create_users && !gh.trusted_for_mfa && gh.allowed_email_domains.is_empty());
}

#[test]
fn no_upstreams_is_the_default() {
    assert!(Config::from_toml("").unwrap().upstreams.is_empty());
}

#[test]
fn github_enterprise_addresses_are_taken() {
    let config = Config::from_toml(&github(
        "web_url = \"https://ghe.example/\"\napi_url = \"https://ghe.example/api/v3\"",
    ))
    .unwrap();
    assert_eq!(config.upstreams[0].web_url(), "https://ghe.example");
    assert_eq!(config.upstreams[0].api_url(), "https://ghe.example/api/v3");
}

#[test]
fn ids_must_be_slugs_and_unique() {
    for id in ["", "GitHub", "git hub", "a/b", "x_y", &"a".repeat(33)] {
        let text = with(&GITHUB.replace("id = \"github\"", &format!("id = \"{id}\"")));
        assert_eq!(error_key(&text), "upstreams[0].id", "{id}");
    }
    let text = with(&format!(
        "{GITHUB}{}",
        GOOGLE.replace("id = \"google\"", "id = \"github\"")
    ));
    assert_eq!(error_key(&text), "upstreams[1].id");
}

#[test]
fn exactly_one_secret_source_and_never_the_secret() {
    let both = github("client_secret_env = \"GH_SECRET\"");
    assert_eq!(error_key(&both), "upstreams[0].client_secret_env");
    let none = with(&GITHUB.replace("client_secret_file = \"/etc/tessera/github.secret\"\n", ""));
    assert_eq!(error_key(&none), "upstreams[0].client_secret_file");
    // There is no key for the value itself: it would sit in a file many can read.
    let err = Config::from_toml(&github("client_secret = \"s3cret\"")).unwrap_err();
    assert!(err.message.contains("client_secret"), "{err}");
}

#[test]
fn a_tessera_variable_cannot_hold_the_secret() {
    let err = Config::from_toml(&google("").replace("GOOGLE_SECRET", "TESSERA_GOOGLE_SECRET"))
        .unwrap_err();
    assert_eq!(err.key, "upstreams[0].client_secret_env");
    assert!(err.message.contains("TESSERA_"), "{err}");
    let text = google("").replace("GOOGLE_SECRET", "NOT A NAME");
    assert_eq!(error_key(&text), "upstreams[0].client_secret_env");
}

#[test]
fn addresses_must_be_https_except_on_loopback() {
    for (extra, key) in [
        (
            "web_url = \"http://github.example\"",
            "upstreams[0].web_url",
        ),
        ("api_url = \"not a url\"", "upstreams[0].api_url"),
        (
            "api_url = \"https://api.example/?x=1\"",
            "upstreams[0].api_url",
        ),
        (
            "web_url = \"https://github.example/#top\"",
            "upstreams[0].web_url",
        ),
        (
            "issuer = \"https://accounts.google.com\"",
            "upstreams[0].issuer",
        ),
    ] {
        assert_eq!(error_key(&github(extra)), key, "{extra}");
    }
    Config::from_toml(&github(
        "web_url = \"http://127.0.0.1:8080\"\napi_url = \"http://localhost:8080/api\"",
    ))
    .unwrap();
    let oidc = |issuer: &str| google("").replace("https://accounts.google.com", issuer);
    for issuer in [
        "http://accounts.example",
        "https://a.example?x",
        "https://a.example#f",
        "ftp://a.example",
    ] {
        assert_eq!(error_key(&oidc(issuer)), "upstreams[0].issuer", "{issuer}");
    }
    Config::from_toml(&oidc("http://[::1]:9000")).unwrap();
    Config::from_toml(&oidc("https://login.example/tenant/v2.0")).unwrap();
}

#[test]
fn oidc_needs_an_issuer_and_no_github_addresses() {
    let no_issuer = with(&GOOGLE.replace("issuer = \"https://accounts.google.com\"\n", ""));
    assert_eq!(error_key(&no_issuer), "upstreams[0].issuer");
    assert_eq!(
        error_key(&google("web_url = \"https://github.com\"")),
        "upstreams[0].web_url"
    );
    assert_eq!(
        error_key(&google("api_url = \"https://api.github.com\"")),
        "upstreams[0].api_url"
    );
}

#[test]
fn oidc_scopes_must_contain_openid() {
    assert_eq!(
        error_key(&google("scopes = [\"email\", \"profile\"]")),
        "upstreams[0].scopes"
    );
    assert_eq!(
        error_key(&google("scopes = [\"openid\", \"bad scope\"]")),
        "upstreams[0].scopes[1]"
    );
    let config = Config::from_toml(&github("scopes = [\"read:user\"]")).unwrap();
    assert_eq!(config.upstreams[0].scopes(), ["read:user"]);
}

#[test]
fn display_name_is_required_and_short() {
    for name in ["", "   ", &"x".repeat(41)] {
        let text = with(&GITHUB.replace("\"GitHub\"", &format!("\"{name}\"")));
        assert_eq!(error_key(&text), "upstreams[0].display_name", "{name:?}");
    }
    let text = with(&GITHUB.replace("\"GitHub\"", &format!("\"{}\"", "é".repeat(40))));
    Config::from_toml(&text).unwrap();
}

#[test]
fn email_domains_are_lowercase_domains() {
    Config::from_toml(&github(
        "allowed_email_domains = [\"example.com\", \"corp.example\"]",
    ))
    .unwrap();
    for domain in [
        "Example.com",
        "@example.com",
        "*.example.com",
        "",
        ".example.com",
    ] {
        let text = github(&format!(
            "allowed_email_domains = [\"ok.example\", \"{domain}\"]"
        ));
        assert_eq!(
            error_key(&text),
            "upstreams[0].allowed_email_domains[1]",
            "{domain}"
        );
    }
}

#[test]
fn an_unknown_kind_or_key_is_refused_by_name() {
    let err = Config::from_toml(&with(
        &GITHUB.replace("kind = \"github\"", "kind = \"saml\""),
    ))
    .unwrap_err();
    assert!(err.key.contains("upstreams[0].kind"), "{err}");
    let err = Config::from_toml(&github("create_user = true")).unwrap_err();
    assert!(err.message.contains("create_user"), "{err}");
}

#[test]
fn upstreams_change_on_reload() {
    let running = Config::from_toml(&with(GITHUB)).unwrap();
    let (applied, ignored) = running.reloaded(Config::from_toml(&with(GOOGLE)).unwrap(), None);
    assert!(ignored.is_empty(), "{ignored:?}");
    assert_eq!(applied.upstreams[0].id, "google");
}

#[test]
fn the_environment_cannot_set_upstreams() {
    let env = vec![("TESSERA_UPSTREAMS".to_string(), "github".to_string())];
    let err = Config::from_toml_with_env("", env.into_iter()).unwrap_err();
    assert_eq!(err.key, "TESSERA_UPSTREAMS");
}
