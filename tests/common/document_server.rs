//! A client's own web server on 127.0.0.1, for client metadata documents (and JWK Sets):
//! each path serves what the test set — a status, a content type, caching headers, a body,
//! optionally after a delay — and counts the requests it got, so a test can see whether
//! Tessera fetched or used its cache.
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::extract::State;
use axum::http::{StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};

/// What one path answers.
#[derive(Debug, Clone)]
pub struct Served {
    pub status: u16,
    pub content_type: String,
    pub body: String,
    pub cache_control: Option<String>,
    pub location: Option<String>,
    /// Waits this long before answering (a slow server).
    pub delay: Option<Duration>,
}

impl Served {
    pub fn json(body: &serde_json::Value) -> Self {
        Self {
            status: 200,
            content_type: "application/json".into(),
            body: body.to_string(),
            cache_control: None,
            location: None,
            delay: None,
        }
    }

    pub fn with_cache_control(mut self, value: &str) -> Self {
        self.cache_control = Some(value.into());
        self
    }

    pub fn redirect(location: &str) -> Self {
        Self {
            status: 302,
            content_type: "text/plain".into(),
            body: String::new(),
            cache_control: None,
            location: Some(location.into()),
            delay: None,
        }
    }

    pub fn text(content_type: &str, body: &str) -> Self {
        Self {
            status: 200,
            content_type: content_type.into(),
            body: body.into(),
            cache_control: None,
            location: None,
            delay: None,
        }
    }
}

#[derive(Default)]
struct Site {
    paths: HashMap<String, Served>,
    hits: HashMap<String, usize>,
}

type Shared = Arc<Mutex<Site>>;

pub struct DocumentServer {
    /// `http://127.0.0.1:<port>`
    pub base: String,
    site: Shared,
    _server: tokio::task::JoinHandle<()>,
}

impl DocumentServer {
    pub async fn spawn() -> Self {
        let site: Shared = Arc::default();
        let app = Router::new().fallback(answer).with_state(site.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let server = tokio::spawn(async move {
            axum::serve(listener, app).await.unwrap();
        });
        Self {
            base,
            site,
            _server: server,
        }
    }

    /// The URL of `path` on this server.
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// From now on `path` answers `served`.
    pub fn serve(&self, path: &str, served: Served) {
        self.site
            .lock()
            .unwrap()
            .paths
            .insert(path.to_string(), served);
    }

    /// How many requests `path` got.
    pub fn hits(&self, path: &str) -> usize {
        self.site
            .lock()
            .unwrap()
            .hits
            .get(path)
            .copied()
            .unwrap_or(0)
    }
}

async fn answer(State(site): State<Shared>, uri: Uri) -> Response {
    let path = uri.path().to_string();
    let served = {
        let mut site = site.lock().unwrap();
        *site.hits.entry(path.clone()).or_default() += 1;
        site.paths.get(&path).cloned()
    };
    let Some(served) = served else {
        return StatusCode::NOT_FOUND.into_response();
    };
    if let Some(delay) = served.delay {
        tokio::time::sleep(delay).await;
    }
    let mut response = Response::builder()
        .status(served.status)
        .header(header::CONTENT_TYPE, served.content_type);
    if let Some(value) = served.cache_control {
        response = response.header(header::CACHE_CONTROL, value);
    }
    if let Some(location) = served.location {
        response = response.header(header::LOCATION, location);
    }
    response.body(served.body.into()).unwrap()
}
