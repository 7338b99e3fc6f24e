//! The one error type of the service layer. A use case either ends in a domain outcome (its
//! own enum), or in one of these: a protocol refusal the client is told about, a throttle,
//! or an internal failure that is logged with its source and never shown.
use std::fmt;

use crate::auth::password::PasswordError;
use crate::auth::sealing::SealError;
use crate::auth::totp::SetupError;
use crate::keys::KeyError;
use crate::oauth::error::OAuthError;
use crate::store::StoreError;

#[derive(Debug)]
pub enum Error {
    /// Refused with an RFC error code (answered to the client as the endpoint's RFC says).
    OAuth(OAuthError),
    /// Too many attempts for a limit; try again after this many seconds.
    Throttled {
        retry_after: i64,
    },
    /// The argon2 queue is full: shed the request at once.
    Overloaded,
    Internal(Internal),
}

/// Failures inside Tessera. Each keeps its source for the log.
#[derive(Debug)]
pub enum Internal {
    Store(StoreError),
    Keys(KeyError),
    Password(PasswordError),
    Sealing(SealError),
    TotpSetup(SetupError),
    /// A passkey ceremony could not be started, or its stored state not read back.
    Passkey(Box<dyn std::error::Error + Send + Sync>),
    /// A message could not be composed or sealed (never its content).
    Mail(String),
}

pub type Result<T> = std::result::Result<T, Error>;

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::OAuth(e) => write!(f, "{e}"),
            Self::Throttled { retry_after } => write!(f, "throttled for {retry_after} s"),
            Self::Overloaded => f.write_str("password hashing is overloaded"),
            Self::Internal(e) => write!(f, "{e}"),
        }
    }
}

impl fmt::Display for Internal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Store(e) => write!(f, "database: {e}"),
            Self::Keys(e) => write!(f, "keys: {e}"),
            Self::Password(e) => write!(f, "password hashing: {e}"),
            Self::Sealing(e) => write!(f, "sealing: {e}"),
            Self::TotpSetup(e) => write!(f, "two-step verification: {e}"),
            Self::Passkey(e) => write!(f, "passkeys: {e}"),
            Self::Mail(e) => write!(f, "mail: {e}"),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::OAuth(e) => Some(e),
            Self::Internal(e) => e.source(),
            Self::Throttled { .. } | Self::Overloaded => None,
        }
    }
}

impl Internal {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::Store(e) => Some(e),
            Self::Keys(e) => Some(e),
            Self::Password(e) => Some(e),
            Self::Sealing(e) => Some(e),
            Self::TotpSetup(e) => Some(e),
            Self::Passkey(e) => Some(e.as_ref()),
            Self::Mail(_) => None,
        }
    }

    /// The database could not be reached (rather than refusing a statement): the request may
    /// succeed later, so it is answered 503, not 500.
    pub fn is_unavailable(&self) -> bool {
        matches!(
            self,
            Self::Store(StoreError::PoolTimedOut | StoreError::Io(_) | StoreError::PoolClosed)
        )
    }
}

impl Internal {
    pub fn passkey(e: impl std::error::Error + Send + Sync + 'static) -> Error {
        Error::Internal(Self::Passkey(Box::new(e)))
    }
}

impl From<OAuthError> for Error {
    fn from(e: OAuthError) -> Self {
        Self::OAuth(e)
    }
}

impl From<StoreError> for Error {
    fn from(e: StoreError) -> Self {
        crate::observe::db_error();
        Self::Internal(Internal::Store(e))
    }
}

impl From<KeyError> for Error {
    fn from(e: KeyError) -> Self {
        Self::Internal(Internal::Keys(e))
    }
}

impl From<PasswordError> for Error {
    fn from(e: PasswordError) -> Self {
        match e {
            PasswordError::Overloaded => Self::Overloaded,
            other => Self::Internal(Internal::Password(other)),
        }
    }
}

impl From<SealError> for Error {
    fn from(e: SealError) -> Self {
        Self::Internal(Internal::Sealing(e))
    }
}

impl From<SetupError> for Error {
    fn from(e: SetupError) -> Self {
        Self::Internal(Internal::TotpSetup(e))
    }
}
