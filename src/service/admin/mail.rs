//! Mail an administrator sends a user: a link that confirms their address, or one to choose
//! a new password. Both go through `service::emailed` (which records them) and the mail
//! outbox; the mailbox's hourly limit holds for them too.
use super::{AdminError, Result, UserKey, user};
use crate::service::emailed::{reset, verification};
use crate::state::AppState;

fn mail_configured(state: &AppState) -> Result<()> {
    match state.mail_sealer() {
        Some(_) => Ok(()),
        None => Err(AdminError::NotConfigured(
            "the master key (it seals the mail)",
        )),
    }
}

/// Queues a link that confirms the user's address.
pub async fn send_verification(state: &AppState, key: UserKey<'_>, now: i64) -> Result<()> {
    mail_configured(state)?;
    let user = user(state, key).await?;
    match verification::send(state, &user, now).await? {
        verification::Sent::Sent => Ok(()),
        verification::Sent::AlreadyVerified => Err(AdminError::AlreadyVerified(user.email)),
        verification::Sent::TooMany => Err(AdminError::TooManyEmails(user.email)),
    }
}

/// Queues a link to choose a new password (the one "forgot password" sends). The current
/// password keeps working until a new one is chosen; a disabled user is sent nothing. As
/// for "forgot password", a mailbox that had its few links this hour gets none (logged and
/// counted): the limit is not asked twice to say so here.
pub async fn send_password_reset(state: &AppState, key: UserKey<'_>, now: i64) -> Result<()> {
    mail_configured(state)?;
    let user = user(state, key).await?;
    if user.disabled {
        return Err(AdminError::UserDisabled(user.email));
    }
    reset::send_link(state, &user.email, now).await?;
    Ok(())
}
