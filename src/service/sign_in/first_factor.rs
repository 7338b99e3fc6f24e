//! The one place a first factor leads: every credential that proves who someone is (a
//! password, a passkey, and next an upstream provider or an emailed link) ends here, and
//! this decides whether the second step is next or the sign-in is complete.
use super::SignIn;
use super::pending::{self, PendingStart};
use crate::oauth::amr::Amr;
use crate::service::error::Result;
use crate::service::sessions::{self, SessionFor};
use crate::state::AppState;

/// A first factor that passed.
#[derive(Debug)]
pub struct FirstFactorPassed<'a> {
    pub user_id: &'a str,
    /// The methods it proved (RFC 8176): a passkey names a second factor of its own.
    pub amr: Amr,
    /// When it was proved: the new session's `auth_time` (a second step does not renew it).
    pub auth_time: i64,
    /// The browser's current session cookie, which the new session replaces.
    pub replacing: Option<&'a str>,
    /// Whether the user has a second factor, when the credential's own read already said
    /// (a password's account read does); `None`: asked here.
    pub has_second_factor: Option<bool>,
}

/// Signs in, unless the methods proved are one factor and the user has a second (TOTP or a
/// passkey): then a pending sign-in waits for it, and no session counts yet.
pub async fn passed(state: &AppState, passed: FirstFactorPassed<'_>, now: i64) -> Result<SignIn> {
    let FirstFactorPassed {
        user_id,
        amr,
        auth_time,
        replacing,
        has_second_factor,
    } = passed;
    let second_step_next = !amr.has_second_factor()
        && match has_second_factor {
            Some(known) => known,
            None => state.store().has_second_factor(user_id).await?,
        };
    if second_step_next {
        let start = PendingStart {
            user_id,
            first_factor: amr,
            first_factor_at: auth_time,
            steps_up: None,
        };
        return Ok(SignIn::SecondStepNext(
            pending::start(state, start, now).await?,
        ));
    }
    let session = sessions::start(
        state,
        SessionFor {
            user_id,
            amr,
            auth_time,
        },
        replacing,
        now,
    )
    .await?;
    Ok(SignIn::SignedIn(session))
}
