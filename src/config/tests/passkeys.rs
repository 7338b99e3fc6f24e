//! `webauthn_rp_id` and the default issuer's fitness for passkeys.
use super::*;
use crate::auth::passkey;

#[test]
fn the_default_issuer_can_host_passkeys() {
    let config = Config::from_toml("").unwrap();
    assert_eq!(config.issuer, "http://localhost:8080");
    assert!(passkey::relying_party(&config.issuer, None, "Tessera").is_ok());
}

#[test]
fn the_rp_id_must_be_the_issuer_host_or_a_parent_domain() {
    let issuer = "issuer = \"https://id.example.com\"";
    for fits in ["id.example.com", "example.com"] {
        Config::from_toml(&format!("{issuer}\nwebauthn_rp_id = \"{fits}\"")).unwrap();
    }
    for refused in [
        "other.com",
        "ample.com",
        "login.id.example.com",
        "127.0.0.1",
        "",
    ] {
        let text = format!("{issuer}\nwebauthn_rp_id = \"{refused}\"");
        assert_eq!(error_key(&text), "webauthn_rp_id", "{refused}");
    }
    let ip_issuer = "issuer = \"http://127.0.0.1:8080\"\nwebauthn_rp_id = \"localhost\"";
    assert_eq!(error_key(ip_issuer), "webauthn_rp_id");
}

#[test]
fn an_ip_issuer_starts_with_passkeys_off() {
    let config = Config::from_toml("issuer = \"http://127.0.0.1:8080\"").unwrap();
    let unavailable = passkey::relying_party(&config.issuer, None, "Tessera").err();
    assert_eq!(unavailable, Some(passkey::Unavailable::IpAddressIssuer));
}
