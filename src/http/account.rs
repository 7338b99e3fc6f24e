//! The account page: where the user is signed in and which apps they allowed, with a way to
//! end any session or withdraw an app's access (which also revokes its refresh tokens).
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum_extra::extract::cookie::CookieJar;

use super::AppError;
use super::browser::{csrf_ok, csrf_token, current_session, see_other};
use super::form::page_form;
use super::pages::{
    AccountPage, ConsentItem, SessionItem, ago, describe_scope, error_page, render,
};
use crate::auth::{csrf, session};
use crate::oauth::params::Params;
use crate::routes;
use crate::state::AppState;
use crate::store::sessions::SessionRow;

pub async fn account_page(State(state): State<AppState>, jar: CookieJar) -> Response {
    let result: Result<Response, AppError> = async {
        let Some(current) = current_session(&state, &jar).await? else {
            return Ok(see_other(routes::LOGIN));
        };
        let store = state.store();
        let Some(user) = store.find_user(&current.user_id).await? else {
            return Ok(see_other(routes::LOGIN));
        };
        let now = state.now();
        let sessions = store
            .list_user_sessions(&user.id, now)
            .await?
            .into_iter()
            .map(|s| SessionItem {
                handle: session::public_id(&s.id_hash),
                signed_in: ago(now, s.auth_time),
                last_active: ago(now, s.last_seen_at),
                current: s.id_hash == current.id_hash,
            })
            .collect();
        let consents = store
            .list_consents(&user.id)
            .await?
            .into_iter()
            .map(|(client_id, scope)| ConsentItem {
                client_name: state
                    .client(&client_id)
                    .map_or_else(|| client_id.clone(), |c| c.name.clone()),
                scopes: scope
                    .split(' ')
                    .filter_map(describe_scope)
                    .collect::<Vec<_>>()
                    .join("; "),
                client_id,
            })
            .collect();
        let (jar, csrf_token) = csrf_token(jar, state.secure_cookies());
        let page = AccountPage {
            email: user.email,
            sessions,
            consents,
            csrf_token,
        };
        Ok((jar, render(StatusCode::OK, page, None)).into_response())
    }
    .await;
    result.unwrap_or_else(IntoResponse::into_response)
}

/// What every account form needs: a form body, its CSRF token, and a signed-in session.
pub(super) async fn signed_in_form(
    state: &AppState,
    jar: &CookieJar,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<Result<(SessionRow, Params), Response>, AppError> {
    let form = match page_form(headers, body) {
        Ok(form) => form,
        Err(response) => return Ok(Err(response)),
    };
    if !csrf_ok(jar, state.secure_cookies(), form.get(csrf::FIELD)) {
        return Ok(Err(error_page(
            StatusCode::FORBIDDEN,
            "Form expired",
            "This form has expired. Reload the page and try again.",
        )));
    }
    match current_session(state, jar).await? {
        Some(session) => Ok(Ok((session, form))),
        None => Ok(Err(see_other(routes::LOGIN))),
    }
}

pub async fn end_session(
    State(state): State<AppState>,
    jar: CookieJar,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let result: Result<Response, AppError> = async {
        let (current, form) = match signed_in_form(&state, &jar, &headers, &body).await? {
            Ok(ok) => ok,
            Err(response) => return Ok(response),
        };
        let store = state.store();
        let handle = form.get("session").unwrap_or_default();
        let target = store
            .list_user_sessions(&current.user_id, state.now())
            .await?
            .into_iter()
            .find(|s| session::public_id(&s.id_hash) == handle);
        if let Some(target) = target {
            end_browser_session(&state, &target.id_hash, None).await?;
            if target.id_hash == current.id_hash {
                let jar = jar.remove(session::removal_cookie(state.secure_cookies()));
                return Ok((jar, see_other(routes::LOGIN)).into_response());
            }
        }
        Ok(see_other(routes::ACCOUNT))
    }
    .await;
    result.unwrap_or_else(IntoResponse::into_response)
}

pub async fn withdraw_consent(
    State(state): State<AppState>,
    jar: CookieJar,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let result: Result<Response, AppError> = async {
        let (current, form) = match signed_in_form(&state, &jar, &headers, &body).await? {
            Ok(ok) => ok,
            Err(response) => return Ok(response),
        };
        let client_id = form.get("client_id").unwrap_or_default();
        let store = state.store();
        store.delete_consent(&current.user_id, client_id).await?;
        let now = state.now();
        for family in store
            .refresh_families_for_client(&current.user_id, client_id)
            .await?
        {
            store.revoke_refresh_family(&family, now).await?;
        }
        tracing::info!(client_id = %client_id, "consent withdrawn");
        Ok(see_other(routes::ACCOUNT))
    }
    .await;
    result.unwrap_or_else(IntoResponse::into_response)
}

/// Ends a browser session and revokes the refresh tokens obtained through it: all of them,
/// or only `client_id`'s (logout through one app must not end other apps' offline access).
pub async fn end_browser_session(
    state: &AppState,
    id_hash: &str,
    client_id: Option<&str>,
) -> Result<(), AppError> {
    let store = state.store();
    store.delete_session(id_hash).await?;
    let now = state.now();
    for family in store
        .refresh_families_for_session(id_hash, client_id)
        .await?
    {
        store.revoke_refresh_family(&family, now).await?;
    }
    Ok(())
}
