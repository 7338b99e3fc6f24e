//! The use cases called directly, without HTTP: each test builds an `AppState` on a fresh
//! in-memory SQLite database (one database shared by the pool's connections) and passes
//! `now` itself. Where a behaviour rests on the database (throttle reservations, refresh
//! rotation and revocation, code redemption) the test runs on PostgreSQL too, in a fresh
//! schema, when TESSERA_TEST_POSTGRES_URL is set.
use std::collections::HashMap;
use std::net::IpAddr;
use std::str::FromStr;
use std::sync::{Arc, OnceLock};

use sqlx::postgres::PgConnectOptions;

use super::mint::TokenResponse;
use super::sessions::{self, NewSession};
use super::{Error, Result};
use crate::auth::recovery;
use crate::auth::sealing::SealingKey;
use crate::clock::ManualClock;
use crate::config::Config;
use crate::keys::KeyStore;
use crate::oauth::amr::Amr;
use crate::oauth::authorize::AuthorizationRequest;
use crate::oauth::client::Client;
use crate::oauth::error::ErrorCode;
use crate::oauth::params::Params;
use crate::state::AppState;
use crate::store::Store;
use crate::store::sessions::SessionRow;
use crate::store::users::UserRow;

mod access_tokens;
// mod account;
// mod admin;
mod authorize;
// mod client_auth;
mod code_exchange;
mod consent;
// mod logout;
// mod mfa;
mod refresh;
mod second_factor;
mod sign_in;
mod throttle;

pub const START: i64 = 1_800_000_000;
pub const ISSUER: &str = "https://id.example.com";
pub const USER_EMAIL: &str = "ada@example.com";
pub const USER_PASSWORD: &str = "correct horse battery";
pub const CLIENT_SECRET: &str = "client-secret";
/// Base64 of 32 bytes: the `mfa_encryption_key`.
pub const MFA_KEY: &str = "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=";
pub const VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
pub const CHALLENGE: &str = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";

/// Confidential; its logout revokes its refresh tokens.
pub const APP: &str = "app";
pub const APP_REDIRECT: &str = "https://app.example.com/cb";
pub const APP_SIGNED_OUT: &str = "https://app.example.com/signed-out";
/// Confidential; its logout leaves refresh tokens alone.
pub const OTHER: &str = "other";
pub const OTHER_REDIRECT: &str = "https://other.example.com/cb";
/// Public (PKCE only).
pub const NATIVE: &str = "native";
pub const NATIVE_REDIRECT: &str = "http://127.0.0.1/native/cb";
/// `skip_consent`.
pub const FIRST_PARTY: &str = "first-party";
pub const FIRST_PARTY_REDIRECT: &str = "https://first.example.com/cb";
/// `require_mfa`, enrolment allowed.
pub const BANK: &str = "bank";
pub const BANK_REDIRECT: &str = "https://bank.example.com/cb";
/// `require_mfa`, no enrolment.
pub const STRICT: &str = "strict";
pub const STRICT_REDIRECT: &str = "https://strict.example.com/cb";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// SQLite always; PostgreSQL too when TESSERA_TEST_POSTGRES_URL is set.
pub fn backends() -> Vec<Backend> {
    let mut backends = vec![Backend::Sqlite];
    if postgres_url().is_some() {
        backends.push(Backend::Postgres);
    }
    backends
}

fn postgres_url() -> Option<String> {
    std::env::var("TESSERA_TEST_POSTGRES_URL")
        .ok()
        .filter(|s| !s.is_empty())
}

/// argon2 is slow: each secret is hashed once per test binary.
pub fn hashed(secret: &'static str) -> String {
    static HASHES: OnceLock<std::sync::Mutex<HashMap<&'static str, String>>> = OnceLock::new();
    let mut map = HASHES.get_or_init(Default::default).lock().unwrap();
    map.entry(secret)
        .or_insert_with(|| crate::auth::password::hash_blocking(secret.as_bytes()).unwrap())
        .clone()
}

/// One RSA key per test binary: generating one is slow.
fn key_pem() -> &'static [u8] {
    static PEM: OnceLock<Vec<u8>> = OnceLock::new();
    PEM.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        crate::keys::generate_key(dir.path(), 1).unwrap();
        let file = std::fs::read_dir(dir.path())
            .unwrap()
            .next()
            .unwrap()
            .unwrap()
            .path();
        std::fs::read(file).unwrap()
    })
}

fn keys() -> KeyStore {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("000000000001-test.pem"), key_pem()).unwrap();
    KeyStore::load(dir.path()).unwrap()
}

