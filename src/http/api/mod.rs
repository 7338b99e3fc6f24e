//! The JSON endpoints clients and APIs call: `/token`, `/revoke`, `/introspect`, `/userinfo`,
//! discovery and the JWKS, and the request the first three share.
pub mod client_request;
pub mod introspect;
pub mod metadata;
pub mod revoke;
pub mod token;
pub mod userinfo;
