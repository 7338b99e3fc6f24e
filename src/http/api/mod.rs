//! The JSON endpoints clients and APIs call: `/token`, `/par`, `/revoke`, `/introspect`,
//! `/userinfo`, discovery and the JWKS, and the request the first four share.
pub mod client_request;
pub mod introspect;
pub mod metadata;
pub mod par;
pub mod registration;
pub mod revoke;
pub mod token;
pub mod userinfo;
