//! The JWK Sets of private_key_jwt clients that publish theirs at a `jwks_uri`: fetched with
//! no redirect followed, a timeout and a size limit, kept per client for a while, and fetched
//! again early only when an assertion names a key not in the set, at most once a minute per
//! client (so unknown `kid`s cannot make Tessera hammer a client's server).
use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock, PoisonError};
use std::time::Duration;

use reqwest::header::{ACCEPT, CONTENT_TYPE};
use serde_json::Value;

use crate::oauth::client_assertion::parse_jwk_set;
use crate::outbound::Guard;

/// How long a fetched set is used before it is fetched again.
pub const CACHE_FOR: i64 = 600;
/// The shortest time between two fetches for one client, whatever assertions arrive.
pub const REFETCH_AFTER: i64 = 60;
pub const FETCH_TIMEOUT: Duration = Duration::from_secs(5);
/// Far more than any real JWK Set; a bigger answer is refused before it is all read.
pub const MAX_BODY: usize = 64 * 1024;

/// Per-client cached sets, held by the server's state (one per instance: a cache, deciding
/// nothing; the replay guard is in the database).
#[derive(Default)]
pub struct JwksCache {
    entries: Mutex<HashMap<String, Arc<tokio::sync::Mutex<Entry>>>>,
    http: OnceLock<reqwest::Client>,
}

#[derive(Default)]
struct Entry {
    /// The URI the keys came from: a reload that changes it starts afresh.
    uri: String,
    keys: Option<Arc<Vec<Value>>>,
    fetched_at: i64,
    last_attempt: Option<i64>,
}

/// Why a client's keys are not available; for the log only (never shown, never a key).
#[derive(Debug)]
pub struct FetchError(pub String);

impl JwksCache {
    fn entry(&self, client_id: &str) -> Arc<tokio::sync::Mutex<Entry>> {
        // A panic elsewhere while holding the map leaves it consistent (inserts only).
        let mut entries = self.entries.lock().unwrap_or_else(PoisonError::into_inner);
        entries.entry(client_id.to_string()).or_default().clone()
    }

    /// Like the back-channel logout client: a redirect is an answer, not an instruction, so a
    /// client's server cannot point Tessera elsewhere.
    fn http(&self) -> Result<&reqwest::Client, FetchError> {
        if let Some(client) = self.http.get() {
            return Ok(client);
        }
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("Tessera/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| FetchError(format!("no HTTP client: {e}")))?;
        Ok(self.http.get_or_init(|| client))
    }

    /// The client's keys from `uri`: the cached set while it is fresh, otherwise fetched.
    /// `after_unknown_key` (an assertion named a key the set lacks) fetches again early,
    /// unless a fetch was made in the last [`REFETCH_AFTER`] seconds. `guard`: the client is
    /// not in the configuration, so its `jwks_uri` is fetched through the SSRF guard.
    pub async fn keys(
        &self,
        client_id: &str,
        uri: &str,
        now: i64,
        after_unknown_key: bool,
        guard: Option<&Guard>,
    ) -> Result<Arc<Vec<Value>>, FetchError> {
        let entry = self.entry(client_id);
        // Held across the fetch: requests for one client wait for one fetch, not start many.
        let mut entry = entry.lock().await;
        if entry.uri != uri {
            *entry = Entry {
                uri: uri.to_string(),
                ..Entry::default()
            };
        }
        let fresh = entry.keys.is_some() && now - entry.fetched_at < CACHE_FOR;
        let recently = entry
            .last_attempt
            .is_some_and(|at| now - at < REFETCH_AFTER);
        if (!fresh || after_unknown_key) && !recently {
            entry.last_attempt = Some(now);
            let fetched = match guard {
                Some(guard) => fetch_guarded(guard, uri).await,
                None => fetch(self.http()?, uri).await,
            };
            match fetched {
                Ok(keys) => {
                    entry.keys = Some(Arc::new(keys));
                    entry.fetched_at = now;
                }
                Err(FetchError(why)) => {
                    tracing::warn!(client_id, error = %why, "the client's jwks_uri could not be fetched");
                }
            }
        }
        match &entry.keys {
            Some(keys) if now - entry.fetched_at < CACHE_FOR => Ok(keys.clone()),
            _ => Err(FetchError("no fresh JWK Set".into())),
        }
    }
}

/// One GET of a JWK Set: 2xx only (a redirect is refused), JSON, at most [`MAX_BODY`] bytes
/// read, within [`FETCH_TIMEOUT`] for the whole exchange.
async fn fetch(http: &reqwest::Client, uri: &str) -> Result<Vec<Value>, FetchError> {
    let failed = |e: reqwest::Error| {
        FetchError(if e.is_timeout() {
            format!("no answer within {} s", FETCH_TIMEOUT.as_secs())
        } else {
            format!("request failed: {}", e.without_url())
        })
    };
    let mut response = http
        .get(uri)
        .timeout(FETCH_TIMEOUT)
        .header(ACCEPT, "application/jwk-set+json, application/json")
        .send()
        .await
        .map_err(failed)?;
    let status = response.status();
    if !status.is_success() {
        return Err(FetchError(format!(
            "HTTP {} (redirects are not followed)",
            status.as_u16()
        )));
    }
    if !is_json(response.headers()) {
        return Err(FetchError("the answer is not application/json".into()));
    }
    let too_big = || FetchError(format!("the answer is larger than {} KiB", MAX_BODY / 1024));
    if response
        .content_length()
        .is_some_and(|length| length > MAX_BODY as u64)
    {
        return Err(too_big());
    }
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await.map_err(failed)? {
        if body.len() + chunk.len() > MAX_BODY {
            return Err(too_big());
        }
        body.extend_from_slice(&chunk);
    }
    jwk_set(&body)
}

/// The same GET through the SSRF guard (`outbound`), for a client not in the configuration.
async fn fetch_guarded(guard: &Guard, uri: &str) -> Result<Vec<Value>, FetchError> {
    let url = url::Url::parse(uri).map_err(|_| FetchError("not a URL".into()))?;
    let accept = "application/jwk-set+json, application/json";
    let fetched = guard
        .get(&url, accept, MAX_BODY)
        .await
        .map_err(|e| FetchError(e.to_string()))?;
    if !is_json(&fetched.headers) {
        return Err(FetchError("the answer is not application/json".into()));
    }
    jwk_set(&fetched.body)
}

fn jwk_set(body: &[u8]) -> Result<Vec<Value>, FetchError> {
    let set: Value =
        serde_json::from_slice(body).map_err(|_| FetchError("the answer is not JSON".into()))?;
    parse_jwk_set(&set).map_err(|why| FetchError(format!("not a usable JWK Set: {why}")))
}

fn is_json(headers: &reqwest::header::HeaderMap) -> bool {
    let media_type = headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .map(|v| v.trim().to_ascii_lowercase());
    matches!(
        media_type.as_deref(),
        Some("application/json" | "application/jwk-set+json")
    )
}
