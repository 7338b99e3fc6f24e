//! Any OpenID Connect provider: found by discovery from its issuer (OIDC Discovery §4, with
//! the issuer check that stops a provider impersonating another), the code exchanged with
//! PKCE, the ID token verified against the provider's JWKS, and RFC 9207's `iss` response
//! parameter checked before the code is sent anywhere (mix-up, RFC 9700 §4.4).
use openidconnect::core::{
    CoreAuthDisplay, CoreClaimName, CoreClaimType, CoreClientAuthMethod, CoreGrantType,
    CoreJsonWebKey, CoreJsonWebKeySet, CoreJweContentEncryptionAlgorithm,
    CoreJweKeyManagementAlgorithm, CoreResponseMode, CoreResponseType, CoreSubjectIdentifierType,
};
use openidconnect::{
    AdditionalProviderMetadata, DiscoveryError, IssuerUrl, JsonWebKeySet, JsonWebKeySetUrl,
    ProviderMetadata,
};
use serde::{Deserialize, Serialize};
use subtle::ConstantTimeEq;
use tokio::sync::Mutex;

use super::endpoints::{self, Endpoints};
use super::error::UpstreamError;
use super::http_client::{GuardedHttp, HttpError};
use super::id_token::{self, Claims, Expected, Rejection};
use super::token_exchange::ClientAuth;
use super::userinfo;
use crate::config::UpstreamConfig;

/// The shortest time between two JWKS fetches caused by tokens naming an unknown key, so
/// forged `kid`s cannot make Tessera hammer the provider.
pub const REFETCH_AFTER: i64 = 60;

/// RFC 9207 §3: whether the provider sends `iss` with every authorization response.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
pub struct IssParameter {
    #[serde(default)]
    authorization_response_iss_parameter_supported: bool,
}

impl AdditionalProviderMetadata for IssParameter {}

type Metadata = ProviderMetadata<
    IssParameter,
    CoreAuthDisplay,
    CoreClientAuthMethod,
    CoreClaimName,
    CoreClaimType,
    CoreGrantType,
    CoreJweContentEncryptionAlgorithm,
    CoreJweKeyManagementAlgorithm,
    CoreJsonWebKey,
    CoreResponseMode,
    CoreResponseType,
    CoreSubjectIdentifierType,
>;

/// A discovered provider.
pub struct Oidc {
    issuer: IssuerUrl,
    client_id: String,
    pub(super) auth: ClientAuth,
    userinfo: Option<url::Url>,
    iss_parameter_required: bool,
    jwks_url: JsonWebKeySetUrl,
    keys: Mutex<Keys>,
}

struct Keys {
    set: CoreJsonWebKeySet,
    fetched_at: i64,
}

impl Oidc {
    /// Fetches the discovery document and the JWKS through the guarded client.
    pub async fn discover(
        config: &UpstreamConfig,
        http: &GuardedHttp,
        now: i64,
    ) -> Result<(Self, Endpoints), String> {
        let issuer = config.issuer.clone().ok_or("no issuer is configured")?;
        let issuer = IssuerUrl::new(issuer).map_err(|e| format!("issuer: {e}"))?;
        let metadata = Metadata::discover_async(issuer.clone(), http)
            .await
            .map_err(|e| format!("discovery at {}: {}", issuer.as_str(), describe(&e)))?;
        let authorization = metadata.authorization_endpoint().url().clone();
        let token = metadata
            .token_endpoint()
            .ok_or("the discovery document has no token_endpoint")?
            .url()
            .clone();
        let userinfo = metadata.userinfo_endpoint().map(|u| u.url().clone());
        endpoints::check(http, "authorization_endpoint", &authorization)?;
        endpoints::check(http, "token_endpoint", &token)?;
        endpoints::check(http, "jwks_uri", metadata.jwks_uri().url())?;
        if let Some(url) = &userinfo {
            endpoints::check(http, "userinfo_endpoint", url)?;
        }
        let oidc = Self {
            client_id: config.client_id.clone(),
            auth: client_auth(metadata.token_endpoint_auth_methods_supported())?,
            userinfo,
            iss_parameter_required: metadata
                .additional_metadata()
                .authorization_response_iss_parameter_supported,
            jwks_url: metadata.jwks_uri().clone(),
            keys: Mutex::new(Keys {
                set: metadata.jwks().clone(),
                fetched_at: now,
            }),
            issuer,
        };
        Ok((
            oidc,
            Endpoints {
                authorization,
                token,
            },
        ))
    }

