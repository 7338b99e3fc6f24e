//! The admin API (docs/admin-api.md): JSON under `/admin/api/v1/`, described by the OpenAPI
//! 3.1 document at `/admin/api/openapi.json`. Each route is registered with its description
//! (`OpenApiRouter`, `routes!`), so the router and the document come from the same place.
//! Every handler calls one `service::admin` use case, the same the CLI calls. Callers are
//! clients with their own token for `urn:tessera:admin` (`auth.rs`); every error is an RFC
//! 9457 problem document (`problem.rs`, `refusal.rs`). Bodies are limited to 64 KiB.
use std::sync::LazyLock;

use axum::Router;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use tower_http::set_header::SetResponseHeaderLayer;
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::audit_origin::audit_origin;
use super::middleware::with_common_middleware;
use crate::routes::{ADMIN_API, ADMIN_OPENAPI};
use crate::state::{AppState, SharedState};

mod audit_events;
mod auth;
mod extract;
mod keys;
mod openapi;
pub mod problem;
mod refusal;
mod registry;
mod user_devices;
mod users;

/// The largest request body the admin API reads.
pub const MAX_BODY: usize = 64 * 1024;

/// Every route of `/admin/api/v1`, described.
fn v1() -> OpenApiRouter<SharedState> {
    use user_devices as devices;
    OpenApiRouter::new()
        .routes(routes!(users::list_users, users::create_user))
        .routes(routes!(
            users::get_user,
            users::change_user,
            users::delete_user
        ))
        .routes(routes!(users::disable_user))
        .routes(routes!(users::enable_user))
        .routes(routes!(users::reset_second_factors))
        .routes(routes!(users::send_password_reset))
        .routes(routes!(users::send_verification))
        .routes(routes!(users::revoke_refresh_tokens))
        .routes(routes!(devices::list_sessions, devices::end_all_sessions))
        .routes(routes!(devices::end_session))
        .routes(routes!(devices::list_consents))
        .routes(routes!(devices::withdraw_consent))
        .routes(routes!(devices::list_identities))
        .routes(routes!(devices::unlink_identity))
        .routes(routes!(devices::list_passkeys))
        .routes(routes!(devices::remove_passkey))
        .routes(routes!(registry::list_clients))
        .routes(routes!(registry::get_client))
        .routes(routes!(registry::revoke_client_refresh_tokens))
        .routes(routes!(registry::list_resources))
        .routes(routes!(keys::list_keys))
        .routes(routes!(keys::rotate_keys))
        .routes(routes!(keys::retire_key))
        .routes(routes!(audit_events::list_audit_events))
}

/// The whole admin API under `/admin/api`, `v1` as given (with or without its guard).
fn described(v1: OpenApiRouter<SharedState>) -> OpenApiRouter<SharedState> {
    let admin = OpenApiRouter::new()
        .routes(routes!(openapi_json))
        .nest("/v1", v1)
        .fallback(not_found);
    OpenApiRouter::with_openapi(openapi::AdminApiDoc::openapi()).nest(ADMIN_API, admin)
}

/// The OpenAPI document, made once.
pub fn document() -> &'static str {
    static DOCUMENT: LazyLock<String> = LazyLock::new(|| {
        let (_, mut api) = described(v1()).split_for_parts();
        openapi::finish(&mut api);
        api.to_pretty_json().unwrap_or_default()
    });
    &DOCUMENT
}

/// The admin API's routes with their own middleware: the common layers with a 64 KiB body
/// limit, the audit origin, the token check on `v1`, and problem documents for every error.
pub fn api(state: &AppState) -> Router<SharedState> {
    let guard = axum::middleware::from_fn_with_state(state.shared(), auth::require_admin);
    let (router, _) = described(v1().route_layer(guard)).split_for_parts();
    let router = router.layer(axum::middleware::from_fn_with_state(
        state.shared(),
        audit_origin,
    ));
    with_common_middleware(router, state.config(), MAX_BODY)
        .layer(axum::middleware::map_response(refusal::problem_everywhere))
        // Answers hold users' data: no cache keeps them.
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CACHE_CONTROL,
            HeaderValue::from_static("no-store"),
        ))
}

/// This OpenAPI document.
#[utoipa::path(get, path = "/openapi.json", tag = "meta",
    responses((status = 200, description = "This OpenAPI 3.1 document", body = Object,
        content_type = "application/json")))]
async fn openapi_json() -> Response {
    ([(header::CONTENT_TYPE, "application/json")], document()).into_response()
}

/// Every problem type the API answers (`urn:tessera:problem:<slug>`), for the docs' test.
pub fn problem_types() -> Vec<String> {
    problem::Kind::ALL.iter().map(|kind| kind.uri()).collect()
}

/// Anything else under `/admin/api/`, and everything on `admin_listen` outside it.
pub async fn not_found() -> problem::Problem {
    problem::Problem::new(
        problem::Kind::NotFound,
        format!("no such resource in the admin API (its description is {ADMIN_OPENAPI})"),
    )
}
