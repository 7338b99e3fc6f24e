//! The administrator's use cases, one function each behind both the CLI (`tessera user`,
//! `tessera keys`) and the admin API (`http::admin`): users (`users`), what keeps them signed
//! in (`access`: disable, passwords, second factors, refresh tokens), their sessions,
//! consents, identities and passkeys (`devices`), the mail sent on their behalf (`mail`),
//! signing keys (`keys`), the registered clients and APIs (`registry`) and the audit trail
//! (`trail`). Each write records its audit event here, unless the service it calls records
//! its own (ending sessions, withdrawing consent, unlinking, keys, mail); who acted comes from
//! the task's origin (`audit::origin`), which the CLI and the API set.
use zeroize::Zeroizing;

use crate::auth::{password, secret};
use crate::state::AppState;
use crate::store::users::{UserRow, normalize_email};

mod error;

pub mod access;
pub mod devices;
pub mod keys;
pub mod mail;
pub mod registry;
pub mod trail;
pub mod users;

pub use error::{AdminError, Result};

/// What a CLI command returns: any error, printed for the operator.
pub type AdminResult<T> = std::result::Result<T, Box<dyn std::error::Error>>;

/// Which user: the API names users by id, the CLI by email.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UserKey<'a> {
    Id(&'a str),
    Email(&'a str),
}

/// The user `key` names.
pub(crate) async fn user(state: &AppState, key: UserKey<'_>) -> Result<UserRow> {
    let store = state.store();
    let found = match key {
        UserKey::Id(id) => store.find_user(id).await?,
        UserKey::Email(email) => store.find_user_by_email(email).await?,
    };
    found.ok_or_else(|| match key {
        UserKey::Id(id) => AdminError::NotFound(format!("no user {id}")),
        UserKey::Email(email) => {
            AdminError::NotFound(format!("no user with email {}", normalize_email(email)))
        }
    })
}

/// A user as an administrator sees them: never a password hash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserView {
    pub id: String,
    pub email: String,
    pub name: Option<String>,
    pub email_verified: bool,
    pub disabled: bool,
    pub created_at: i64,
    /// False for an invited account that has not chosen one yet, or one made by an upstream.
    pub has_password: bool,
}

impl From<&UserRow> for UserView {
    fn from(user: &UserRow) -> Self {
        Self {
            id: user.id.clone(),
            email: user.email.clone(),
            name: user.name.clone(),
            email_verified: user.email_verified,
            disabled: user.disabled,
            created_at: user.created_at,
            has_password: !user.password_hash.is_empty(),
        }
    }
}

/// Reads one secret from standard input: the first line, without its line ending.
pub fn read_secret_line(input: &mut impl std::io::BufRead) -> AdminResult<Zeroizing<String>> {
    let mut line = Zeroizing::new(String::new());
    input.read_line(&mut line)?;
    let trimmed = line.trim_end_matches(['\n', '\r']);
    Ok(Zeroizing::new(trimmed.to_string()))
}

/// `email` normalised (trimmed, lower-cased), or why it is no email address.
pub fn check_email(email: &str) -> Result<String> {
    let email = normalize_email(email);
    let valid = email.len() <= 254
        && email.split_once('@').is_some_and(|(local, domain)| {
            !local.is_empty() && !domain.is_empty() && !domain.contains('@')
        })
        && !email.chars().any(|c| c.is_whitespace() || c.is_control());
    if valid {
        Ok(email)
    } else {
        Err(AdminError::InvalidEmail(email))
    }
}

/// The longest display name kept.
pub const NAME_MAX_CHARS: usize = 200;

/// A display name as stored: trimmed, no control characters, at most [`NAME_MAX_CHARS`];
/// empty is none.
pub fn check_name(name: Option<String>) -> Result<Option<String>> {
    let Some(name) = name else { return Ok(None) };
    let name = name.trim();
    if name.chars().any(char::is_control) {
        return Err(AdminError::invalid(
            "name",
            "must not hold control characters",
        ));
    }
    if name.chars().count() > NAME_MAX_CHARS {
        return Err(AdminError::invalid(
            "name",
            format!("must have at most {NAME_MAX_CHARS} characters"),
        ));
    }
    Ok((!name.is_empty()).then(|| name.to_string()))
}

/// A new client secret (256 random bits) and its argon2id hash for `config.toml`.
pub fn generate_client_secret() -> AdminResult<(String, String)> {
    let secret = secret::generate();
    let hash = password::hash_blocking(secret.as_bytes())?;
    Ok((secret, hash))
}
