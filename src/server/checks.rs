//! Start-up warnings about settings that are fine for a laptop and wrong in production, and
//! the pid file `tessera reload` reads.
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

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

/// Writes the process id for `tessera reload`. A failure only costs that command (SIGHUP
/// still works), so it is logged, not fatal.
pub fn write_pid_file(path: &Path) -> Option<PathBuf> {
    let written = path
        .parent()
        .filter(|dir| !dir.as_os_str().is_empty())
        .map_or(Ok(()), std::fs::create_dir_all)
        .and_then(|()| std::fs::write(path, format!("{}\n", std::process::id())));
    match written {
        Ok(()) => Some(path.to_path_buf()),
        Err(e) => {
            tracing::warn!(file = %path.display(), error = %e, "cannot write the pid file; `tessera reload` will not find this server (SIGHUP still reloads)");
            None
        }
    }
}
