//! One resolved upstream: its secret read, its endpoints known, ready to send a browser to
//! the provider and to finish the callback.
use std::fmt;

use super::endpoints::Endpoints;
use super::error::UpstreamError;
use super::github::Github;
use super::http_client::GuardedHttp;
use super::identity::{VerifiedIdentity, email_domain_allowed, trimmed, upstream_mfa};
use super::oidc::Oidc;
use super::request::UpstreamRequest;
use super::secret::{self, ClientSecret};
use super::token_exchange::{ClientAuth, Exchange};
use crate::config::{UpstreamConfig, UpstreamKind};
use crate::oauth::pkce::s256_challenge;
use crate::routes;

pub struct Upstream {
    config: UpstreamConfig,
    /// What identities of this upstream are keyed under.
    issuer: String,
    /// Tessera's callback for this upstream, as registered at the provider.
    redirect_uri: String,
    endpoints: Endpoints,
    secret: ClientSecret,
    http: GuardedHttp,
    provider: Provider,
}

enum Provider {
    Github(Github),
    Oidc(Box<Oidc>),
}

impl fmt::Debug for Upstream {
    // The secret stays out: only what names the upstream.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Upstream")
            .field("id", &self.config.id)
            .field("kind", &self.config.kind)
            .field("issuer", &self.issuer)
            .finish_non_exhaustive()
    }
}

impl Upstream {
    /// Reads the secret and (OIDC) fetches discovery and the JWKS. The error names what
    /// failed, never a secret.
    pub async fn resolve(
        tessera_issuer: &str,
        config: &UpstreamConfig,
        now: i64,
    ) -> Result<Self, String> {
        let secret = secret::read(config)?;
        let (http, provider, endpoints, issuer) = match config.kind {
            UpstreamKind::Github => {
                let http = GuardedHttp::for_base(config.web_url()).map_err(|e| e.0)?;
                let (github, endpoints) = Github::new(config)?;
                let issuer = config.web_url().to_string();
                (http, Provider::Github(github), endpoints, issuer)
            }
            UpstreamKind::Oidc => {
                let http = GuardedHttp::for_base(config.issuer.as_deref().unwrap_or_default())
                    .map_err(|e| e.0)?;
                let (oidc, endpoints) = Oidc::discover(config, &http, now).await?;
                let issuer = oidc.issuer().to_string();
                (http, Provider::Oidc(Box::new(oidc)), endpoints, issuer)
            }
        };
        Ok(Self {
            redirect_uri: routes::upstream_callback(tessera_issuer, &config.id),
            config: config.clone(),
            issuer,
            endpoints,
            secret,
            http,
            provider,
        })
    }

    pub fn id(&self) -> &str {
        &self.config.id
    }

    pub fn display_name(&self) -> &str {
        &self.config.display_name
    }

    pub fn kind(&self) -> UpstreamKind {
        self.config.kind
    }

    pub fn create_users(&self) -> bool {
        self.config.create_users
    }

    pub fn allowed_email_domains(&self) -> &[String] {
        &self.config.allowed_email_domains
    }

    /// Whether `identity` passes `allowed_email_domains` (see [`email_domain_allowed`]).
    pub fn allows_email_of(&self, identity: &VerifiedIdentity) -> bool {
        email_domain_allowed(&self.config.allowed_email_domains, identity)
    }

    pub fn trusted_for_mfa(&self) -> bool {
        self.config.trusted_for_mfa
    }

    /// The issuer the identities of this upstream are keyed under: the OIDC `iss`, or
    /// GitHub's `web_url`.
    pub fn issuer(&self) -> &str {
        &self.issuer
    }

    /// Tessera's callback URL for this upstream.
    pub fn redirect_uri(&self) -> &str {
        &self.redirect_uri
    }

    /// Where the browser is sent to sign in (a page's CSP `form-action` must allow it when a
    /// form leads there).
    pub fn authorization_endpoint(&self) -> &url::Url {
        &self.endpoints.authorization
    }