pub fn config() -> Config {
    let secret = hashed(CLIENT_SECRET);
    Config::from_toml(&format!(
        r#"
issuer = "{ISSUER}"
mfa_encryption_key = "{MFA_KEY}"

[[clients]]
client_id = "{APP}"
client_name = "The App"
client_secret_hash = "{secret}"
redirect_uris = ["{APP_REDIRECT}"]
scopes = ["openid", "profile", "email", "offline_access"]
post_logout_redirect_uris = ["{APP_SIGNED_OUT}"]

[[clients]]
client_id = "{OTHER}"
client_secret_hash = "{secret}"
redirect_uris = ["{OTHER_REDIRECT}"]
scopes = ["openid", "profile", "email", "offline_access"]
logout_revokes_refresh_tokens = false

[[clients]]
client_id = "{NATIVE}"
token_endpoint_auth_method = "none"
redirect_uris = ["{NATIVE_REDIRECT}"]
scopes = ["openid", "email", "offline_access"]

[[clients]]
client_id = "{FIRST_PARTY}"
client_secret_hash = "{secret}"
redirect_uris = ["{FIRST_PARTY_REDIRECT}"]
skip_consent = true

[[clients]]
client_id = "{BANK}"
client_secret_hash = "{secret}"
redirect_uris = ["{BANK_REDIRECT}"]
require_mfa = true

[[clients]]
client_id = "{STRICT}"
client_secret_hash = "{secret}"
redirect_uris = ["{STRICT_REDIRECT}"]
require_mfa = true
allow_enrolment = false
"#
    ))
    .unwrap()
}

/// Tessera on a fresh in-memory SQLite database with the test clients.
pub async fn state() -> AppState {
    state_on(Backend::Sqlite, |_| {}).await
}

pub async fn state_with(adjust: impl FnOnce(&mut Config)) -> AppState {
    state_on(Backend::Sqlite, adjust).await
}

pub async fn state_on(backend: Backend, adjust: impl FnOnce(&mut Config)) -> AppState {
    let mut config = config();
    adjust(&mut config);
    let store = match backend {
        Backend::Sqlite => sqlite_store().await,
        Backend::Postgres => postgres_store().await,
    };
    store.migrate().await.unwrap();
    let clock = ManualClock::starting_at(START);
    AppState::new(config, store, keys(), Arc::new(clock))
}

/// A named in-memory database with a shared cache: every connection of the pool sees the
/// same one, and it lives as long as the pool.
async fn sqlite_store() -> Store {
    let name = uuid::Uuid::new_v4().simple();
    Store::connect(&format!("sqlite:file:{name}?mode=memory&cache=shared"))
        .await
        .unwrap()
}

/// A fresh schema in the shared test database.
async fn postgres_store() -> Store {
    let url = postgres_url().unwrap();
    let schema = format!("t_{}", uuid::Uuid::new_v4().simple());
    let admin = Store::connect(&url).await.unwrap();
    if let crate::store::Db::Postgres(pool) = admin.db() {
        sqlx::query(sqlx::AssertSqlSafe(format!("create schema {schema}")))
            .execute(pool)
            .await
            .unwrap();
    }
    admin.close().await;
    let options = PgConnectOptions::from_str(&url)
        .unwrap()
        .options([("search_path", schema.as_str())]);
    Store::connect_postgres(options).await.unwrap()
}

pub fn ip() -> IpAddr {
    IpAddr::from([203, 0, 113, 7])
}

pub fn client<'s>(state: &'s AppState, id: &str) -> &'s Client {
    state.client(id).unwrap()
}

/// A user with USER_PASSWORD (hashed once per binary).
pub async fn add_user(state: &AppState, email: &str) -> UserRow {
    let user = UserRow {
        id: uuid::Uuid::new_v4().to_string(),
        email: email.to_string(),
        name: Some("Ada Lovelace".into()),
        password_hash: hashed(USER_PASSWORD),
        email_verified: true,
        disabled: false,
        created_at: START,
        tokens_valid_after: 0,
    };
    state.store().insert_user(&user).await.unwrap();
    user
}

pub async fn ada(state: &AppState) -> UserRow {
    add_user(state, USER_EMAIL).await
}

/// A password-only session that signed in at `auth_time`.
pub async fn session_at(state: &AppState, user: &UserRow, auth_time: i64) -> NewSession {
    sessions::start(state, &user.id, Amr::password(), auth_time, None, auth_time)
        .await
        .unwrap()
}

pub async fn session(state: &AppState, user: &UserRow) -> NewSession {
    session_at(state, user, START).await
}

/// The sessions the store still holds for `user`.
pub async fn live_sessions(state: &AppState, user: &UserRow, now: i64) -> Vec<SessionRow> {
    state
        .store()
        .list_user_sessions(&user.id, now)
        .await
        .unwrap()
}

/// A confirmed authenticator for `user`, set up in the store as enrolment leaves it.
pub struct Authenticator {
    pub secret: Vec<u8>,
    pub recovery_codes: Vec<String>,
}

impl Authenticator {
    /// What the app shows at `time`.
    pub fn code_at(&self, time: i64) -> String {
        totp_code(&self.secret, time)
    }
}

pub fn mfa_key() -> SealingKey {
    SealingKey::from_base64(MFA_KEY).unwrap()
}

