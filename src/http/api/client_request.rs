//! The common start of the token, revocation and introspection endpoints, as one extractor:
//! a form body (RFC 6749 §3.2) with no repeated parameter, the `Authorization` header, any
//! `DPoP` header and the client's address, handed as they are to the endpoint's service. And
//! the `DPoP-Nonce` every answer to a request with a proof carries (RFC 9449 §8).
use axum::body::Bytes;
use axum::extract::{FromRef, FromRequest, Request};
use axum::http::{HeaderMap, HeaderName, HeaderValue, header};
use axum::response::{IntoResponse, Response};

use crate::http::client_ip::ClientIp;
use crate::http::form::{api_form, is_form_content_type};
use crate::oauth::dpop::PresentedProof;
use crate::service::client_request::ClientRequest;
use crate::service::dpop;
use crate::state::AppState;

/// The request header of a DPoP proof (RFC 9449 §4.1) and the answer's nonce (§8.1).
pub const DPOP: HeaderName = HeaderName::from_static("dpop");
pub const DPOP_NONCE: HeaderName = HeaderName::from_static("dpop-nonce");

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
        let dpop = dpop_proof(&parts.headers);
        let body = Bytes::from_request(Request::from_parts(parts, body), state)
            .await
            .map_err(IntoResponse::into_response)?;
        let params = api_form(form_encoded, &body).map_err(IntoResponse::into_response)?;
        Ok(Self(ClientRequest {
            params,
            authorization,
            ip,
            dpop,
        }))
    }
}

/// The `DPoP` header field(s) as sent (RFC 9449 §4.1).
pub fn dpop_proof(headers: &HeaderMap) -> PresentedProof {
    PresentedProof::from_header_values(headers.get_all(DPOP).iter().map(HeaderValue::as_bytes))
}

/// The answer to a request that carried a DPoP proof (`proof_sent`) carries the current nonce
/// (RFC 9449 §8.2), success or error, required or not, so a client always has one at hand.
pub fn with_dpop_nonce(state: &AppState, proof_sent: bool, mut response: Response) -> Response {
    if proof_sent {
        let nonce = dpop::current_nonce(state, state.now());
        if let Ok(value) = HeaderValue::from_str(&nonce) {
            response.headers_mut().insert(DPOP_NONCE, value);
        }
    }
    response
}
