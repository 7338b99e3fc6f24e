//! When a sign-in needs the second factor (TOTP). A session is judged by the methods it really
//! used (its `amr`), never by what its user could do: a password-only session is stepped up.
//! Demands come from the user (enrolled users always need the code), the client
//! (`require_mfa`) and the request (`acr_values` naming the MFA class, OIDC Core §3.1.2.1).
use super::acr;
use super::authorize::{AuthorizationRequest, Decision, SessionView};
use super::client::Client;
use super::error::{ErrorCode, OAuthError};

/// The second-factor part of [`decide`](super::authorize::decide) for an authenticated session, on its own so that the
/// consent form can check it again before issuing a code. `None` means the session is strong
/// enough. A user who enrolled always needs the code; others only when the client
/// (`require_mfa`) or the request (`acr_values`) demands it. A session is judged by its own
/// `amr`: one that passed only the password step is stepped up, never trusted.
pub fn second_factor_step(
    request: &AuthorizationRequest,
    client: &Client,
    session: &SessionView,
) -> Option<Decision> {
    if acr::amr_has_second_factor(&session.amr) {
        return None;
    }
    let demanded = client.require_mfa || acr::demands_mfa(&request.acr_values);
    let step = if session.mfa_enrolled {
        Decision::Mfa
    } else if !demanded {
        return None;
    } else if client.allow_enrolment {
        Decision::Enrol
    } else {
        return Some(Decision::ErrorRedirect(OAuthError::new(
            ErrorCode::AccessDenied,
            "this application requires two-step verification, which this account has not set up",
        )));
    };
    if request.prompt.none {
        return Some(Decision::ErrorRedirect(OAuthError::new(
            ErrorCode::InteractionRequired,
            "the user must complete two-step verification",
        )));
    }
    Some(step)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::oauth::authorize::Prompt;
    use crate::oauth::client::AuthMethod;
    use crate::oauth::scope::Scopes;

    fn client(require_mfa: bool, allow_enrolment: bool) -> Client {
        Client {
            redirect_uris: vec!["https://app.example/cb".into()],
            allowed_scopes: vec!["openid".into()],
            require_mfa,
            allow_enrolment,
            ..Client::new("app", AuthMethod::None)
        }
    }

    fn request(acr_values: &[&str], prompt_none: bool) -> AuthorizationRequest {
        AuthorizationRequest {
            client_id: "app".into(),
            redirect_uri: "https://app.example/cb".into(),
            scope: Scopes::parse("openid").unwrap(),
            state: None,
            nonce: None,
            code_challenge: "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM".into(),
            prompt: Prompt {
                none: prompt_none,
                ..Prompt::default()
            },
            max_age: None,
            login_hint: None,
            acr_values: acr_values.iter().map(|v| v.to_string()).collect(),
        }
    }

    fn session(amr: &[&str], mfa_enrolled: bool) -> SessionView {
        SessionView {
            auth_time: 1000,
            amr: amr.iter().map(|m| m.to_string()).collect(),
            mfa_enrolled,
        }
    }

    fn error_code(step: Option<Decision>) -> Option<ErrorCode> {
        match step {
            Some(Decision::ErrorRedirect(e)) => Some(e.code),
            _ => None,
        }
    }

    #[test]
    fn nothing_is_asked_when_nobody_demands_it() {
        let step = second_factor_step(
            &request(&[], false),
            &client(false, true),
            &session(&["pwd"], false),
        );
        assert_eq!(step, None);
    }

    #[test]
    fn an_enrolled_user_is_stepped_up_whatever_the_client() {
        for require_mfa in [false, true] {
            let step = second_factor_step(
                &request(&[], false),
                &client(require_mfa, true),
                &session(&["pwd"], true),
            );
            assert_eq!(step, Some(Decision::Mfa));
        }
        let done = second_factor_step(
            &request(&[], false),
            &client(true, true),
            &session(&["pwd", "otp"], true),
        );
        assert_eq!(done, None);
    }

    #[test]
    fn require_mfa_sends_unenrolled_users_to_enrolment_or_denies() {
        let password_only = session(&["pwd"], false);
        assert_eq!(
            second_factor_step(&request(&[], false), &client(true, true), &password_only),
            Some(Decision::Enrol)
        );
        assert_eq!(
            error_code(second_factor_step(
                &request(&[], false),
                &client(true, false),
                &password_only
            )),
            Some(ErrorCode::AccessDenied)
        );
    }

    #[test]
    fn acr_values_naming_the_mfa_class_demand_the_second_factor() {
        let password_only = session(&["pwd"], false);
        assert_eq!(
            second_factor_step(
                &request(&[acr::MFA], false),
                &client(false, true),
                &password_only
            ),
            Some(Decision::Enrol)
        );
        assert_eq!(
            second_factor_step(
                &request(&[acr::PASSWORD, "urn:other:mfa"], false),
                &client(false, true),
                &password_only
            ),
            None
        );
        let mut enrolled = session(&["pwd"], true);
        assert_eq!(
            second_factor_step(
                &request(&[acr::MFA], false),
                &client(false, true),
                &enrolled
            ),
            Some(Decision::Mfa)
        );
        enrolled.amr.push("otp".into());
        assert_eq!(
            second_factor_step(
                &request(&[acr::MFA], false),
                &client(false, true),
                &enrolled
            ),
            None
        );
    }

    #[test]
    fn prompt_none_cannot_show_the_totp_step_or_enrolment() {
        for enrolled in [true, false] {
            let step = second_factor_step(
                &request(&[], true),
                &client(true, true),
                &session(&["pwd"], enrolled),
            );
            assert_eq!(error_code(step), Some(ErrorCode::InteractionRequired));
        }
    }
}
