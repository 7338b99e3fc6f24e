//! OpenID Connect RP-Initiated Logout 1.0: which client asked, and whether the user must
//! confirm. An `id_token_hint` identifies the client even when expired, but only an
//! unexpired hint for the very session in this browser may end it without asking.
use serde_json::{Map, Value};

/// What a verified `id_token_hint` says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogoutHint {
    pub client_id: String,
    pub sid: Option<String>,
    pub expires_at: i64,
}

impl LogoutHint {
    /// From the claims of an ID token whose signature and issuer were already checked.
    pub fn from_claims(claims: &Map<String, Value>) -> Option<Self> {
        let client_id = match claims.get("aud")? {
            Value::String(aud) => aud.clone(),
            Value::Array(auds) => auds.first()?.as_str()?.to_string(),
            _ => return None,
        };
        Some(Self {
            client_id,
            sid: claims
                .get("sid")
                .and_then(Value::as_str)
                .map(str::to_string),
            expires_at: claims.get("exp").and_then(Value::as_i64)?,
        })
    }
}

/// The client a logout request is from: the hint's audience, or `client_id`; both must agree.
pub fn requesting_client<'a>(
    hint: Option<&'a LogoutHint>,
    client_id: Option<&'a str>,
) -> Result<Option<&'a str>, &'static str> {
    match (hint, client_id) {
        (Some(hint), Some(id)) if hint.client_id != id => {
            Err("client_id does not match the id_token_hint")
        }
        (Some(hint), _) => Ok(Some(hint.client_id.as_str())),
        (None, id) => Ok(id),
    }
}

#[derive(Debug, PartialEq, Eq)]
pub enum LogoutStep {
    /// Ask the user before ending their session.
    Confirm,
    /// End the session now.
    SignOut,
    /// There is no session: just report that the user is signed out.
    AlreadySignedOut,
}

pub fn decide_logout(
    hint: Option<&LogoutHint>,
    session_sid: Option<&str>,
    confirmed: bool,
    now: i64,
) -> LogoutStep {
    let Some(session_sid) = session_sid else {
        return LogoutStep::AlreadySignedOut;
    };
    let hint_is_for_this_session =
        hint.is_some_and(|h| now < h.expires_at && h.sid.as_deref() == Some(session_sid));
    if confirmed || hint_is_for_this_session {
        LogoutStep::SignOut
    } else {
        LogoutStep::Confirm
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hint(expires_at: i64) -> LogoutHint {
        LogoutHint {
            client_id: "app".into(),
            sid: Some("s1".into()),
            expires_at,
        }
    }

    #[test]
    fn only_a_live_hint_for_this_session_skips_confirmation() {
        assert_eq!(
            decide_logout(Some(&hint(200)), Some("s1"), false, 100),
            LogoutStep::SignOut
        );
        assert_eq!(
            decide_logout(Some(&hint(100)), Some("s1"), false, 100),
            LogoutStep::Confirm,
            "expired hint"
        );
        assert_eq!(
            decide_logout(Some(&hint(200)), Some("s2"), false, 100),
            LogoutStep::Confirm,
            "other session"
        );
        assert_eq!(
            decide_logout(None, Some("s1"), false, 100),
            LogoutStep::Confirm
        );
        assert_eq!(
            decide_logout(None, Some("s1"), true, 100),
            LogoutStep::SignOut
        );
        assert_eq!(
            decide_logout(None, None, false, 100),
            LogoutStep::AlreadySignedOut
        );
    }

    #[test]
    fn hint_and_client_id_must_agree() {
        let h = hint(1);
        assert_eq!(requesting_client(Some(&h), None), Ok(Some("app")));
        assert_eq!(requesting_client(Some(&h), Some("app")), Ok(Some("app")));
        assert!(requesting_client(Some(&h), Some("other")).is_err());
        assert_eq!(requesting_client(None, Some("x")), Ok(Some("x")));
    }
}
