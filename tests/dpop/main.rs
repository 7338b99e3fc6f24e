//! DPoP, sender-constrained tokens (RFC 9449), against a real listener on SQLite and on
//! PostgreSQL, with client code written here over josekit (`client.rs`) and the
//! `openidconnect` crate for the rest of the flow: tokens bound at `/token` for every grant
//! (`token.rs`), every way a proof can be wrong (`proofs.rs`), server nonces (`nonces.rs`),
//! `/userinfo` and introspection as resource-server sides (`resource.rs`), and the check
//! docs/apis.md shows an API (`documented.rs`).
#[path = "../common/mod.rs"]
mod common;

mod client;

mod documented;
mod nonces;
mod proofs;
mod resource;
mod token;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use client::{DpopKey, claims};
use common::*;
use reqwest::header::HeaderMap;
use serde_json::Value;
pub use tessera::clock::Clock;

pub const ORDERS: &str = "https://orders.example.com";
pub const API_SECRET: &str = "orders-introspection-secret";
pub const SERVICE_SECRET: &str = "service-secret";
pub const NONCE_REDIRECT: &str = "http://127.0.0.1/nonce/cb";

/// The standard test clients, an API, a client_credentials client, one registered with
/// `dpop_bound_access_tokens` and a public one with `dpop_nonce_required`.
fn extra_config() -> String {
    format!(
        r#"
[[resources]]
identifier = "{ORDERS}"
name = "Orders API"
scopes = ["orders:read"]
introspection_secret_hash = "{api}"

[[clients]]
client_id = "service"
client_secret_hash = "{service}"
grant_types = ["client_credentials"]
scopes = ["orders:read"]
resources = ["{ORDERS}"]

[[clients]]
client_id = "bound-service"
client_secret_hash = "{service}"
grant_types = ["client_credentials"]
scopes = ["orders:read"]
resources = ["{ORDERS}"]
dpop_bound_access_tokens = true

[[clients]]
client_id = "nonce-app"
token_endpoint_auth_method = "none"
redirect_uris = ["{NONCE_REDIRECT}"]
scopes = ["openid", "email", "offline_access"]
dpop_nonce_required = true
"#,
        api = hashed(API_SECRET),
        service = hashed(SERVICE_SECRET),
    )
}

pub async fn spawn(backend: Backend) -> TestApp {
    TestApp::spawn_with_toml(backend, &extra_config()).await
}

/// An answer of the token endpoint or userinfo.
#[derive(Debug)]
pub struct Answer {
    pub status: u16,
    pub headers: HeaderMap,
    pub body: Value,
}

impl Answer {
    async fn of(response: reqwest::Response) -> Self {
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let text = response.text().await.unwrap();
        let body = serde_json::from_str(&text).unwrap_or(Value::Null);
        Self {
            status,
            headers,
            body,
        }
    }

    pub fn error(&self) -> &str {
        self.body["error"].as_str().unwrap_or("")
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).map(|v| v.to_str().unwrap())
    }

    /// The claims of the access token issued (unverified: the tests read what is in it).
    pub fn access_token_claims(&self) -> Value {
        jwt_claims(self.body["access_token"].as_str().unwrap())
    }

    #[track_caller]
    pub fn assert_refused(&self, status: u16, error: &str) {
        assert_eq!(
            (self.status, self.error()),
            (status, error),
            "{:?}",
            self.body
        );
    }
}

pub fn jwt_claims(jwt: &str) -> Value {
    let payload = jwt.split('.').nth(1).unwrap();
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).unwrap()).unwrap()
}

/// `POST /token` with `fields`, HTTP Basic for `basic`, and one `DPoP` header per proof.
pub async fn token_post(
    app: &TestApp,
    basic: Option<(&str, &str)>,
    fields: &[(&str, &str)],
    proofs: &[String],
) -> Answer {
    let mut request = reqwest::Client::new().post(app.url("/token")).form(fields);
    if let Some((id, secret)) = basic {
        request = request.basic_auth(id, Some(secret));
    }
    for proof in proofs {
        request = request.header("DPoP", proof);
    }
    Answer::of(request.send().await.unwrap()).await
}

/// A client_credentials token for `client` (the service clients), with these proofs.
pub async fn service_token(app: &TestApp, client: &str, proofs: &[String]) -> Answer {
    let fields = [("grant_type", "client_credentials"), ("resource", ORDERS)];
    token_post(app, Some((client, SERVICE_SECRET)), &fields, proofs).await
}

/// The public URL of an endpoint: the issuer's, whichever instance the request reaches.
pub fn endpoint(app: &TestApp, path: &str) -> String {
    format!("{}{path}", app.issuer)
}

/// A proof by `key` for `POST /token` now.
pub fn token_proof(app: &TestApp, key: &DpopKey) -> String {
    key.proof(&claims("POST", &endpoint(app, "/token"), app.clock.now()))
}

/// `GET /userinfo` with this `Authorization` value and one `DPoP` header per proof.
pub async fn userinfo_get(app: &TestApp, authorization: &str, proofs: &[String]) -> Answer {
    let mut request = reqwest::Client::new()
        .get(app.url("/userinfo"))
        .header("Authorization", authorization);
    for proof in proofs {
        request = request.header("DPoP", proof);
    }
    Answer::of(request.send().await.unwrap()).await
}

/// A proof by `key` for `GET /userinfo` now, carrying the hash of `access_token`.
pub fn userinfo_proof(app: &TestApp, key: &DpopKey, access_token: &str) -> String {
    let mut claims = claims("GET", &endpoint(app, "/userinfo"), app.clock.now());
    claims["ath"] = client::ath(access_token).into();
    key.proof(&claims)
}

/// The browser part of a sign-in for `client_id` with `extra` authorization parameters
/// (offline access asked with consent when `offline`): the code it brings back.
pub async fn code_for(
    browser: &mut Browser,
    client_id: &str,
    redirect_uri: &str,
    extra: &[(&str, &str)],
    offline: bool,
) -> String {
    let mut params = extra.to_vec();
    if offline {
        params.push(("prompt", "consent"));
    }
    let mut url = authorize_url(client_id, redirect_uri, &params);
    if offline {
        url = url.replace(
            "scope=openid+email+profile",
            "scope=openid+email+offline_access",
        );
    }
    let start = browser.get(&url).await;
    let mut page = match browser.follow(start).await {
        Ok(page) => page,
        Err(location) => return query_of(&location)["code"].clone(),
    };
    if page.body.contains("name=\"password\"") {
        page = match browser.submit_login(&page, USER_EMAIL, USER_PASSWORD).await {
            Ok(page) => page,
            Err(location) => return query_of(&location)["code"].clone(),
        };
    }
    let back = browser.submit_consent(&page, "allow").await;
    let location = back.location().expect("a redirect to the app");
    query_of(&location)
        .get("code")
        .unwrap_or_else(|| panic!("no code in {location}"))
        .clone()
}

/// The token request of a public client exchanging `code`.
pub fn public_exchange<'a>(
    client_id: &'a str,
    redirect_uri: &'a str,
    code: &'a str,
) -> [(&'static str, &'a str); 5] {
    [
        ("grant_type", "authorization_code"),
        ("client_id", client_id),
        ("code", code),
        ("redirect_uri", redirect_uri),
        ("code_verifier", VERIFIER),
    ]
}
