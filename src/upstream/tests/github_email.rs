//! Which GitHub address counts: the primary one, verified only as GitHub says.
use crate::upstream::{GithubEmail, github_email};

fn entry(email: &str, primary: bool, verified: bool) -> GithubEmail {
    GithubEmail {
        email: email.into(),
        primary,
        verified,
    }
}

#[test]
fn a_verified_primary_address_is_verified() {
    let emails = [
        entry("old@example.com", false, true),
        entry(" ada@example.com ", true, true),
    ];
    assert_eq!(
        github_email(&emails),
        (Some("ada@example.com".to_string()), true)
    );
}

#[test]
fn a_verified_secondary_address_does_not_stand_in_for_an_unverified_primary() {
    let emails = [
        entry("ada@example.com", true, false),
        entry("verified@example.com", false, true),
    ];
    assert_eq!(
        github_email(&emails),
        (Some("ada@example.com".to_string()), false)
    );
}

#[test]
fn no_primary_address_is_no_address() {
    let emails = [entry("verified@example.com", false, true)];
    assert_eq!(github_email(&emails), (None, false));
    assert_eq!(github_email(&[]), (None, false));
    assert_eq!(github_email(&[entry("  ", true, true)]), (None, false));
}
