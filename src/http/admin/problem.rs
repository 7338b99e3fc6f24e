//! RFC 9457 problem documents, the admin API's one error format: `application/problem+json`
//! with a stable `type` per error (`urn:tessera:problem:<slug>`), `title`, `status` and
//! `detail`. What becomes which problem is `refusal.rs`.
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use utoipa::ToSchema;

pub const CONTENT_TYPE: &str = "application/problem+json";
const TYPE_PREFIX: &str = "urn:tessera:problem:";

/// Every kind of problem the admin API answers; docs/admin-api.md lists them (a test checks).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Unauthenticated,
    InvalidToken,
    InsufficientScope,
    NotFound,
    MethodNotAllowed,
    MalformedJson,
    InvalidBody,
    UnsupportedMediaType,
    PayloadTooLarge,
    InvalidParameter,
    InvalidCursor,
    UnknownEventType,
    InvalidValue,
    InvalidEmail,
    PasswordPolicy,
    EmailTaken,
    LastWayToSignIn,
    UserDisabled,
    AlreadyVerified,
    TooManyEmails,
    KeySignsNow,
    AlgorithmNotEnabled,
    Conflict,
    Throttled,
    Timeout,
    BadRequest,
    NotConfigured,
    Overloaded,
    Unavailable,
    Internal,
}

impl Kind {
    pub const ALL: &'static [Kind] = &[
        Self::Unauthenticated,
        Self::InvalidToken,
        Self::InsufficientScope,
        Self::NotFound,
        Self::MethodNotAllowed,
        Self::MalformedJson,
        Self::InvalidBody,
        Self::UnsupportedMediaType,
        Self::PayloadTooLarge,
        Self::InvalidParameter,
        Self::InvalidCursor,
        Self::UnknownEventType,
        Self::InvalidValue,
        Self::InvalidEmail,
        Self::PasswordPolicy,
        Self::EmailTaken,
        Self::LastWayToSignIn,
        Self::UserDisabled,
        Self::AlreadyVerified,
        Self::TooManyEmails,
        Self::KeySignsNow,
        Self::AlgorithmNotEnabled,
        Self::Conflict,
        Self::Throttled,
        Self::Timeout,
        Self::BadRequest,
        Self::NotConfigured,
        Self::Overloaded,
        Self::Unavailable,
        Self::Internal,
    ];

    /// (slug, status, title)
    pub(super) const fn parts(self) -> (&'static str, StatusCode, &'static str) {
        use StatusCode as S;
        match self {
            Self::Unauthenticated => ("unauthenticated", S::UNAUTHORIZED, "No access token"),
            Self::InvalidToken => ("invalid-token", S::UNAUTHORIZED, "Invalid access token"),
            Self::InsufficientScope => ("insufficient-scope", S::FORBIDDEN, "Not allowed"),
            Self::NotFound => ("not-found", S::NOT_FOUND, "Not found"),
            Self::MethodNotAllowed => (
                "method-not-allowed",
                S::METHOD_NOT_ALLOWED,
                "Method not allowed",
            ),
            Self::MalformedJson => ("malformed-json", S::BAD_REQUEST, "Malformed JSON"),
            Self::InvalidBody => (
                "invalid-body",
                S::UNPROCESSABLE_ENTITY,
                "The body does not fit the schema",
            ),
            Self::UnsupportedMediaType => (
                "unsupported-media-type",
                S::UNSUPPORTED_MEDIA_TYPE,
                "The body must be application/json",
            ),
            Self::PayloadTooLarge => (
                "payload-too-large",
                S::PAYLOAD_TOO_LARGE,
                "The body is too large",
            ),
            Self::InvalidParameter => (
                "invalid-parameter",
                S::BAD_REQUEST,
                "Invalid path or query parameter",
            ),
            Self::InvalidCursor => ("invalid-cursor", S::BAD_REQUEST, "Invalid cursor"),
            Self::UnknownEventType => (
                "unknown-event-type",
                S::BAD_REQUEST,
                "Unknown audit event type",
            ),
            Self::InvalidValue => ("invalid-value", S::UNPROCESSABLE_ENTITY, "Invalid value"),
            Self::InvalidEmail => (
                "invalid-email",
                S::UNPROCESSABLE_ENTITY,
                "Not an email address",
            ),
            Self::PasswordPolicy => (
                "password-policy",
                S::UNPROCESSABLE_ENTITY,
                "The password breaks a rule",
            ),
            Self::EmailTaken => ("email-taken", S::CONFLICT, "The email is taken"),
            Self::LastWayToSignIn => (
                "last-way-to-sign-in",
                S::CONFLICT,
                "The user's last way to sign in",
            ),
            Self::UserDisabled => ("user-disabled", S::CONFLICT, "The user is disabled"),
            Self::AlreadyVerified => (
                "already-verified",
                S::CONFLICT,
                "The address is verified already",
            ),
            Self::TooManyEmails => (
                "too-many-emails",
                S::TOO_MANY_REQUESTS,
                "The mailbox had its links this hour",
            ),
            Self::KeySignsNow => (
                "key-signs-now",
                S::CONFLICT,
                "The key signs now and nothing can take over",
            ),
            Self::AlgorithmNotEnabled => (
                "algorithm-not-enabled",
                S::UNPROCESSABLE_ENTITY,
                "The algorithm is not in signing_algs",
            ),
            Self::Conflict => ("conflict", S::CONFLICT, "Changed at the same moment"),
            Self::Throttled => ("throttled", S::TOO_MANY_REQUESTS, "Too many attempts"),
            Self::Timeout => ("timeout", S::REQUEST_TIMEOUT, "The request took too long"),
            Self::BadRequest => ("bad-request", S::BAD_REQUEST, "Bad request"),
            Self::NotConfigured => (
                "not-configured",
                S::SERVICE_UNAVAILABLE,
                "Not configured on this server",
            ),
            Self::Overloaded => ("overloaded", S::SERVICE_UNAVAILABLE, "Too busy"),
            Self::Unavailable => (
                "unavailable",
                S::SERVICE_UNAVAILABLE,
                "The database is unreachable",
            ),
            Self::Internal => ("internal", S::INTERNAL_SERVER_ERROR, "Internal error"),
        }
    }

    pub const fn status(self) -> StatusCode {
        self.parts().1
    }

    /// `urn:tessera:problem:<slug>`.
    pub fn uri(self) -> String {
        format!("{TYPE_PREFIX}{}", self.parts().0)
    }

    /// The kind of a bare error status that reached the edge without a problem document.
    pub(super) fn of_status(status: StatusCode) -> Self {
        match status {
            StatusCode::UNAUTHORIZED => Self::Unauthenticated,
            StatusCode::FORBIDDEN => Self::InsufficientScope,
            StatusCode::NOT_FOUND => Self::NotFound,
            StatusCode::METHOD_NOT_ALLOWED => Self::MethodNotAllowed,
            StatusCode::REQUEST_TIMEOUT => Self::Timeout,
            StatusCode::PAYLOAD_TOO_LARGE => Self::PayloadTooLarge,
            StatusCode::UNSUPPORTED_MEDIA_TYPE => Self::UnsupportedMediaType,
            StatusCode::UNPROCESSABLE_ENTITY => Self::InvalidBody,
            StatusCode::TOO_MANY_REQUESTS => Self::Throttled,
            StatusCode::SERVICE_UNAVAILABLE => Self::Unavailable,
            s if s.is_server_error() => Self::Internal,
            _ => Self::BadRequest,
        }
    }
}

