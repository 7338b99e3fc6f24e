//! The authorization endpoint's use case (RFC 6749 §4.1, OIDC Core §3.1.2): validate the
//! request, decide the next step for the browser's session, and finally issue a code. The
//! request travels in the query string of every page and is validated again at each step.
use super::error::Result;
use super::sessions;
use super::sign_in::pending::{self, NewPendingSignIn, PendingStart};
use crate::auth::secret;
use crate::oauth::authorize::{
    self, AuthorizationRequest, Decision, DecisionInput, RedirectTarget, UntrustedRedirectError,
    Validation,
};
use crate::oauth::client::Client;
use crate::oauth::error::{ErrorCode, OAuthError};
use crate::oauth::params::Params;
use crate::oauth::redirect_uri;
use crate::oauth::tokens::TokenType;
use crate::state::AppState;
use crate::store::codes::NewCode;
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

/// A request that cannot go on.
#[derive(Debug)]
pub enum Refusal {
    /// The redirect_uri is not trusted: tell the user, never redirect.
    Page(UntrustedRedirectError),
    /// Send the error to the client's (verified) redirect_uri.
    Redirect(String),
}

/// Validates the request against the registered clients.
pub fn validate<'s>(
    state: &'s AppState,
    params: &Params,
) -> std::result::Result<(AuthorizationRequest, &'s Client), Refusal> {
    match authorize::validate(params, |id| state.client(id)) {
        Validation::Valid(request, client) => {
            crate::observe::note_client(&client.id);
            Ok((*request, client))
        }
        Validation::ErrorPage(reason) => Err(Refusal::Page(reason)),
        Validation::ErrorRedirect(target, error) => {
            Err(Refusal::Redirect(error_redirect(state, &target, &error)))
        }
    }
}

/// The error response URL for a trusted redirect_uri (RFC 6749 §4.1.2.1, RFC 9207).
pub fn error_redirect(state: &AppState, target: &RedirectTarget, error: &OAuthError) -> String {
    let mut pairs = vec![
        ("error", error.code.as_str()),
        ("error_description", error.description.as_ref()),
    ];
    if let Some(state_param) = &target.state {
        pairs.push(("state", state_param));
    }
    pairs.push(("iss", state.issuer()));
    redirect_uri::with_params(&target.redirect_uri, &pairs)
}

/// The next step for `request` given the browser's `session`. `fresh_login` says the user
/// signed in for this very request just now.
pub async fn next_step(
    state: &AppState,
    request: &AuthorizationRequest,
    client: &Client,
    session: Option<&SessionRow>,
    fresh_login: bool,
    now: i64,
) -> Result<Step> {
    let hinted_subject = match hinted_subject(state, request) {
        Ok(subject) => subject,
        Err(error) => {
            return Ok(Step::Redirect(error_redirect(
                state,
                &request.target(),
                &error,
            )));
        }
    };
    let (view, consented) = match session {
        Some(s) => (
            Some(sessions::view(state, s).await?),
            state.store().find_consent(&s.user_id, &client.id).await?,
        ),
        None => (None, None),
    };
    let decision = authorize::decide(DecisionInput {
        request,
        client,
        session: view.as_ref(),
        consented: consented.as_ref(),
        hinted_subject: hinted_subject.as_deref(),
        fresh_login,
        now,
    });
    carry_out(state, request, decision, session, now).await
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
            Step::Redirect(error_redirect(state, &request.target(), &error))
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
/// scopes, session and DPoP key (`dpop_jkt`), and returns the redirect that hands it to the client.
pub async fn issue_code(
    state: &AppState,
    request: &AuthorizationRequest,
    session: &SessionRow,
    now: i64,
) -> Result<String> {
    let code = secret::generate();
    let code_hash = secret::hash(&code);
    state
        .store()
        .insert_code(&NewCode {
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
    let session = sessions::current(state, session_cookie, now).await?;
    next_step(state, request, client, session.as_ref(), false, now).await
}
