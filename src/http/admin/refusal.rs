//! Every refusal of the admin API as a problem document: the use cases' errors, axum's own
//! rejections (malformed JSON, unknown fields, wrong types, a wrong content type, a body too
//! large, bad path and query parameters), and whatever error answer the router or the
//! middleware made themselves (404, 405, a timeout's 408, the body limit's 413, a caught
//! panic's 500): `problem_everywhere` turns those into problems too. Internal failures are
//! logged with their source under the request's span and answered with a detail that says
//! nothing.
use axum::extract::rejection::{JsonRejection, PathRejection, QueryRejection};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};

use super::problem::{CONTENT_TYPE, Kind, Problem};
use crate::service::Error as ServiceError;
use crate::service::admin::AdminError;

/// The rule a password broke, as the problem names it.
fn rule_name(refusal: crate::auth::password_policy::PolicyRefusal) -> &'static str {
    use crate::auth::password_policy::PolicyRefusal as R;
    match refusal {
        R::TooShort { .. } => "too_short",
        R::TooLong { .. } => "too_long",
        R::TooCommon => "too_common",
        R::LikeYourAccount => "like_your_account",
    }
}

impl From<AdminError> for Problem {
    fn from(error: AdminError) -> Self {
        let detail = error.to_string();
        let kind = match error {
            AdminError::Service(error) => return service_problem(error),
            AdminError::PasswordRefused(refusal) => {
                let mut problem = Self::new(Kind::PasswordPolicy, detail).field("password");
                problem.rule = Some(rule_name(refusal));
                return problem;
            }
            AdminError::Invalid { field, .. } => {
                return Self::new(Kind::InvalidValue, detail).field(field);
            }
            AdminError::InvalidEmail(_) => {
                return Self::new(Kind::InvalidEmail, detail).field("email");
            }
            AdminError::NotFound(_) => Kind::NotFound,
            AdminError::EmailTaken(_) => Kind::EmailTaken,
            AdminError::LastWayToSignIn { .. } => Kind::LastWayToSignIn,
            AdminError::UserDisabled(_) => Kind::UserDisabled,
            AdminError::AlreadyVerified(_) => Kind::AlreadyVerified,
            AdminError::TooManyEmails(_) => Kind::TooManyEmails,
            AdminError::KeySignsNow(_) => Kind::KeySignsNow,
            AdminError::AlgorithmNotEnabled(_) => Kind::AlgorithmNotEnabled,
            AdminError::Conflict(_) => Kind::Conflict,
            AdminError::BadCursor => Kind::InvalidCursor,
            AdminError::NotConfigured(_) => Kind::NotConfigured,
        };
        Self::new(kind, detail)
    }
}

fn service_problem(error: ServiceError) -> Problem {
    match error {
        ServiceError::OAuth(e) => Problem::new(Kind::BadRequest, e.description.to_string()),
        ServiceError::Throttled { retry_after } => {
            let mut problem = Problem::new(
                Kind::Throttled,
                format!("too many attempts; retry after {retry_after} seconds"),
            );
            problem.retry_after = Some(retry_after);
            problem
        }
        ServiceError::Overloaded => {
            let mut problem = Problem::new(Kind::Overloaded, "password hashing is saturated");
            problem.retry_after = Some(1);
            problem
        }
        ServiceError::Internal(error) if error.is_unavailable() => {
            tracing::error!(error = %error, "database unavailable");
            let mut problem = Problem::new(Kind::Unavailable, "try again in a few seconds");
            problem.retry_after = Some(5);
            problem
        }
        ServiceError::Internal(error) => {
            tracing::error!(error = %error, "admin API request failed");
            Problem::new(
                Kind::Internal,
                "the request failed; the server's log has the details under its request id",
            )
        }
    }
}

impl From<JsonRejection> for Problem {
    fn from(rejection: JsonRejection) -> Self {
        let detail = rejection.body_text();
        let kind = match rejection {
            JsonRejection::JsonSyntaxError(_) => Kind::MalformedJson,
            JsonRejection::JsonDataError(_) => Kind::InvalidBody,
            JsonRejection::MissingJsonContentType(_) => Kind::UnsupportedMediaType,
            other if other.status() == StatusCode::PAYLOAD_TOO_LARGE => Kind::PayloadTooLarge,
            _ => Kind::BadRequest,
        };
        Self::new(kind, detail)
    }
}

impl From<PathRejection> for Problem {
    fn from(rejection: PathRejection) -> Self {
        Self::new(Kind::InvalidParameter, rejection.body_text())
    }
}

impl From<QueryRejection> for Problem {
    fn from(rejection: QueryRejection) -> Self {
        Self::new(Kind::InvalidParameter, rejection.body_text())
    }
}

/// An error answer that is not a problem document yet (the router's 404 and 405, the
/// middleware's 408, 413 and 500) becomes one, keeping its headers (`Allow`,
/// `Retry-After`); a success, or a problem already, passes unchanged.
pub async fn problem_everywhere(response: Response) -> Response {
    let status = response.status();
    let is_problem = response
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes() == CONTENT_TYPE.as_bytes());
    if !(status.is_client_error() || status.is_server_error()) || is_problem {
        return response;
    }
    let kind = Kind::of_status(status);
    let detail = match kind {
        Kind::NotFound => "no such resource in the admin API",
        Kind::MethodNotAllowed => "the resource does not answer this method (see Allow)",
        Kind::Timeout => "the request took longer than request_timeout",
        Kind::PayloadTooLarge => "the body is larger than the admin API's 64 KiB",
        _ => status.canonical_reason().unwrap_or("error"),
    };
    let (parts, _) = response.into_parts();
    let mut answer = Problem::new(kind, detail).into_response();
    for name in [header::ALLOW, header::RETRY_AFTER, header::WWW_AUTHENTICATE] {
        if let Some(value) = parts.headers.get(&name) {
            answer.headers_mut().insert(name, value.clone());
        }
    }
    answer
}
