//! Authorization requests (RFC 6749 §4.1.1, OIDC Core §3.1.2): validation, then the decision
//! of what the user must do next. Client and redirect_uri are checked first; until both are
//! trusted, errors go to an error page and never to a redirect (RFC 6749 §4.1.2.1).
use super::client::Client;
use super::error::{ErrorCode, OAuthError};
use super::params::Params;
use super::pkce;
use super::scope::{self, Scopes};
use super::step_up;

/// Longest `state` / `nonce` accepted; real clients send well under this.
const MAX_OPAQUE_PARAM_LEN: usize = 2048;
const MAX_LOGIN_HINT_LEN: usize = 320;

/// Which interactive steps the client asked for (OIDC Core §3.1.2.1 `prompt`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Prompt {
    pub none: bool,
    pub login: bool,
    pub consent: bool,
}

/// A validated authorization request.
#[derive(Debug, Clone)]
pub struct AuthorizationRequest {
    pub client_id: String,
    pub redirect_uri: String,
    /// Requested scopes that this client may have and Tessera understands.
    pub scope: Scopes,
    pub state: Option<String>,
    pub nonce: Option<String>,
    pub code_challenge: String,
    pub prompt: Prompt,
    pub max_age: Option<i64>,
    pub login_hint: Option<String>,
    /// Requested authentication context classes, in order of preference (OIDC Core §3.1.2.1).
    pub acr_values: Vec<String>,
}

/// Why a request was refused before the redirect_uri could be trusted: shown on a page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UntrustedRedirectError {
    MissingClientId,
    UnknownClient,
    MissingRedirectUri,
    UnregisteredRedirectUri,
    DuplicateParameter(String),
}

impl UntrustedRedirectError {
    pub fn message(&self) -> String {
        match self {
            Self::MissingClientId => "The request has no client_id.".into(),
            Self::UnknownClient => {
                "The application that sent you here is not registered with this server.".into()
            }
            Self::MissingRedirectUri => "The request has no redirect_uri.".into(),
            Self::UnregisteredRedirectUri => {
                "The redirect_uri in the request is not registered for this application.".into()
            }
            Self::DuplicateParameter(name) => {
                format!("The parameter {name} was sent more than once.")
            }
        }
    }
}

/// The outcome of validating a request.
#[derive(Debug)]
pub enum Validation<'c> {
    Valid(AuthorizationRequest, &'c Client),
    /// Tell the user; do not redirect.
    ErrorPage(UntrustedRedirectError),
    /// Send the error back to the (verified) redirect_uri.
    ErrorRedirect(RedirectTarget, OAuthError),
}

/// Where an error or a code goes once the redirect_uri is trusted.
#[derive(Debug, Clone)]
pub struct RedirectTarget {
    pub redirect_uri: String,
    pub state: Option<String>,
}

/// Validates an authorization request against the registered clients.
pub fn validate<'c>(
    params: &Params,
    find_client: impl Fn(&str) -> Option<&'c Client>,
) -> Validation<'c> {
    // The two parameters that decide where errors may go are checked before anything else.
    for name in ["client_id", "redirect_uri"] {
        if params.duplicated() == Some(name) {
            return Validation::ErrorPage(UntrustedRedirectError::DuplicateParameter(name.into()));
        }
    }
    let Some(client_id) = params.get("client_id") else {
        return Validation::ErrorPage(UntrustedRedirectError::MissingClientId);
    };
    let Some(client) = find_client(client_id) else {
        return Validation::ErrorPage(UntrustedRedirectError::UnknownClient);
    };
    let Some(redirect_uri) = params.get("redirect_uri") else {
        return Validation::ErrorPage(UntrustedRedirectError::MissingRedirectUri);
    };
    if !client.redirect_uri_registered(redirect_uri) {
        return Validation::ErrorPage(UntrustedRedirectError::UnregisteredRedirectUri);
    }
    let state = params
        .get("state")
        .filter(|s| s.len() <= MAX_OPAQUE_PARAM_LEN);
    let target = RedirectTarget {
        redirect_uri: redirect_uri.to_string(),
        // A repeated state cannot be echoed faithfully; echo none.
        state: if params.duplicated() == Some("state") {
            None
        } else {
            state.map(str::to_string)
        },
    };
    match validate_trusted(params, client, redirect_uri) {
        Ok(request) => Validation::Valid(request, client),
        Err(error) => Validation::ErrorRedirect(target, error),
    }
}

