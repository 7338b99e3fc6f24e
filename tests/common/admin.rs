//! The admin API's test harness: Tessera with admin clients registered (one that reads and
//! writes, one that only reads, one that only writes), an API of its own for tokens that are
//! not the admin API's, tokens from `client_credentials`, and calls that return status,
//! headers and JSON.
use reqwest::Method;
use reqwest::header::HeaderMap;
use serde_json::Value;

use super::{Backend, TestApp, hashed, token_request};

pub const ADMIN: &str = "admin-tool";
pub const ADMIN_SECRET: &str = "admin-tool-secret";
pub const READER: &str = "admin-reader";
pub const READER_SECRET: &str = "admin-reader-secret";
pub const WRITER: &str = "admin-writer";
pub const WRITER_SECRET: &str = "admin-writer-secret";
pub const ORDERS_SERVICE: &str = "orders-service";
pub const ORDERS_SECRET: &str = "orders-service-secret";
pub const ORDERS_API: &str = "https://orders.example.com";
pub const ADMIN_API: &str = "urn:tessera:admin";
pub const V1: &str = "/admin/api/v1";

/// The extra configuration: an API of its own, and the admin clients.
pub fn admin_config() -> String {
    format!(
        r#"
[[resources]]
identifier = "{ORDERS_API}"
scopes = ["orders:read"]

[[clients]]
client_id = "{ADMIN}"
client_secret_hash = "{admin}"
grant_types = ["client_credentials"]
resources = ["{ADMIN_API}"]
scopes = ["admin:read", "admin:write"]

[[clients]]
client_id = "{READER}"
client_secret_hash = "{reader}"
grant_types = ["client_credentials"]
resources = ["{ADMIN_API}"]
scopes = ["admin:read"]

[[clients]]
client_id = "{WRITER}"
client_secret_hash = "{writer}"
grant_types = ["client_credentials"]
resources = ["{ADMIN_API}"]
scopes = ["admin:write"]

[[clients]]
client_id = "{ORDERS_SERVICE}"
client_secret_hash = "{orders}"
grant_types = ["client_credentials"]
resources = ["{ORDERS_API}"]
scopes = ["orders:read"]
"#,
        admin = hashed(ADMIN_SECRET),
        reader = hashed(READER_SECRET),
        writer = hashed(WRITER_SECRET),
        orders = hashed(ORDERS_SECRET),
    )
}

/// An answer: status, headers, and the body as JSON (`Null` when empty or not JSON).
#[derive(Debug)]
pub struct Answer {
    pub status: u16,
    pub headers: HeaderMap,
    pub body: Value,
}

impl Answer {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// The problem document's type, after checking it is one.
    pub fn problem(&self) -> &str {
        assert_eq!(
            self.header("content-type"),
            Some("application/problem+json"),
            "{self:?}"
        );
        assert_eq!(self.body["status"], self.status, "{self:?}");
        assert!(self.body["title"].is_string() && self.body["detail"].is_string());
        self.body["type"].as_str().expect("a problem type")
    }
}

/// Tessera with the admin clients, and a read-write token.
pub struct Admin {
    pub app: TestApp,
    pub token: String,
}

impl Admin {
    pub async fn spawn(backend: Backend) -> Admin {
        Self::spawn_with(backend, "").await
    }

    /// With more configuration: top-level keys first, then tables.
    pub async fn spawn_with(backend: Backend, extra: &str) -> Admin {
        let config = format!("{extra}\n{}", admin_config());
        let app = TestApp::spawn_with_toml(backend, &config).await;
        let token = client_token(
            &app,
            ADMIN,
            ADMIN_SECRET,
            ADMIN_API,
            "admin:read admin:write",
        )
        .await
        .expect("an admin token");
        Admin { app, token }
    }

    /// Calls the API at `path` (under `/admin/api/v1`) with the read-write token.
    pub async fn call(&self, method: Method, path: &str, body: Option<Value>) -> Answer {
        call_with(
            &self.app,
            Some(&self.token),
            method,
            &format!("{V1}{path}"),
            body,
        )
        .await
    }

    pub async fn get(&self, path: &str) -> Answer {
        self.call(Method::GET, path, None).await
    }

    pub async fn post(&self, path: &str, body: Value) -> Answer {
        self.call(Method::POST, path, Some(body)).await
    }

    pub async fn patch(&self, path: &str, body: Value) -> Answer {
        self.call(Method::PATCH, path, Some(body)).await
    }

    pub async fn delete(&self, path: &str) -> Answer {
        self.call(Method::DELETE, path, None).await
    }

    /// A user made through the API; its id.
    pub async fn create_user(&self, email: &str) -> String {
        let body = serde_json::json!({
            "email": email, "name": "Test User", "password": "a long enough passphrase",
        });
        let created = self.post("/users", body).await;
        assert_eq!(created.status, 201, "{created:?}");
        created.body["id"].as_str().unwrap().to_string()
    }

    /// The audit trail's rows, written first.
    pub async fn audit_rows(&self) -> Vec<Value> {
        self.app.state.audit().flush().await;
        let page = self.get("/audit-events?limit=500").await;
        assert_eq!(page.status, 200, "{page:?}");
        page.body["events"].as_array().unwrap().clone()
    }

    /// The newest row of `event_type`, which the read-write admin client wrote.
    pub async fn written_by_admin(&self, event_type: &str) -> Value {
        let rows = self.audit_rows().await;
        let row = rows
            .iter()
            .find(|row| row["type"] == event_type)
            .unwrap_or_else(|| panic!("no {event_type} row in {rows:#?}"))
            .clone();
        assert_eq!(row["actor"], "admin_client", "{row}");
        assert_eq!(row["actor_id"], ADMIN, "{row}");
        row
    }
}

/// A `client_credentials` token for `resource`, or the error answer.
pub async fn client_token(
    app: &TestApp,
    client: &str,
    secret: &str,
    resource: &str,
    scope: &str,
) -> Result<String, Value> {
    let fields = [
        ("grant_type", "client_credentials"),
        ("resource", resource),
        ("scope", scope),
    ];
    let response = token_request(app, Some((client, secret)), &fields).await;
    let body: Value = response.json().await.unwrap();
    match body["access_token"].as_str() {
        Some(token) => Ok(token.to_string()),
        None => Err(body),
    }
}

/// A call with any token (or none) to any path.
pub async fn call_with(
    app: &TestApp,
    token: Option<&str>,
    method: Method,
    path: &str,
    body: Option<Value>,
) -> Answer {
    let mut request = reqwest::Client::new().request(method, app.url(path));
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    if let Some(body) = body {
        request = request.json(&body);
    }
    answer(request.send().await.unwrap()).await
}

pub async fn answer(response: reqwest::Response) -> Answer {
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let bytes = response.bytes().await.unwrap();
    let body = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
    Answer {
        status,
        headers,
        body,
    }
}
