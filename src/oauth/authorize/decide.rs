//! What an authorization request needs next, given the browser's session: sign-in, the
//! second factor, consent, or a code. The steps are taken in this order, so nothing is asked
//! of a user who is not (fully) signed in.
use super::AuthorizationRequest;
use crate::oauth::amr::Amr;
use crate::oauth::client::{Client, ClientOrigin};
use crate::oauth::consent::Approval;
use crate::oauth::error::{ErrorCode, OAuthError};
use crate::oauth::params::Params;
use crate::oauth::step_up::{self, SecondFactorStep};

/// What we know of the browser's signed-in session, if any.
#[derive(Debug, Clone)]
pub struct SessionView {
    pub user_id: String,
    /// When the user last entered their password.
    pub auth_time: i64,
    /// The methods this session really used (RFC 8176).
    pub amr: Amr,
    /// The user has a second factor (TOTP turned on, or a passkey), so every sign-in must
    /// pass one.
    pub has_second_factor: bool,
}

/// The next step of an authorization request.
#[derive(Debug, PartialEq, Eq)]
pub enum Decision {
    /// Show the login page.
    Login,
    /// The session passed the password step only: ask for the second factor (step-up).
    Mfa,
    /// Two-step verification is demanded but the user has none: set it up first.
    Enrol,
    /// Show the consent page.
    Consent,
    /// Issue a code and redirect.
    Issue,
    /// Redirect with this error (e.g. prompt=none could not be satisfied).
    ErrorRedirect(OAuthError),
}

/// Everything `decide` looks at.
#[derive(Debug, Clone, Copy)]
pub struct DecisionInput<'a> {
    pub request: &'a AuthorizationRequest,
    pub client: &'a Client,
    pub session: Option<&'a SessionView>,
    /// What the user already approved for this client.
    pub consented: Option<&'a Approval>,
    /// The `sub` of a verified `id_token_hint`: only that user's session will do.
    pub hinted_subject: Option<&'a str>,
    /// The user signed in for this very request just now, so a `prompt=login` or `max_age`
    /// that caused the sign-in does not ask for another.
    pub fresh_login: bool,
    pub now: i64,
}

pub fn decide(input: DecisionInput<'_>) -> Decision {
    let DecisionInput {
        request, client, ..
    } = input;
    let Some(session) = usable_session(&input) else {
        return if request.prompt.none {
            error(ErrorCode::LoginRequired, "the user is not signed in")
        } else {
            Decision::Login
        };
    };
    if let Some(step) = second_factor(request, client, session) {
        return step;
    }
    if needs_consent(request, client, input.consented) {
        return if request.prompt.none {
            error(
                ErrorCode::ConsentRequired,
                "the user has not approved this application",
            )
        } else {
            Decision::Consent
        };
    }
    Decision::Issue
}

/// The session, if it is signed in recently enough for the request and is the user an
/// `id_token_hint` names (OIDC Core §3.1.2.1: another user must sign in instead).
fn usable_session<'a>(input: &DecisionInput<'a>) -> Option<&'a SessionView> {
    input.session.filter(|s| {
        authentication_satisfied(input.request, s.auth_time, input.fresh_login, input.now)
            && input.hinted_subject.is_none_or(|sub| sub == s.user_id)
    })
}

/// The second-factor part of the decision, on its own so that the consent form can check
/// it again before issuing a code. `None`: the session is strong enough.
pub fn second_factor(
    request: &AuthorizationRequest,
    client: &Client,
    session: &SessionView,
) -> Option<Decision> {
    let demanded = client.require_mfa || crate::oauth::acr::demands_mfa(&request.acr_values);
    let step =
        step_up::second_factor_step(&session.amr, session.has_second_factor, demanded, client)?;
    Some(match (step, request.prompt.none) {
        (SecondFactorStep::Refuse(e), _) => Decision::ErrorRedirect(e),
        (_, true) => error(
            ErrorCode::InteractionRequired,
            "the user must complete two-step verification",
        ),
        (SecondFactorStep::Verify, false) => Decision::Mfa,
        (SecondFactorStep::Enrol, false) => Decision::Enrol,
    })
}

/// Consent is asked unless the user approved these scopes before, or the client is
/// first-party (`skip_consent`). For a public client a remembered approval is not enough
/// (RFC 8252 §8.6, RFC 6749 §10.2): anyone can start its authorization request with their
/// own PKCE challenge, so the user must see what they approve every time.
fn needs_consent(
    request: &AuthorizationRequest,
    client: &Client,
    consented: Option<&Approval>,
) -> bool {
    if request.prompt.consent {
        return true;
    }
    if client.skip_consent {
        return false;
    }
    // A client from outside the configuration describes itself: the person is shown who
    // asks (its host, or that it registered itself) every time.
    if client.origin != ClientOrigin::Config {
        return true;
    }
    let remembered =
        consented.is_some_and(|c| c.covers(client, &request.scope, &request.resources));
    client.is_public() || !remembered
}

fn error(code: ErrorCode, description: &'static str) -> Decision {
    Decision::ErrorRedirect(OAuthError::new(code, description))
}

/// Whether the session's sign-in meets the request's `prompt=login` and `max_age` demands.
/// Checked again on the consent page, so it cannot be skipped by going there directly.
pub fn authentication_satisfied(
    request: &AuthorizationRequest,
    auth_time: i64,
    fresh_login: bool,
    now: i64,
) -> bool {
    if fresh_login {
        return true;
    }
    if request.prompt.login {
        return false;
    }
    request
        .max_age
        .is_none_or(|max_age| now.saturating_sub(auth_time) <= max_age)
}

/// The request to continue with after a sign-in made for it: its `prompt=login` and
/// `max_age` are satisfied by that sign-in, so later steps must not demand another.
pub fn after_fresh_login(params: &Params) -> Params {
    let mut params = params.clone();
    params.set("max_age", None);
    let prompt: Vec<&str> = params
        .get("prompt")
        .unwrap_or_default()
        .split(' ')
        .filter(|p| !p.is_empty() && *p != "login")
        .collect();
    let prompt = prompt.join(" ");
    params.set("prompt", (!prompt.is_empty()).then_some(prompt.as_str()));
    params
}
