//! Passkeys (WebAuthn): a user's registered passkeys, and the ceremonies that add one
//! (`registration`) or sign in with one (`service::sign_in::passkey`: without a password, or
//! as the second step after it). A ceremony's state lives in the database behind a random id, so the
//! browser's answer may reach any instance; it is taken once, and refused after five minutes.
use serde::Serialize;
use serde::de::DeserializeOwned;

use super::error::{Internal, Result};
use crate::auth::passkey::CEREMONY_SECONDS;
use crate::auth::secret;
use crate::state::AppState;
use crate::store::passkeys::PasskeyRow;

pub mod registration;

/// What a ceremony is for; a ceremony is finished only as what it was started as.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(in crate::service) enum Kind {
    Register,
    SignIn,
    SecondFactor,
}

impl Kind {
    fn as_str(self) -> &'static str {
        match self {
            Self::Register => "register",
            Self::SignIn => "sign_in",
            Self::SecondFactor => "second_factor",
        }
    }
}

/// A ceremony started: its id (for the page's form) and the options for the browser's
/// `navigator.credentials` call, as JSON.
pub struct Ceremony {
    pub id: String,
    pub options: String,
}

impl std::fmt::Debug for Ceremony {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Ceremony(redacted)")
    }
}

/// Starting a ceremony: ready, or passkeys are off for this issuer.
#[derive(Debug)]
pub enum CeremonyStart {
    Ready(Ceremony),
    /// Passkeys are off for this issuer (an IP address, or http on a real domain).
    Unavailable,
}

/// Why a passkey was not accepted. The page says which in plain words; details of a refused
/// signature go to the log only.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// Passkeys are off for this issuer (an IP address, or http on a real domain).
    Unavailable,
    /// The sign-in is older than `reauth_max_age` and no password was typed.
    PasswordRequired,
    WrongPassword,
    /// The user has a second factor the session did not pass within `reauth_max_age`, and no
    /// code proves it now.
    SecondFactorRequired,
    /// The password or the TOTP code typed with it was wrong.
    WrongPasswordOrCode,
    /// The TOTP code cannot be checked (the sealing key is missing or changed).
    CodeUnavailable,
    /// The ceremony is unknown, finished already, or older than five minutes.
    Expired,
    /// The browser's answer did not verify: wrong origin, signature, challenge, or a
    /// credential that is not the user's.
    Rejected,
    /// The passkey is registered already (to this or another account).
    Duplicate,
}

/// A passkey as its owner sees it.
#[derive(Debug, Clone)]
pub struct PasskeySummary {
    /// The credential ID (base64url): names it in forms.
    pub id: String,
    pub name: String,
    pub created_at: i64,
    pub last_used_at: Option<i64>,
    /// Backup eligible: synced between the user's devices by a passkey provider, rather than
    /// bound to one device or security key.
    pub synced: bool,
}

impl From<PasskeyRow> for PasskeySummary {
    fn from(row: PasskeyRow) -> Self {
        Self {
            id: row.credential_id,
            name: row.name,
            created_at: row.created_at,
            last_used_at: row.last_used_at,
            synced: row.backup_eligible,
        }
    }
}

/// The most passkeys one account may hold (each one is a row and an `excludeCredentials`
/// entry in every registration).
pub const MAX_PER_USER: usize = 20;
/// The longest name a passkey may be given.
pub const MAX_NAME_CHARS: usize = 64;

pub async fn list(state: &AppState, user_id: &str) -> Result<Vec<PasskeySummary>> {
    let rows = state.store().passkeys_of(user_id).await?;
    Ok(rows.into_iter().map(PasskeySummary::from).collect())
}

/// Renames one of the user's passkeys; `false` when the user has no such passkey or the
/// name is empty or too long.
pub async fn rename(state: &AppState, user_id: &str, id: &str, name: &str) -> Result<bool> {
    let Some(name) = clean_name(name) else {
        return Ok(false);
    };
    Ok(state.store().rename_passkey(user_id, id, &name).await?)
}

/// A passkey name as stored: trimmed, control characters refused, at most
/// `MAX_NAME_CHARS`.
pub fn clean_name(name: &str) -> Option<String> {
    let name = name.trim();
    let fits = !name.is_empty() && name.chars().count() <= MAX_NAME_CHARS;
    (fits && !name.chars().any(char::is_control)).then(|| name.to_string())
}

/// Stores a ceremony's state and returns the id the browser will send back.
pub(in crate::service) async fn save_ceremony(
    state: &AppState,
    kind: Kind,
    user_id: Option<&str>,
    ceremony: &impl Serialize,
    now: i64,
) -> Result<String> {
    let json = serde_json::to_string(ceremony).map_err(Internal::passkey)?;
    let id = secret::generate();
    let expires_at = now + CEREMONY_SECONDS;
    state
        .store()
        .insert_webauthn_ceremony(
            &secret::hash(&id),
            kind.as_str(),
            user_id,
            &json,
            expires_at,
        )
        .await?;
    Ok(id)
}

/// Takes the ceremony `id` of `kind` (once): its user, if it was for one, and its state.
pub(in crate::service) async fn take_ceremony<T: DeserializeOwned>(
    state: &AppState,
    kind: Kind,
    id: &str,
    now: i64,
) -> Result<Option<(Option<String>, T)>> {
    let taken = state
        .store()
        .take_webauthn_ceremony(&secret::hash(id), kind.as_str(), now)
        .await?;
    let Some(row) = taken else {
        return Ok(None);
    };
    let ceremony = serde_json::from_str(&row.state).map_err(Internal::passkey)?;
    Ok(Some((row.user_id, ceremony)))
}

/// Removes one of `user_id`'s passkeys without asking them (an administrator: `tessera user
/// passkeys remove` and the admin API; a lost device); false when they have no such passkey.
/// Added for the admin API beside `registration::remove`, which asks the user to prove
/// themselves first.
pub async fn remove_for(
    store: &crate::store::Store,
    audit: &crate::audit::AuditLog,
    user_id: &str,
    id: &str,
) -> Result<bool> {
    if !store.delete_passkey(user_id, id).await? {
        return Ok(false);
    }
    audit.record(
        crate::audit::AuditEvent::success(crate::audit::EventType::PasskeyRemoved)
            .user(user_id)
            .detail("by", "admin"),
    );
    Ok(true)
}
