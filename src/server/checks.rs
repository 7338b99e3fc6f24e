//! Start-up warnings about settings that are fine for a laptop and wrong in production.
use std::net::SocketAddr;

use crate::config::Config;

/// The secret of the demo client in the committed `config.toml` (documented in the README).
pub const DEMO_CLIENT_SECRET: &str = "tessera-demo-secret";

pub fn warn_about_unsafe_settings(config: &Config, addr: SocketAddr) {
    if !config.secure_cookies() && !config.issuer_is_loopback_http() {
        tracing::warn!(
            issuer = %config.issuer,
            "the issuer is plain http on a non-loopback host (allow_insecure_http): session cookies cannot be Secure; use an https issuer"
        );
    } else if !config.secure_cookies() && !addr.ip().is_loopback() {
        tracing::warn!(
            issuer = %config.issuer,
            "the issuer is plain http but Tessera listens beyond loopback: use an https issuer in production"
        );
    }
    if config.client_id_metadata_allow_loopback {
        tracing::warn!(
            "client_id_metadata_allow_loopback is on: client metadata documents and the keys of clients not in config.toml may be fetched from loopback, over plain http; a test setting, never for production"
        );
    }
    if addr.ip().is_loopback() {
        return;
    }
    for client in &config.clients {
        let demo = client.client_secret_hash.as_deref().is_some_and(|hash| {
            crate::auth::password::verify_blocking(DEMO_CLIENT_SECRET.as_bytes(), hash)
        });
        if demo {
            tracing::warn!(
                client_id = %client.client_id,
                "this client uses the published demo secret: replace it (tessera client hash-secret --generate)"
            );
        }
    }
}
