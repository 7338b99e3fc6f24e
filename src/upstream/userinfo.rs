//! OIDC Core §5.3: the userinfo endpoint, asked only when the ID token has no e-mail, and
//! believed only for the same subject (§5.3.2: a different `sub` must not be used).
use serde::Deserialize;

use super::error::UpstreamError;
use super::http_client::{GuardedHttp, json_body, origin};

#[derive(Debug, Clone, Default, Deserialize)]
pub struct UserInfo {
    sub: String,
    pub email: Option<String>,
    /// A boolean only: a string "true" is not a verified address.
    #[serde(default, deserialize_with = "lenient_bool")]
    pub email_verified: Option<bool>,
    pub name: Option<String>,
    pub preferred_username: Option<String>,
}

/// The claims for `subject`, `None` when the endpoint says nothing usable about them (another
/// subject, a signed JWT answer Tessera does not read).
pub async fn fetch(
    http: &GuardedHttp,
    url: &url::Url,
    access_token: &str,
    subject: &str,
) -> Result<Option<UserInfo>, UpstreamError> {
    let at = origin(url);
    let response = http
        .get_json(url, Some(access_token), &[])
        .await
        .map_err(|e| UpstreamError::Unavailable(format!("userinfo: {e}")))?;
    let status = response.status();
    if status.is_server_error() {
        return Err(UpstreamError::Unavailable(format!(
            "userinfo {at}: HTTP {}",
            status.as_u16()
        )));
    }
    if !status.is_success() {
        return Err(UpstreamError::Refused(format!(
            "userinfo {at}: HTTP {}",
            status.as_u16()
        )));
    }
    let info: UserInfo = match json_body(&response) {
        Ok(info) => info,
        Err(why) => {
            tracing::warn!(endpoint = %at, error = %why, "userinfo answer not used");
            return Ok(None);
        }
    };
    if info.sub != subject {
        tracing::warn!(endpoint = %at, "userinfo is about another subject: not used");
        return Ok(None);
    }
    Ok(Some(info))
}

/// `email_verified` as a JSON boolean; anything else counts as not said.
fn lenient_bool<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<bool>, D::Error> {
    Ok(match serde_json::Value::deserialize(d)? {
        serde_json::Value::Bool(b) => Some(b),
        _ => None,
    })
}
