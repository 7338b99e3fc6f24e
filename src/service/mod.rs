//! The use cases, one module each, between HTTP and the protocol core. A service loads
//! records from `store`, asks `oauth` (and `auth`) for decisions, writes the result, and
//! returns a domain outcome (an enum of its own) or an [`Error`] — never an HTTP response.
//! Time comes in as `now`; nothing here imports axum.
pub mod access_token;
pub mod account;
pub mod account_deletion;
pub mod account_export;
pub mod admin;
pub mod authorization_request;
pub mod authorize;
pub mod backchannel;
pub mod client_assertion;
pub mod client_auth;
pub mod client_credentials;
pub mod client_registration;
pub mod client_request;
pub mod clients;
pub mod code_exchange;
pub mod consent;
pub mod device;
pub mod dpop;
pub mod emailed;
mod error;
pub mod factors;
pub mod identities;
pub mod introspect;
pub mod keys;
pub mod logout;
pub mod mail;
pub mod metadata_document;
pub mod mfa;
pub mod mint;
pub mod par;
pub mod passkeys;
pub mod password_change;
pub mod pushed;
pub mod reauthentication;
pub mod refresh;
pub mod revoke;
pub mod sessions;
pub mod sign_in;
pub mod signed_in;
pub mod throttle;
pub mod token;
pub mod token_exchange;
pub mod upstream_trip;
pub mod userinfo;

pub use error::{Error, Internal, Result};

#[cfg(test)]
mod tests;
