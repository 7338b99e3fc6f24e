//! "Download my data": what Tessera holds about the signed-in user, as one JSON document
//! (GDPR art. 15 and 20). Only what describes the person and their choices: never a
//! password hash, a TOTP secret, a recovery code, key material, a session id or any token,
//! nor their hashes. Times are RFC 3339 in UTC.
use serde::Serialize;

use super::error::Result;
use super::signed_in::SignedIn;
use crate::oauth::amr::Amr;
use crate::state::AppState;

#[derive(Debug, Serialize)]
pub struct AccountExport {
    pub exported_at: String,
    pub profile: Profile,
    pub sessions: Vec<Session>,
    pub apps_allowed: Vec<AppAllowed>,
    pub two_step_verification: TwoStepVerification,
    pub passkeys: Vec<Passkey>,
    pub linked_identities: Vec<LinkedIdentity>,
}

#[derive(Debug, Serialize)]
pub struct Profile {
    /// The `sub` apps know the user by.
    pub id: String,
    pub email: String,
    pub name: Option<String>,
    pub email_verified: bool,
    pub created_at: String,
    /// An account made by an upstream sign-in has none until one is set.
    pub has_password: bool,
}

#[derive(Debug, Serialize)]
pub struct Session {
    pub signed_in_at: String,
    pub last_seen_at: String,
    /// How the user signed in (RFC 8176 names: `pwd`, `otp`, `swk`, `fed`…).
    pub methods: Amr,
}

#[derive(Debug, Serialize)]
pub struct AppAllowed {
    pub client_id: String,
    pub client_name: String,
    pub scopes: Vec<String>,
}

#[derive(Debug, Serialize)]
pub struct TwoStepVerification {
    pub totp_on: bool,
    pub recovery_codes_left: i64,
}

#[derive(Debug, Serialize)]
pub struct Passkey {
    pub name: String,
    pub created_at: String,
    pub last_used_at: Option<String>,
    /// Synced by a passkey provider across devices (backup eligible), or bound to one device.
    pub synced: bool,
}

#[derive(Debug, Serialize)]
pub struct LinkedIdentity {
    pub upstream: String,
    pub account_name: Option<String>,
    pub linked_at: String,
    pub last_used_at: String,
}

/// Everything the export holds for the signed-in user, read at `now`.
pub async fn export(state: &AppState, current: &SignedIn, now: i64) -> Result<AccountExport> {
    let (store, user) = (state.store(), &current.user);
    let sessions = store.list_user_sessions(&user.id, now).await?;
    let consents = store.list_consents(&user.id).await?;
    let totp_on = store.totp_enabled(&user.id).await?;
    let recovery_codes_left = match totp_on {
        true => store.count_unused_recovery_codes(&user.id).await?,
        false => 0,
    };
    let passkeys = store.passkeys_of(&user.id).await?;
    let identities = store.list_upstream_identities(&user.id).await?;
    Ok(AccountExport {
        exported_at: time(now),
        profile: Profile {
            id: user.id.clone(),
            email: user.email.clone(),
            name: user.name.clone(),
            email_verified: user.email_verified,
            created_at: time(user.created_at),
            has_password: !user.password_hash.is_empty(),
        },
        sessions: sessions
            .into_iter()
            .map(|s| Session {
                signed_in_at: time(s.auth_time),
                last_seen_at: time(s.last_seen_at),
                methods: s.amr,
            })
            .collect(),
        apps_allowed: consents
            .into_iter()
            .map(|(client_id, scope)| AppAllowed {
                client_name: state
                    .client(&client_id)
                    .map_or_else(|| client_id.clone(), |c| c.name.clone()),
                client_id,
                scopes: scope.iter().map(str::to_string).collect(),
            })
            .collect(),
        two_step_verification: TwoStepVerification {
            totp_on,
            recovery_codes_left,
        },
        passkeys: passkeys
            .into_iter()
            .map(|p| Passkey {
                name: p.name,
                created_at: time(p.created_at),
                last_used_at: p.last_used_at.map(time),
                synced: p.backup_eligible,
            })
            .collect(),
        linked_identities: identities
            .into_iter()
            .map(|i| LinkedIdentity {
                upstream: i.upstream_id,
                account_name: i.account_name,
                linked_at: time(i.linked_at),
                last_used_at: time(i.last_used_at),
            })
            .collect(),
    })
}

/// Unix seconds as RFC 3339 (UTC); a time out of chrono's range as the plain number.
fn time(seconds: i64) -> String {
    chrono::DateTime::from_timestamp(seconds, 0)
        .map_or_else(|| seconds.to_string(), |t| t.to_rfc3339())
}
