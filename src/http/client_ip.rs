//! The `ClientIp` extractor: the socket peer, or the address a trusted proxy forwarded.
use std::net::{IpAddr, Ipv4Addr, SocketAddr};

use axum::extract::{ConnectInfo, FromRef, FromRequestParts};
use axum::http::request::Parts;

use crate::auth::client_ip::client_ip;
use crate::state::AppState;

#[derive(Debug, Clone, Copy)]
pub struct ClientIp(pub IpAddr);

impl ClientIp {
    /// The client of a request whose `X-Forwarded-For` is believed only from `trusted` peers.
    /// Worked out once per request: the outermost middleware (`audit_origin`) keeps it in the
    /// request's extensions, and the rate limit and the handlers read it from there.
    pub fn of(parts: &Parts, trusted: &[ipnet::IpNet]) -> Self {
        if let Some(known) = parts.extensions.get::<ClientIp>() {
            return *known;
        }
        // Without connection info (an in-process test router) there is no peer to name.
        let peer = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED), |ConnectInfo(addr)| {
                addr.ip()
            });
        // Every line, in order: a proxy may append a line of its own (RFC 9110 §5.3).
        let forwarded: Vec<Option<&str>> = parts
            .headers
            .get_all("x-forwarded-for")
            .iter()
            .map(|line| line.to_str().ok())
            .collect();
        Self(client_ip(peer, &forwarded, trusted))
    }
}

impl<S: Send + Sync> FromRequestParts<S> for ClientIp
where
    AppState: FromRef<S>,
{
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let state = AppState::from_ref(state);
        Ok(Self::of(parts, state.trusted_proxies()))
    }
}
