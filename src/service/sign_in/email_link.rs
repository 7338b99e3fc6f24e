//! An emailed link (a password reset or an invitation) through which its holder chose a new
//! password: a first factor, as a password is, and no more. The link proves the mailbox, not
//! the second factor: a user with TOTP or a passkey still does the second step before any
//! session exists.
use super::SignIn;
use super::audit;
use super::first_factor::{self, FirstFactorPassed};
use crate::audit::Outcome;
use crate::oauth::amr::Amr;
use crate::service::error::Result;
use crate::state::AppState;

/// Signs in `user_id`, who has just chosen their password through an emailed link.
pub async fn sign_in_with_new_password(
    state: &AppState,
    user_id: &str,
    replacing: Option<&str>,
    now: i64,
) -> Result<SignIn> {
    let passed = FirstFactorPassed {
        user_id,
        amr: Amr::password(),
        auth_time: now,
        replacing,
        has_second_factor: None,
    };
    let outcome = first_factor::passed(state, passed, now).await?;
    audit::first_factor(state, "email_link", Outcome::Success, Some(user_id));
    Ok(outcome)
}
