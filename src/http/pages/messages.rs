//! What the sign-in and account forms say when they refuse, shared so each wording is
//! chosen in one place: a wrong code, a missing second factor, a refused passkey, a throttle.
use axum::http::{HeaderValue, header};
use axum::response::Response;

use crate::auth::password_policy::PolicyRefusal;
use crate::auth::throttle::minutes;
use crate::i18n::{Arg, Locale};
use crate::service::passkeys::Refusal;

/// The words for a wrong code, on the second step and the two-step verification page.
pub const WRONG_CODE: &str = "totp-wrong-code";

/// Said when a change of second factors needs the second factor first.
pub const SECOND_FACTOR_REQUIRED: &str = "factors-second-factor-required";

/// The message id of the words for a refused passkey.
pub fn passkey_refusal(refusal: Refusal) -> &'static str {
    match refusal {
        Refusal::Expired => "passkey-expired",
        Refusal::Unavailable => "passkey-unavailable",
        Refusal::PasswordRequired => "passkey-password-required",
        Refusal::WrongPassword => "passkey-wrong-password",
        Refusal::SecondFactorRequired => SECOND_FACTOR_REQUIRED,
        Refusal::WrongPasswordOrCode => "mfa-refused",
        Refusal::CodeUnavailable => "mfa-unavailable",
        Refusal::Duplicate => "passkey-duplicate",
        Refusal::Rejected => "passkey-rejected",
    }
}

/// The one message every throttled form shows.
pub fn throttled_message(locale: Locale, retry_after: i64) -> String {
    let minutes = minutes(retry_after);
    locale.format("form-throttled", &[("minutes", Arg::Count(minutes))])
}

/// `Retry-After` (RFC 9110 §10.2.3) on a throttled page.
pub fn with_retry_after(mut response: Response, seconds: i64) -> Response {
    if let Ok(value) = HeaderValue::from_str(&seconds.to_string()) {
        response.headers_mut().insert(header::RETRY_AFTER, value);
    }
    response
}

/// The words for a new password the policy refused, naming the rule it broke.
pub fn policy_refusal(locale: Locale, refusal: PolicyRefusal) -> String {
    match refusal.count() {
        Some(count) => {
            let count = i64::try_from(count).unwrap_or(i64::MAX);
            locale.count(refusal.message_id(), "count", count)
        }
        None => locale.text(refusal.message_id()),
    }
}
