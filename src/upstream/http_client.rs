//! The one way Tessera talks to upstream providers: https only (plain http only to a loopback
//! upstream that is itself configured on loopback http), no redirect followed, a timeout per
//! request, and an answer refused once it passes a size limit, before the rest is read. The
//! openidconnect crate's discovery and JWKS fetches run through it too ([`AsyncHttpClient`]).
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

use openidconnect::http::{self, HeaderValue, header};
use openidconnect::{AsyncHttpClient, HttpRequest, HttpResponse};
use serde::de::DeserializeOwned;

use crate::oauth::redirect_uri::is_loopback_host;

pub const TIMEOUT: Duration = Duration::from_secs(5);
/// Far more than any discovery document, JWK Set, token or user answer.
pub const MAX_BODY: usize = 1024 * 1024;
pub const USER_AGENT: &str = concat!("Tessera/", env!("CARGO_PKG_VERSION"));

/// Why a request got no usable answer; a log detail that never holds a token or a secret
/// (reqwest's errors are stripped of their URL, which may carry a query).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpError(pub String);

impl fmt::Display for HttpError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for HttpError {}

/// The guarded client of one upstream.
#[derive(Clone)]
pub struct GuardedHttp {
    client: reqwest::Client,
    /// The upstream is configured on loopback http (development, tests): its endpoints may be
    /// plain http on loopback too. Everything else must be https.
    allow_loopback_http: bool,
}

impl GuardedHttp {
    pub fn new(allow_loopback_http: bool) -> Result<Self, HttpError> {
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(USER_AGENT)
            .timeout(TIMEOUT)
            .build()
            .map_err(|e| HttpError(format!("no HTTP client: {e}")))?;
        Ok(Self {
            client,
            allow_loopback_http,
        })
    }

    /// For an upstream whose configured address is `base`.
    pub fn for_base(base: &str) -> Result<Self, HttpError> {
        let loopback_http =
            url::Url::parse(base).is_ok_and(|url| url.scheme() == "http" && is_loopback_host(&url));
        Self::new(loopback_http)
    }

    /// Whether a request to `url` may be made (and an endpoint at it may be used).
    pub fn permits(&self, url: &url::Url) -> bool {
        match url.scheme() {
            "https" => true,
            "http" => self.allow_loopback_http && is_loopback_host(url),
            _ => false,
        }
    }

    /// One request. A 3xx answer is an error: an upstream must not send Tessera elsewhere.
    pub async fn send(&self, request: HttpRequest) -> Result<HttpResponse, HttpError> {
        let (parts, body) = request.into_parts();
        let url = url::Url::parse(&parts.uri.to_string())
            .map_err(|_| HttpError("not an absolute URL".into()))?;
        if !self.permits(&url) {
            return Err(HttpError(format!(
                "{} is not https (plain http only on loopback, for a loopback upstream)",
                origin(&url)
            )));
        }
        let method = reqwest::Method::from_bytes(parts.method.as_str().as_bytes())
            .map_err(|_| HttpError("bad method".into()))?;
        let failed = |e: reqwest::Error| {
            HttpError(if e.is_timeout() {
                format!("{}: no answer within {} s", origin(&url), TIMEOUT.as_secs())
            } else {
                format!("{}: request failed: {}", origin(&url), e.without_url())
            })
        };
        let mut response = self
            .client
            .request(method, url.clone())
            .headers(parts.headers)
            .body(body)
            .send()
            .await
            .map_err(failed)?;
        let status = response.status();
        if status.is_redirection() {
            return Err(HttpError(format!(
                "{}: HTTP {} (redirects are not followed)",
                origin(&url),
                status.as_u16()
            )));
        }
        let too_big = || {
            HttpError(format!(
                "{}: the answer is larger than {} KiB",
                origin(&url),
                MAX_BODY / 1024
            ))
        };
        if response
            .content_length()
            .is_some_and(|length| length > MAX_BODY as u64)
        {
            return Err(too_big());
        }
        let headers = response.headers().clone();
        let mut bytes = Vec::new();
        while let Some(chunk) = response.chunk().await.map_err(failed)? {
            if bytes.len() + chunk.len() > MAX_BODY {
                return Err(too_big());
            }
            bytes.extend_from_slice(&chunk);
        }
        let mut answer = http::Response::new(bytes);
        *answer.status_mut() = status;
        *answer.headers_mut() = headers;
        Ok(answer)
    }

    /// A GET of JSON, with an optional bearer token and extra headers; the answer's status and
    /// body (a non-2xx answer is returned, for the caller to judge).
    pub async fn get_json(
        &self,
        url: &url::Url,
        bearer: Option<&str>,
        extra: &[(&'static str, &'static str)],
    ) -> Result<HttpResponse, HttpError> {
        let mut builder = http::Request::builder()
            .method(http::Method::GET)
            .uri(url.as_str())
            .header(header::ACCEPT, "application/json");
        for (name, value) in extra {
            builder = builder.header(*name, *value);
        }
        if let Some(token) = bearer {
            let value = HeaderValue::from_str(&format!("Bearer {token}"))
                .map_err(|_| HttpError("the access token is not a header value".into()))?;
            builder = builder.header(header::AUTHORIZATION, value);
        }
        let request = builder
            .body(Vec::new())
            .map_err(|e| HttpError(format!("bad request: {e}")))?;
        self.send(request).await
    }
}

impl<'c> AsyncHttpClient<'c> for GuardedHttp {
    type Error = HttpError;
    type Future = Pin<Box<dyn Future<Output = Result<HttpResponse, HttpError>> + Send + 'c>>;

    fn call(&'c self, request: HttpRequest) -> Self::Future {
        Box::pin(self.send(request))
    }
}

/// Scheme, host and port: enough to say which server failed, never a path or query.
pub fn origin(url: &url::Url) -> String {
    url.origin().ascii_serialization()
}

/// The body as `T`, or why not (never the body itself: it may hold a token).
pub fn json_body<T: DeserializeOwned>(response: &HttpResponse) -> Result<T, String> {
    serde_json::from_slice(response.body()).map_err(|e| {
        // Not `e` itself: its text may quote a value from the body.
        format!(
            "not the expected JSON ({:?} error at line {}, column {})",
            e.classify(),
            e.line(),
            e.column()
        )
    })
}
