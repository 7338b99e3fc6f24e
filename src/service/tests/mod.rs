//! The use cases called directly, without HTTP: each test builds an `AppState` on a fresh
//! in-memory SQLite database (one database shared by the pool's connections) and passes
//! `now` itself. Where a behaviour rests on the database (throttle reservations, refresh
//! rotation and revocation, code redemption) the test runs on PostgreSQL too, in a fresh
//! schema, when TESSERA_TEST_POSTGRES_URL is set.
use std::str::FromStr;
use std::sync::{Arc, OnceLock};

use sqlx::postgres::PgConnectOptions;

use crate::clock::ManualClock;
use crate::config::Config;
use crate::keys::KeySet;
use crate::store::Store;

// What every test module finds through `use super::*`.
pub use self::fixtures::*;
pub use crate::oauth::amr::Amr;
pub use crate::oauth::error::ErrorCode;
pub use crate::service::sessions::{self, NewSession};
pub use crate::service::{Error, Result};
pub use crate::state::AppState;
pub use crate::store::sessions::SessionRow;
pub use crate::store::users::UserRow;
pub use std::collections::HashMap;

mod fixtures;
mod signed_in_fixtures;
pub use self::signed_in_fixtures::*;

mod access_tokens;
mod account;
mod admin;
mod attempt;
mod authorize;
mod backchannel;
mod backchannel_delivery;
mod client_auth;
mod code_exchange;
mod consent;
mod consent_migration;
mod database_timeout;
mod folded_races;
mod keys;
mod logout;
mod mfa;
mod passkey_registration;
mod passkeys;
mod pool_leases;
mod refresh;
mod second_factor;
mod sign_in;
// The same software authenticator the integration tests use (one file, two crates).
#[path = "../../../tests/common/soft_authenticator.rs"]
mod soft_authenticator;
mod throttle;

pub const START: i64 = 1_800_000_000;
pub const ISSUER: &str = "https://id.example.com";
pub const USER_EMAIL: &str = "ada@example.com";
pub const USER_PASSWORD: &str = "correct horse battery";
pub const CLIENT_SECRET: &str = "client-secret";
/// Base64 of 32 bytes: the `master_key`.
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
        crate::keys::material::generate_rsa()
            .unwrap()
            .private_pem
            .to_vec()
    })
}

/// The test key, signing from the start of time.
fn keys() -> KeySet {
    let key = crate::keys::material::rsa_from_pem(key_pem()).unwrap();
    KeySet::single(key, 0).unwrap()
}

pub fn config() -> Config {
    let secret = hashed(CLIENT_SECRET);
    Config::from_toml(&format!(
        r#"
issuer = "{ISSUER}"
master_key = "{MFA_KEY}"

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
            .execute(&mut *pool.acquire().await.unwrap())
            .await
            .unwrap();
    }
    admin.close().await;
    let options = PgConnectOptions::from_str(&url)
        .unwrap()
        .options([("search_path", schema.as_str())]);
    Store::connect_postgres(options, crate::store::DEFAULT_TIMEOUT)
        .await
        .unwrap()
}
