//! Managing two-step verification from the account page: enrolment (verify-then-enable),
//! new recovery codes, and turning it off. Each is a change of second factors, allowed by
//! `factors::change_allowed` (a recent password, and for a user with a second factor that
//! factor now or a recent second step).
use zeroize::Zeroizing;

use super::error::Result;
use super::factors::{self, CodeIs};
pub use super::factors::{Change, ChangeRequest};
use super::sessions::{self, NewSession, SessionFor};
use super::sign_in::code::totp_keys;
use super::signed_in::SignedIn;
use crate::audit::{AuditEvent, EventType};
use crate::auth::recovery::{self, RecoveryCode};
use crate::auth::sealing::SealingKey;
use crate::auth::totp::{self, TotpSecret};
use crate::oauth::amr::Method;
use crate::state::AppState;

/// What the two-step verification page shows for the user's current state.
#[derive(Debug)]
pub enum MfaView {
    /// On: recovery codes left.
    Manage { recovery_codes_left: i64 },
    /// Off: enrol with this (pending) secret, kept across reloads.
    Enrol(Enrolment),
    /// No `mfa_encryption_key` is configured: enrolment is impossible.
    Unavailable,
}

/// Enrolment material. It holds the TOTP secret, so it has no real `Debug`.
pub struct Enrolment {
    pub otpauth_uri: Zeroizing<String>,
    /// Inline SVG drawn from the URI; nothing user-supplied.
    pub qr_svg: Zeroizing<String>,
    /// The base32 key in groups of four, for typing by hand.
    pub secret_grouped: Zeroizing<String>,
}

impl std::fmt::Debug for Enrolment {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Enrolment(redacted)")
    }
}

/// The page's state for the signed-in user; makes and stores a pending secret on the first
/// visit.
pub async fn view(state: &AppState, current: &SignedIn, now: i64) -> Result<MfaView> {
    let user = &current.user;
    let store = state.store();
    let credential = store.find_totp_credential(&user.id).await?;
    if credential.as_ref().is_some_and(|c| c.enabled) {
        let left = store.count_unused_recovery_codes(&user.id).await?;
        return Ok(MfaView::Manage {
            recovery_codes_left: left,
        });
    }
    let Some(key) = state.mfa_key() else {
        return Ok(MfaView::Unavailable);
    };
    let keys = totp_keys(state);
    let opened = credential.and_then(|c| keys.open(&c.sealed_secret, &user.id));
    let secret = match opened {
        Some(bytes) => TotpSecret::from_bytes(bytes),
        None => {
            // None yet, or sealed under a key no longer configured: start a fresh one. If a
            // concurrent request stored one first, show that one instead.
            store.delete_pending_totp(&user.id).await?;
            let fresh = TotpSecret::generate();
            let sealed = key.seal(fresh.as_bytes(), &user.id)?;
            if store.insert_pending_totp(&user.id, &sealed, now).await? {
                fresh
            } else {
                let stored = store.find_totp_credential(&user.id).await?;
                match stored.and_then(|c| keys.open(&c.sealed_secret, &user.id)) {
                    Some(bytes) => TotpSecret::from_bytes(bytes),
                    None => fresh,
                }
            }
        }
    };
    let otpauth_uri = totp::otpauth_uri(&secret, state.config().mfa_issuer(), &user.email)?;
    let qr_svg = totp::qr_svg(&otpauth_uri)?;
    let base32 = secret.to_base32();
    let groups: Vec<&str> = base32
        .as_bytes()
        .chunks(4)
        .filter_map(|chunk| std::str::from_utf8(chunk).ok())
        .collect();
    Ok(MfaView::Enrol(Enrolment {
        otpauth_uri,
        qr_svg,
        secret_grouped: Zeroizing::new(groups.join(" ")),
    }))
}

