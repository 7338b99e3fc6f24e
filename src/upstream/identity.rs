//! What a finished upstream sign-in proves about the person, and the pure rules that read it
//! from the providers' answers: which e-mail address counts (GitHub), and when an upstream
//! sign-in was multi-factor (RFC 8176 `amr`, OIDC `acr`).
use serde::Deserialize;

use crate::oauth::acr;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifiedIdentity {
    pub upstream_id: String,
    /// As `Upstream::issuer()`: the OIDC `iss`, or GitHub's `web_url`.
    pub issuer: String,
    /// The OIDC `sub` / GitHub's numeric user id: stable, never reassigned.
    pub subject: String,
    /// As given, trimmed.
    pub email: Option<String>,
    /// Only when the upstream says the address is verified.
    pub email_verified: bool,
    pub name: Option<String>,
    /// GitHub login / `preferred_username` / the e-mail: what the account page shows.
    pub account_name: Option<String>,
    /// The OIDC `hd` claim (a Google Workspace domain).
    pub hosted_domain: Option<String>,
    /// The upstream asserted multi-factor authentication ([`upstream_mfa`]). Always false
    /// for GitHub, which says nothing about how its users signed in.
    pub upstream_mfa: bool,
}

/// The PAPE policy URI for multi-factor authentication, still sent as `acr` by some providers.
pub const PAPE_MULTI_FACTOR: &str = "http://schemas.openid.net/pape/policies/2007/06/multi-factor";

/// Second factors that, next to `pwd`, make a sign-in multi-factor (RFC 8176 §2).
const SECOND_FACTORS: [&str; 6] = ["otp", "hwk", "swk", "sms", "fpt", "face"];

/// True when `amr` contains `mfa`, or `pwd` together with a second factor, or when `acr` is
/// Tessera's own MFA class or the PAPE multi-factor policy.
pub fn upstream_mfa(amr: &[String], acr: Option<&str>) -> bool {
    let has = |name: &str| amr.iter().any(|method| method == name);
    has("mfa")
        || (has("pwd") && SECOND_FACTORS.iter().any(|factor| has(factor)))
        || matches!(acr, Some(class) if class == acr::MFA || class == PAPE_MULTI_FACTOR)
}

/// One entry of GitHub's `GET /user/emails`.
#[derive(Debug, Clone, Deserialize)]
pub struct GithubEmail {
    pub email: String,
    #[serde(default)]
    pub primary: bool,
    #[serde(default)]
    pub verified: bool,
}

/// The address a GitHub account signs in with: its primary one, verified only when GitHub
/// says so. A verified address that is not primary is never used: the primary address is the
/// one the account owner chose, and picking another would let the identity drift between
/// sign-ins as addresses are added.
pub fn github_email(emails: &[GithubEmail]) -> (Option<String>, bool) {
    match emails.iter().find(|entry| entry.primary) {
        Some(primary) => {
            let email = trimmed(Some(&primary.email));
            let verified = email.is_some() && primary.verified;
            (email, verified)
        }
        None => (None, false),
    }
}

/// `allowed_email_domains`: an empty list allows everyone; otherwise the identity needs a
/// verified address whose domain is listed exactly (a subdomain is another domain, and an
/// unverified address proves nothing about the domain), or a Google Workspace `hd` (the
/// hosted domain, in a signed ID token) that is listed: a Workspace account may use an
/// address of another of the organisation's domains.
pub fn email_domain_allowed(allowed: &[String], identity: &VerifiedIdentity) -> bool {
    if allowed.is_empty() {
        return true;
    }
    let domain = identity
        .email
        .as_deref()
        .filter(|_| identity.email_verified)
        .and_then(|email| email.rsplit_once('@'))
        .map(|(_, domain)| domain.to_ascii_lowercase());
    let hosted = identity
        .hosted_domain
        .as_deref()
        .map(str::to_ascii_lowercase);
    domain.is_some_and(|domain| allowed.contains(&domain))
        || hosted.is_some_and(|hosted| allowed.contains(&hosted))
}

/// A claim's text without surrounding space; an empty one is none.
pub fn trimmed(value: Option<&str>) -> Option<String> {
    value
        .map(str::trim)
        .filter(|value| !value.is_empty())
        .map(str::to_string)
}
