//! Internal failures (database, signing, hashing pool). They are logged with the request's
//! span and answered with a generic 500; protocol errors are `OAuthError`, handled per endpoint.
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};

use crate::auth::password::PasswordError;
use crate::auth::sealing::SealError;
use crate::auth::totp::SetupError;
use crate::keys::KeyError;
use crate::store::StoreError;

#[derive(Debug)]
pub enum AppError {
    Store(StoreError),
    Keys(KeyError),
    Password(PasswordError),
    /// Sealing a TOTP secret or drawing its QR code failed.
    Mfa(String),
}

impl std::fmt::Display for AppError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Store(e) => write!(f, "database: {e}"),
            Self::Keys(e) => write!(f, "keys: {e}"),
            Self::Password(e) => write!(f, "password hashing: {e}"),
            Self::Mfa(e) => write!(f, "two-step verification: {e}"),
        }
    }
}

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> Self {
        Self::Store(e)
    }
}

impl From<KeyError> for AppError {
    fn from(e: KeyError) -> Self {
        Self::Keys(e)
    }
}

impl From<PasswordError> for AppError {
    fn from(e: PasswordError) -> Self {
        Self::Password(e)
    }
}

impl From<SealError> for AppError {
    fn from(e: SealError) -> Self {
        Self::Mfa(e.to_string())
    }
}

impl From<SetupError> for AppError {
    fn from(e: SetupError) -> Self {
        Self::Mfa(e.to_string())
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        if let Self::Password(PasswordError::Overloaded) = self {
            // A login flood: shed load quickly instead of queueing without bound.
            tracing::warn!("password hashing queue full: answering 503");
            return (
                StatusCode::SERVICE_UNAVAILABLE,
                [
                    (header::RETRY_AFTER, "1"),
                    (header::CACHE_CONTROL, "no-store"),
                ],
                "Too many sign-ins at this moment. Please try again in a few seconds.",
            )
                .into_response();
        }
        tracing::error!(error = %self, "request failed");
        super::generic_internal_error()
    }
}
