//! The authorization endpoint's use case (RFC 6749 §4.1, OIDC Core §3.1.2): the request
//! (resolved and validated by `authorization_request`), the next step for the browser's
//! session, and finally a code or an error sent back, which spends a pushed request.
pub use super::authorization_request::{
    Entry, Refusal, Resolution, Resolved, error_redirect, resolve,
};
use super::error::Result;
use super::sign_in::pending::{self, NewPendingSignIn, PendingStart};
use super::{pushed, sessions};
use crate::auth::secret;
use crate::i18n::Locale;
use crate::oauth::authorize::{self, AuthorizationRequest, Decision, DecisionInput, SessionView};
use crate::oauth::client::Client;
use crate::oauth::consent::Approval;
use crate::oauth::error::{ErrorCode, OAuthError};
use crate::oauth::redirect_uri;
use crate::oauth::tokens::TokenType;
use crate::state::AppState;
use crate::store::codes::NewCode;
use crate::store::held::Held;
use crate::store::sessions::SessionRow;

/// Where the browser goes next.
#[derive(Debug)]
pub enum Step {
    /// The sign-in page, carrying the request.
    Login,
    /// Step-up of a password-only session: the second factor, with a pending sign-in.
    SecondFactor(NewPendingSignIn),
    /// Two-step verification must be set up first.
    Enrol,
    Consent,
    /// Back to the client with a code or an error (`state` and `iss` included).
    Redirect(String),
}

/// Ends `request` with `error` sent back to the client; a pushed request is spent.
pub async fn finish_with_error(
    state: &AppState,
    request: &AuthorizationRequest,
    error: &OAuthError,
    now: i64,
) -> Result<String> {
    if let Some(handle) = &request.pushed {
        pushed::end(state, handle, now).await?;
    }
    Ok(error_redirect(state, &request.target(), error))
}

/// A sign-in that just completed for this very request: it satisfies the request's
/// `prompt=login` and `max_age`, and the pages' language it was made in is remembered for
/// the user's mail.
#[derive(Debug, Clone, Copy)]
pub struct JustSignedIn {
    pub locale: Locale,
}

/// The next step for `request` given the browser's `session`; `signed_in` when the user
/// signed in for this very request just now.
pub async fn next_step(
    state: &AppState,
    request: &AuthorizationRequest,
    client: &Client,
    session: Option<&SessionRow>,
    signed_in: Option<JustSignedIn>,
    now: i64,
) -> Result<Step> {
    match session {
        Some(s) => next_step_in_session(state, request, client, &s.id_hash, signed_in, now).await,
        None => next_step_without_session(state, request, client, signed_in, now).await,
    }
}

/// The next step for `request` when the browser has no live session.
async fn next_step_without_session(
    state: &AppState,
    request: &AuthorizationRequest,
    client: &Client,
    signed_in: Option<JustSignedIn>,
    now: i64,
) -> Result<Step> {
    let known = Known {
        session: None,
        consented: None,
        fresh_login: signed_in.is_some(),
    };
    let decision = decision(state, request, client, known, now);
    carry_out(state, request, decision, None, now).await
}

/// The next step for `request` in the session with this id hash (if it is still live), the
/// path of every code flow, so it costs one connection and two statements (issue 30): the
/// session with its user, second factor and consent in one read, then the code. Any other
/// step lets the connection go before it needs the store again. After a sign-in, the pages'
/// language is written on the same connection, and only when it is not the user's already.
async fn next_step_in_session(
    state: &AppState,
    request: &AuthorizationRequest,
    client: &Client,
    id_hash: &str,
    signed_in: Option<JustSignedIn>,
    now: i64,
) -> Result<Step> {
    let idle_ttl = state.config().session_idle_ttl;
    let mut held = state.store().hold().await?;
    let found = held
        .find_session_facts(id_hash, &client.id, now, idle_ttl)
        .await?;
    let Some(facts) = found else {
        // Ended already (a sign-in's session, only by a logout racing it): the language of a
        // sign-in whose session is gone is not remembered.
        drop(held);
        return next_step_without_session(state, request, client, signed_in, now).await;
    };
    if let Some(JustSignedIn { locale }) = signed_in
        && facts.user_locale.as_deref() != Some(locale.as_str())
    {
        held.set_user_locale(&facts.user.id, locale.as_str())
            .await?;
    }
    let view = sessions::view_of(&facts.session, facts.has_second_factor);
    let known = Known {
        session: Some(&view),
        consented: facts.consent.as_ref(),
        fresh_login: signed_in.is_some(),
    };
    match decision(state, request, client, known, now) {
        Decision::Issue if request.pushed.is_none() => {
            let redirect = issue_code_on(state, &mut held, request, &facts.session, now).await?;
            Ok(Step::Redirect(redirect))
        }
        decision => {
            drop(held);
            carry_out(state, request, decision, Some(&facts.session), now).await
        }
    }
}

/// What is known of the browser's session when an authorization request is decided.
struct Known<'a> {
    session: Option<&'a SessionView>,
    consented: Option<&'a Approval>,
    /// The user signed in for this very request just now.
    fresh_login: bool,
}

