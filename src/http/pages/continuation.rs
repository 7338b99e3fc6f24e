//! Where the sign-in pages lead once they succeed: on with the authorization request that
//! brought the user here (carried whole in the query string and validated again at every
//! step; a pushed one is carried as its handle and read from the database), or back to the account page the user asked for. The account page is named from a
//! fixed list, so the continuation can never become an open redirect.
use std::borrow::Cow;

use axum::response::IntoResponse;
use axum_extra::extract::cookie::CookieJar;

use super::authorize::{resolve, step_response};
use super::cookies::{self, Kind};
use crate::http::error::{HttpError, HttpResult};
use crate::http::respond::see_other;
use crate::i18n::Locale;
use crate::oauth::authorize::{AuthorizationRequest, after_fresh_login};
use crate::oauth::client::Client;
use crate::oauth::params::Params;
use crate::routes;
use crate::service::authorize::Entry;
use crate::service::sessions::NewSession;
use crate::service::sign_in::after::{self, AfterSignIn, SignedInFor};
use crate::state::AppState;

/// The query parameter naming the account page to return to.
const RETURN_TO: &str = "return_to";
/// The query parameter carrying a waiting device's handle (RFC 8628: `/device` found it).
pub const DEVICE: &str = "device";

/// The account pages a sign-in may return to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AccountPage {
    Overview,
    Mfa,
    Passkeys,
    Identities,
    Password,
    Delete,
    Export,
    Email,
}

impl AccountPage {
    pub fn path(self) -> &'static str {
        match self {
            Self::Overview => routes::ACCOUNT,
            Self::Mfa => routes::ACCOUNT_MFA,
            Self::Passkeys => routes::ACCOUNT_PASSKEYS,
            Self::Identities => routes::ACCOUNT_IDENTITIES,
            Self::Password => routes::ACCOUNT_PASSWORD,
            Self::Delete => routes::ACCOUNT_DELETE,
            Self::Export => routes::ACCOUNT_EXPORT,
            Self::Email => routes::ACCOUNT_EMAIL,
        }
    }

    fn from_path(path: &str) -> Option<Self> {
        [
            Self::Overview,
            Self::Mfa,
            Self::Passkeys,
            Self::Identities,
            Self::Password,
            Self::Delete,
            Self::Export,
            Self::Email,
        ]
        .into_iter()
        .find(|page| page.path() == path)
    }
}

pub enum Next<'s> {
    Authorization {
        params: Params,
        request: Box<AuthorizationRequest>,
        /// A configured client, borrowed; a client admitted for this request, owned.
        client: Box<Cow<'s, Client>>,
    },
    Account(AccountPage),
    /// A device waiting for this user's answer (RFC 8628): its consent page follows.
    Device {
        handle: String,
        client: &'s Client,
    },
}

impl<'s> Next<'s> {
    /// Reads the continuation from a sign-in page's query: no authorization parameters at
    /// all means an account page; otherwise the request (or the pushed request its handle
    /// names) must be valid.
    pub async fn from_params(state: &'s AppState, params: Params) -> Result<Self, HttpError> {
        Self::from_params_or(state, params, AccountPage::Overview).await
    }

    /// As `from_params`, for a page that is itself `page` when no other is named.
    pub async fn from_params_or(
        state: &'s AppState,
        params: Params,
        page: AccountPage,
    ) -> Result<Self, HttpError> {
        if let Some(handle) = params.get(DEVICE) {
            return Self::device(state, handle).await;
        }
        let is_authorization = ["client_id", "redirect_uri", "response_type"]
            .iter()
            .any(|name| params.get(name).is_some());
        if !is_authorization {
            let named = params.get(RETURN_TO).and_then(AccountPage::from_path);
            return Ok(Self::Account(named.unwrap_or(page)));
        }
        let now = state.now();
        let admitted = super::authorize::admit(state, &params, now).await?;
        let resolved = resolve(&admitted, &params, Entry::Page, now).await?;
        let client = Box::new(match state.client(&resolved.client.id) {
            Some(configured) => Cow::Borrowed(configured),
            None => Cow::Owned(resolved.client.clone()),
        });
        Ok(Self::Authorization {
            params: resolved.carried,
            request: Box::new(resolved.request),
            client,
        })
    }

    /// The waiting device `handle` names, or the page saying it waits no more.
    async fn device(state: &'s AppState, handle: &str) -> Result<Self, HttpError> {
        let now = state.now();
        match crate::service::device::entry::waiting(state, handle, now).await? {
            Some(waiting) => Ok(Self::Device {
                handle: handle.to_string(),
                client: waiting.client,
            }),
            None => Err(device_ended()),
        }
    }

