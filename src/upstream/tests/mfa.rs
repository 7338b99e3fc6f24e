//! When an upstream's sign-in counts as multi-factor (RFC 8176 `amr`, `acr`).
use crate::upstream::{PAPE_MULTI_FACTOR, upstream_mfa};

fn amr(methods: &[&str]) -> Vec<String> {
    methods.iter().map(|m| m.to_string()).collect()
}

#[test]
fn mfa_or_a_password_with_a_second_factor_is_multi_factor() {
    assert!(upstream_mfa(&amr(&["mfa"]), None));
    for factor in ["otp", "hwk", "swk", "sms", "fpt", "face"] {
        assert!(upstream_mfa(&amr(&["pwd", factor]), None), "{factor}");
    }
}

#[test]
fn one_factor_alone_is_not() {
    for methods in [
        &["pwd"][..],
        &["otp"],
        &["hwk"],
        &["pwd", "kba"],
        &["pwd", "user"],
        &[],
    ] {
        assert!(!upstream_mfa(&amr(methods), None), "{methods:?}");
    }
}

#[test]
fn the_tessera_and_pape_classes_are_multi_factor() {
    assert!(upstream_mfa(&[], Some("urn:tessera:mfa")));
    assert!(upstream_mfa(&[], Some(PAPE_MULTI_FACTOR)));
    assert!(!upstream_mfa(&[], Some("urn:tessera:pwd")));
    assert!(!upstream_mfa(&[], Some("1")));
}
