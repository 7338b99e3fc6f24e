//! Consent (OIDC Core §3.1.2.4). Approval is remembered per user and client, an API's scopes
//! per API (`oauth::consent`), and asked again only for what was not approved yet, when the client sends `prompt=consent`, or every time
//! for a public client (see `oauth::authorize::decide`).
use super::authorize::{self, Step, hinted_subject};
use super::error::Result;
use super::sessions;
use super::signed_in::{self, SignedIn};
use crate::audit::{AuditEvent, EventType};
use crate::oauth::authorize::{AuthorizationRequest, authentication_satisfied, second_factor};
use crate::oauth::client::{Client, ClientOrigin};
use crate::oauth::error::{ErrorCode, OAuthError};
use crate::state::AppState;

/// The session behind the cookie if it may answer this request's consent page: it meets the
/// request's `prompt=login` / `max_age`, and it is the user an `id_token_hint` names. The
/// consent page is reachable directly, so it must not become a way around either.
pub async fn signed_in_for(
    state: &AppState,
    request: &AuthorizationRequest,
    session_cookie: Option<&str>,
    now: i64,
) -> Result<Option<SignedIn>> {
    // A hint we did not sign makes /authorize refuse the request: no session answers it here.
    let Ok(hinted) = hinted_subject(state, request) else {
        return Ok(None);
    };
    let signed_in = signed_in::signed_in(state, session_cookie, now).await?;
    Ok(signed_in.filter(|current| {
        authentication_satisfied(request, current.session.auth_time, false, now)
            && hinted.as_ref().is_none_or(|sub| sub == current.user_id())
    }))
}

/// The user allowed the request: the second factor is checked again (a password-only
/// session could otherwise post this form directly), the approved scopes are remembered
/// (added to any approved before), and the code is issued.
pub async fn allow(
    state: &AppState,
    request: &AuthorizationRequest,
    client: &Client,
    current: &SignedIn,
    now: i64,
) -> Result<Step> {
    let session = &current.session;
    let view = sessions::view(state, session).await?;
    if let Some(step) = second_factor(request, client, &view) {
        return authorize::carry_out(state, request, step, Some(session), now).await;
    }
    let store = state.store();
    let previous = store
        .find_consent(&session.user_id, &client.id)
        .await?
        .unwrap_or_default();
    let approved = previous.union(client, &request.scope, &request.resources);
    store
        .save_consent(&session.user_id, &client.id, &approved, now)
        .await?;
    state.audit().record(
        AuditEvent::success(EventType::ConsentGranted)
            .user(&session.user_id)
            .client(&client.id)
            .detail("scope", request.scope.to_string()),
    );
    let redirect = authorize::issue_code(state, request, session, now).await?;
    Ok(Step::Redirect(redirect))
}

/// The user denied the request: `access_denied` goes back to the client.
pub async fn deny(state: &AppState, request: &AuthorizationRequest, now: i64) -> Result<Step> {
    let error = OAuthError::new(ErrorCode::AccessDenied, "the user denied the request");
    let redirect = authorize::finish_with_error(state, request, &error, now).await?;
    Ok(Step::Redirect(redirect))
}

/// Who asks, as the consent page presents a client from outside the configuration: its
/// name and logo are its own claims, so the page shows what was checked beside them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Asker {
    /// A metadata-document client: the host of its client_id URL, which served the document.
    pub client_host: Option<String>,
    /// A client that registered itself (RFC 7591): nobody vouched for its name.
    pub self_registered: bool,
    /// A metadata-document client's `logo_uri` (https only).
    pub logo_uri: Option<String>,
    /// Where the answer goes: the redirect URI's host (or private-use scheme).
    pub redirect_host: Option<String>,
}

/// How the consent page presents `client`, which will be sent back to `redirect_uri`.
/// Nothing for a configured client: the operator vouched for it.
pub fn asker(state: &AppState, client: &Client, redirect_uri: &str, now: i64) -> Asker {
    let host_of = |uri: &str| {
        url::Url::parse(uri).ok().map(|url| match url.host_str() {
            Some(host) if !host.is_empty() => host.to_string(),
            _ => url.scheme().to_string(),
        })
    };
    match client.origin {
        ClientOrigin::Config => Asker::default(),
        ClientOrigin::Registered => Asker {
            self_registered: true,
            redirect_host: host_of(redirect_uri),
            ..Asker::default()
        },
        ClientOrigin::MetadataDocument => Asker {
            client_host: host_of(&client.id),
            logo_uri: super::metadata_document::logo_uri(state, client, now),
            redirect_host: host_of(redirect_uri),
            ..Asker::default()
        },
    }
}
