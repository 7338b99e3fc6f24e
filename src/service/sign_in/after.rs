//! What follows a completed sign-in: on with the authorization request that sent the user to
//! sign in (consent, a second step the client demands, or the redirect with a code), or back
//! to the account pages. The decision is here; the http layer only renders it.
//!
//! An upstream identity waiting for this account's owner to sign in is linked first: this
//! sign-in is the proof it waited for.
use super::linking;
use crate::i18n::Locale;
use crate::oauth::authorize::AuthorizationRequest;
use crate::oauth::client::Client;
use crate::service::authorize::{self, JustSignedIn, Step};
use crate::service::error::Result;
use crate::service::sessions::NewSession;
use crate::state::AppState;

/// What the user signed in for.
#[derive(Debug, Clone, Copy)]
pub enum SignedInFor<'a> {
    /// The authorization request that sent the user to the sign-in pages.
    Authorization {
        request: &'a AuthorizationRequest,
        client: &'a Client,
    },
    /// The user's own account pages.
    Account,
}

/// Where the browser goes after a sign-in.
#[derive(Debug)]
pub enum AfterSignIn {
    /// The authorization request's next step.
    Authorization(Step),
    /// The account page the user asked for.
    Account,
}

/// A sign-in that just completed, with what the browser brought to it.
#[derive(Debug, Clone, Copy)]
pub struct Completed<'a> {
    pub session: &'a NewSession,
    /// The browser's pending-link cookie: the link is completed if it waits for this user,
    /// and dropped otherwise.
    pub waiting_link: Option<&'a str>,
    /// The pages' language: the user's mail is written in it from now on.
    pub locale: Locale,
}

/// The next step after a sign-in that just completed. The sign-in satisfies the request's
/// `prompt=login` and `max_age`: it was made for this very request.
pub async fn after_sign_in(
    state: &AppState,
    signed_in_for: SignedInFor<'_>,
    completed: Completed<'_>,
    now: i64,
) -> Result<AfterSignIn> {
    let Completed {
        session,
        waiting_link,
        locale,
    } = completed;
    let user_id = &session.row.user_id;
    if let Some(cookie_value) = waiting_link {
        linking::complete(state, cookie_value, user_id, now).await?;
    }
    let SignedInFor::Authorization { request, client } = signed_in_for else {
        state
            .store()
            .set_user_locale(user_id, locale.as_str())
            .await?;
        return Ok(AfterSignIn::Account);
    };
    crate::service::pushed::note_fresh_login(state, request, now).await?;
    // The language is remembered on the authorization step's connection (issue 30).
    let signed_in = Some(JustSignedIn { locale });
    let step =
        authorize::next_step(state, request, client, Some(&session.row), signed_in, now).await?;
    Ok(AfterSignIn::Authorization(step))
}
