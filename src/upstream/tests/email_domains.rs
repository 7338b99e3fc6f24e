//! `allowed_email_domains`: only a verified address in a listed domain passes.
use crate::upstream::{VerifiedIdentity, email_domain_allowed};

fn identity(email: Option<&str>, verified: bool) -> VerifiedIdentity {
    VerifiedIdentity {
        upstream_id: "corp".into(),
        issuer: "https://login.example".into(),
        subject: "1".into(),
        email: email.map(str::to_string),
        email_verified: verified,
        name: None,
        account_name: None,
        hosted_domain: None,
        upstream_mfa: false,
    }
}

#[test]
fn an_empty_list_allows_everyone() {
    assert!(email_domain_allowed(&[], &identity(None, false)));
}

#[test]
fn only_a_verified_address_in_a_listed_domain_passes() {
    let allowed = vec!["example.com".to_string()];
    assert!(email_domain_allowed(
        &allowed,
        &identity(Some("ada@Example.COM"), true)
    ));
    assert!(!email_domain_allowed(
        &allowed,
        &identity(Some("ada@example.com"), false)
    ));
    assert!(!email_domain_allowed(
        &allowed,
        &identity(Some("ada@evil.example.com"), true)
    ));
    assert!(!email_domain_allowed(
        &allowed,
        &identity(Some("ada@example.com.evil"), true)
    ));
    assert!(!email_domain_allowed(
        &allowed,
        &identity(Some("example.com"), true)
    ));
    assert!(!email_domain_allowed(&allowed, &identity(None, true)));
}

#[test]
fn a_listed_google_workspace_hosted_domain_passes() {
    let allowed = vec!["example.com".to_string()];
    let mut workspace = identity(Some("ada@example.org"), true);
    workspace.hosted_domain = Some("example.com".into());
    assert!(email_domain_allowed(&allowed, &workspace));
    workspace.hosted_domain = Some("other.example".into());
    assert!(!email_domain_allowed(&allowed, &workspace));
}
