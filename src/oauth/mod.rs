//! The protocol core: pure decisions over parsed requests, stored records and `now`.
//! Nothing here imports axum or sqlx or reads the clock.
pub mod access_token;
pub mod acr;
pub mod amr;
pub mod authorize;
pub mod backchannel;
pub mod client;
pub mod client_assertion;
pub mod client_auth;
pub mod client_credentials;
pub mod consent;
pub mod discovery;
pub mod error;
pub mod grants;
pub mod introspection;
pub mod logout;
pub mod logout_token;
pub mod params;
pub mod pkce;
pub mod redirect_uri;
pub mod refresh;
pub mod resource;
pub mod scope;
pub mod signing_alg;
pub mod step_up;
pub mod token_response;
pub mod tokens;
