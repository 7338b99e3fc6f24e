//! Route paths, shared by the router and the discovery document so the two cannot drift.
/// The issuer's own address: a person who opens it is sent to their account.
pub const ROOT: &str = "/";
pub const DISCOVERY: &str = "/.well-known/openid-configuration";
/// RFC 8414 §3: the same metadata for OAuth 2.0 clients (an MCP client looks here).
pub const AUTHORIZATION_SERVER_METADATA: &str = "/.well-known/oauth-authorization-server";
pub const JWKS: &str = "/jwks.json";
pub const AUTHORIZE: &str = "/authorize";
pub const LOGIN: &str = "/login";
/// The sign-in's second step: a TOTP or recovery code, or one of the user's passkeys. The
/// path keeps its first name so bookmarks and clients that link it still work.
pub const SECOND_STEP: &str = "/login/totp";
pub const CONSENT: &str = "/consent";
pub const TOKEN: &str = "/token";
/// RFC 9126: the pushed authorization request endpoint.
pub const PAR: &str = "/par";
pub const REVOKE: &str = "/revoke";
/// RFC 7591: Dynamic Client Registration (when `dynamic_registration` is not `off`).
pub const REGISTER: &str = "/register";
/// RFC 7592: a registration's client configuration endpoint.
pub const REGISTRATION: &str = "/register/{client_id}";
pub const INTROSPECT: &str = "/introspect";
pub const LOGOUT: &str = "/logout";
pub const ACCOUNT: &str = "/account";
pub const ACCOUNT_END_SESSION: &str = "/account/sessions/end";
pub const ACCOUNT_WITHDRAW_CONSENT: &str = "/account/consents/withdraw";
/// Two-step verification on the account page: enrolment and management.
pub const ACCOUNT_MFA: &str = "/account/mfa";
pub const ACCOUNT_MFA_ENABLE: &str = "/account/mfa/enable";
pub const ACCOUNT_MFA_DISABLE: &str = "/account/mfa/disable";
pub const ACCOUNT_MFA_RECOVERY_CODES: &str = "/account/mfa/recovery-codes";
pub const USERINFO: &str = "/userinfo";
pub const HEALTHZ: &str = "/healthz";
pub const READYZ: &str = "/readyz";
pub const STYLESHEET: &str = "/assets/tessera.css";
/// The colours derived from `[branding]`; pages link it with `?v=<content hash>`.
pub const BRAND_STYLESHEET: &str = "/assets/brand.css";
/// The passkey ceremonies' script.
pub const PASSKEY_SCRIPT: &str = "/assets/passkeys.js";
/// A sign-in with a passkey instead of the password.
pub const LOGIN_PASSKEY: &str = "/login/passkey";
/// The second step with a passkey instead of a code.
pub const SECOND_STEP_PASSKEY: &str = "/login/totp/passkey";
/// The account's passkeys: list, add, rename, remove.
pub const ACCOUNT_PASSKEYS: &str = "/account/passkeys";
pub const ACCOUNT_PASSKEYS_ADD: &str = "/account/passkeys/add";
pub const ACCOUNT_PASSKEYS_RENAME: &str = "/account/passkeys/rename";
pub const ACCOUNT_PASSKEYS_REMOVE: &str = "/account/passkeys/remove";
/// `branding.logo_file`, when configured (404 otherwise).
pub const LOGO: &str = "/assets/logo";
/// Signing in through an upstream identity provider (`[[upstreams]]`): the sign-in page's
/// button posts here, and Tessera sends the browser on to the provider.
pub const UPSTREAM_START: &str = "/login/upstream/{id}";
/// Where an upstream provider sends the browser back: one callback per upstream, so a
/// response can never be taken for another provider's (mix-up).
pub const UPSTREAM_CALLBACK: &str = "/login/upstream/{id}/callback";
/// The account's linked upstream identities: list, link another, unlink.
pub const ACCOUNT_IDENTITIES: &str = "/account/identities";
pub const ACCOUNT_IDENTITIES_LINK: &str = "/account/identities/link";
pub const ACCOUNT_IDENTITIES_UNLINK: &str = "/account/identities/unlink";
/// The account's security: change (or set a first) password, delete the account, and
/// download what Tessera holds about the user.
pub const ACCOUNT_PASSWORD: &str = "/account/password";
pub const ACCOUNT_DELETE: &str = "/account/delete";
pub const ACCOUNT_EXPORT: &str = "/account/export";

/// The callback URL registered at an upstream provider: `{issuer}/login/upstream/{id}/callback`.
pub fn upstream_callback(issuer: &str, upstream_id: &str) -> String {
    let path = UPSTREAM_CALLBACK.replace("{id}", upstream_id);
    format!("{}{path}", issuer.trim_end_matches('/'))
}

/// A registration's client configuration endpoint (RFC 7592 §1), as a path.
pub fn registration_client(client_id: &str) -> String {
    REGISTRATION.replace("{client_id}", client_id)
}

/// "Forgot password": ask for a reset link.
pub const PASSWORD_FORGOT: &str = "/password/forgot";
/// The reset link's page: choose a new password.
pub const PASSWORD_RESET: &str = "/password/reset";
/// The verification link's page: confirm the address.
pub const EMAIL_VERIFY: &str = "/email/verify";
/// Open sign-up (`registration = "open"`).
pub const SIGN_UP: &str = "/signup";
/// The sign-up link's page: confirm the address, and the account is made.
pub const SIGN_UP_CONFIRM: &str = "/signup/confirm";
/// The invitation link's page: set the first password.
pub const INVITATION: &str = "/invitation";
/// The email change's link (sent to the new address): confirm it.
pub const EMAIL_CHANGE_CONFIRM: &str = "/email/change";
/// The undo link sent to the old address after a change.
pub const EMAIL_CHANGE_UNDO: &str = "/email/undo";
/// The account's address: change it, or send the verification link again.
pub const ACCOUNT_EMAIL: &str = "/account/email";
pub const ACCOUNT_EMAIL_VERIFY: &str = "/account/email/verify";
/// The admin API (docs/admin-api.md), on `listen` or, when set, on `admin_listen` only.
pub const ADMIN_API: &str = "/admin/api";
/// Its first version: every resource lives under it.
pub const ADMIN_API_V1: &str = "/admin/api/v1";
/// Its OpenAPI 3.1 description.
pub const ADMIN_OPENAPI: &str = "/admin/api/openapi.json";
