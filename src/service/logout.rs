//! OpenID Connect RP-Initiated Logout 1.0. The browser is sent to `post_logout_redirect_uri`
//! only when it exactly matches one the identified client registered; a session ends without
//! asking only for an unexpired hint naming this very session. A hint whose key is no longer
//! published cannot be verified, and is treated as no hint.
use super::clients;
use super::error::Result;
use super::sessions::{self, RevokeOnEnd};
use crate::auth::session;
use crate::keys::SignedBy;
use crate::oauth::client::Client;
use crate::oauth::logout::{LogoutHint, LogoutStep, decide_logout, requesting_client};
use crate::oauth::params::Params;
use crate::oauth::redirect_uri;
use crate::oauth::tokens::TokenType;
use crate::state::AppState;

#[derive(Debug)]
pub enum Logout<'s> {
    /// A malformed or forged request: say so, end nothing.
    Invalid(InvalidLogout),
    /// Ask the user first.
    Confirm {
        client: Option<&'s Client>,
        /// Where a confirmation will finally lead (for the page's CSP).
        redirect_uri: Option<String>,
    },
    /// Done: the session (if any) has ended; go here, or show the signed-out page.
    Done {
        signed_out: bool,
        redirect: Option<String>,
    },
}

/// Why a logout request was refused; the page says it in the user's language.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InvalidLogout {
    DuplicateParameter(String),
    /// The `id_token_hint` was not signed by us.
    ForeignHint,
    UnknownClient,
    /// `client_id` names another client than the hint's audience.
    ClientMismatch,
}

/// The request's state with the client it names admitted (`client_id`, else the audience
/// of an `id_token_hint` we signed): what [`logout`] must be given.
pub async fn admit_client(state: &AppState, params: &Params, now: i64) -> Result<AppState> {
    let hinted = || {
        let hint = params.get("id_token_hint")?;
        verify_hint(state, hint).map(|hint| hint.client_id)
    };
    match params.get("client_id").map(str::to_string).or_else(hinted) {
        Some(client_id) => Ok(clients::admit(state, &client_id, now).await?),
        None => Ok(state.clone()),
    }
}

pub async fn logout<'s>(
    state: &'s AppState,
    params: &Params,
    session_cookie: Option<&str>,
    confirmed: bool,
    now: i64,
) -> Result<Logout<'s>> {
    if let Some(name) = params.duplicated() {
        return Ok(Logout::Invalid(InvalidLogout::DuplicateParameter(
            name.to_string(),
        )));
    }
    let hint = match params.get("id_token_hint") {
        // Signed by a key no longer published (or one we never knew): the hint may well be
        // ours, and §2 asks us to accept old hints, but it cannot be verified. So it counts
        // as no hint at all: none of its claims is used, and the user is asked to confirm.
        Some(token) if state.keys().signed_by(token) == SignedBy::UnknownKey => {
            tracing::info!(
                "id_token_hint signed by a key that is no longer published: ignored, asking the user to confirm"
            );
            None
        }
        Some(token) => match verify_hint(state, token) {
            Some(hint) => Some(hint),
            None => {
                return Ok(Logout::Invalid(InvalidLogout::ForeignHint));
            }
        },
        None => None,
    };
    let client = match requesting_client(hint.as_ref(), params.get("client_id")) {
        Ok(Some(id)) => match state.client(id) {
            Some(client) => Some(client),
            None => {
                return Ok(Logout::Invalid(InvalidLogout::UnknownClient));
            }
        },
        Ok(None) => None,
        Err(why) => {
            tracing::info!(why, "logout refused");
            return Ok(Logout::Invalid(InvalidLogout::ClientMismatch));
        }
    };
    let redirect_uri = registered_redirect(params, client);
    let session = sessions::current(state, session_cookie, now).await?;
    let session_sid = session.as_ref().map(|s| session::public_id(&s.id_hash));
    match decide_logout(hint.as_ref(), session_sid.as_deref(), confirmed, now) {
        LogoutStep::Confirm => Ok(Logout::Confirm {
            client,
            redirect_uri: redirect_uri.map(str::to_string),
        }),
        step => {
            let signed_out = step == LogoutStep::SignOut && session.is_some();
            if let (true, Some(session)) = (signed_out, &session) {
                let revoke = revoke_on_logout(client);
                let (user_id, id_hash) = (&session.user_id, &session.id_hash);
                sessions::end_recorded(state, user_id, id_hash, revoke, "logout", now).await?;
            }
            let redirect = redirect_uri.map(|uri| {
                let pairs: Vec<(&str, &str)> = params
                    .get("state")
                    .map(|s| ("state", s))
                    .into_iter()
                    .collect();
                redirect_uri::with_params(uri, &pairs)
            });
            Ok(Logout::Done {
                signed_out,
                redirect,
            })
        }
    }
}

/// A logout through a client revokes that client's refresh tokens from this session when
/// the client asks for it (`logout_revokes_refresh_tokens`), and never another client's.
fn revoke_on_logout(client: Option<&Client>) -> RevokeOnEnd<'_> {
    match client {
        Some(client) if client.logout_revokes_refresh_tokens => RevokeOnEnd::Client(&client.id),
        _ => RevokeOnEnd::Nothing,
    }
}

fn registered_redirect<'p>(params: &'p Params, client: Option<&Client>) -> Option<&'p str> {
    let requested = params.get("post_logout_redirect_uri")?;
    let registered = client.is_some_and(|c| c.post_logout_redirect_registered(requested));
    if !registered {
        tracing::info!("post_logout_redirect_uri not registered for the client: not redirecting");
    }
    registered.then_some(requested)
}

/// Our signature and issuer; expiry is deliberately not checked here (see `decide_logout`).
fn verify_hint(state: &AppState, token: &str) -> Option<LogoutHint> {
    let claims = state.keys().verify(token, TokenType::Id).ok()?;
    if claims.get("iss").and_then(|v| v.as_str()) != Some(state.issuer()) {
        return None;
    }
    LogoutHint::from_claims(&claims)
}
