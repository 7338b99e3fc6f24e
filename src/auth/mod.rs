//! Who the user is: passwords, browser sessions and CSRF protection of forms.
pub mod client_ip;
pub mod client_jwks;
pub mod csrf;
pub mod dpop_nonce;
pub mod master_key;
pub mod passkey;
pub mod password;
pub mod password_policy;
pub mod recovery;
pub mod sealing;
pub mod secret;
pub mod secret_cache;
pub mod session;
pub mod throttle;
pub mod totp;
pub mod totp_keys;
