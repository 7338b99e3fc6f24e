//! `[branding]`: defaults, every refusal naming its key, the logo read by content, and the
//! product name standing in for `mfa_issuer_name`.
use std::io::Write;

use super::*;
use crate::branding::logo::LogoKind;

fn refused(toml: &str) -> ConfigError {
    Config::from_toml(toml).expect_err("config should be refused")
}

fn logo_file(bytes: &[u8]) -> tempfile::NamedTempFile {
    let mut file = tempfile::NamedTempFile::new().unwrap();
    file.write_all(bytes).unwrap();
    file
}

fn with_logo(file: &tempfile::NamedTempFile) -> String {
    format!("[branding]\nlogo_file = {:?}", file.path())
}

#[test]
fn branding_is_optional_and_defaults_to_tessera() {
    let config = Config::from_toml("").unwrap();
    assert_eq!(config.branding.product_name, "Tessera");
    assert!(config.branding.logo.is_none());
    assert!(config.branding.primary_color.is_none());
    assert_eq!(config.mfa_issuer(), "Tessera");
}

#[test]
fn colours_are_hex_only() {
    let ok = Config::from_toml("[branding]\nprimary_color = \"#0A7\"").unwrap();
    assert_eq!(ok.branding.primary_color.unwrap().to_hex(), "#00aa77");
    for bad in ["red", "#12345", "rgb(0, 0, 0)", "#2b5fd9ff", ""] {
        let err = refused(&format!("[branding]\nprimary_color = {bad:?}"));
        assert_eq!(err.key, "branding.primary_color", "{bad}: {err}");
        assert!(err.message.contains("#rrggbb"), "{err}");
    }
}

#[test]
fn product_name_is_checked() {
    let long = "x".repeat(61);
    // TOML strings, escapes and all.
    let long = format!("{long:?}");
    for bad in [
        "\"\"",
        "\"   \"",
        long.as_str(),
        "\"Acme\\u0007\"",
        "\"Acme: ID\"",
    ] {
        let err = refused(&format!("[branding]\nproduct_name = {bad}"));
        assert_eq!(err.key, "branding.product_name", "{bad:?}");
    }
    // A colon is fine once the otpauth issuer is named on its own.
    let config =
        Config::from_toml("mfa_issuer_name = \"Acme\"\n[branding]\nproduct_name = \"Acme: ID\"")
            .unwrap();
    assert_eq!(config.mfa_issuer(), "Acme");
}

#[test]
fn the_product_name_is_the_default_mfa_issuer_and_an_explicit_one_wins() {
    let named = Config::from_toml("[branding]\nproduct_name = \"Acme ID\"").unwrap();
    assert_eq!(named.mfa_issuer(), "Acme ID");
    let explicit =
        Config::from_toml("mfa_issuer_name = \"Acme\"\n[branding]\nproduct_name = \"Acme ID\"")
            .unwrap();
    assert_eq!(explicit.mfa_issuer(), "Acme");
}

#[test]
fn links_must_be_absolute_http_urls() {
    for key in ["support_url", "privacy_url", "terms_url"] {
        for bad in [
            "/help",
            "javascript:alert(1)",
            "ftp://x.example/",
            "https://u:p@x.example/",
        ] {
            let err = refused(&format!("[branding]\n{key} = {bad:?}"));
            assert_eq!(err.key, format!("branding.{key}"), "{bad}: {err}");
        }
    }
    let ok = Config::from_toml("[branding]\nsupport_url = \"https://help.example.com/id\"");
    assert!(ok.is_ok());
}

#[test]
fn the_logo_is_read_and_recognised_by_content() {
    let png = logo_file(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR");
    let config = Config::from_toml(&with_logo(&png)).unwrap();
    assert_eq!(config.branding.logo.unwrap().kind, LogoKind::Png);
    // An SVG named .png is an SVG: the content decides.
    let svg = logo_file(b"<?xml version=\"1.0\"?><svg xmlns=\"http://www.w3.org/2000/svg\"/>");
    let config = Config::from_toml(&with_logo(&svg)).unwrap();
    assert_eq!(config.branding.logo.unwrap().kind, LogoKind::Svg);
}

#[test]
fn oversized_missing_and_foreign_logos_are_refused() {
    let mut big = b"\x89PNG\r\n\x1a\n".to_vec();
    big.resize(256 * 1024 + 1, 0);
    let gif = logo_file(b"GIF89a\x01\0\x01\0\0\0\0;");
    let html = logo_file(b"<!doctype html><html><body><svg></svg></body></html>");
    for (file, says) in [
        (logo_file(&big), "larger than 256 KiB"),
        (gif, "neither a PNG nor an SVG"),
        (html, "neither a PNG nor an SVG"),
    ] {
        let err = refused(&with_logo(&file));
        assert_eq!(err.key, "branding.logo_file");
        assert!(err.message.contains(says), "{err}");
    }
    let err = refused("[branding]\nlogo_file = \"/nonexistent/logo.png\"");
    assert_eq!(err.key, "branding.logo_file");
    // Exactly the limit is accepted.
    big.truncate(256 * 1024);
    assert!(Config::from_toml(&with_logo(&logo_file(&big))).is_ok());
}

#[test]
fn unknown_branding_keys_and_env_tables_are_refused() {
    let err = refused("[branding]\nprimary_colour = \"#000\"");
    assert!(err.key.starts_with("branding"), "{err}");
    let env = vec![("TESSERA_BRANDING".to_string(), "x".to_string())];
    let err = Config::from_toml_with_env("", env.into_iter()).unwrap_err();
    assert_eq!(err.key, "TESSERA_BRANDING");
}
