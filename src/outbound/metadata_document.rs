//! Fetching a client's metadata document (draft-ietf-oauth-client-id-metadata-document-02
//! §5, §8.6, §8.7) through the guard, and keeping it for the time its caching headers allow
//! (§5.2) in a cache bounded by an entry count. What the document may say is decided
//! elsewhere (`oauth::client_metadata`); here: a 200 answer, JSON, an object, at most
//! [`MAX_DOCUMENT_BYTES`]. Failures are not cached: a client that fixes its document is
//! seen at its next request, and the per-address rate limit in front of `/authorize` and
//! `/token` bounds how often one caller can make Tessera fetch. The caller keeps a document
//! ([`DocumentCache::insert`]) only once it has found it usable.
use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

use reqwest::header::{AGE, CACHE_CONTROL, CONTENT_TYPE, DATE, EXPIRES, HeaderMap};
use serde_json::Value;
use tokio::sync::{Semaphore, SemaphorePermit};

use super::freshness::{self, CacheHeaders};
use super::guard::{FetchError, Guard, origin};

/// The draft's suggested limit (§8.7): a document is a few hundred bytes of metadata.
pub const MAX_DOCUMENT_BYTES: usize = 5 * 1024;
/// Documents held at most, per instance.
pub const MAX_ENTRIES: usize = 1024;
/// Fetches one instance makes at once; more wait for a free one.
const MAX_CONCURRENT_FETCHES: usize = 16;

/// One fetched document: a JSON object, and until when it may be used.
#[derive(Debug, Clone)]
pub struct Document {
    pub json: Arc<Value>,
    pub expires_at: i64,
}

/// One GET of the document at `url`, received at `now`.
pub async fn fetch_metadata_document(
    guard: &Guard,
    url: &url::Url,
    now: i64,
) -> Result<Document, FetchError> {
    let at = origin(url);
    let fetched = guard
        .get(url, "application/json", MAX_DOCUMENT_BYTES)
        .await?;
    let failed = |why: &str| Err(FetchError::Failed(format!("{at}: {why}")));
    // §5: the document is served with 200 OK (a 204 or 206 is not the document).
    if fetched.status != 200 {
        return failed(&format!("HTTP {} instead of 200", fetched.status));
    }
    if !is_json(&fetched.headers) {
        return failed("the answer is not application/json");
    }
    let json: Value = match serde_json::from_slice(&fetched.body) {
        Ok(json) => json,
        // Never the parser's message: it may quote the body.
        Err(_) => return failed("the answer is not valid JSON (UTF-8)"),
    };
    if !json.is_object() {
        return failed("the document is not a JSON object");
    }
    let header = |name| {
        fetched
            .headers
            .get(name)
            .and_then(|v: &reqwest::header::HeaderValue| v.to_str().ok())
    };
    let caching = CacheHeaders {
        cache_control: header(CACHE_CONTROL),
        expires: header(EXPIRES),
        date: header(DATE),
        age: header(AGE),
    };
    Ok(Document {
        json: Arc::new(json),
        expires_at: now.saturating_add(freshness::lifetime(&caching, now)),
    })
}

/// `application/json`, or a `+json` type, with any parameters.
fn is_json(headers: &HeaderMap) -> bool {
    let media_type = headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .map(|v| v.trim().to_ascii_lowercase());
    media_type.is_some_and(|t| t == "application/json" || t.ends_with("+json"))
}

/// The documents fetched by this instance, by URL (a cache: it decides nothing, and each
/// instance keeps its own).
pub struct DocumentCache {
    entries: Mutex<HashMap<String, Document>>,
    capacity: usize,
    fetches: Semaphore,
}

impl Default for DocumentCache {
    fn default() -> Self {
        Self::with_capacity(MAX_ENTRIES)
    }
}

impl DocumentCache {
    pub fn with_capacity(capacity: usize) -> Self {
        Self {
            entries: Mutex::new(HashMap::new()),
            capacity: capacity.max(1),
            fetches: Semaphore::new(MAX_CONCURRENT_FETCHES),
        }
    }

    fn entries(&self) -> std::sync::MutexGuard<'_, HashMap<String, Document>> {
        // Inserts and removals only: a panic elsewhere leaves the map consistent.
        self.entries.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// A turn to fetch: at most a few fetches run at once per instance, the rest wait.
    pub async fn fetch_slot(&self) -> Result<SemaphorePermit<'_>, FetchError> {
        self.fetches
            .acquire()
            .await
            .map_err(|_| FetchError::Failed("shutting down".into()))
    }

    /// The cached document at `url` if it is still fresh at `now`.
    pub fn fresh(&self, url: &str, now: i64) -> Option<Arc<Value>> {
        let mut entries = self.entries();
        match entries.get(url) {
            Some(entry) if now < entry.expires_at => Some(entry.json.clone()),
            Some(_) => {
                entries.remove(url);
                None
            }
            None => None,
        }
    }

    /// Keeps `document`; when full, expired entries go first, then the one closest to expiry.
    pub fn insert(&self, url: &str, document: Document, now: i64) {
        let mut entries = self.entries();
        if !entries.contains_key(url) && entries.len() >= self.capacity {
            entries.retain(|_, entry| now < entry.expires_at);
            if entries.len() >= self.capacity {
                let soonest = entries
                    .iter()
                    .min_by_key(|(_, entry)| entry.expires_at)
                    .map(|(key, _)| key.clone());
                if let Some(key) = soonest {
                    entries.remove(&key);
                }
            }
        }
        entries.insert(url.to_string(), document);
    }

    /// How many documents are held.
    pub fn len(&self) -> usize {
        self.entries().len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn document(expires_at: i64) -> Document {
        Document {
            json: Arc::new(serde_json::json!({"client_id": "x"})),
            expires_at,
        }
    }

    #[test]
    fn a_document_is_used_until_it_expires() {
        let cache = DocumentCache::default();
        cache.insert("https://app.example/c", document(160), 100);
        assert!(cache.fresh("https://app.example/c", 159).is_some());
        assert!(cache.fresh("https://app.example/c", 160).is_none());
        assert!(cache.is_empty(), "an expired entry is dropped when seen");
    }

    #[test]
    fn the_cache_holds_at_most_its_capacity() {
        let cache = DocumentCache::with_capacity(3);
        cache.insert("https://a.example/c", document(500), 100);
        cache.insert("https://b.example/c", document(200), 100);
        cache.insert("https://c.example/c", document(400), 100);
        cache.insert("https://d.example/c", document(300), 100);
        assert_eq!(cache.len(), 3);
        assert!(
            cache.fresh("https://b.example/c", 100).is_none(),
            "the one closest to expiry made room"
        );
        // Expired entries make room before fresh ones.
        cache.insert("https://e.example/c", document(450), 350);
        assert_eq!(cache.len(), 3);
        assert!(cache.fresh("https://c.example/c", 350).is_some());
        assert!(cache.fresh("https://a.example/c", 350).is_some());
        assert!(cache.fresh("https://e.example/c", 350).is_some());
    }
}
