//! The JSON endpoints clients and APIs call: `/token`, `/par`, `/device_authorization`, `/revoke`, `/introspect`,
//! `/userinfo`, discovery and the JWKS, and the request the first four share.
pub mod client_request;
pub mod device_authorization;
pub mod introspect;
pub mod metadata;
pub mod par;
pub mod registration;
pub mod revoke;
pub mod token;
pub mod userinfo;
