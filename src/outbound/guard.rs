//! The one HTTP client for URLs Tessera did not get from its own configuration (client
//! metadata documents, the `jwks_uri` of clients not in `config.toml`): https only, no proxy,
//! no redirect followed, short connect and total timeouts, the body read in chunks and
//! refused past a limit, and only public addresses reached — host names are checked after
//! resolution (a resolver that drops every other address), literal IP addresses before the
//! request (they never reach a resolver). With `client_id_metadata_allow_loopback` (tests
//! and development only) plain http to loopback, and loopback addresses, are allowed too.
use std::error::Error as StdError;
use std::fmt;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use reqwest::dns::{Addrs, Name, Resolve, Resolving};
use reqwest::header::{ACCEPT, HeaderMap};

use super::address::{self, Refused};

pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(2);
/// For the whole exchange, the body included.
pub const TOTAL_TIMEOUT: Duration = Duration::from_secs(5);
pub const USER_AGENT: &str = concat!("Tessera/", env!("CARGO_PKG_VERSION"));

/// Why a URL gave no usable answer; a log detail (and an error description) that names the
/// server but never a path or query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FetchError {
    /// The URL may not be fetched at all: its scheme, its credentials, or where it leads.
    Forbidden(String),
    /// It was tried and gave no usable answer: unreachable, slow, a redirect, an error
    /// status, too large, or not the expected content.
    Failed(String),
}

impl fmt::Display for FetchError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Forbidden(why) | Self::Failed(why) => f.write_str(why),
        }
    }
}

impl StdError for FetchError {}

/// A 2xx answer, its body read in full (within the limit).
#[derive(Debug)]
pub struct Fetched {
    pub status: u16,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
}

/// The guarded client. Cheap to clone (one connection pool).
#[derive(Clone)]
pub struct Guard {
    client: reqwest::Client,
    allow_loopback: bool,
}

impl fmt::Debug for Guard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Guard")
            .field("allow_loopback", &self.allow_loopback)
            .finish_non_exhaustive()
    }
}

/// Whether an address may be reached: public, or loopback when loopback is allowed.
fn reachable(ip: IpAddr, allow_loopback: bool) -> Result<(), Refused> {
    match address::classify(ip) {
        Err(Refused::Loopback) if allow_loopback => Ok(()),
        verdict => verdict,
    }
}

/// Resolves with the system resolver and keeps only the addresses that may be reached;
/// a name with none left fails, so the connection is never attempted.
struct PublicOnly {
    allow_loopback: bool,
}

#[derive(Debug)]
struct NoPublicAddress(String);

impl fmt::Display for NoPublicAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} resolves to no public address", self.0)
    }
}

impl StdError for NoPublicAddress {}

impl Resolve for PublicOnly {
    fn resolve(&self, name: Name) -> Resolving {
        let allow_loopback = self.allow_loopback;
        Box::pin(async move {
            let host = name.as_str().to_string();
            let found = tokio::net::lookup_host((host.as_str(), 0)).await?;
            let kept: Vec<SocketAddr> = found
                .filter(|addr| reachable(addr.ip(), allow_loopback).is_ok())
                .collect();
            if kept.is_empty() {
                return Err(Box::new(NoPublicAddress(host)) as Box<dyn StdError + Send + Sync>);
            }
            Ok(Box::new(kept.into_iter()) as Addrs)
        })
    }
}

impl Guard {
    pub fn new(allow_loopback: bool) -> Result<Self, FetchError> {
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            // A proxy would resolve the name instead of the guard's resolver.
            .no_proxy()
            .dns_resolver(Arc::new(PublicOnly { allow_loopback }))
            .connect_timeout(CONNECT_TIMEOUT)
            .timeout(TOTAL_TIMEOUT)
            .user_agent(USER_AGENT)
            .build()
            .map_err(|e| FetchError::Failed(format!("no HTTP client: {e}")))?;
        Ok(Self {
            client,
            allow_loopback,
        })
    }

    /// Whether `url` may be requested at all, before any connection: https (plain http only
    /// to a loopback host, only when loopback is allowed), no credentials, and a literal IP
    /// address only if it may be reached.
    pub fn check_url(&self, url: &url::Url) -> Result<(), FetchError> {
        let forbidden = |why: &str| Err(FetchError::Forbidden(format!("{}: {why}", origin(url))));
        let loopback_host = crate::oauth::redirect_uri::is_loopback_host(url);
        match url.scheme() {
            "https" => {}
            "http" if self.allow_loopback && loopback_host => {}
            _ => return forbidden("not https"),
        }
        if !url.username().is_empty() || url.password().is_some() {
            return forbidden("a URL with credentials");
        }
        let literal = match url.host() {
            Some(url::Host::Ipv4(ip)) => IpAddr::V4(ip),
            Some(url::Host::Ipv6(ip)) => IpAddr::V6(ip),
            Some(url::Host::Domain(_)) => return Ok(()),
            None => return forbidden("no host"),
        };
        match reachable(literal, self.allow_loopback) {
            Ok(()) => Ok(()),
            Err(why) => forbidden(&format!("a {} address", why.as_str())),
        }
    }

    /// One GET of `url`, accepting `accept`: a 2xx answer whose body is at most `max_body`
    /// bytes (a larger one is refused as soon as it is seen to be larger).
    pub async fn get(
        &self,
        url: &url::Url,
        accept: &str,
        max_body: usize,
    ) -> Result<Fetched, FetchError> {
        self.check_url(url)?;
        let at = origin(url);
        let failed = |e: reqwest::Error| describe(&at, e);
        let mut response = self
            .client
            .get(url.clone())
            .header(ACCEPT, accept)
            .send()
            .await
            .map_err(failed)?;
        let status = response.status();
        if status.is_redirection() {
            return Err(FetchError::Failed(format!(
                "{at}: HTTP {} (redirects are not followed)",
                status.as_u16()
            )));
        }
        if !status.is_success() {
            return Err(FetchError::Failed(format!(
                "{at}: HTTP {}",
                status.as_u16()
            )));
        }
        let too_big =
            || FetchError::Failed(format!("{at}: the answer is larger than {max_body} bytes"));
        if response
            .content_length()
            .is_some_and(|length| length > max_body as u64)
        {
            return Err(too_big());
        }
        let headers = response.headers().clone();
        let mut body = Vec::new();
        while let Some(chunk) = response.chunk().await.map_err(failed)? {
            if body.len() + chunk.len() > max_body {
                return Err(too_big());
            }
            body.extend_from_slice(&chunk);
        }
        Ok(Fetched {
            status: status.as_u16(),
            headers,
            body,
        })
    }
}

/// reqwest's error, without its URL (which may carry a query), and the resolver's refusal
/// recognised among its causes.
fn describe(at: &str, e: reqwest::Error) -> FetchError {
    let mut cause: Option<&(dyn StdError + 'static)> = Some(&e);
    while let Some(inner) = cause {
        if let Some(refused) = inner.downcast_ref::<NoPublicAddress>() {
            return FetchError::Forbidden(format!("{at}: {refused}"));
        }
        cause = inner.source();
    }
    FetchError::Failed(if e.is_timeout() {
        format!("{at}: no answer within {} s", TOTAL_TIMEOUT.as_secs())
    } else if e.is_connect() {
        format!("{at}: unreachable")
    } else {
        format!("{at}: request failed: {}", e.without_url())
    })
}

/// Scheme, host and port: enough to say which server failed, never a path or query.
pub fn origin(url: &url::Url) -> String {
    url.origin().ascii_serialization()
}
