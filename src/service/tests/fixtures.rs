//! What the tests build on a fresh state: users, sessions, an authenticator, authorization
//! requests, codes and tokens, and the assertions on a refusal.
use std::collections::HashMap;
use std::net::IpAddr;

use super::signed_in_fixtures::password_session;
use super::{CHALLENGE, MFA_KEY, START, USER_EMAIL, USER_PASSWORD, VERIFIER, hashed};
use crate::auth::recovery;
use crate::auth::sealing::SealingKey;
use crate::oauth::authorize::AuthorizationRequest;
use crate::oauth::client::Client;
use crate::oauth::error::ErrorCode;
use crate::oauth::params::Params;
use crate::oauth::token_response::TokenResponse;
use crate::service::sessions::{self, NewSession};
use crate::service::{Error, Result};
use crate::state::AppState;
use crate::store::sessions::SessionRow;
use crate::store::users::UserRow;

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
    sessions::start(state, password_session(user, auth_time), None, auth_time)
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
    use crate::auth::master_key::{MasterKey, Purpose};
    MasterKey::from_base64(MFA_KEY)
        .unwrap()
        .derive(Purpose::TotpSecrets)
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
    use crate::oauth::authorize::{Channel, Validation, validate};
    let params = authorization_params(state, client_id, extra);
    match validate(&params, Channel::FrontChannel, |id| state.client(id)) {
        Validation::Valid(request, _) => *request,
        other => panic!("invalid request: {other:?}"),
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
    let redirect = crate::service::authorize::issue_code(state, &request, session, now)
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
    let exchange = crate::oauth::grants::CodeGrant {
        code: code.into(),
        redirect_uri: Some(redirect_uri),
        code_verifier: Some(VERIFIER.into()),
        resource: None,
    };
    crate::service::code_exchange::exchange_code(state, client, &exchange, None, now).await
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