fn validate_trusted(
    params: &Params,
    client: &Client,
    redirect_uri: &str,
) -> Result<AuthorizationRequest, OAuthError> {
    params.reject_duplicates()?;
    if params.get("request").is_some() {
        return Err(OAuthError::new(
            ErrorCode::RequestNotSupported,
            "request objects are not supported",
        ));
    }
    if params.get("request_uri").is_some() {
        return Err(OAuthError::new(
            ErrorCode::RequestUriNotSupported,
            "request_uri is not supported",
        ));
    }
    match params.get("response_type") {
        Some("code") => {}
        None => return Err(OAuthError::invalid_request("response_type is required")),
        Some(_) => {
            return Err(OAuthError::new(
                ErrorCode::UnsupportedResponseType,
                "only response_type=code is supported",
            ));
        }
    }
    match params.get("response_mode") {
        None | Some("query") => {}
        Some(_) => {
            return Err(OAuthError::invalid_request(
                "only response_mode=query is supported",
            ));
        }
    }
    if params
        .get("state")
        .is_some_and(|s| s.len() > MAX_OPAQUE_PARAM_LEN)
    {
        return Err(OAuthError::invalid_request("state is too long"));
    }
    let requested = params
        .get("scope")
        .and_then(Scopes::parse)
        .ok_or_else(|| OAuthError::new(ErrorCode::InvalidScope, "scope is missing or malformed"))?;
    if !requested.contains("openid") {
        return Err(OAuthError::new(
            ErrorCode::InvalidScope,
            "the openid scope is required",
        ));
    }
    // Scopes the client may not have, or that Tessera does not know, are dropped (OIDC Core §5.4).
    let prompt = parse_prompt(params.get("prompt"))?;
    let scope = requested.retain(|s| client.allows_scope(s) && scope::SUPPORTED.contains(&s));
    // OIDC Core §11: offline_access is honoured only when the user is asked (prompt=consent),
    // or for a first-party client that never asks; otherwise it is ignored.
    let scope = if prompt.consent || client.skip_consent {
        scope
    } else {
        scope.retain(|s| s != "offline_access")
    };

    let code_challenge = match (
        params.get("code_challenge"),
        params.get("code_challenge_method"),
    ) {
        (None, _) => {
            return Err(OAuthError::invalid_request(
                "code_challenge is required (PKCE)",
            ));
        }
        (Some(_), None) => {
            return Err(OAuthError::invalid_request(
                "code_challenge_method is required and must be S256",
            ));
        }
        (Some(_), Some(method)) if method != "S256" => {
            return Err(OAuthError::invalid_request(
                "code_challenge_method must be S256; plain is not allowed",
            ));
        }
        (Some(challenge), Some(_)) => {
            if !pkce::is_valid_s256_challenge(challenge) {
                return Err(OAuthError::invalid_request(
                    "code_challenge is not a valid S256 challenge",
                ));
            }
            challenge.to_string()
        }
    };

    let nonce = params.get("nonce").map(str::to_string);
    if nonce
        .as_ref()
        .is_some_and(|n| n.len() > MAX_OPAQUE_PARAM_LEN)
    {
        return Err(OAuthError::invalid_request("nonce is too long"));
    }
    let max_age =
        match params.get("max_age") {
            None => None,
            Some(text) => Some(text.parse::<u32>().map(i64::from).map_err(|_| {
                OAuthError::invalid_request("max_age must be a non-negative integer")
            })?),
        };
    let login_hint = params
        .get("login_hint")
        .filter(|h| h.len() <= MAX_LOGIN_HINT_LEN)
        .map(str::to_string);
    // Unknown classes are ignored: acr_values is a voluntary request (OIDC Core §5.5.1.1).
    let acr_values = params
        .get("acr_values")
        .filter(|v| v.len() <= MAX_OPAQUE_PARAM_LEN)
        .map(|v| {
            v.split(' ')
                .filter(|s| !s.is_empty())
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default();

    Ok(AuthorizationRequest {
        client_id: client.id.clone(),
        redirect_uri: redirect_uri.to_string(),
        scope,
        state: params.get("state").map(str::to_string),
        nonce,
        code_challenge,
        prompt,
        max_age,
        login_hint,
        acr_values,
    })
}

fn parse_prompt(value: Option<&str>) -> Result<Prompt, OAuthError> {
    let mut prompt = Prompt::default();
    let Some(value) = value else {
        return Ok(prompt);
    };
    for token in value.split(' ').filter(|t| !t.is_empty()) {
        match token {
            "none" => prompt.none = true,
            "login" => prompt.login = true,
            "consent" => prompt.consent = true,
            // We have one account per session, so there is nothing to select.
            "select_account" => {}
            _ => {
                return Err(OAuthError::invalid_request(format!(
                    "unsupported prompt value {token:?}"
                )));
            }
        }
    }
    if prompt.none && (prompt.login || prompt.consent) {
        return Err(OAuthError::invalid_request(
            "prompt=none cannot be combined with other values",
        ));
    }
    Ok(prompt)
}

/// What we know of the browser's signed-in session, if any.
#[derive(Debug, Clone)]
pub struct SessionView {
    pub auth_time: i64,
    /// The methods this session really used (RFC 8176), e.g. `["pwd"]` or `["pwd", "otp"]`.
    pub amr: Vec<String>,
    /// The user has a confirmed authenticator, so every sign-in must pass the TOTP step.
    pub mfa_enrolled: bool,
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

/// The next step of an authorization request.
#[derive(Debug, PartialEq, Eq)]
pub enum Decision {
    /// Show the login page.
    Login,
    /// The session passed the password step only: ask for the TOTP code (step-up).
    Mfa,
    /// Two-step verification is demanded but the user has none: set it up first.
    Enrol,
    /// Show the consent page.
    Consent,
    /// Issue a code and redirect.
    Issue,
    /// Redirect with this error (prompt=none could not be satisfied).
    ErrorRedirect(OAuthError),
}

/// Decides the next step.
///
/// `fresh_login` is true right after the user signed in for this very request, so a
/// `prompt=login` or `max_age=0` that caused the login does not ask for it again.
/// `consented` is the scope set the user already approved for this client.
/// The second factor comes before consent: nothing is asked of a half-authenticated user.
pub fn decide(
    request: &AuthorizationRequest,
    client: &Client,
    session: Option<&SessionView>,
    consented: Option<&Scopes>,
    fresh_login: bool,
    now: i64,
) -> Decision {
    let authenticated =
        session.is_some_and(|s| authentication_satisfied(request, s.auth_time, fresh_login, now));
    let Some(session) = session.filter(|_| authenticated) else {
        return if request.prompt.none {
            Decision::ErrorRedirect(OAuthError::new(
                ErrorCode::LoginRequired,
                "the user is not signed in",
            ))
        } else {
            Decision::Login
        };
    };
    if let Some(step) = step_up::second_factor_step(request, client, session) {
        return step;
    }
    let already_consented = consented.is_some_and(|c| request.scope.is_subset_of(c));
    let needs_consent = request.prompt.consent || !(client.skip_consent || already_consented);
    if needs_consent {
        return if request.prompt.none {
            Decision::ErrorRedirect(OAuthError::new(
                ErrorCode::ConsentRequired,
                "the user has not approved this application",
            ))
        } else {
            Decision::Consent
        };
    }
    Decision::Issue
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::oauth::client::AuthMethod;

    const CHALLENGE: &str = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";

    fn client() -> Client {
        Client {
            redirect_uris: vec!["https://app.example/cb".into()],
            allowed_scopes: vec!["openid".into(), "email".into()],
            ..Client::new("app", AuthMethod::None)
        }
    }

    fn query(extra: &str) -> String {
        format!(
            "client_id=app&redirect_uri=https%3A%2F%2Fapp.example%2Fcb&response_type=code&scope=openid+email+profile&state=s1&code_challenge={CHALLENGE}&code_challenge_method=S256{extra}"
        )
    }

    fn run(query: &str) -> Result<AuthorizationRequest, String> {
        let client = client();
        let params = Params::parse(query.as_bytes());
        match validate(&params, |id| (id == "app").then_some(&client)) {
            Validation::Valid(request, _) => Ok(request),
            Validation::ErrorPage(e) => Err(format!("page:{e:?}")),
            Validation::ErrorRedirect(target, e) => {
                assert_eq!(target.state.as_deref(), Some("s1"));
                Err(format!("redirect:{}", e.code.as_str()))
            }
        }
    }

    #[test]
    fn valid_request_keeps_only_allowed_scopes() {
        let request = run(&query("&nonce=n")).unwrap();
        assert_eq!(request.scope.to_string(), "openid email");
        assert_eq!(request.nonce.as_deref(), Some("n"));
    }

    #[test]
    fn unknown_client_and_unregistered_redirect_go_to_an_error_page() {
        assert!(
            run(&query("").replace("client_id=app", "client_id=evil"))
                .unwrap_err()
                .starts_with("page:")
        );
        let prefix = query("").replace("%2Fcb", "%2Fcb%2Fextra");
        assert!(run(&prefix).unwrap_err().starts_with("page:"));
        let dup = format!("{}&redirect_uri=https%3A%2F%2Fevil.example%2Fcb", query(""));
        assert!(run(&dup).unwrap_err().starts_with("page:"));
    }

    #[test]
    fn pkce_downgrade_attempts_are_refused() {
        let without = query("").replace(
            &format!("&code_challenge={CHALLENGE}&code_challenge_method=S256"),
            "",
        );
        assert_eq!(run(&without).unwrap_err(), "redirect:invalid_request");
        let plain = query("").replace("method=S256", "method=plain");
        assert_eq!(run(&plain).unwrap_err(), "redirect:invalid_request");
        let no_method = query("").replace("&code_challenge_method=S256", "");
        assert_eq!(run(&no_method).unwrap_err(), "redirect:invalid_request");
    }

    #[test]
    fn openid_scope_and_code_response_type_are_required() {
        assert_eq!(
            run(&query("").replace("scope=openid+", "scope=")).unwrap_err(),
            "redirect:invalid_scope"
        );
        assert_eq!(
            run(&query("").replace("response_type=code", "response_type=token")).unwrap_err(),
            "redirect:unsupported_response_type"
        );
    }

    #[test]
    fn prompt_none_cannot_be_combined() {
        assert_eq!(
            run(&query("&prompt=none+login")).unwrap_err(),
            "redirect:invalid_request"
        );
        assert_eq!(
            run(&query("&max_age=-1")).unwrap_err(),
            "redirect:invalid_request"
        );
    }

    fn password_session(auth_time: i64) -> SessionView {
        SessionView {
            auth_time,
            amr: vec!["pwd".into()],
            mfa_enrolled: false,
        }
    }

    #[test]
    fn decisions_follow_session_prompt_max_age_and_consent() {
        let client = client();
        let request = run(&query("")).unwrap();
        let session = password_session(1000);
        let consent = Scopes::parse("openid email").unwrap();
        assert_eq!(
            decide(&request, &client, None, None, false, 1000),
            Decision::Login
        );
        assert_eq!(
            decide(&request, &client, Some(&session), None, false, 1000),
            Decision::Consent
        );
        assert_eq!(
            decide(
                &request,
                &client,
                Some(&session),
                Some(&consent),
                false,
                1000
            ),
            Decision::Issue
        );

        let login = run(&query("&prompt=login")).unwrap();
        assert_eq!(
            decide(&login, &client, Some(&session), Some(&consent), false, 1000),
            Decision::Login
        );
        assert_eq!(
            decide(&login, &client, Some(&session), Some(&consent), true, 1000),
            Decision::Issue
        );

        let max_age = run(&query("&max_age=60")).unwrap();
        assert_eq!(
            decide(
                &max_age,
                &client,
                Some(&session),
                Some(&consent),
                false,
                1060
            ),
            Decision::Issue
        );
        assert_eq!(
            decide(
                &max_age,
                &client,
                Some(&session),
                Some(&consent),
                false,
                1061
            ),
            Decision::Login
        );

        let none = run(&query("&prompt=none")).unwrap();
        assert!(matches!(
            decide(&none, &client, None, None, false, 1000),
            Decision::ErrorRedirect(e) if e.code == ErrorCode::LoginRequired
        ));
        assert!(matches!(
            decide(&none, &client, Some(&session), None, false, 1000),
            Decision::ErrorRedirect(e) if e.code == ErrorCode::ConsentRequired
        ));

        let consent_prompt = run(&query("&prompt=consent")).unwrap();
        assert_eq!(
            decide(
                &consent_prompt,
                &client,
                Some(&session),
                Some(&consent),
                false,
                1000
            ),
            Decision::Consent
        );
    }

    #[test]
    fn acr_values_are_parsed_and_unknown_values_kept_harmless() {
        let request = run(&query(
            "&acr_values=urn%3Atessera%3Apwd+urn%3Atessera%3Amfa",
        ))
        .unwrap();
        assert_eq!(
            request.acr_values,
            vec!["urn:tessera:pwd", "urn:tessera:mfa"]
        );
        assert!(run(&query("")).unwrap().acr_values.is_empty());
    }

    #[test]
    fn enrolled_user_with_a_password_only_session_is_stepped_up_not_trusted() {
        let client = client();
        let request = run(&query("")).unwrap();
        let consent = Scopes::parse("openid email").unwrap();
        let mut session = password_session(1000);
        session.mfa_enrolled = true;
        for fresh in [false, true] {
            assert_eq!(
                decide(
                    &request,
                    &client,
                    Some(&session),
                    Some(&consent),
                    fresh,
                    1000
                ),
                Decision::Mfa
            );
        }
        session.amr.push("otp".into());
        assert_eq!(
            decide(
                &request,
                &client,
                Some(&session),
                Some(&consent),
                false,
                1000
            ),
            Decision::Issue
        );
        // The second factor comes before consent.
        session.amr.pop();
        assert_eq!(
            decide(&request, &client, Some(&session), None, false, 1000),
            Decision::Mfa
        );
        // No session at all is still a login, not a TOTP step.
        assert_eq!(
            decide(&request, &client, None, None, false, 1000),
            Decision::Login
        );
    }
}
