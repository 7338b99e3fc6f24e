//! The refresh_token grant (RFC 6749 §6) with rotation and reuse detection (RFC 9700 §4.14.2):
//! every use replaces the token; presenting a replaced token means it was copied, so the whole
//! family is revoked, except within a short grace window for confidential clients whose two
//! refreshes raced. Within that window a fapi2 client's retry succeeds (FAPI 2.0 §5.3.2.1
//! Note 2: a client that never received the new token may retry with the previous one).
use super::amr::Amr;
use super::client::Client;
use super::error::{ErrorCode, OAuthError};
use super::profile::retries_rotated_refresh;
use super::resource::ResourceIds;
use super::scope::Scopes;

/// A stored refresh token.
#[derive(Debug, Clone)]
pub struct RefreshTokenRecord {
    pub family_id: String,
    pub client_id: String,
    pub user_id: String,
    pub session_id_hash: String,
    pub scope: Scopes,
    /// The APIs the grant covers: a refresh may ask a token for any one of them.
    pub resources: ResourceIds,
    pub auth_time: i64,
    pub amr: Amr,
    pub created_at: i64,
    pub idle_expires_at: i64,
    pub expires_at: i64,
    pub replaced_at: Option<i64>,
    pub revoked_at: Option<i64>,
    /// The DPoP key it is bound to: a public client's, issued with a proof (RFC 9449 §5).
    pub dpop_jkt: Option<String>,
}

impl RefreshTokenRecord {
    /// Usable right now (RFC 7662 `active`).
    pub fn is_active(&self, now: i64) -> bool {
        self.replaced_at.is_none()
            && self.revoked_at.is_none()
            && now < self.expires_at
            && now < self.idle_expires_at
    }
}

/// What to do with a presented refresh token.
#[derive(Debug, PartialEq, Eq)]
pub enum RefreshDecision {
    /// Rotate it; the new access token carries `scope`.
    Rotate { scope: Scopes },
    /// A fapi2 client retried with the token replaced moments ago (its answer was lost):
    /// rotate again from it, ending the replacement it never received.
    RotateAgain { scope: Scopes },
    /// Refuse; change nothing.
    Reject(OAuthError),
    /// A replaced token came back: revoke the family, then refuse.
    RevokeFamily,
}

/// Seconds a replaced token may come back without revoking its family.
pub fn grace_period(client: &Client, configured: i64) -> i64 {
    if client.is_public() { 0 } else { configured }
}

