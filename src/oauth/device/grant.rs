//! RFC 8628 §3.4: a device's poll of the token endpoint, as the client sent it.
use std::fmt;

use crate::oauth::error::OAuthError;
use crate::oauth::params::Params;

/// `grant_type=urn:ietf:params:oauth:grant-type:device_code` as the client sent it.
pub struct DeviceCodeGrant {
    pub device_code: String,
    /// The API the access token is for: one the device authorization request named.
    pub resource: Option<String>,
}

// The device code is a bearer secret: never in Debug output.
impl fmt::Debug for DeviceCodeGrant {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DeviceCodeGrant")
            .field("resource", &self.resource)
            .finish_non_exhaustive()
    }
}

/// The poll's parameters (`resource` already read and checked by the token request).
pub fn parse(params: &Params, resource: Option<String>) -> Result<DeviceCodeGrant, OAuthError> {
    let device_code = params
        .get("device_code")
        .ok_or_else(|| OAuthError::invalid_request("device_code is required"))?;
    Ok(DeviceCodeGrant {
        device_code: device_code.to_string(),
        resource,
    })
}
