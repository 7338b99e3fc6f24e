//! Test harness: a real Tessera on a real listener with a fresh database per test
//! (a SQLite file, or a PostgreSQL schema when TESSERA_TEST_POSTGRES_URL is set), an
//! injected clock, and a minimal browser that keeps cookies and does not follow redirects.
#![allow(dead_code)]

use std::collections::HashMap;
use std::str::FromStr;
use std::sync::{Arc, OnceLock};

use reqwest::header::{HeaderMap, LOCATION, SET_COOKIE};
use sqlx::postgres::PgConnectOptions;
use tessera::clock::ManualClock;
use tessera::config::Config;
use tessera::store::Store;
use tessera::{AppState, app};
use zeroize::Zeroizing;

pub mod admin;
pub mod balancer;
pub mod document_server;
pub mod fake_github;
pub mod federation;
pub mod mfa;
pub mod par;
pub mod passkeys;
pub mod process;
pub mod proxy;
pub mod relying_party;
pub mod smtp_sink;
pub mod soft_authenticator;

pub const START: i64 = 1_800_000_000;
pub const CONFIDENTIAL_SECRET: &str = "confidential-secret";
pub const POST_SECRET: &str = "post-secret";
pub const REDIRECT: &str = "http://127.0.0.1:8765/cb";
pub const PUBLIC_REDIRECT: &str = "http://127.0.0.1/native/cb";
pub const POST_LOGOUT: &str = "https://app.example.com/signed-out";
pub const USER_EMAIL: &str = "ada@example.com";
pub const USER_PASSWORD: &str = "correct horse battery";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    /// SQLite always; PostgreSQL too when TESSERA_TEST_POSTGRES_URL is set.
    pub fn all() -> Vec<Backend> {
        let mut backends = vec![Backend::Sqlite];
        if postgres_url().is_some() {
            backends.push(Backend::Postgres);
        }
        backends
    }
}

pub fn postgres_url() -> Option<String> {
    std::env::var("TESSERA_TEST_POSTGRES_URL")
        .ok()
        .filter(|s| !s.is_empty())
}

/// Argon2 hashes are slow to make; make each test secret's hash once per test binary.
pub fn hashed(secret: &'static str) -> String {
    static HASHES: OnceLock<std::sync::Mutex<HashMap<&'static str, String>>> = OnceLock::new();
    let map = HASHES.get_or_init(Default::default);
    let mut map = map.lock().unwrap();
    map.entry(secret)
        .or_insert_with(|| tessera::auth::password::hash_blocking(secret.as_bytes()).unwrap())
        .clone()
}

/// One RSA key per test binary (generation is slow); each test's keys_dir gets it as the
/// PEM file an earlier version would have left, which start-up imports into the database.
pub fn test_key_pem() -> &'static [u8] {
    static PEM: OnceLock<Vec<u8>> = OnceLock::new();
    PEM.get_or_init(|| {
        tessera::keys::material::generate_rsa()
            .unwrap()
            .private_pem
            .to_vec()
    })
}

pub fn base_config(issuer: &str) -> String {
    format!(
        r#"
issuer = "{issuer}"
listen = "127.0.0.1:0"
master_key = "{master_key}"

[[clients]]
client_id = "confidential"
client_name = "Confidential App"
client_secret_hash = "{confidential}"
redirect_uris = ["{REDIRECT}", "https://app.example.com/cb"]
scopes = ["openid", "profile", "email", "offline_access"]
post_logout_redirect_uris = ["{POST_LOGOUT}"]

[[clients]]
client_id = "post-client"
client_secret_hash = "{post}"
token_endpoint_auth_method = "client_secret_post"
redirect_uris = ["https://post.example.com/cb"]

[[clients]]
client_id = "public"
client_name = "Native App"
token_endpoint_auth_method = "none"
redirect_uris = ["{PUBLIC_REDIRECT}"]
scopes = ["openid", "email", "offline_access"]

[[clients]]
client_id = "first-party"
client_secret_hash = "{confidential}"
redirect_uris = ["https://first.example.com/cb"]
skip_consent = true

[[clients]]
client_id = "{mfa_client}"
client_name = "Bank"
client_secret_hash = "{confidential}"
redirect_uris = ["{mfa_redirect}"]
require_mfa = true

[[clients]]
client_id = "{strict_client}"
client_secret_hash = "{confidential}"
redirect_uris = ["{strict_redirect}"]
require_mfa = true
allow_enrolment = false
"#,
        master_key = mfa::MASTER_KEY,
        mfa_client = mfa::MFA_CLIENT,
        mfa_redirect = mfa::MFA_REDIRECT,
        strict_client = mfa::STRICT_CLIENT,
        strict_redirect = mfa::STRICT_REDIRECT,
        confidential = hashed(CONFIDENTIAL_SECRET),
        post = hashed(POST_SECRET),
    )
}