pub fn check_refresh(
    record: &RefreshTokenRecord,
    client: &Client,
    requested_scope: Option<&str>,
    grace_period: i64,
    now: i64,
) -> RefreshDecision {
    if record.client_id != client.id {
        return RefreshDecision::Reject(OAuthError::invalid_grant(
            "the refresh token was issued to another client",
        ));
    }
    if record.revoked_at.is_some() {
        return RefreshDecision::Reject(OAuthError::invalid_grant(
            "the refresh token has been revoked",
        ));
    }
    let retry = match record.replaced_at {
        None => false,
        Some(replaced_at) if now - replaced_at >= grace_period => {
            return RefreshDecision::RevokeFamily;
        }
        Some(_) if retries_rotated_refresh(client) => true,
        Some(_) => {
            return RefreshDecision::Reject(OAuthError::invalid_grant(
                "the refresh token was just rotated; use the newest one",
            ));
        }
    };
    if now >= record.expires_at || now >= record.idle_expires_at {
        return RefreshDecision::Reject(OAuthError::invalid_grant("the refresh token has expired"));
    }
    let granted = &record.scope;
    let scope = match requested_scope {
        None => granted.clone(),
        Some(text) => match Scopes::parse(text) {
            Some(requested) if requested.is_subset_of(granted) => requested,
            _ => {
                return RefreshDecision::Reject(OAuthError::new(
                    ErrorCode::InvalidScope,
                    "the requested scope exceeds what was granted",
                ));
            }
        },
    };
    match retry {
        true => RefreshDecision::RotateAgain { scope },
        false => RefreshDecision::Rotate { scope },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::oauth::client::AuthMethod;

    fn client(id: &str, method: AuthMethod) -> Client {
        Client::new(id, method)
    }

    fn record() -> RefreshTokenRecord {
        RefreshTokenRecord {
            resources: ResourceIds::default(),
            family_id: "f".into(),
            client_id: "app".into(),
            user_id: "u".into(),
            session_id_hash: "s".into(),
            scope: Scopes::parse("openid email offline_access").unwrap(),
            auth_time: 0,
            amr: Amr::password(),
            created_at: 0,
            idle_expires_at: 1000,
            expires_at: 2000,
            replaced_at: None,
            revoked_at: None,
            dpop_jkt: None,
        }
    }

    #[test]
    fn rotation_keeps_or_narrows_scope_never_widens() {
        let app = client("app", AuthMethod::ClientSecretBasic);
        assert!(
            matches!(check_refresh(&record(), &app, None, 5, 10), RefreshDecision::Rotate { scope } if scope.to_string() == "openid email offline_access")
        );
        assert!(
            matches!(check_refresh(&record(), &app, Some("openid"), 5, 10), RefreshDecision::Rotate { scope } if scope.to_string() == "openid")
        );
        assert!(
            matches!(check_refresh(&record(), &app, Some("openid profile"), 5, 10), RefreshDecision::Reject(e) if e.code == ErrorCode::InvalidScope)
        );
    }

    #[test]
    fn refresh_token_reuse_revokes_the_family_outside_the_grace_window() {
        let app = client("app", AuthMethod::ClientSecretBasic);
        let mut replaced = record();
        replaced.replaced_at = Some(100);
        assert!(matches!(
            check_refresh(&replaced, &app, None, 5, 104),
            RefreshDecision::Reject(_)
        ));
        assert_eq!(
            check_refresh(&replaced, &app, None, 5, 105),
            RefreshDecision::RevokeFamily
        );
        let public = client("app", AuthMethod::None);
        assert_eq!(
            check_refresh(&replaced, &public, None, grace_period(&public, 5), 100),
            RefreshDecision::RevokeFamily
        );
    }

    #[test]
    fn a_fapi2_client_may_retry_with_the_token_just_replaced_but_only_within_the_window() {
        let mut bank = client("app", AuthMethod::PrivateKeyJwt);
        bank.profile = crate::oauth::profile::Profile::Fapi2;
        let mut replaced = record();
        replaced.replaced_at = Some(100);
        assert!(matches!(
            check_refresh(&replaced, &bank, None, 5, 104),
            RefreshDecision::RotateAgain { .. }
        ));
        assert_eq!(
            check_refresh(&replaced, &bank, None, 5, 105),
            RefreshDecision::RevokeFamily
        );
        replaced.revoked_at = Some(101);
        assert!(matches!(
            check_refresh(&replaced, &bank, None, 5, 102),
            RefreshDecision::Reject(_)
        ));
    }

    #[test]
    fn other_client_revoked_and_expired_tokens_are_refused() {
        let other = client("other", AuthMethod::ClientSecretBasic);
        assert!(matches!(
            check_refresh(&record(), &other, None, 5, 10),
            RefreshDecision::Reject(_)
        ));
        let app = client("app", AuthMethod::ClientSecretBasic);
        let mut revoked = record();
        revoked.revoked_at = Some(5);
        assert!(matches!(
            check_refresh(&revoked, &app, None, 5, 10),
            RefreshDecision::Reject(_)
        ));
        assert!(matches!(
            check_refresh(&record(), &app, None, 5, 1000),
            RefreshDecision::Reject(_)
        ));
        assert!(!record().is_active(1000));
        assert!(record().is_active(999));
    }
}
