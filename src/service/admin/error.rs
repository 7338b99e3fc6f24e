//! Why an administrator's request was refused. One enum for the CLI and the admin API: the
//! CLI prints it (`Display`, in English), the API answers each kind with its own RFC 9457
//! problem type (`http::admin::problem`).
use std::fmt;

use crate::auth::password_policy::PolicyRefusal;
use crate::service;

#[derive(Debug)]
pub enum AdminError {
    /// No such user, session, consent, identity, passkey, key or client; says which.
    NotFound(String),
    /// A field's value is not acceptable as it stands.
    Invalid {
        field: &'static str,
        message: String,
    },
    InvalidEmail(String),
    /// A new password breaks one of the rules (NIST SP 800-63B §3.1.1.2).
    PasswordRefused(PolicyRefusal),
    /// Another account has this email.
    EmailTaken(String),
    /// Unlinking would leave the account with no way to sign in.
    LastWayToSignIn {
        upstream: String,
        email: String,
    },
    /// The user is disabled: nothing is sent to them.
    UserDisabled(String),
    /// The address is confirmed already.
    AlreadyVerified(String),
    /// The mailbox had its few links this hour.
    TooManyEmails(String),
    /// The key signs now and no newer published key of its algorithm can take over.
    KeySignsNow(String),
    /// The algorithm is not in `signing_algs`.
    AlgorithmNotEnabled(String),
    /// Another instance or command changed the same thing at the same moment.
    Conflict(String),
    /// A page cursor this server did not give out.
    BadCursor,
    /// What the work needs is not configured (the master key, for keys and mail).
    NotConfigured(&'static str),
    /// A failure that is not the request's: the database, hashing, sealing, a throttle.
    Service(service::Error),
}

pub type Result<T> = std::result::Result<T, AdminError>;

impl AdminError {
    pub(super) fn invalid(field: &'static str, message: impl Into<String>) -> Self {
        Self::Invalid {
            field,
            message: message.into(),
        }
    }
}

impl fmt::Display for AdminError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::NotFound(what) => f.write_str(what),
            Self::Invalid { field, message } => write!(f, "{field}: {message}"),
            Self::InvalidEmail(email) => write!(f, "{email:?} is not an email address"),
            Self::PasswordRefused(refusal) => write!(f, "{refusal}"),
            Self::EmailTaken(email) => write!(f, "a user with email {email} already exists"),
            Self::LastWayToSignIn { upstream, email } => write!(
                f,
                "{upstream} is the only way {email} can sign in: set a password first"
            ),
            Self::UserDisabled(email) => write!(f, "{email} is disabled"),
            Self::AlreadyVerified(email) => write!(f, "{email} is verified already"),
            Self::TooManyEmails(email) => write!(
                f,
                "{email} was sent several links in the last hour; try later"
            ),
            Self::KeySignsNow(kid) => write!(
                f,
                "{kid} is the key signing now for its algorithm, and no newer published key of that algorithm can take over (signing would fall back to an older key): rotate first (`tessera keys rotate --now --alg <its alg>`, or the admin API's keys/rotate with \"now\": true), then retire {kid}"
            ),
            Self::AlgorithmNotEnabled(alg) => write!(
                f,
                "{alg} is not in signing_algs: add it there (a running server then makes its first key)"
            ),
            Self::Conflict(what) => f.write_str(what),
            Self::BadCursor => f.write_str("the cursor is not one this server gave out"),
            Self::NotConfigured(what) => write!(f, "{what} is not configured"),
            Self::Service(error) => write!(f, "{error}"),
        }
    }
}

impl std::error::Error for AdminError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::Service(error) => Some(error),
            _ => None,
        }
    }
}

impl From<service::Error> for AdminError {
    fn from(error: service::Error) -> Self {
        Self::Service(error)
    }
}

/// The failures the use cases meet on the way, as the service layer files them.
macro_rules! through_service_error {
    ($($source:ty),*) => {$(
        impl From<$source> for AdminError {
            fn from(error: $source) -> Self {
                Self::Service(error.into())
            }
        }
    )*};
}

through_service_error!(
    crate::store::StoreError,
    crate::auth::password::PasswordError,
    crate::keys::KeyError
);
