//! A tiny MCP server as docs/mcp.md describes one: a resource server on 127.0.0.1 that
//! answers an unauthenticated call with a 401 naming its protected resource metadata
//! (RFC 9728), publishes that metadata (its resource identifier and Tessera as its
//! authorization server), and accepts a bearer token only when Tessera's JWKS verifies its
//! signature and its `iss` and `aud` are Tessera and this server.
use std::sync::Arc;

use axum::Json;
use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use josekit::jwk::JwkSet;
use josekit::jws::RS256;
use serde_json::{Value, json};

pub const METADATA_PATH: &str = "/.well-known/oauth-protected-resource";

struct Settings {
    /// Tessera's issuer, and where it really listens (the tests' issuer is its address).
    issuer: String,
    tessera: String,
    resource: String,
    base: String,
}

pub struct McpServer {
    pub base: String,
    server: tokio::task::JoinHandle<()>,
}

impl McpServer {
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }
}

impl Drop for McpServer {
    fn drop(&mut self) {
        self.server.abort();
    }
}

pub async fn start(issuer: &str, tessera: &str, resource: &str) -> McpServer {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let settings = Arc::new(Settings {
        issuer: issuer.to_string(),
        tessera: tessera.to_string(),
        resource: resource.to_string(),
        base: base.clone(),
    });
    let router = Router::new()
        .route("/mcp", get(call))
        .route(METADATA_PATH, get(metadata))
        .with_state(settings);
    let server = tokio::spawn(async move {
        axum::serve(listener, router).await.unwrap();
    });
    McpServer { base, server }
}

/// RFC 9728 §2: what the MCP server publishes about itself.
async fn metadata(State(settings): State<Arc<Settings>>) -> Json<Value> {
    Json(json!({
        "resource": settings.resource,
        "authorization_servers": [settings.issuer],
        "scopes_supported": ["mcp:tools"],
        "bearer_methods_supported": ["header"],
    }))
}

async fn call(State(settings): State<Arc<Settings>>, headers: HeaderMap) -> Response {
    let token = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "));
    let Some(token) = token else {
        return challenge(&settings, None);
    };
    match verify(&settings, token).await {
        Some(claims) => Json(json!({
            "client_id": claims["client_id"],
            "scope": claims["scope"],
        }))
        .into_response(),
        None => challenge(&settings, Some("invalid_token")),
    }
}

/// RFC 9728 §5.1: the 401 names the resource metadata.
fn challenge(settings: &Settings, error: Option<&str>) -> Response {
    let mut value = format!(
        "Bearer resource_metadata=\"{}{METADATA_PATH}\"",
        settings.base
    );
    if let Some(error) = error {
        value.push_str(&format!(", error=\"{error}\""));
    }
    (
        StatusCode::UNAUTHORIZED,
        [(header::WWW_AUTHENTICATE, value)],
    )
        .into_response()
}

/// The token's claims if Tessera signed it (its JWKS, fetched now) for this server.
async fn verify(settings: &Settings, token: &str) -> Option<Value> {
    let jwks = reqwest::get(format!("{}/jwks.json", settings.tessera))
        .await
        .ok()?
        .bytes()
        .await
        .ok()?;
    let jwks = JwkSet::from_bytes(&jwks).ok()?;
    let header = josekit::jwt::decode_header(token).ok()?;
    let kid = header.claim("kid")?.as_str()?.to_string();
    if header.claim("alg")? != "RS256" {
        return None;
    }
    let jwk = jwks.get(&kid).into_iter().next()?;
    let verifier = RS256.verifier_from_jwk(jwk).ok()?;
    let (payload, _) = josekit::jwt::decode_with_verifier(token, &verifier).ok()?;
    let claims = Value::Object(payload.claims_set().clone());
    let audience_ok = claims["aud"] == settings.resource.as_str()
        || claims["aud"]
            .as_array()
            .is_some_and(|a| a.iter().any(|v| v == settings.resource.as_str()));
    (claims["iss"] == settings.issuer.as_str() && audience_ok).then_some(claims)
}
