//! The common start of the token, revocation and introspection endpoints, as one extractor:
//! a form body (RFC 6749 §3.2) with no repeated parameter, the `Authorization` header and the
//! client's address, handed as they are to the endpoint's service.
use axum::body::Bytes;
use axum::extract::{FromRef, FromRequest, Request};
use axum::http::header;
use axum::response::{IntoResponse, Response};

use crate::http::client_ip::ClientIp;
use crate::http::form::{api_form, is_form_content_type};
use crate::service::client_request::ClientRequest;
use crate::state::AppState;

/// A client's call to one of the JSON endpoints, read once for all three.
pub struct ClientCall(pub ClientRequest);

impl<S> FromRequest<S> for ClientCall
where
    AppState: FromRef<S>,
    S: Send + Sync,
{
    /// A body past the size limit (as axum answers it), or one that is not a form of
    /// distinct parameters (the RFC's `invalid_request`).
    type Rejection = Response;

    async fn from_request(request: Request, state: &S) -> Result<Self, Response> {
        let (parts, body) = request.into_parts();
        let ClientIp(ip) = ClientIp::of(&parts, AppState::from_ref(state).trusted_proxies());
        let form_encoded = is_form_content_type(&parts.headers);
        let authorization = parts
            .headers
            .get(header::AUTHORIZATION)
            .map(|value| value.as_bytes().to_vec());
        let body = Bytes::from_request(Request::from_parts(parts, body), state)
            .await
            .map_err(IntoResponse::into_response)?;
        let params = api_form(form_encoded, &body).map_err(IntoResponse::into_response)?;
        Ok(Self(ClientRequest {
            params,
            authorization,
            ip,
        }))
    }
}
