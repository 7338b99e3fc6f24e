//! The HTTP surface: axum adapters that extract a request, call a service and map its
//! outcome to a response (`router.rs` lists the routes and the middleware every request
//! passes through). Nothing here decides anything the protocol or a service should.
mod account;
mod assets;
mod authorize;
mod client_auth;
mod client_ip;
mod consent;
mod continuation;
mod cookies;
mod error;
mod form;
mod introspect;
mod locale;
mod login;
mod logout;
mod metadata;
mod mfa_account;
mod pages;
#[cfg(test)]
mod pages_in_every_language;
mod passkey_pages;
mod passkeys_account;
mod rate_limit;
mod respond;
mod revoke;
mod router;
mod token;
mod totp_login;
mod userinfo;

pub use error::HttpError;
pub use router::app;