/// Re-seals under `current` every TOTP secret that only `legacy` (the deprecated
/// `mfa_encryption_key`) opens. Idempotent; returns how many moved.
pub async fn reseal_totp_secrets(
    store: &crate::store::Store,
    legacy: &SealingKey,
    current: &SealingKey,
) -> Result<u64> {
    let mut moved = 0;
    for credential in store.all_totp_credentials().await? {
        let user = &credential.user_id;
        if current.open(&credential.sealed_secret, user).is_ok() {
            continue;
        }
        let Ok(secret) = legacy.open(&credential.sealed_secret, user) else {
            continue;
        };
        let sealed = current.seal(&secret, user)?;
        if store
            .reseal_totp_secret(user, &credential.sealed_secret, &sealed)
            .await?
        {
            moved += 1;
        }
    }
    Ok(moved)
}

/// Turning two-step verification on: the first valid code from the app enables the pending
/// secret. The session is replaced by one that used both factors; its `auth_time` stays the
/// time the password was last entered.
pub struct Enabled {
    pub session: NewSession,
    pub recovery_codes: Vec<RecoveryCode>,
}

impl std::fmt::Debug for Enabled {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Enabled(redacted)")
    }
}

pub async fn enable(
    state: &AppState,
    change: ChangeRequest<'_>,
    session_cookie: Option<&str>,
    now: i64,
) -> Result<Change<Option<Enabled>>> {
    let (session, user) = (&change.signed_in.session, &change.signed_in.user);
    let auth_time = match factors::change_allowed(state, change, CodeIs::Enrolment, now).await? {
        Change::Done(auth_time) => auth_time,
        other => return Ok(other.map(|_| None)),
    };
    let codes = recovery::generate();
    let hashes = hashes_of(&user.id, &codes);
    if !state.store().enable_totp(&user.id, &hashes, now).await? {
        // Turned on meanwhile (another tab): nothing to show again.
        return Ok(Change::Done(None));
    }
    let amr = session.amr.clone().with(Method::OneTimeCode);
    let session = sessions::start(
        state,
        SessionFor {
            user_id: &user.id,
            amr,
            auth_time,
        },
        session_cookie,
        now,
    )
    .await?;
    state
        .audit()
        .record(AuditEvent::success(EventType::TotpEnabled).user(&user.id));
    Ok(Change::Done(Some(Enabled {
        session,
        recovery_codes: codes,
    })))
}

/// New recovery codes; the old set stops working at once.
pub async fn regenerate_recovery_codes(
    state: &AppState,
    change: ChangeRequest<'_>,
    now: i64,
) -> Result<Change<Vec<RecoveryCode>>> {
    let user_id = change.signed_in.user_id().to_string();
    match factors::change_allowed(state, change, CodeIs::Proof, now).await? {
        Change::Done(_) => {}
        other => return Ok(other.map(|_| Vec::new())),
    }
    let codes = recovery::generate();
    state
        .store()
        .replace_recovery_codes(&user_id, &hashes_of(&user_id, &codes), now)
        .await?;
    state
        .audit()
        .record(AuditEvent::success(EventType::RecoveryCodesReplaced).user(&user_id));
    Ok(Change::Done(codes))
}

/// Turns two-step verification off: the authenticator, recovery codes and pending sign-ins go.
pub async fn disable(state: &AppState, change: ChangeRequest<'_>, now: i64) -> Result<Change<()>> {
    let user_id = change.signed_in.user_id().to_string();
    match factors::change_allowed(state, change, CodeIs::Proof, now).await? {
        Change::Done(_) => {}
        other => return Ok(other.map(|_| ())),
    }
    state.store().remove_mfa(&user_id).await?;
    super::throttle::forget_second_factor_attempts(state.store(), &user_id).await?;
    state
        .audit()
        .record(AuditEvent::success(EventType::TotpDisabled).user(&user_id));
    Ok(Change::Done(()))
}

fn hashes_of(user_id: &str, codes: &[RecoveryCode]) -> Vec<String> {
    codes
        .iter()
        .filter_map(|code| recovery::normalize(code.as_str()))
        .map(|normalized| recovery::hash(user_id, &normalized))
        .collect()
}