/// An RFC 9457 problem document.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ProblemDocument {
    /// `urn:tessera:problem:<slug>`: stable, for programs to tell errors apart.
    #[serde(rename = "type")]
    pub problem_type: String,
    /// The same for every problem of this type.
    pub title: String,
    /// The HTTP status.
    pub status: u16,
    /// What went wrong with this request, for a person.
    pub detail: String,
    /// The request field the problem is about.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// `password-policy`: the rule broken (`too_short`, `too_long`, `too_common`,
    /// `like_your_account`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rule: Option<String>,
    /// `insufficient-scope`: the scope the request needs.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scope: Option<String>,
}

/// A problem to answer, with the headers that go with it.
#[derive(Debug)]
pub struct Problem {
    pub kind: Kind,
    pub detail: String,
    pub field: Option<&'static str>,
    pub rule: Option<&'static str>,
    pub scope: Option<&'static str>,
    pub www_authenticate: Option<String>,
    pub retry_after: Option<i64>,
}

impl Problem {
    pub fn new(kind: Kind, detail: impl Into<String>) -> Self {
        Self {
            kind,
            detail: detail.into(),
            field: None,
            rule: None,
            scope: None,
            www_authenticate: None,
            retry_after: None,
        }
    }

    pub fn field(mut self, field: &'static str) -> Self {
        self.field = Some(field);
        self
    }

    pub fn document(&self) -> ProblemDocument {
        let (slug, status, title) = self.kind.parts();
        ProblemDocument {
            problem_type: format!("{TYPE_PREFIX}{slug}"),
            title: title.to_string(),
            status: status.as_u16(),
            detail: self.detail.clone(),
            field: self.field.map(str::to_string),
            rule: self.rule.map(str::to_string),
            scope: self.scope.map(str::to_string),
        }
    }
}

impl IntoResponse for Problem {
    fn into_response(self) -> Response {
        let body = serde_json::to_vec(&self.document()).unwrap_or_default();
        let mut response = (
            self.kind.status(),
            [
                (header::CONTENT_TYPE, HeaderValue::from_static(CONTENT_TYPE)),
                (header::CACHE_CONTROL, HeaderValue::from_static("no-store")),
            ],
            body,
        )
            .into_response();
        let headers = response.headers_mut();
        if let Some(challenge) = self.www_authenticate
            && let Ok(value) = HeaderValue::from_str(&challenge)
        {
            headers.insert(header::WWW_AUTHENTICATE, value);
        }
        if let Some(seconds) = self.retry_after
            && let Ok(value) = HeaderValue::from_str(&seconds.to_string())
        {
            headers.insert(header::RETRY_AFTER, value);
        }
        response
    }
}
