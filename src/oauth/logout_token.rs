//! OpenID Connect Back-Channel Logout 1.0 §2.4: the claims of a logout token. It is signed
//! like an ID token, with `typ: logout+jwt` (§2.4, RFC 8725 §3.11) so it can never pass as one.
use serde::Serialize;
use serde_json::{Map, Value};

/// The one member of `events` that makes a JWT a logout token (§2.4).
pub const BACKCHANNEL_LOGOUT_EVENT: &str = "http://schemas.openid.net/event/backchannel-logout";

/// Seconds a logout token is valid. It is signed at each attempt, so a retry hours later
/// still carries a fresh one; a short life keeps a captured token from being replayed later.
pub const LOGOUT_TOKEN_TTL: i64 = 120;

/// Whom a logout is about and whom it is for.
#[derive(Debug, Clone, Copy)]
pub struct LogoutSubject<'a> {
    pub issuer: &'a str,
    pub client_id: &'a str,
    pub sub: &'a str,
    /// The `sid` the app received in its ID tokens.
    pub sid: &'a str,
    /// The app registered `backchannel_logout_session_required` (the `sid` must be sent).
    pub session_required: bool,
    /// The same on every attempt of one delivery, so an app may recognise a repeat.
    pub jti: &'a str,
}

/// §2.4 claims. `sub` is always sent (Tessera's subjects are public); `sid` when the app
/// asked for it. Never a `nonce` (§2.4: its presence would let a logout token pass as an ID
/// token in a careless app).
#[derive(Debug, Clone, Serialize)]
pub struct LogoutTokenClaims<'a> {
    pub iss: &'a str,
    pub aud: &'a str,
    pub iat: i64,
    pub exp: i64,
    pub jti: &'a str,
    pub sub: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sid: Option<&'a str>,
    pub events: Map<String, Value>,
}

pub fn logout_token_claims<'a>(subject: &LogoutSubject<'a>, now: i64) -> LogoutTokenClaims<'a> {
    let mut events = Map::new();
    events.insert(BACKCHANNEL_LOGOUT_EVENT.into(), Value::Object(Map::new()));
    LogoutTokenClaims {
        iss: subject.issuer,
        aud: subject.client_id,
        iat: now,
        exp: now + LOGOUT_TOKEN_TTL,
        jti: subject.jti,
        sub: subject.sub,
        sid: subject.session_required.then_some(subject.sid),
        events,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn subject(session_required: bool) -> LogoutSubject<'static> {
        LogoutSubject {
            issuer: "https://id.example",
            client_id: "app",
            sub: "u1",
            sid: "s1",
            session_required,
            jti: "j1",
        }
    }

    #[test]
    fn a_logout_token_has_the_event_a_short_life_and_no_nonce() {
        let claims = serde_json::to_value(logout_token_claims(&subject(true), 100)).unwrap();
        assert_eq!(
            claims,
            json!({
                "iss": "https://id.example", "aud": "app", "iat": 100, "exp": 220, "jti": "j1",
                "sub": "u1", "sid": "s1",
                "events": { BACKCHANNEL_LOGOUT_EVENT: {} },
            })
        );
        assert!(claims.get("nonce").is_none());
    }

    #[test]
    fn the_sid_is_sent_only_to_apps_that_asked_for_it() {
        let claims = serde_json::to_value(logout_token_claims(&subject(false), 100)).unwrap();
        assert!(claims.get("sid").is_none());
        assert_eq!(claims["sub"], "u1");
    }
}