/// The protocol core's decision, an `id_token_hint` we did not sign being an error sent back.
fn decision(
    state: &AppState,
    request: &AuthorizationRequest,
    client: &Client,
    known: Known<'_>,
    now: i64,
) -> Decision {
    match hinted_subject(state, request) {
        Err(error) => Decision::ErrorRedirect(error),
        Ok(hinted_subject) => authorize::decide(DecisionInput {
            request,
            client,
            session: known.session,
            consented: known.consented,
            hinted_subject: hinted_subject.as_deref(),
            fresh_login: known.fresh_login,
            now,
        }),
    }
}

/// Carries out a decision that needs the store: a step-up or a code.
pub async fn carry_out(
    state: &AppState,
    request: &AuthorizationRequest,
    decision: Decision,
    session: Option<&SessionRow>,
    now: i64,
) -> Result<Step> {
    Ok(match (decision, session) {
        (Decision::Login, _)
        | (Decision::Issue | Decision::Consent | Decision::Mfa | Decision::Enrol, None) => {
            Step::Login
        }
        // The one-factor session is replaced once the code passes; auth_time stays.
        (Decision::Mfa, Some(s)) => {
            let step_up = PendingStart {
                user_id: &s.user_id,
                first_factor: s.amr.clone(),
                first_factor_at: s.auth_time,
                steps_up: Some(&s.id_hash),
            };
            Step::SecondFactor(pending::start(state, step_up, now).await?)
        }
        (Decision::Enrol, Some(_)) => Step::Enrol,
        (Decision::Consent, Some(_)) => Step::Consent,
        (Decision::Issue, Some(s)) => Step::Redirect(issue_code(state, request, s, now).await?),
        (Decision::ErrorRedirect(error), _) => {
            Step::Redirect(finish_with_error(state, request, &error, now).await?)
        }
    })
}

/// The `sub` of the request's `id_token_hint`: an ID token we signed for our issuer, expired
/// or not (OIDC Core §3.1.2.1). A hint we did not sign is an invalid request.
pub fn hinted_subject(
    state: &AppState,
    request: &AuthorizationRequest,
) -> std::result::Result<Option<String>, OAuthError> {
    let Some(hint) = &request.id_token_hint else {
        return Ok(None);
    };
    let invalid = || OAuthError::new(ErrorCode::InvalidRequest, "id_token_hint is not valid");
    let claims = state
        .keys()
        .verify(hint, TokenType::Id)
        .map_err(|_| invalid())?;
    if claims.get("iss").and_then(|v| v.as_str()) != Some(state.issuer()) {
        return Err(invalid());
    }
    claims
        .get("sub")
        .and_then(|v| v.as_str())
        .map(|sub| Some(sub.to_string()))
        .ok_or_else(invalid)
}

/// Stores a new single-use code bound to the client, redirect_uri, PKCE challenge, nonce,
/// scopes, session and DPoP key (`dpop_jkt`), and returns the redirect that hands it to the
/// client. A pushed request is spent first: of two answers to it at once, only one gets a code.
pub async fn issue_code(
    state: &AppState,
    request: &AuthorizationRequest,
    session: &SessionRow,
    now: i64,
) -> Result<String> {
    if let Some(handle) = &request.pushed
        && !pushed::end(state, handle, now).await?
    {
        let error = OAuthError::invalid_request("this authorization request was already answered");
        return Ok(error_redirect(state, &request.target(), &error));
    }
    let mut held = state.store().hold().await?;
    issue_code_on(state, &mut held, request, session, now).await
}

/// Stores a new code for `request` on a connection the caller holds, and returns the
/// redirect that hands it to the client (a pushed request is the caller's to spend).
async fn issue_code_on(
    state: &AppState,
    held: &mut Held<'_>,
    request: &AuthorizationRequest,
    session: &SessionRow,
    now: i64,
) -> Result<String> {
    let code = secret::generate();
    let code_hash = secret::hash(&code);
    held.insert_code(&NewCode {
        code_hash: &code_hash,
        client_id: &request.client_id,
        user_id: &session.user_id,
        session_id_hash: &session.id_hash,
        redirect_uri: &request.redirect_uri,
        scope: &request.scope,
        resources: &request.resources,
        nonce: request.nonce.as_deref(),
        code_challenge: &request.code_challenge,
        auth_time: session.auth_time,
        amr: &session.amr,
        created_at: now,
        expires_at: now + state.config().authorization_code_ttl,
        dpop_jkt: request.dpop_jkt.as_deref(),
    })
    .await?;
    let mut pairs = vec![("code", code.as_str())];
    if let Some(state_param) = &request.state {
        pairs.push(("state", state_param));
    }
    pairs.push(("iss", state.issuer()));
    Ok(redirect_uri::with_params(&request.redirect_uri, &pairs))
}

/// The next step for `request` given the session behind the browser's cookie, if any: the
/// authorization endpoint's own question (`fresh_login` is false: nobody signed in for it).
pub async fn next_step_for_browser(
    state: &AppState,
    request: &AuthorizationRequest,
    client: &Client,
    session_cookie: Option<&str>,
    now: i64,
) -> Result<Step> {
    match session_cookie {
        Some(value) => {
            let id_hash = secret::hash(value);
            next_step_in_session(state, request, client, &id_hash, None, now).await
        }
        None => next_step_without_session(state, request, client, None, now).await,
    }
}
