//! The pages' routes, in the groups the router mounts: the sign-in pages and the account
//! pages each behind a per-address rate limit of their own, and the other pages.
use axum::Router;
use axum::response::Response;
use axum::routing::{get, post};

use super::pages::{
    account, account_delete, account_email, account_export, account_identities, account_mfa,
    account_passkeys, account_password, consent, device, emailed_links, forgot_password,
    link_password, logout, second_step, sign_in, sign_up, upstream,
};
use super::rate_limit::rate_limited;
use super::respond;
use crate::config::Config;
use crate::routes;
use crate::state::SharedState;

/// The sign-in pages, behind a per-address rate limit of their own (the same quota as the
/// protocol endpoints'): with passkeys on, showing one stores a ceremony, so a flood of page
/// views from one address must not turn into a flood of database writes.
pub fn sign_in_pages(config: &Config) -> Router<SharedState> {
    let pages = Router::new()
        .route(
            routes::LOGIN,
            get(sign_in::login_page).post(sign_in::login_submit),
        )
        .route(
            routes::SECOND_STEP,
            get(second_step::page).post(second_step::submit),
        )
        .route(routes::LOGIN_PASSKEY, post(sign_in::passkey_submit))
        .route(
            routes::SECOND_STEP_PASSKEY,
            post(second_step::passkey_submit),
        )
        // Each start stores a trip and each callback with a live trip claims one: throttled
        // per address with the sign-in pages.
        // Typing a user code is a guess (throttled in the database too); the device consent
        // page stands beside the sign-in pages it leads through.
        .route(
            routes::DEVICE,
            get(device::device_page).post(device::device_submit),
        )
        .route(
            routes::DEVICE_CONSENT,
            get(device::consent_page).post(device::consent_submit),
        )
        .route(routes::UPSTREAM_START, get(upstream::start))
        .route(routes::UPSTREAM_CALLBACK, get(upstream::callback))
        // Each of these may send mail or spend a link: throttled per address too.
        .route(
            routes::PASSWORD_FORGOT,
            get(forgot_password::forgot_page).post(forgot_password::forgot_submit),
        )
        .route(
            routes::PASSWORD_RESET,
            get(link_password::reset_page).post(link_password::reset_submit),
        )
        .route(
            routes::INVITATION,
            get(link_password::invitation_page).post(link_password::invitation_submit),
        )
        .route(
            routes::EMAIL_VERIFY,
            get(emailed_links::verify_page).post(emailed_links::verify_submit),
        )
        .route(
            routes::SIGN_UP,
            get(sign_up::sign_up_page).post(sign_up::sign_up_submit),
        )
        .route(
            routes::SIGN_UP_CONFIRM,
            get(emailed_links::sign_up_confirm_page).post(emailed_links::sign_up_confirm_submit),
        )
        .route(
            routes::EMAIL_CHANGE_CONFIRM,
            get(emailed_links::change_confirm_page).post(emailed_links::change_confirm_submit),
        )
        .route(
            routes::EMAIL_CHANGE_UNDO,
            get(emailed_links::change_undo_page).post(emailed_links::change_undo_submit),
        );
    rate_limited(pages, config)
}

/// Tessera's other pages: no CORS.
pub fn pages() -> Router<SharedState> {
    Router::new()
        .route(routes::ROOT, get(root))
        .route(
            routes::CONSENT,
            get(consent::consent_page).post(consent::consent_submit),
        )
        .route(
            routes::LOGOUT,
            get(logout::logout_get).post(logout::logout_post),
        )
}

/// The account pages, behind a per-address rate limit of their own, as the sign-in pages
/// are: each view of the passkeys page (and each refused passkey form) stores a ceremony, and
/// the other forms write too, so a flood from one signed-in address must not become a flood
/// of database writes.
pub fn account_pages(config: &Config) -> Router<SharedState> {
    let pages = Router::new()
        .route(routes::ACCOUNT, get(account::account_page))
        .route(routes::ACCOUNT_END_SESSION, post(account::end_session))
        .route(
            routes::ACCOUNT_WITHDRAW_CONSENT,
            post(account::withdraw_consent),
        )
        .route(routes::ACCOUNT_MFA, get(account_mfa::mfa_page))
        .route(routes::ACCOUNT_MFA_ENABLE, post(account_mfa::enable))
        .route(routes::ACCOUNT_MFA_DISABLE, post(account_mfa::disable))
        .route(
            routes::ACCOUNT_MFA_RECOVERY_CODES,
            post(account_mfa::regenerate_recovery_codes),
        )
        .route(
            routes::ACCOUNT_PASSKEYS,
            get(account_passkeys::passkeys_page),
        )
        .route(routes::ACCOUNT_PASSKEYS_ADD, post(account_passkeys::add))
        .route(
            routes::ACCOUNT_PASSKEYS_RENAME,
            post(account_passkeys::rename),
        )
        .route(
            routes::ACCOUNT_PASSKEYS_REMOVE,
            post(account_passkeys::remove),
        )
        .route(
            routes::ACCOUNT_IDENTITIES,
            get(account_identities::identities_page),
        )
        .route(
            routes::ACCOUNT_IDENTITIES_LINK,
            post(account_identities::link),
        )
        .route(
            routes::ACCOUNT_IDENTITIES_UNLINK,
            post(account_identities::unlink),
        )
        .route(
            routes::ACCOUNT_PASSWORD,
            get(account_password::password_page).post(account_password::change),
        )
        .route(
            routes::ACCOUNT_DELETE,
            get(account_delete::delete_page).post(account_delete::delete),
        )
        .route(routes::ACCOUNT_EXPORT, get(account_export::export))
        .route(
            routes::ACCOUNT_EMAIL,
            get(account_email::email_page).post(account_email::change),
        )
        .route(
            routes::ACCOUNT_EMAIL_VERIFY,
            post(account_email::send_verification),
        );
    rate_limited(pages, config)
}

/// The issuer's own address, opened by a person: their account, through sign-in if needed.
async fn root() -> Response {
    respond::see_other(routes::ACCOUNT)
}