    /// The application named on the sign-in pages; none for the user's own account.
    pub fn audience(&self) -> Option<String> {
        match self {
            Self::Authorization { client, .. } => Some(client.name.clone()),
            Self::Device { client, .. } => Some(client.name.clone()),
            Self::Account(_) => None,
        }
    }

    /// `path` with the continuation in its query, for a form action or a link.
    pub fn action(&self, path: &str) -> String {
        match self.query() {
            query if query.is_empty() => path.to_string(),
            query => format!("{path}?{query}"),
        }
    }

    /// The continuation as a query string (empty for the account overview): what a trip to an
    /// upstream provider keeps, to go on with when it comes back.
    pub fn query(&self) -> String {
        match self {
            Self::Authorization { params, .. } => params.to_query(),
            Self::Device { handle, .. } => url::form_urlencoded::Serializer::new(String::new())
                .append_pair(DEVICE, handle)
                .finish(),
            Self::Account(AccountPage::Overview) => String::new(),
            Self::Account(page) => url::form_urlencoded::Serializer::new(String::new())
                .append_pair(RETURN_TO, page.path())
                .finish(),
        }
    }

    /// `path` for a form of an account page: the authorization request rides along when
    /// there is one; an account page needs nothing carried.
    pub fn form_action(&self, path: &str) -> String {
        match self {
            Self::Authorization { .. } | Self::Device { .. } => self.action(path),
            Self::Account(_) => path.to_string(),
        }
    }

    /// The sign-in that comes back here.
    pub fn sign_in_first(&self) -> HttpError {
        HttpError::Redirect(self.action(routes::LOGIN))
    }

    /// Where the pages' forms may finally lead (for the CSP `form-action`).
    pub fn final_redirect(&self) -> Option<&str> {
        match self {
            Self::Authorization { request, .. } => Some(request.redirect_uri.as_str()),
            Self::Account(_) | Self::Device { .. } => None,
        }
    }

    /// Goes on after a sign-in that just completed in `session`; `jar` already holds it.
    /// What follows is the service's decision; this renders it. An upstream identity waiting
    /// for this sign-in (its cookie in `jar`) is linked or dropped, and its cookie goes.
    pub async fn after_sign_in(
        &self,
        state: &AppState,
        jar: CookieJar,
        session: &NewSession,
        locale: Locale,
        now: i64,
    ) -> HttpResult {
        let secure = state.secure_cookies();
        let waiting_link = cookies::read(&jar, Kind::PendingLink, secure).map(str::to_string);
        let for_ = self.signed_in_for();
        let done = after::Completed {
            session,
            waiting_link: waiting_link.as_deref(),
            locale,
        };
        let after = after::after_sign_in(state, for_, done, now).await?;
        let jar = match waiting_link {
            Some(_) => jar.add(cookies::removal(Kind::PendingLink, secure)),
            None => jar,
        };
        Ok(match (after, self) {
            (AfterSignIn::Authorization(step), Self::Authorization { params, .. }) => {
                // The sign-in just made satisfies the request's prompt=login / max_age.
                step_response(state, jar, step, &after_fresh_login(params))
            }
            (_, Self::Device { .. }) => {
                (jar, see_other(&self.action(routes::DEVICE_CONSENT))).into_response()
            }
            // Only a sign-in for an account page ends at one.
            _ => (jar, see_other(self.account_page().path())).into_response(),
        })
    }

    /// What the user is signing in for, in the service's words.
    fn signed_in_for(&self) -> SignedInFor<'_> {
        match self {
            Self::Authorization {
                request, client, ..
            } => SignedInFor::Authorization { request, client },
            Self::Account(_) | Self::Device { .. } => SignedInFor::Account,
        }
    }

    /// The account page a sign-in for the account returns to.
    fn account_page(&self) -> AccountPage {
        match self {
            Self::Account(page) => *page,
            Self::Authorization { .. } | Self::Device { .. } => AccountPage::Overview,
        }
    }
}

/// The page for a device that waits no more: its code expired, was answered, or was typed
/// again in another browser.
pub fn device_ended() -> HttpError {
    HttpError::page(
        axum::http::StatusCode::BAD_REQUEST,
        "device-ended-title",
        crate::i18n::Message::new("device-ended"),
    )
}