pub struct TestApp {
    pub issuer: String,
    /// Where the listener really is (the issuer may be a pretend https URL).
    pub base: String,
    pub store: Store,
    pub clock: ManualClock,
    pub state: AppState,
    pub backend: Backend,
    _dir: tempfile::TempDir,
    _server: tokio::task::JoinHandle<()>,
}

impl TestApp {
    pub async fn spawn(backend: Backend) -> TestApp {
        Self::spawn_with(backend, |_| {}).await
    }

    /// Starts with the standard test config, edited by `adjust` (e.g. to switch to https).
    pub async fn spawn_with(backend: Backend, adjust: impl FnOnce(&mut Config)) -> TestApp {
        Self::spawn_on(backend, None, adjust).await
    }

    /// Starts with the standard test config plus more TOML, validated as a file would be:
    /// top-level keys first, then tables such as `[[resources]]` and `[[clients]]`.
    pub async fn spawn_with_toml(backend: Backend, extra: &str) -> TestApp {
        Self::spawn_with_toml_then(backend, extra, |_| {}).await
    }

    /// As `spawn_with_toml`, then edited by `adjust`.
    pub async fn spawn_with_toml_then(
        backend: Backend,
        extra: &str,
        adjust: impl FnOnce(&mut Config),
    ) -> TestApp {
        let tables_at = extra.find("\n[").map_or(extra.len(), |i| i + 1);
        let (top, tables) = extra.split_at(tables_at);
        let (top, tables) = (top.to_string(), tables.to_string());
        Self::spawn_on(backend, None, move |config| {
            let base = base_config(&config.issuer);
            let text = format!("{top}\n{base}\n{tables}");
            let mut extended = Config::from_toml(&text).expect("extra config is valid");
            extended.issuer = config.issuer.clone();
            *config = extended;
            adjust(config);
        })
        .await
    }

    /// Another instance on the same database and clock, as behind a load balancer.
    pub async fn second_instance(&self, adjust: impl FnOnce(&mut Config)) -> TestApp {
        let shared = (self.store.clone(), self.clock.clone());
        Self::spawn_on(self.backend, Some(shared), adjust).await
    }

