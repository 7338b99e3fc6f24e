//! The application a user signs in to: a real listener on loopback that receives the
//! authorization response in the browser, and an `openidconnect` client that made the request
//! and redeems the code. Tessera runs with this app registered as client `browser-app`.
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::extract::{Query, State};
use axum::response::Html;
use axum::routing::get;
use openidconnect::core::{
    CoreAuthenticationFlow, CoreClient, CoreProviderMetadata, CoreTokenResponse,
};
use openidconnect::{
    AuthorizationCode, ClientId, ClientSecret, CsrfToken, EndpointMaybeSet, EndpointNotSet,
    EndpointSet, IssuerUrl, Nonce, PkceCodeChallenge, PkceCodeVerifier, RedirectUrl, Scope,
};

use crate::common::*;

pub const CLIENT_ID: &str = "browser-app";
pub const CLIENT_NAME: &str = "Photo Gallery";

type Client = CoreClient<
    EndpointSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointMaybeSet,
    EndpointMaybeSet,
>;

/// Every query string the redirect listener was sent.
type Responses = Arc<Mutex<Vec<HashMap<String, String>>>>;

/// The app's redirect listener: remembers every query string it was sent.
pub struct RelyingApp {
    pub base: String,
    received: Responses,
    server: tokio::task::JoinHandle<()>,
}

impl Drop for RelyingApp {
    fn drop(&mut self) {
        self.server.abort();
    }
}

impl RelyingApp {
    pub async fn start() -> RelyingApp {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let received = Arc::new(Mutex::new(Vec::new()));
        let router = Router::new()
            .route("/cb", get(callback))
            .route("/signed-out", get(signed_out))
            .with_state(received.clone());
        let server = tokio::spawn(async move {
            axum::serve(listener, router).await.unwrap();
        });
        RelyingApp {
            base,
            received,
            server,
        }
    }

    pub fn redirect_uri(&self) -> String {
        format!("{}/cb", self.base)
    }

    /// The last authorization response the browser delivered.
    pub fn last_response(&self) -> HashMap<String, String> {
        let received = self.received.lock().unwrap();
        received
            .last()
            .cloned()
            .expect("the app received a response")
    }

    /// Tessera's configuration for this app: a confidential client with a consent screen.
    pub fn client_toml(&self) -> String {
        format!(
            r#"
[[clients]]
client_id = "{CLIENT_ID}"
client_name = "{CLIENT_NAME}"
client_secret_hash = "{secret}"
redirect_uris = ["{redirect}"]
post_logout_redirect_uris = ["{base}/signed-out"]
scopes = ["openid", "profile", "email", "offline_access"]
"#,
            secret = hashed(CONFIDENTIAL_SECRET),
            redirect = self.redirect_uri(),
            base = self.base,
        )
    }
}

async fn callback(
    State(received): State<Responses>,
    Query(query): Query<HashMap<String, String>>,
) -> Html<&'static str> {
    received.lock().unwrap().push(query);
    Html(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Photo Gallery</title>\
         <link rel=\"icon\" href=\"data:,\"></head><body><main><h1 id=\"app-home\">Photo Gallery</h1></main></body></html>",
    )
}

async fn signed_out() -> Html<&'static str> {
    Html(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Photo Gallery</title>\
         <link rel=\"icon\" href=\"data:,\"></head><body><main><h1 id=\"app-signed-out\">Signed out</h1></main></body></html>",
    )
}

/// Tessera with the app registered (plus `extra` top-level TOML), and the app listening.
pub async fn tessera_and_app(backend: Backend, extra: &str) -> (TestApp, RelyingApp) {
    tessera_and_app_then(backend, extra, |_| {}).await
}

/// As `tessera_and_app`, with the configuration then edited by `adjust`.
pub async fn tessera_and_app_then(
    backend: Backend,
    extra: &str,
    adjust: impl FnOnce(&mut tessera::config::Config),
) -> (TestApp, RelyingApp) {
    let relying = RelyingApp::start().await;
    let toml = format!("{extra}\n{}", relying.client_toml());
    let tessera = TestApp::spawn_with_toml_then(backend, &toml, adjust).await;
    tessera.add_user(USER_EMAIL, USER_PASSWORD).await;
    (tessera, relying)
}

/// One sign-in as the app starts it: where to send the browser, and what the app keeps.
pub struct Request {
    pub url: String,
    pub state: CsrfToken,
    pub nonce: Nonce,
    pub verifier: PkceCodeVerifier,
    pub client: Client,
}

pub async fn start_sign_in(tessera: &TestApp, app: &RelyingApp, extra: &[(&str, &str)]) -> Request {
    let metadata = CoreProviderMetadata::discover_async(
        IssuerUrl::new(tessera.issuer.clone()).unwrap(),
        &http_client(),
    )
    .await
    .expect("discovery");
    let client = CoreClient::from_provider_metadata(
        metadata,
        ClientId::new(CLIENT_ID.into()),
        Some(ClientSecret::new(CONFIDENTIAL_SECRET.into())),
    )
    .set_redirect_uri(RedirectUrl::new(app.redirect_uri()).unwrap());
    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    let mut request = client
        .authorize_url(
            CoreAuthenticationFlow::AuthorizationCode,
            CsrfToken::new_random,
            Nonce::new_random,
        )
        .add_scope(Scope::new("email".into()))
        .add_scope(Scope::new("profile".into()))
        .set_pkce_challenge(challenge);
    for (name, value) in extra {
        request = request.add_extra_param(*name, *value);
    }
    let (url, state, nonce) = request.url();
    Request {
        url: url.to_string(),
        state,
        nonce,
        verifier,
        client,
    }
}

impl Request {
    /// Redeems the code the app received and checks the ID token as the library does, at
    /// Tessera's (injected) time `now`.
    pub async fn finish(self, response: &HashMap<String, String>, now: i64) -> CoreTokenResponse {
        assert_eq!(response.get("state"), Some(self.state.secret()));
        let code = response.get("code").expect("a code in the response");
        let tokens: CoreTokenResponse = self
            .client
            .exchange_code(AuthorizationCode::new(code.clone()))
            .unwrap()
            .set_pkce_verifier(self.verifier)
            .request_async(&http_client())
            .await
            .expect("token exchange");
        let id_token = openidconnect::TokenResponse::id_token(&tokens).expect("an ID token");
        let verifier = self
            .client
            .id_token_verifier()
            .set_time_fn(move || chrono::DateTime::from_timestamp(now + 1, 0).unwrap());
        id_token
            .claims(&verifier, &self.nonce)
            .expect("a valid ID token");
        tokens
    }
}
