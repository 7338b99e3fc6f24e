//! GitHub (and GitHub Enterprise): OAuth 2.0 web flow with PKCE, then the REST API for who
//! signed in. There is no ID token: the identity is the numeric user id (a login can be
//! renamed and then taken by someone else; the id is never reused).
use serde::Deserialize;

use super::endpoints::Endpoints;
use super::error::UpstreamError;
use super::http_client::{GuardedHttp, json_body};
use super::identity::{GithubEmail, VerifiedIdentity, github_email, trimmed};
use super::token_exchange::{ClientAuth, Exchange};
use crate::config::UpstreamConfig;

/// The REST API version whose answers this code reads.
const API_VERSION: (&str, &str) = ("x-github-api-version", "2022-11-28");
const API_MEDIA_TYPE: (&str, &str) = ("accept", "application/vnd.github+json");

/// GitHub's endpoints, derived from the configured `web_url` and `api_url`.
pub struct Github {
    user_url: url::Url,
    emails_url: url::Url,
}

#[derive(Deserialize)]
struct User {
    id: u64,
    login: Option<String>,
    name: Option<String>,
}

impl Github {
    /// The endpoints; no request is made (GitHub has no discovery).
    pub fn new(config: &UpstreamConfig) -> Result<(Self, Endpoints), String> {
        let parse = |base: &str, path: &str| {
            url::Url::parse(&format!("{base}{path}"))
                .map_err(|e| format!("{base}{path} is not a URL: {e}"))
        };
        let endpoints = Endpoints {
            authorization: parse(config.web_url(), "/login/oauth/authorize")?,
            token: parse(config.web_url(), "/login/oauth/access_token")?,
        };
        let github = Self {
            user_url: parse(config.api_url(), "/user")?,
            emails_url: parse(config.api_url(), "/user/emails")?,
        };
        Ok((github, endpoints))
    }

    /// The code exchanged, then the user and their addresses read with the access token (which
    /// is dropped on return).
    pub async fn finish(
        &self,
        http: &GuardedHttp,
        exchange: Exchange<'_>,
        upstream_id: &str,
        issuer: &str,
    ) -> Result<VerifiedIdentity, UpstreamError> {
        let exchange = Exchange {
            auth: ClientAuth::Post,
            ..exchange
        };
        let tokens = exchange.send(http).await?;
        let user: User = self.api(http, &self.user_url, &tokens.access_token).await?;
        let emails: Vec<GithubEmail> = self
            .api(http, &self.emails_url, &tokens.access_token)
            .await?;
        let (email, email_verified) = github_email(&emails);
        Ok(VerifiedIdentity {
            upstream_id: upstream_id.to_string(),
            issuer: issuer.to_string(),
            subject: user.id.to_string(),
            email,
            email_verified,
            name: trimmed(user.name.as_deref()),
            account_name: trimmed(user.login.as_deref()),
            hosted_domain: None,
            upstream_mfa: false,
        })
    }

    /// One authenticated API call. An error status is a refusal (a revoked grant, a missing
    /// scope), except 5xx and rate limits: those pass.
    async fn api<T: for<'de> Deserialize<'de>>(
        &self,
        http: &GuardedHttp,
        url: &url::Url,
        access_token: &str,
    ) -> Result<T, UpstreamError> {
        let path = url.path().to_string();
        let response = http
            .get_json(url, Some(access_token), &[API_MEDIA_TYPE, API_VERSION])
            .await
            .map_err(|e| UpstreamError::Unavailable(format!("GitHub API {path}: {e}")))?;
        let status = response.status();
        if status.is_server_error() || status.as_u16() == 429 {
            return Err(UpstreamError::Unavailable(format!(
                "GitHub API {path}: HTTP {}",
                status.as_u16()
            )));
        }
        if !status.is_success() {
            return Err(UpstreamError::Refused(format!(
                "GitHub API {path}: HTTP {}",
                status.as_u16()
            )));
        }
        json_body(&response)
            .map_err(|why| UpstreamError::Unavailable(format!("GitHub API {path}: {why}")))
    }
}
