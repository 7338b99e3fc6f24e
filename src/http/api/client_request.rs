//! The common start of the token, revocation and introspection endpoints: a form body
//! (RFC 6749 §3.2) with no repeated parameter, the `Authorization` header and the client's
//! address, handed as they are to the endpoint's service.
use std::net::IpAddr;

use axum::http::{HeaderMap, HeaderValue, header};

use crate::http::error::HttpError;
use crate::http::form::api_form;
use crate::service::client_request::ClientRequest;

pub fn client_request<'h>(
    headers: &'h HeaderMap,
    body: &[u8],
    ip: IpAddr,
) -> Result<ClientRequest<'h>, HttpError> {
    Ok(ClientRequest {
        params: api_form(headers, body)?,
        authorization: headers
            .get(header::AUTHORIZATION)
            .map(HeaderValue::as_bytes),
        ip,
    })
}
