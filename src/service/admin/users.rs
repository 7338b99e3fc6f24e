//! Users: found a page at a time, read, made (with a password, or invited to choose one),
//! changed and deleted.
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use zeroize::Zeroizing;

use super::{AdminError, Result, UserKey, UserView, check_email, check_name, user};
use crate::audit::{AuditEvent, EventType};
use crate::service::emailed::sign_up::{self, Invited};
use crate::service::{backchannel, sessions};
use crate::state::AppState;
use crate::store::directory::{ProfileChange, ProfileUpdate, UserSearch};
use crate::store::users::UserRow;

/// The most users one page holds.
pub const MAX_PAGE: u32 = 200;
/// A page's size when none is asked for.
pub const DEFAULT_PAGE: u32 = 50;

/// Which users to list.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UserQuery {
    /// A part of the email or name, any case.
    pub search: Option<String>,
    /// The `next_cursor` of the page before.
    pub cursor: Option<String>,
    /// At most [`MAX_PAGE`]; 0 means [`DEFAULT_PAGE`].
    pub limit: u32,
}

/// One page of users, oldest first; `next_cursor` when more may follow.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserPage {
    pub users: Vec<UserView>,
    pub next_cursor: Option<String>,
}

const CURSOR_PREFIX: &str = "users:";

fn cursor_of(user: &UserRow) -> String {
    URL_SAFE_NO_PAD.encode(format!("{CURSOR_PREFIX}{}:{}", user.created_at, user.id))
}

fn position_of(cursor: &str) -> Option<(i64, String)> {
    let text = String::from_utf8(URL_SAFE_NO_PAD.decode(cursor).ok()?).ok()?;
    let (created_at, id) = text.strip_prefix(CURSOR_PREFIX)?.split_once(':')?;
    Some((created_at.parse().ok()?, id.to_string()))
}

/// A page of users in the order they were made: users added meanwhile come after every
/// page already read, so paging never skips or repeats one.
pub async fn list(state: &AppState, query: &UserQuery) -> Result<UserPage> {
    let after = match &query.cursor {
        Some(cursor) => Some(position_of(cursor).ok_or(AdminError::BadCursor)?),
        None => None,
    };
    let limit = match query.limit {
        0 => DEFAULT_PAGE,
        n => n.min(MAX_PAGE),
    };
    let search = query
        .search
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty());
    let search = UserSearch {
        search: search.map(str::to_string),
        after,
        limit: i64::from(limit) + 1,
    };
    let mut rows = state.store().search_users(&search).await?;
    let next_cursor = if rows.len() > limit as usize {
        rows.truncate(limit as usize);
        rows.last().map(cursor_of)
    } else {
        None
    };
    Ok(UserPage {
        users: rows.iter().map(UserView::from).collect(),
        next_cursor,
    })
}

/// A user and what they sign in with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserDetail {
    pub user: UserView,
    pub totp_enabled: bool,
    pub passkeys: usize,
    pub linked_identities: usize,
}

pub async fn detail(state: &AppState, key: UserKey<'_>) -> Result<UserDetail> {
    let user = user(state, key).await?;
    let store = state.store();
    Ok(UserDetail {
        totp_enabled: store.totp_enabled(&user.id).await?,
        passkeys: store.passkeys_of(&user.id).await?.len(),
        linked_identities: store.list_upstream_identities(&user.id).await?.len(),
        user: UserView::from(&user),
    })
}

/// How a new user will first sign in.
pub enum FirstCredential {
    /// This password, which follows `Config::password_rules`.
    Password(Zeroizing<String>),
    /// None yet: a link to choose a password is mailed (`emailed::sign_up::invite`).
    Invitation,
}

impl std::fmt::Debug for FirstCredential {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::Password(_) => "Password(redacted)",
            Self::Invitation => "Invitation",
        })
    }
}

/// A user to make.
#[derive(Debug)]
pub struct NewUser {
    pub email: String,
    pub name: Option<String>,
    /// Only with a password: an invitation's link confirms the address.
    pub email_verified: bool,
    pub credential: FirstCredential,
}

