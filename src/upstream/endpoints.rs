//! Where an upstream's browser and back-channel requests go, once known (configured for
//! GitHub, discovered for OpenID providers), each checked against the transport rule.
use super::http_client::{GuardedHttp, origin};

pub struct Endpoints {
    /// Where the browser is sent to sign in.
    pub authorization: url::Url,
    /// Where the code is exchanged.
    pub token: url::Url,
}

/// A discovered endpoint must be https (or loopback http for a loopback upstream): a
/// document served over TLS must not send codes and tokens anywhere in the clear.
pub fn check(http: &GuardedHttp, name: &str, url: &url::Url) -> Result<(), String> {
    if http.permits(url) {
        Ok(())
    } else {
        Err(format!(
            "{name} {} is not https (plain http only on loopback, for a loopback upstream)",
            origin(url)
        ))
    }
}
