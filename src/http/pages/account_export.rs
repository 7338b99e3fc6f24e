//! `/account/export`: "download my data", a JSON file of what Tessera holds about the
//! signed-in user (`service::account_export`, which leaves every secret out). Never cached:
//! it is personal data.
use axum::extract::State;
use axum::http::{HeaderValue, header};
use axum::response::IntoResponse;
use axum_extra::extract::cookie::CookieJar;

use super::continuation::{AccountPage, Next};
use super::page_form::signed_in;
use crate::http::error::HttpResult;
use crate::http::respond::no_store_json;
use crate::service::account_export;
use crate::state::AppState;

const HERE: Next<'static> = Next::Account(AccountPage::Export);

/// The file's name as the browser saves it.
const ATTACHMENT: &str = "attachment; filename=\"tessera-account.json\"";

pub async fn export(State(state): State<AppState>, jar: CookieJar) -> HttpResult {
    let current = signed_in(&state, &jar, &HERE).await?;
    let export = account_export::export(&state, &current, state.now()).await?;
    let mut response = no_store_json(&export);
    response.headers_mut().insert(
        header::CONTENT_DISPOSITION,
        HeaderValue::from_static(ATTACHMENT),
    );
    Ok(response.into_response())
}