/// Makes a user; an invited one gets their link by mail (recorded as `user_invited` by the
/// invitation), one with a password is recorded as `user_created`.
pub async fn create(state: &AppState, new: NewUser, now: i64) -> Result<UserView> {
    let email = check_email(&new.email)?;
    let name = check_name(new.name)?;
    let password = match new.credential {
        FirstCredential::Invitation if new.email_verified => {
            return Err(AdminError::invalid(
                "email_verified",
                "an invitation's link confirms the address: leave email_verified out",
            ));
        }
        FirstCredential::Invitation => return invite(state, &email, name, now).await,
        FirstCredential::Password(password) => password,
    };
    let rules = state.config().password_rules();
    rules
        .check(&password, &email)
        .map_err(AdminError::PasswordRefused)?;
    let store = state.store();
    if store.find_user_by_email(&email).await?.is_some() {
        return Err(AdminError::EmailTaken(email));
    }
    let row = UserRow {
        id: uuid::Uuid::new_v4().to_string(),
        email,
        name,
        password_hash: state.passwords().hash(password).await?,
        email_verified: new.email_verified,
        disabled: false,
        created_at: now,
        tokens_valid_after: 0,
    };
    if !store.insert_user_unless_taken(&row).await? {
        return Err(AdminError::EmailTaken(row.email));
    }
    state.audit().record(
        AuditEvent::success(EventType::UserCreated)
            .user(&row.id)
            .detail("email_verified", row.email_verified),
    );
    Ok(UserView::from(&row))
}

async fn invite(state: &AppState, email: &str, name: Option<String>, now: i64) -> Result<UserView> {
    if state.mail_sealer().is_none() {
        return Err(AdminError::NotConfigured(
            "the master key (it seals the mail)",
        ));
    }
    match sign_up::invite(state, email, name, now).await? {
        Invited::Invited { user_id } => {
            Ok(UserView::from(&user(state, UserKey::Id(&user_id)).await?))
        }
        Invited::Exists => Err(AdminError::EmailTaken(email.to_string())),
    }
}

/// What to change of a user: each `Some` is set; `name: Some(None)` removes the name.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UserChanges {
    pub name: Option<Option<String>>,
    pub email: Option<String>,
    /// When the email changes and this is not given, the new address is unconfirmed.
    pub email_verified: Option<bool>,
}

/// Changes a user's name, email or `email_verified`. A new email ends every link mailed to
/// the old one.
pub async fn update(state: &AppState, key: UserKey<'_>, changes: UserChanges) -> Result<UserView> {
    let current = user(state, key).await?;
    let name = match changes.name {
        Some(name) => Some(check_name(name)?),
        None => None,
    };
    let email = match changes.email.as_deref().map(check_email).transpose()? {
        Some(email) if email != current.email => Some(email),
        _ => None,
    };
    let email_verified = match (&email, changes.email_verified) {
        (_, Some(verified)) => Some(verified),
        (Some(_), None) => Some(false),
        (None, None) => None,
    };
    let mut fields = Vec::new();
    if name.as_ref().is_some_and(|name| *name != current.name) {
        fields.push("name");
    }
    if email.is_some() {
        fields.push("email");
    }
    if email_verified.is_some_and(|verified| verified != current.email_verified) {
        fields.push("email_verified");
    }
    let change = ProfileChange {
        name,
        email: email.clone(),
        email_verified,
    };
    match state
        .store()
        .update_user_profile(&current.id, &change)
        .await?
    {
        ProfileUpdate::Updated => {}
        ProfileUpdate::NoSuchUser => {
            return Err(AdminError::NotFound(format!("no user {}", current.id)));
        }
        ProfileUpdate::EmailTaken => {
            return Err(AdminError::EmailTaken(email.unwrap_or_default()));
        }
    }
    if !fields.is_empty() {
        state.audit().record(
            AuditEvent::success(EventType::UserUpdated)
                .user(&current.id)
                .detail("fields", fields),
        );
    }
    Ok(UserView::from(
        &user(state, UserKey::Id(&current.id)).await?,
    ))
}

/// Deletes a user: every session ends (the apps told by back-channel logout), every token
/// is revoked, then the row goes with everything that hangs on it.
pub async fn delete(state: &AppState, key: UserKey<'_>, now: i64) -> Result<()> {
    let user = user(state, key).await?;
    let store = state.store();
    // The logouts are queued while the sessions still name their apps; the row goes after.
    let receivers = state.backchannel_receivers();
    let queued = sessions::end_all_for_user(store, state.audit(), receivers, &user.id, now).await?;
    backchannel::queued(state, queued);
    if store.delete_user(&user.id).await? {
        state.audit().record(
            AuditEvent::success(EventType::UserDeleted)
                .user(&user.id)
                .detail("logouts_queued", queued),
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cursor_reads_back_and_a_forged_one_does_not() {
        let user = UserRow {
            id: "u-1:x".into(),
            email: "a@b".into(),
            name: None,
            password_hash: String::new(),
            email_verified: false,
            disabled: false,
            created_at: 42,
            tokens_valid_after: 0,
        };
        assert_eq!(position_of(&cursor_of(&user)), Some((42, "u-1:x".into())));
        for forged in ["", "42", "!!!", &URL_SAFE_NO_PAD.encode("audit:5")] {
            assert_eq!(position_of(forged), None, "{forged}");
        }
    }
}
