//! Tells the audit trail where each request came from: the client's address (as the rate
//! limits see it, through trusted proxies) and its user agent, set as the task's origin for
//! everything the request does (`audit::origin`). The address is kept in the request's
//! extensions, so it is worked out once per request.
use axum::extract::{Request, State};
use axum::http::header::USER_AGENT;
use axum::middleware::Next;
use axum::response::Response;

use super::client_ip::ClientIp;
use crate::audit::origin::{self, Origin};
use crate::state::AppState;

pub async fn audit_origin(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let (mut parts, body) = request.into_parts();
    let client = ClientIp::of(&parts, state.trusted_proxies());
    // The rate limit and the handlers read it from here instead of working it out again.
    parts.extensions.insert(client);
    let ClientIp(address) = client;
    let user_agent = parts
        .headers
        .get(USER_AGENT)
        .and_then(|agent| agent.to_str().ok());
    let origin = Origin::request(address, user_agent);
    let request = Request::from_parts(parts, body);
    origin::within(origin, next.run(request)).await
}