    async fn spawn_on(
        backend: Backend,
        shared: Option<(Store, ManualClock)>,
        adjust: impl FnOnce(&mut Config),
    ) -> TestApp {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let issuer = format!("http://{}", listener.local_addr().unwrap());
        let mut config = Config::from_toml(&base_config(&issuer)).unwrap();
        adjust(&mut config);
        let dir = tempfile::tempdir().unwrap();
        let (store, clock) = match shared {
            Some((store, clock)) => (Some(store), clock),
            None => (None, ManualClock::starting_at(START)),
        };
        let store = match (store, backend) {
            (Some(store), _) => store,
            (None, Backend::Sqlite) => {
                let url = format!("sqlite://{}", dir.path().join("tessera.db").display());
                Store::connect(&url).await.unwrap()
            }
            (None, Backend::Postgres) => postgres_store().await,
        };
        store.migrate().await.unwrap();
        let keys_dir = dir.path().join("keys");
        std::fs::create_dir_all(&keys_dir).unwrap();
        std::fs::write(keys_dir.join("000000000001-test.pem"), test_key_pem()).unwrap();
        config.keys_dir = keys_dir.clone();
        let keys = load_keys(&config, &store, &clock).await;
        let state = AppState::new(config.clone(), store.clone(), keys, Arc::new(clock.clone()));
        let router = app(state.clone());
        let server = tokio::spawn(async move {
            axum::serve(
                listener,
                router.into_make_service_with_connect_info::<std::net::SocketAddr>(),
            )
            .await
            .unwrap();
        });
        TestApp {
            base: issuer.clone(),
            issuer: config.issuer.clone(),
            store,
            clock,
            state,
            backend,
            _dir: dir,
            _server: server,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    pub async fn add_user(&self, email: &str, password: &str) -> String {
        let new = tessera::service::admin::users::NewUser {
            email: email.into(),
            name: Some("Ada Lovelace".into()),
            email_verified: true,
            credential: tessera::service::admin::users::FirstCredential::Password(Zeroizing::new(
                password.into(),
            )),
        };
        tessera::service::admin::users::create(&self.state, new, START)
            .await
            .unwrap()
            .id
    }

    pub fn browser(&self) -> Browser {
        Browser::new(&self.base)
    }
}

/// The key set as `serve` would read it: the PEM in keys_dir imported on first start.
async fn load_keys(config: &Config, store: &Store, clock: &ManualClock) -> tessera::keys::KeySet {
    use tessera::auth::master_key::{MasterKey, Purpose};
    use tessera::clock::Clock;
    // A configuration without a master key still needs its signing keys sealed somehow.
    let master = config
        .master_key
        .clone()
        .unwrap_or_else(|| MasterKey::from_base64(mfa::MASTER_KEY).unwrap());
    let sealer = master.derive(Purpose::SigningKeys);
    let keys = tessera::service::keys::bootstrap(store, &sealer, config, clock.now());
    keys.await.unwrap();
    tessera::service::keys::load(store, &sealer, clock.now())
        .await
        .unwrap()
}

/// A fresh schema per test in the shared test database.
async fn postgres_store() -> Store {
    let url = postgres_url().unwrap();
    let schema = format!("t_{}", uuid::Uuid::new_v4().simple());
    let admin = Store::connect(&url).await.unwrap();
    if let tessera::store::Db::Postgres(pool) = admin.db() {
        sqlx::query(sqlx::AssertSqlSafe(format!("create schema {schema}")))
            .execute(&mut *pool.acquire().await.unwrap())
            .await
            .unwrap();
    }
    admin.close().await;
    let options = PgConnectOptions::from_str(&url)
        .unwrap()
        .options([("search_path", schema.as_str())]);
    Store::connect_postgres(options, tessera::store::DEFAULT_TIMEOUT)
        .await
        .unwrap()
}

/// Just enough of a browser: cookies by name, no redirect following, form posts.
pub struct Browser {
    pub client: reqwest::Client,
    pub cookies: HashMap<String, String>,
    origin: String,
}

#[derive(Debug)]
pub struct Page {
    pub status: u16,
    pub headers: HeaderMap,
    pub body: String,
}

impl Page {
    pub fn location(&self) -> Option<String> {
        self.headers
            .get(LOCATION)
            .map(|v| v.to_str().unwrap().to_string())
    }

    pub fn header(&self, name: &str) -> Option<String> {
        self.headers
            .get(name)
            .map(|v| v.to_str().unwrap().to_string())
    }

    /// The value of a hidden input.
    pub fn hidden(&self, name: &str) -> String {
        let marker = format!("name=\"{name}\" value=\"");
        let start = self
            .body
            .find(&marker)
            .unwrap_or_else(|| panic!("no {name} in {}", self.body))
            + marker.len();
        let end = self.body[start..].find('"').unwrap() + start;
        self.body[start..end].to_string()
    }

    /// The action of the page's form, HTML entities decoded.
    pub fn form_action(&self) -> String {
        let marker = "action=\"";
        let start = self.body.find(marker).expect("no form") + marker.len();
        let end = self.body[start..].find('"').unwrap() + start;
        html_unescape(&self.body[start..end])
    }

    pub fn set_cookies(&self) -> Vec<String> {
        self.headers
            .get_all(SET_COOKIE)
            .iter()
            .map(|v| v.to_str().unwrap().to_string())
            .collect()
    }
}

fn html_unescape(s: &str) -> String {
    s.replace("&#38;", "&")
        .replace("&amp;", "&")
        .replace("&#x3d;", "=")
        .replace("&#61;", "=")
        .replace("&#x2f;", "/")
        .replace("&#47;", "/")
        .replace("&quot;", "\"")
        .replace("&#x27;", "'")
        .replace("&#39;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
}

impl Browser {
    pub fn new(origin: &str) -> Self {
        Self {
            client: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .unwrap(),
            cookies: HashMap::new(),
            origin: origin.to_string(),
        }
    }

    pub fn origin(&self) -> &str {
        &self.origin
    }

    fn absolute(&self, url: &str) -> String {
        if url.starts_with('/') {
            format!("{}{}", self.origin, url)
        } else {
            url.to_string()
        }
    }

    fn cookie_header(&self) -> String {
        self.cookies
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ")
    }

    async fn finish(&mut self, response: reqwest::Response) -> Page {
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        for value in headers.get_all(SET_COOKIE) {
            let value = value.to_str().unwrap();
            let pair = value.split(';').next().unwrap();
            let (name, val) = pair.split_once('=').unwrap();
            if val.is_empty() || value.contains("Max-Age=0") {
                self.cookies.remove(name);
            } else {
                self.cookies.insert(name.to_string(), val.to_string());
            }
        }
        let body = response.text().await.unwrap();
        Page {
            status,
            headers,
            body,
        }
    }

    pub async fn get(&mut self, url: &str) -> Page {
        let response = self
            .client
            .get(self.absolute(url))
            .header("cookie", self.cookie_header())
            .send()
            .await
            .unwrap();
        self.finish(response).await
    }

    pub async fn post_form(&mut self, url: &str, fields: &[(&str, &str)]) -> Page {
        let body = url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(fields)
            .finish();
        let response = self
            .client
            .post(self.absolute(url))
            .header("cookie", self.cookie_header())
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body)
            .send()
            .await
            .unwrap();
        self.finish(response).await
    }

    /// Follows 303s from `url` until the browser would leave Tessera; returns the last page
    /// served by Tessera, or the off-site Location it was sent to.
    pub async fn follow(&mut self, mut page: Page) -> Result<Page, String> {
        while page.status == 303 {
            let location = page.location().unwrap();
            if !location.starts_with('/') && !location.starts_with(&self.origin) {
                return Err(location);
            }
            page = self.get(&location).await;
        }
        Ok(page)
    }

    /// Opens an authorization URL (from a client library) as Ada, who is not signed in yet,
    /// and signs in: returns the page that follows the sign-in (the consent page).
    pub async fn sign_in_at(&mut self, authorization_url: &str) -> Page {
        let start = self.get(authorization_url).await;
        let login = self.follow(start).await.expect("the sign-in page");
        self.submit_login(&login, USER_EMAIL, USER_PASSWORD)
            .await
            .expect("a page after the sign-in")
    }

    /// Allows the request on `consent` and returns the code it sends the app.
    pub async fn allow(&mut self, consent: &Page) -> String {
        let back = self.submit_consent(consent, "allow").await;
        query_of(&back.location().expect("a redirect to the app"))["code"].clone()
    }

    /// Signs in on the login page `page` and follows redirects.
    pub async fn submit_login(
        &mut self,
        login: &Page,
        email: &str,
        password: &str,
    ) -> Result<Page, String> {
        let csrf = login.hidden("csrf_token");
        let page = self
            .post_form(
                &login.form_action(),
                &[
                    ("csrf_token", &csrf),
                    ("email", email),
                    ("password", password),
                ],
            )
            .await;
        self.follow(page).await
    }

    /// Answers the consent page `page` and returns where the browser was sent.
    pub async fn submit_consent(&mut self, consent: &Page, decision: &str) -> Page {
        let csrf = consent.hidden("csrf_token");
        self.post_form(
            &consent.form_action(),
            &[("csrf_token", &csrf), ("decision", decision)],
        )
        .await
    }
}

/// Query parameters of a redirect Location.
pub fn query_of(location: &str) -> HashMap<String, String> {
    let url = url::Url::parse(location).unwrap();
    url.query_pairs().into_owned().collect()
}

pub const VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
pub const CHALLENGE: &str = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";

/// An authorization URL with PKCE for `client_id`.
pub fn authorize_url(client_id: &str, redirect_uri: &str, extra: &[(&str, &str)]) -> String {
    let mut query = url::form_urlencoded::Serializer::new(String::new());
    query
        .append_pair("client_id", client_id)
        .append_pair("redirect_uri", redirect_uri)
        .append_pair("response_type", "code")
        .append_pair("scope", "openid email profile")
        .append_pair("state", "st-123")
        .append_pair("nonce", "n-456")
        .append_pair("code_challenge", CHALLENGE)
        .append_pair("code_challenge_method", "S256");
    for (k, v) in extra {
        query.append_pair(k, v);
    }
    format!("/authorize?{}", query.finish())
}

/// Runs the browser part of a sign-in for `client_id` and returns the code.
pub async fn obtain_code(
    app: &TestApp,
    browser: &mut Browser,
    client_id: &str,
    redirect_uri: &str,
) -> String {
    let start = browser
        .get(&authorize_url(client_id, redirect_uri, &[]))
        .await;
    let page = match browser.follow(start).await {
        Ok(page) => page,
        Err(location) => return query_of(&location)["code"].clone(),
    };
    let page = if page.body.contains("name=\"password\"") {
        match browser.submit_login(&page, USER_EMAIL, USER_PASSWORD).await {
            Ok(page) => page,
            Err(location) => return query_of(&location)["code"].clone(),
        }
    } else {
        page
    };
    assert!(
        page.body.contains("Allow"),
        "expected consent page: {}",
        page.body
    );
    let done = browser.submit_consent(&page, "allow").await;
    let location = done.location().expect("redirect to client");
    let _ = app;
    query_of(&location)["code"].clone()
}

/// Posts a token request with HTTP Basic client authentication.
pub async fn token_request(
    app: &TestApp,
    basic: Option<(&str, &str)>,
    fields: &[(&str, &str)],
) -> reqwest::Response {
    let body = url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(fields)
        .finish();
    let mut request = reqwest::Client::new()
        .post(app.url("/token"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(body);
    if let Some((id, secret)) = basic {
        request = request.basic_auth(id, Some(secret));
    }
    request.send().await.unwrap()
}

/// Exchanges a code for the confidential client with the standard verifier.
pub async fn exchange(app: &TestApp, code: &str) -> reqwest::Response {
    token_request(
        app,
        Some(("confidential", CONFIDENTIAL_SECRET)),
        &[
            ("grant_type", "authorization_code"),
            ("code", code),
            ("redirect_uri", REDIRECT),
            ("code_verifier", VERIFIER),
        ],
    )
    .await
}

/// Signs in (once per browser) and consents with `offline_access` and `prompt=consent`,
/// returning the code.
pub async fn obtain_offline_code(
    browser: &mut Browser,
    client_id: &str,
    redirect_uri: &str,
) -> String {
    let url = authorize_url(client_id, redirect_uri, &[("prompt", "consent")]).replace(
        "scope=openid+email+profile",
        "scope=openid+email+profile+offline_access",
    );
    let start = browser.get(&url).await;
    let mut page = browser.follow(start).await.unwrap();
    if page.body.contains("name=\"password\"") {
        page = browser
            .submit_login(&page, USER_EMAIL, USER_PASSWORD)
            .await
            .unwrap();
    }
    assert!(
        page.body.contains("Stay connected"),
        "offline access on the consent page: {}",
        page.body
    );
    let done = browser.submit_consent(&page, "allow").await;
    query_of(&done.location().unwrap())["code"].clone()
}

/// Signs in with offline access for the confidential client; returns the token response.
pub async fn offline_tokens(app: &TestApp, browser: &mut Browser) -> serde_json::Value {
    let code = obtain_offline_code(browser, "confidential", REDIRECT).await;
    let response = exchange(app, &code).await;
    assert_eq!(response.status(), 200);
    let body: serde_json::Value = response.json().await.unwrap();
    assert!(body["refresh_token"].is_string(), "{body}");
    body
}

/// `grant_type=refresh_token` for the confidential client.
pub async fn refresh(app: &TestApp, refresh_token: &str, scope: Option<&str>) -> reqwest::Response {
    let mut fields = vec![
        ("grant_type", "refresh_token"),
        ("refresh_token", refresh_token),
    ];
    if let Some(scope) = scope {
        fields.push(("scope", scope));
    }
    token_request(app, Some(("confidential", CONFIDENTIAL_SECRET)), &fields).await
}

/// A client-authenticated form POST to `path` (revoke, introspect), with each test client's
/// registered authentication method.
pub async fn client_post(
    app: &TestApp,
    path: &str,
    client: (&str, &str),
    fields: &[(&str, &str)],
) -> reqwest::Response {
    let request = reqwest::Client::new().post(app.url(path));
    let request = if client.0 == "post-client" {
        let mut fields = fields.to_vec();
        fields.extend([("client_id", client.0), ("client_secret", client.1)]);
        request.form(&fields)
    } else {
        request.basic_auth(client.0, Some(client.1)).form(fields)
    };
    request.send().await.unwrap()
}

pub async fn introspect(app: &TestApp, token: &str) -> serde_json::Value {
    client_post(
        app,
        "/introspect",
        ("confidential", CONFIDENTIAL_SECRET),
        &[("token", token)],
    )
    .await
    .json()
    .await
    .unwrap()
}

/// An HTTP client that, like an app's back end, does not follow redirects.
pub fn http_client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

/// The provider metadata document as JSON.
pub async fn discovery_json(app: &TestApp) -> serde_json::Value {
    reqwest::get(app.url("/.well-known/openid-configuration"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

pub async fn userinfo_status(app: &TestApp, access_token: &str) -> u16 {
    reqwest::Client::new()
        .get(app.url("/userinfo"))
        .bearer_auth(access_token)
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

/// The one number `sql` (a `select count(*) …`) answers, read straight from the database.
pub async fn count_rows(store: &tessera::store::Store, sql: &'static str) -> i64 {
    match store.db() {
        tessera::store::Db::Sqlite(pool) => {
            let mut connection = pool.acquire().await.unwrap();
            sqlx::query_scalar(sql).fetch_one(&mut *connection).await
        }
        tessera::store::Db::Postgres(pool) => {
            let mut connection = pool.acquire().await.unwrap();
            sqlx::query_scalar(sql).fetch_one(&mut *connection).await
        }
    }
    .unwrap()
}
