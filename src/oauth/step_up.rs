//! When a sign-in needs the second factor. A session is judged by the methods it really used
//! (its `amr`), never by what its user could do: a password-only session is stepped up.
//! Demands come from the user (enrolled users always need the code), the client
//! (`require_mfa`) and the request (`acr_values` naming the MFA class, OIDC Core §3.1.2.1).
use super::amr::Amr;
use super::client::Client;
use super::error::{ErrorCode, OAuthError};

/// What a session that lacks the second factor must do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SecondFactorStep {
    /// Enter a code from the enrolled authenticator.
    Verify,
    /// Set up two-step verification first.
    Enrol,
    /// The client demands it, the user has none, and the client allows no enrolment.
    Refuse(OAuthError),
}

/// `None` when the session is strong enough. A user who has a second factor (TOTP or a
/// passkey) always needs it; others only when `demanded` (by the client or the request).
pub fn second_factor_step(
    amr: &Amr,
    has_second_factor: bool,
    demanded: bool,
    client: &Client,
) -> Option<SecondFactorStep> {
    if amr.has_second_factor() {
        return None;
    }
    if has_second_factor {
        return Some(SecondFactorStep::Verify);
    }
    if !demanded {
        return None;
    }
    Some(if client.allow_enrolment {
        SecondFactorStep::Enrol
    } else {
        SecondFactorStep::Refuse(OAuthError::new(
            ErrorCode::AccessDenied,
            "this application requires two-step verification, which this account has not set up",
        ))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::oauth::client::AuthMethod;

    fn client(allow_enrolment: bool) -> Client {
        Client {
            allow_enrolment,
            ..Client::new("app", AuthMethod::None)
        }
    }

    fn password() -> Amr {
        Amr::password()
    }

    #[test]
    fn nothing_is_asked_when_nobody_demands_it() {
        assert_eq!(
            second_factor_step(&password(), false, false, &client(true)),
            None
        );
    }

    #[test]
    fn an_enrolled_user_is_stepped_up_whatever_the_demand() {
        for demanded in [false, true] {
            assert_eq!(
                second_factor_step(&password(), true, demanded, &client(true)),
                Some(SecondFactorStep::Verify)
            );
        }
        let both = Amr::parse("pwd otp").unwrap();
        assert_eq!(second_factor_step(&both, true, true, &client(true)), None);
    }

    #[test]
    fn a_demand_sends_unenrolled_users_to_enrolment_or_refuses() {
        assert_eq!(
            second_factor_step(&password(), false, true, &client(true)),
            Some(SecondFactorStep::Enrol)
        );
        assert!(matches!(
            second_factor_step(&password(), false, true, &client(false)),
            Some(SecondFactorStep::Refuse(e)) if e.code == ErrorCode::AccessDenied
        ));
    }
}
