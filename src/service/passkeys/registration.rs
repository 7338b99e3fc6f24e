//! Adding and removing passkeys on the account page. Both change the user's second factors,
//! so both follow `factors::change_allowed`, as TOTP changes do: a recent password, and for a
//! user who has a second factor that factor now (a TOTP code) or a recent second step.
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use webauthn_rs::prelude::{Passkey, PasskeyRegistration, RegisterPublicKeyCredential, Uuid};

use super::{
    Ceremony, CeremonyStart, Kind, MAX_PER_USER, PasskeySummary, Refusal, clean_name,
    save_ceremony, take_ceremony,
};
use crate::audit::{AuditEvent, AuditLog, EventType};
use crate::auth::passkey::{credential_key, make_discoverable};
use crate::service::error::{Internal, Result};
use crate::service::factors::{self, Change, ChangeRequest, CodeIs};
use crate::service::signed_in::SignedIn;
use crate::state::AppState;
use crate::store::Store;
use crate::store::passkeys::PasskeyRow;

/// How adding a passkey ended.
#[derive(Debug)]
pub enum Addition {
    Added(PasskeySummary),
    Refused(Refusal),
}

/// How removing a passkey ended.
#[derive(Debug, PartialEq, Eq)]
pub enum Removal {
    Removed,
    /// The user has no passkey of that id.
    NoSuchPasskey,
    Refused(Refusal),
}

impl Addition {
    /// Why it was refused, if it was.
    pub fn refusal(self) -> Option<Refusal> {
        match self {
            Self::Added(_) => None,
            Self::Refused(refusal) => Some(refusal),
        }
    }
}

impl Removal {
    /// Why it was refused, if it was (a passkey already gone is no refusal).
    pub fn refusal(self) -> Option<Refusal> {
        match self {
            Self::Removed | Self::NoSuchPasskey => None,
            Self::Refused(refusal) => Some(refusal),
        }
    }
}

/// Starts adding a passkey for `user`: the options exclude the passkeys the user has, so an
/// authenticator does not register twice.
pub async fn begin(state: &AppState, current: &SignedIn, now: i64) -> Result<CeremonyStart> {
    let user = &current.user;
    let Ok(relying_party) = state.passkeys() else {
        return Ok(CeremonyStart::Unavailable);
    };
    let store = state.store();
    let handle = store
        .passkey_user_handle(&user.id, &Uuid::new_v4().to_string())
        .await?;
    let handle = Uuid::parse_str(&handle).map_err(Internal::passkey)?;
    let existing = store.passkeys_of(&user.id).await?;
    let exclude = existing
        .iter()
        .filter_map(|row| URL_SAFE_NO_PAD.decode(&row.credential_id).ok())
        .collect();
    let display_name = user.name.as_deref().unwrap_or(&user.email);
    let (mut options, ceremony) = relying_party
        .start_passkey_registration(handle, &user.email, display_name, Some(exclude))
        .map_err(Internal::passkey)?;
    make_discoverable(&mut options);
    let options = serde_json::to_string(&options).map_err(Internal::passkey)?;
    let id = save_ceremony(state, Kind::Register, Some(&user.id), &ceremony, now).await?;
    Ok(CeremonyStart::Ready(Ceremony { id, options }))
}

