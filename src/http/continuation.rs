//! Where a sign-in goes once it succeeds: on with the authorization request that brought the
//! user here, or (when the user came to sign in by themselves) to the account page.
use axum::response::Response;

use super::AppError;
use super::authorize::{proceed, validate};
use super::browser::see_other;
use crate::oauth::authorize::AuthorizationRequest;
use crate::oauth::client::Client;
use crate::oauth::params::Params;
use crate::routes;
use crate::state::AppState;
use crate::store::sessions::SessionRow;

pub enum Next<'s> {
    Authorization(Box<AuthorizationRequest>, &'s Client),
    Account,
}

impl Next<'_> {
    /// The name on the sign-in pages.
    pub fn audience(&self) -> String {
        match self {
            Self::Authorization(_, client) => client.name.clone(),
            Self::Account => "your account".to_string(),
        }
    }

    /// `path`, carrying the authorization request (if any) in its query, for a form action.
    pub fn action(&self, path: &str, params: &Params) -> String {
        match self {
            Self::Authorization(..) => format!("{path}?{}", params.to_query()),
            Self::Account => path.to_string(),
        }
    }

    /// Where the pages' forms may finally lead (for the CSP `form-action`).
    pub fn final_redirect(&self) -> Option<&str> {
        match self {
            Self::Authorization(request, _) => Some(request.redirect_uri.as_str()),
            Self::Account => None,
        }
    }
}

/// A continuation with the parameters that carry it from page to page.
pub struct Carried<'s> {
    pub params: Params,
    pub next: Next<'s>,
}

impl<'s> Carried<'s> {
    /// From a page's raw query string.
    #[allow(clippy::result_large_err)] // the error is the finished response, returned once
    pub fn from_query(state: &'s AppState, query: Option<String>) -> Result<Self, Response> {
        let params = Params::parse(query.unwrap_or_default().as_bytes());
        let next = next_step(state, &params)?;
        Ok(Self { params, next })
    }

    /// No authorization request: the account page.
    pub fn account() -> Self {
        Self {
            params: Params::default(),
            next: Next::Account,
        }
    }

    pub fn action(&self, path: &str) -> String {
        self.next.action(path, &self.params)
    }
}

/// Reads the continuation from a page's query: no authorization parameters at all means the
/// account page; otherwise the request must be valid.
#[allow(clippy::result_large_err)] // the error is the finished response, returned once
pub fn next_step<'s>(state: &'s AppState, params: &Params) -> Result<Next<'s>, Response> {
    let is_authorization = ["client_id", "redirect_uri", "response_type"]
        .iter()
        .any(|name| params.get(name).is_some());
    if !is_authorization {
        return Ok(Next::Account);
    }
    validate(state, params).map(|(request, client)| Next::Authorization(Box::new(request), client))
}

/// Continues after a sign-in that just completed in `session`.
pub async fn continue_signed_in(
    state: &AppState,
    params: &Params,
    next: &Next<'_>,
    session: &SessionRow,
) -> Result<Response, AppError> {
    match next {
        Next::Authorization(request, client) => {
            proceed(state, params, request, client, Some(session), true).await
        }
        Next::Account => Ok(see_other(routes::ACCOUNT)),
    }
}
