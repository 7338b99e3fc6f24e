//! Authorization requests (RFC 6749 §4.1.1, OIDC Core §3.1.2): validation, then the decision
//! of what the user must do next (`decide.rs`). Client and redirect_uri are checked first;
//! until both are trusted, errors go to an error page and never to a redirect
//! (RFC 6749 §4.1.2.1). The order of the checks is `validate`; each one is in `checks.rs`.
use super::client::Client;
use super::error::OAuthError;
use super::par::PushedHandle;
use super::params::Params;
use super::resource::ResourceIds;
use super::scope::Scopes;

mod checks;
mod decide;

pub use decide::{
    Decision, DecisionInput, SessionView, after_fresh_login, authentication_satisfied, decide,
    second_factor,
};

/// Which interactive steps the client asked for (OIDC Core §3.1.2.1 `prompt`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Prompt {
    pub none: bool,
    pub login: bool,
    pub consent: bool,
}

/// Where an authorization request's parameters came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Channel {
    /// The browser's URL or form: anything in it may have been changed on the way.
    FrontChannel,
    /// Pushed to `/par` by the client that authenticated there (RFC 9126).
    Pushed,
}

/// A validated authorization request.
#[derive(Debug, Clone)]
pub struct AuthorizationRequest {
    pub client_id: String,
    pub redirect_uri: String,
    /// Requested scopes that this client may have and Tessera understands.
    pub scope: Scopes,
    /// The APIs named with `resource` (RFC 8707), each permitted for this client.
    pub resources: ResourceIds,
    pub state: Option<String>,
    pub nonce: Option<String>,
    pub code_challenge: String,
    pub prompt: Prompt,
    pub max_age: Option<i64>,
    pub login_hint: Option<String>,
    /// An ID token naming the user the client expects (OIDC Core §3.1.2.1); its signature is
    /// checked by the caller, which holds the keys.
    pub id_token_hint: Option<String>,
    /// Requested authentication context classes, in order of preference (OIDC Core §3.1.2.1).
    pub acr_values: Vec<String>,
    /// A pushed request claimed at `/authorize`: the handle its pages carry, spent when the
    /// request ends (set by the service that claimed it; `None` from `validate`).
    pub pushed: Option<PushedHandle>,
    /// RFC 9449 §10: the thumbprint of the DPoP key the code will be exchanged with.
    pub dpop_jkt: Option<String>,
}

/// Why a request was refused before the redirect_uri could be trusted: shown on a page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UntrustedRedirectError {
    MissingClientId,
    UnknownClient,
    MissingRedirectUri,
    UnregisteredRedirectUri,
    DuplicateParameter(String),
    /// RFC 9126 §4: the `request_uri` is unknown, expired, already used, or another client's.
    InvalidRequestUri,
    /// The claimed pushed request a sign-in page names has ended or expired.
    PushedRequestEnded,
}

/// The outcome of validating a request.
#[derive(Debug)]
pub enum Validation<'c> {
    /// Boxed: a request is far larger than a refusal.
    Valid(Box<AuthorizationRequest>, &'c Client),
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

impl AuthorizationRequest {
    pub fn target(&self) -> RedirectTarget {
        RedirectTarget {
            redirect_uri: self.redirect_uri.clone(),
            state: self.state.clone(),
        }
    }
}

/// Validates an authorization request against the registered clients, whether it came
/// through the browser or was pushed (the same checks, one place).
pub fn validate<'c>(
    params: &Params,
    channel: Channel,
    find_client: impl Fn(&str) -> Option<&'c Client>,
) -> Validation<'c> {
    let (client, redirect_uri) = match checks::trusted_redirect(params, find_client) {
        Ok(trusted) => trusted,
        Err(reason) => return Validation::ErrorPage(reason),
    };
    match validate_trusted(params, channel, client, redirect_uri) {
        Ok(request) => Validation::Valid(Box::new(request), client),
        Err(error) => Validation::ErrorRedirect(checks::error_target(params, redirect_uri), error),
    }
}

/// RFC 8628 §3.1: a device authorization request's `scope` and `resource`, checked exactly
/// as an authorization request's are. The device flow always asks the user (a device cannot
/// be trusted to be who it claims), so `offline_access` is honoured as with `prompt=consent`.
pub fn device_request_scope(
    params: &Params,
    client: &Client,
) -> Result<(Scopes, ResourceIds), OAuthError> {
    params.reject_duplicates_except(&["resource"])?;
    let resources = checks::resources(params, client)?;
    let asked = Prompt {
        consent: true,
        ..Prompt::default()
    };
    let scope = checks::scope(params, client, asked, &resources)?;
    Ok((scope, resources))
}

/// The checks once errors may be redirected, in the order they are made.
fn validate_trusted(
    params: &Params,
    channel: Channel,
    client: &Client,
    redirect_uri: &str,
) -> Result<AuthorizationRequest, OAuthError> {
    // RFC 8707 §2: `resource` may repeat, one per API.
    params.reject_duplicates_except(&["resource"])?;
    checks::pushed_if_required(client, channel)?;
    checks::no_request_objects(params, channel)?;
    checks::response_type_is_code(params)?;
    checks::response_mode_is_query(params)?;
    checks::code_grant_allowed(client)?;
    let state = checks::state(params)?;
    let prompt = checks::prompt(params)?;
    let resources = checks::resources(params, client)?;
    let scope = checks::scope(params, client, prompt, &resources)?;
    let code_challenge = checks::pkce_challenge(params)?;
    let nonce = checks::nonce(params)?;
    let max_age = checks::max_age(params)?;
    let dpop_jkt = checks::dpop_jkt(params)?;
    Ok(AuthorizationRequest {
        client_id: client.id.clone(),
        redirect_uri: redirect_uri.to_string(),
        scope,
        resources,
        state,
        nonce,
        code_challenge,
        prompt,
        max_age,
        login_hint: checks::login_hint(params),
        id_token_hint: params.get("id_token_hint").map(str::to_string),
        acr_values: checks::acr_values(params),
        pushed: None,
        dpop_jkt,
    })
}

#[cfg(test)]
mod tests;