    pub fn issuer(&self) -> &str {
        self.issuer.as_str()
    }

    /// RFC 9207 §2.4: an `iss` that came must be this provider's; one that did not come is
    /// refused when the provider promised to send it. Checked before the code leaves Tessera.
    pub fn check_iss(&self, iss: Option<&str>) -> Result<(), UpstreamError> {
        match iss {
            Some(iss) if !bool::from(iss.as_bytes().ct_eq(self.issuer.as_str().as_bytes())) => Err(
                UpstreamError::Refused("the callback's iss is another issuer (mix-up)".into()),
            ),
            None if self.iss_parameter_required => Err(UpstreamError::Refused(
                "the callback has no iss, which this provider always sends (mix-up)".into(),
            )),
            _ => Ok(()),
        }
    }

    /// The ID token's claims, once verified; a token naming a key the cached set lacks makes
    /// one more fetch of the JWKS, unless one was made in the last [`REFETCH_AFTER`] seconds.
    pub async fn verify(
        &self,
        http: &GuardedHttp,
        token: &str,
        nonce: &str,
        now: i64,
    ) -> Result<Claims, UpstreamError> {
        let expected = Expected {
            issuer: &self.issuer,
            client_id: &self.client_id,
            nonce,
            now,
        };
        let mut keys = self.keys.lock().await;
        let mut verdict = id_token::verify(token, &keys.set, &expected);
        if matches!(verdict, Err(Rejection::UnknownKey)) && now - keys.fetched_at >= REFETCH_AFTER {
            keys.fetched_at = now;
            keys.set = JsonWebKeySet::fetch_async(&self.jwks_url, http)
                .await
                .map_err(|e| UpstreamError::Unavailable(format!("jwks_uri: {}", describe(&e))))?;
            verdict = id_token::verify(token, &keys.set, &expected);
        }
        verdict.map_err(|rejection| match rejection {
            Rejection::UnknownKey => UpstreamError::Refused(
                "id_token: no key of the provider's JWKS matches its kid".into(),
            ),
            Rejection::Refused(why) => UpstreamError::Refused(why),
        })
    }

    /// The userinfo claims for the ID token's subject, when the provider has the endpoint.
    pub async fn userinfo(
        &self,
        http: &GuardedHttp,
        access_token: &str,
        subject: &str,
    ) -> Result<Option<userinfo::UserInfo>, UpstreamError> {
        match &self.userinfo {
            Some(url) => userinfo::fetch(http, url, access_token, subject).await,
            None => Ok(None),
        }
    }
}

/// `client_secret_basic` unless the provider lists only `client_secret_post` (absent means
/// basic, OIDC Discovery §3).
fn client_auth(supported: Option<&Vec<CoreClientAuthMethod>>) -> Result<ClientAuth, String> {
    let Some(methods) = supported else {
        return Ok(ClientAuth::Basic);
    };
    if methods.contains(&CoreClientAuthMethod::ClientSecretBasic) {
        Ok(ClientAuth::Basic)
    } else if methods.contains(&CoreClientAuthMethod::ClientSecretPost) {
        Ok(ClientAuth::Post)
    } else {
        Err("the provider supports neither client_secret_basic nor client_secret_post".into())
    }
}

/// A discovery or JWKS failure for the log: never the answer's body.
fn describe(error: &DiscoveryError<HttpError>) -> String {
    match error {
        DiscoveryError::Request(e) => e.to_string(),
        DiscoveryError::Response(_, _, why) => why.clone(),
        DiscoveryError::Parse(e) => format!("not a valid document (at {})", e.path()),
        DiscoveryError::Validation(why) | DiscoveryError::Other(why) => why.clone(),
        DiscoveryError::UrlParse(e) => format!("bad URL: {e}"),
        _ => "failed".to_string(),
    }
}