pub async fn enrol(state: &AppState, user: &UserRow) -> Authenticator {
    let secret = crate::auth::totp::TotpSecret::generate()
        .as_bytes()
        .to_vec();
    let sealed = mfa_key().seal(&secret, &user.id).unwrap();
    let store = state.store();
    assert!(
        store
            .insert_pending_totp(&user.id, &sealed, START)
            .await
            .unwrap()
    );
    let codes = recovery::generate();
    let hashes: Vec<String> = codes
        .iter()
        .map(|c| recovery::hash(&user.id, &recovery::normalize(c.as_str()).unwrap()))
        .collect();
    assert!(store.enable_totp(&user.id, &hashes, START).await.unwrap());
    Authenticator {
        secret,
        recovery_codes: codes.iter().map(|c| c.as_str().to_string()).collect(),
    }
}

pub fn totp_code(secret: &[u8], time: i64) -> String {
    totp_rs::Builder::new()
        .with_algorithm(totp_rs::Algorithm::SHA1)
        .with_digits(6)
        .with_secret(secret.to_vec())
        .build()
        .unwrap()
        .generate(time as u64)
        .to_string()
}

/// Six digits that are none of the codes accepted around `time`.
pub fn wrong_code(secret: &[u8], time: i64) -> String {
    let valid: Vec<String> = (-2..=2).map(|k| totp_code(secret, time + k * 30)).collect();
    (0..)
        .map(|n: u32| format!("{:06}", (n * 7919) % 1_000_000))
        .find(|c| !valid.contains(c))
        .unwrap()
}

/// Form-encoded parameters, as the HTTP layer would parse them.
pub fn params(pairs: &[(&str, &str)]) -> Params {
    let encoded = url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(pairs)
        .finish();
    Params::parse(encoded.as_bytes())
}

/// A valid authorization request for `client_id` (its first redirect URI, PKCE S256,
/// `openid email profile`, state and nonce), with `extra` added or overriding.
pub fn authorization_params(state: &AppState, client_id: &str, extra: &[(&str, &str)]) -> Params {
    let redirect_uri = client(state, client_id).redirect_uris[0].clone();
    let mut pairs: Vec<(&str, &str)> = vec![
        ("client_id", client_id),
        ("redirect_uri", &redirect_uri),
        ("response_type", "code"),
        ("scope", "openid email profile"),
        ("state", "st-123"),
        ("nonce", "n-456"),
        ("code_challenge", CHALLENGE),
        ("code_challenge_method", "S256"),
    ];
    for (name, value) in extra {
        pairs.retain(|(n, _)| n != name);
        pairs.push((name, value));
    }
    params(&pairs)
}

pub fn request(state: &AppState, client_id: &str, extra: &[(&str, &str)]) -> AuthorizationRequest {
    match super::authorize::validate(state, &authorization_params(state, client_id, extra)) {
        Ok((request, _)) => request,
        Err(refusal) => panic!("invalid request: {refusal:?}"),
    }
}

/// Query parameters of a redirect.
pub fn query_of(location: &str) -> HashMap<String, String> {
    url::Url::parse(location)
        .unwrap()
        .query_pairs()
        .into_owned()
        .collect()
}

/// A code issued to `client_id` for `session` (its consent taken as given).
pub async fn code_for(
    state: &AppState,
    client_id: &str,
    session: &SessionRow,
    extra: &[(&str, &str)],
    now: i64,
) -> String {
    let request = request(state, client_id, extra);
    let redirect = super::authorize::issue_code(state, &request, session, now)
        .await
        .unwrap();
    query_of(&redirect)["code"].clone()
}

/// The standard exchange of `code` by `client_id`.
pub async fn exchange(
    state: &AppState,
    client_id: &str,
    code: &str,
    now: i64,
) -> Result<TokenResponse> {
    let client = client(state, client_id);
    let redirect_uri = client.redirect_uris[0].clone();
    super::code_exchange::exchange_code(
        state,
        client,
        code,
        Some(&redirect_uri),
        Some(VERIFIER),
        now,
    )
    .await
}

/// Tokens with `offline_access` for `client_id`, from a code of `session`.
pub async fn offline_tokens(
    state: &AppState,
    client_id: &str,
    session: &SessionRow,
    now: i64,
) -> TokenResponse {
    let extra = [
        ("scope", "openid email profile offline_access"),
        ("prompt", "consent"),
    ];
    let code = code_for(state, client_id, session, &extra, now).await;
    let tokens = exchange(state, client_id, &code, now).await.unwrap();
    assert!(tokens.refresh_token.is_some(), "no refresh token");
    tokens
}

/// The RFC error code of a refusal; panics on anything else.
pub fn oauth_code<T>(result: Result<T>) -> ErrorCode {
    match result {
        Err(Error::OAuth(e)) => e.code,
        Err(e) => panic!("expected an OAuth error, got {e}"),
        Ok(_) => panic!("expected an OAuth error, got a success"),
    }
}

/// The wait of a throttled answer; panics on anything else.
pub fn retry_after<T>(result: Result<T>) -> i64 {
    match result {
        Err(Error::Throttled { retry_after }) => retry_after,
        Err(e) => panic!("expected Throttled, got {e}"),
        Ok(_) => panic!("expected Throttled, got a success"),
    }
}