    /// The provider's authorization URL for this request (RFC 6749 §4.1.1, RFC 7636 §4.3,
    /// OIDC Core §3.1.2.1): a code, PKCE S256, the state, and for OIDC the nonce.
    pub fn authorization_url(&self, request: &UpstreamRequest) -> url::Url {
        let mut url = self.endpoints.authorization.clone();
        {
            let mut query = url.query_pairs_mut();
            query
                .append_pair("response_type", "code")
                .append_pair("client_id", &self.config.client_id)
                .append_pair("redirect_uri", &self.redirect_uri)
                .append_pair("scope", &self.config.scopes().join(" "))
                .append_pair("state", &request.state)
                .append_pair("code_challenge", &s256_challenge(&request.pkce_verifier))
                .append_pair("code_challenge_method", "S256");
            if self.config.kind == UpstreamKind::Oidc {
                query.append_pair("nonce", &request.nonce);
            }
        }
        url
    }

    /// Finishes a callback: `iss` is its RFC 9207 parameter, if it came. The state has been
    /// checked by the caller; the code is exchanged with the request's PKCE verifier, and the
    /// answer verified (OIDC) or the user read from the API (GitHub).
    pub async fn finish(
        &self,
        code: &str,
        iss: Option<&str>,
        request: &UpstreamRequest,
        now: i64,
    ) -> Result<VerifiedIdentity, UpstreamError> {
        let exchange = Exchange {
            token_url: &self.endpoints.token,
            client_id: &self.config.client_id,
            secret: &self.secret,
            auth: ClientAuth::Basic,
            code,
            redirect_uri: &self.redirect_uri,
            code_verifier: &request.pkce_verifier,
        };
        match &self.provider {
            Provider::Github(github) => {
                // GitHub sends no `iss`; one that came was put there by someone else.
                if iss.is_some_and(|iss| iss != self.issuer) {
                    return Err(UpstreamError::Refused(
                        "the callback's iss is another issuer (mix-up)".into(),
                    ));
                }
                github
                    .finish(&self.http, exchange, &self.config.id, &self.issuer)
                    .await
            }
            Provider::Oidc(oidc) => {
                oidc.check_iss(iss)?;
                let exchange = Exchange {
                    auth: oidc.auth,
                    ..exchange
                };
                self.finish_oidc(oidc, exchange, request, now).await
            }
        }
    }

    async fn finish_oidc(
        &self,
        oidc: &Oidc,
        exchange: Exchange<'_>,
        request: &UpstreamRequest,
        now: i64,
    ) -> Result<VerifiedIdentity, UpstreamError> {
        let tokens = exchange.send(&self.http).await?;
        let id_token = tokens
            .id_token
            .as_deref()
            .ok_or_else(|| UpstreamError::Refused("the token response has no id_token".into()))?;
        let claims = oidc
            .verify(&self.http, id_token, &request.nonce, now)
            .await?;
        let mut email = trimmed(claims.email.as_deref());
        let mut email_verified = email.is_some() && claims.email_verified == Some(true);
        let mut name = trimmed(claims.name.as_deref());
        let mut username = trimmed(claims.preferred_username.as_deref());
        if email.is_none() {
            let info = oidc
                .userinfo(&self.http, &tokens.access_token, &claims.subject)
                .await?;
            if let Some(info) = info {
                email = trimmed(info.email.as_deref());
                email_verified = email.is_some() && info.email_verified == Some(true);
                name = name.or_else(|| trimmed(info.name.as_deref()));
                username = username.or_else(|| trimmed(info.preferred_username.as_deref()));
            }
        }
        Ok(VerifiedIdentity {
            upstream_id: self.config.id.clone(),
            issuer: self.issuer.clone(),
            upstream_mfa: upstream_mfa(&claims.amr, claims.acr.as_deref()),
            subject: claims.subject,
            account_name: username.or_else(|| email.clone()),
            email,
            email_verified,
            name,
            hosted_domain: trimmed(claims.hosted_domain.as_deref()),
        })
    }
}
