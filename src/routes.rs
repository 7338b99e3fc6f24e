//! Route paths, shared by the router and the discovery document so the two cannot drift.
pub const DISCOVERY: &str = "/.well-known/openid-configuration";
pub const JWKS: &str = "/jwks.json";
pub const AUTHORIZE: &str = "/authorize";
pub const LOGIN: &str = "/login";
pub const CONSENT: &str = "/consent";
pub const TOKEN: &str = "/token";
pub const REVOKE: &str = "/revoke";
pub const INTROSPECT: &str = "/introspect";
pub const LOGOUT: &str = "/logout";
pub const ACCOUNT: &str = "/account";
pub const ACCOUNT_END_SESSION: &str = "/account/sessions/end";
pub const ACCOUNT_WITHDRAW_CONSENT: &str = "/account/consents/withdraw";
pub const USERINFO: &str = "/userinfo";
pub const HEALTHZ: &str = "/healthz";
pub const READYZ: &str = "/readyz";
pub const STYLESHEET: &str = "/assets/tessera.css";
