//! The pages browsers see: `/authorize` and where it leads (sign-in, the second step,
//! consent), the account pages, logout, and the assets the pages load. Each handler reads its
//! form, asks a service, and renders the outcome with a template from `templates`.
pub mod account;
pub mod account_delete;
pub mod account_email;
pub mod account_export;
pub mod account_identities;
pub mod account_mfa;
pub mod account_passkeys;
pub mod account_password;
mod account_security_templates;
mod activity;
pub mod assets;
pub mod authorize;
pub mod consent;
mod continuation;
mod cookies;
pub mod device;
mod device_templates;
mod email_templates;
pub mod emailed_links;
pub mod forgot_password;
pub mod link_password;
pub mod logout;
mod messages;
mod page_form;
mod passkey_templates;
pub mod second_step;
pub mod sign_in;
pub mod sign_up;
mod templates;
#[cfg(test)]
mod tests;
pub mod upstream;
mod wording;