/// Finishes adding a passkey: the proof `factors::change_allowed` asks for, then the
/// ceremony (once, for this user), the browser's answer (`credential`, JSON), and a name.
pub async fn finish(
    state: &AppState,
    who: ChangeRequest<'_>,
    ceremony_id: &str,
    credential: &str,
    name: &str,
    now: i64,
) -> Result<Addition> {
    let Ok(relying_party) = state.passkeys() else {
        return Ok(Addition::Refused(Refusal::Unavailable));
    };
    let user_id = who.signed_in.user_id().to_string();
    if let Some(refusal) = refusal(state, who, now).await? {
        return Ok(Addition::Refused(refusal));
    }
    let taken = take_ceremony::<PasskeyRegistration>(state, Kind::Register, ceremony_id, now);
    let ceremony = match taken.await? {
        Some((Some(owner), ceremony)) if owner == user_id => ceremony,
        _ => return Ok(Addition::Refused(Refusal::Expired)),
    };
    let Ok(answer) = serde_json::from_str::<RegisterPublicKeyCredential>(credential) else {
        return Ok(Addition::Refused(Refusal::Rejected));
    };
    let passkey: Passkey = match relying_party.finish_passkey_registration(&answer, &ceremony) {
        Ok(passkey) => passkey,
        Err(e) => {
            tracing::info!(user_id = %user_id, error = %e, "passkey registration refused");
            return Ok(Addition::Refused(Refusal::Rejected));
        }
    };
    let store = state.store();
    if store.passkeys_of(&user_id).await?.len() >= MAX_PER_USER {
        return Ok(Addition::Refused(Refusal::Rejected));
    }
    let credential = webauthn_rs::prelude::Credential::from(passkey.clone());
    let backup_eligible = credential.backup_eligible;
    let row = PasskeyRow {
        credential_id: credential_key(passkey.cred_id()),
        user_id: user_id.clone(),
        name: clean_name(name).unwrap_or_else(|| default_name(backup_eligible)),
        passkey: serde_json::to_string(&passkey).map_err(Internal::passkey)?,
        backup_eligible,
        sign_count: i64::from(credential.counter),
        created_at: now,
        last_used_at: None,
    };
    // The credential ID is unique across all users (WebAuthn §7.1 step 26).
    if !store.insert_passkey(&row).await? {
        return Ok(Addition::Refused(Refusal::Duplicate));
    }
    state.audit().record(
        AuditEvent::success(EventType::PasskeyAdded)
            .user(user_id)
            .detail("passkey", row.credential_id.as_str())
            .detail("synced", backup_eligible),
    );
    Ok(Addition::Added(row.into()))
}

/// Removes one of the user's passkeys.
pub async fn remove(
    state: &AppState,
    who: ChangeRequest<'_>,
    id: &str,
    now: i64,
) -> Result<Removal> {
    let user_id = who.signed_in.user_id().to_string();
    if let Some(refusal) = refusal(state, who, now).await? {
        return Ok(Removal::Refused(refusal));
    }
    Ok(
        match remove_of(state.store(), state.audit(), &user_id, id).await? {
            true => Removal::Removed,
            false => Removal::NoSuchPasskey,
        },
    )
}

/// Removes `user_id`'s passkey `id` and records it; false when the user has no such
/// passkey. The account page (once the user proved it is them) and the admin come here.
pub async fn remove_of(store: &Store, audit: &AuditLog, user_id: &str, id: &str) -> Result<bool> {
    if !store.delete_passkey(user_id, id).await? {
        return Ok(false);
    }
    audit.record(
        AuditEvent::success(EventType::PasskeyRemoved)
            .user(user_id)
            .detail("passkey", id),
    );
    Ok(true)
}

/// The name a passkey gets when the user gave none.
fn default_name(synced: bool) -> String {
    match synced {
        true => "Synced passkey".into(),
        false => "Passkey on a device".into(),
    }
}

/// The rule for every change of second factors, in the words of this page: why the change
/// is refused, or `None` when it is allowed.
async fn refusal(state: &AppState, who: ChangeRequest<'_>, now: i64) -> Result<Option<Refusal>> {
    let code_typed = !who.code.is_empty();
    Ok(
        match factors::change_allowed(state, who, CodeIs::Proof, now).await? {
            Change::Done(_) => None,
            Change::PasswordRequired => Some(Refusal::PasswordRequired),
            Change::SecondFactorRequired => Some(Refusal::SecondFactorRequired),
            Change::Refused if code_typed => Some(Refusal::WrongPasswordOrCode),
            Change::Refused => Some(Refusal::WrongPassword),
            Change::Unavailable => Some(Refusal::CodeUnavailable),
        },
    )
}
