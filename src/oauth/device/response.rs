//! RFC 8628 §3.2: the device authorization response, and the addresses it names.
use serde::Serialize;

use super::user_code::UserCode;
use crate::routes;

/// What `POST /device_authorization` answers with.
#[derive(Serialize)]
pub struct DeviceAuthorizationResponse {
    pub device_code: String,
    pub user_code: String,
    pub verification_uri: String,
    pub verification_uri_complete: String,
    pub expires_in: i64,
    pub interval: i64,
}

impl DeviceAuthorizationResponse {
    pub fn new(
        issuer: &str,
        device_code: String,
        user_code: &UserCode,
        expires_in: i64,
        interval: i64,
    ) -> Self {
        let verification_uri = verification_uri(issuer);
        let verification_uri_complete =
            format!("{verification_uri}?user_code={}", user_code.display());
        Self {
            device_code,
            user_code: user_code.display(),
            verification_uri,
            verification_uri_complete,
            expires_in,
            interval,
        }
    }
}

/// `{issuer}/device`: where the user goes to type the code.
pub fn verification_uri(issuer: &str) -> String {
    format!("{}{}", issuer.trim_end_matches('/'), routes::DEVICE)
}

// The device code is a bearer secret, the user code one for its lifetime.
impl std::fmt::Debug for DeviceAuthorizationResponse {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DeviceAuthorizationResponse")
            .field("verification_uri", &self.verification_uri)
            .field("expires_in", &self.expires_in)
            .field("interval", &self.interval)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_complete_uri_carries_the_code_as_shown() {
        let code = UserCode::parse("BCDFGHJK").unwrap();
        let response =
            DeviceAuthorizationResponse::new("https://id.example/", "d".into(), &code, 600, 5);
        assert_eq!(response.verification_uri, "https://id.example/device");
        assert_eq!(
            response.verification_uri_complete,
            "https://id.example/device?user_code=BCDF-GHJK"
        );
        assert!(!format!("{response:?}").contains("BCDF"));
    }
}
