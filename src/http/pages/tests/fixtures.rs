//! What the page tests share: a name that would run as script if a page forgot to escape it,
//! the branding every page is framed with, and the pages whose fields take some building.
use std::sync::Arc;

use crate::branding::{Branding, Look};
use crate::http::pages::templates::*;
use crate::i18n::Locale;
use crate::service::identities::LinkedIdentity;
use crate::service::mfa::Enrolment;
use crate::service::passkeys::{Ceremony, PasskeySummary};
use zeroize::Zeroizing;

pub const HOSTILE: &str = "<script>alert(1)</script>";

/// A branded look with every footer link, and a product name that must be escaped.
pub fn brand() -> Arc<Branding> {
    let mut look = Look::standard();
    look.product_name = format!("Acme {HOSTILE}");
    look.support_url = Some("https://help.example".into());
    look.privacy_url = Some("https://privacy.example".into());
    look.terms_url = Some("https://terms.example".into());
    Arc::new(Branding::new(&look))
}

pub fn enrolment() -> Enrolment {
    Enrolment {
        otpauth_uri: Zeroizing::new("otpauth://totp/Tessera:ada?secret=ABCD".into()),
        qr_svg: Zeroizing::new("<svg></svg>".into()),
        secret_grouped: Zeroizing::new("ABCD EFGH".into()),
    }
}

pub fn mfa_page(locale: Locale, shown: MfaShown) -> MfaPage {
    MfaPage {
        brand: brand(),
        locale,
        email: "ada@example.com".into(),
        client_name: Some(HOSTILE.into()),
        error: Some(locale.text("mfa-refused")),
        csrf_token: "t".into(),
        password_required: true,
        second_factor_required: true,
        shown,
    }
}

/// A passkey ceremony as a page offers it.
pub fn offer() -> PasskeyOffer {
    let ceremony = Ceremony {
        id: "c".into(),
        options: format!("{{\"publicKey\":{{\"rp\":{{\"name\":\"{HOSTILE}\"}}}}}}"),
    };
    PasskeyOffer::new(ceremony, "/login/passkey".into())
}

/// The account's passkeys: two of them, and a way to add one (or the reason there is none).
pub fn passkeys_page(locale: Locale, available: bool) -> PasskeysPage {
    let passkey = |name: &str, synced: bool, last_used_at: Option<i64>| PasskeySummary {
        id: "id".into(),
        name: name.into(),
        created_at: 0,
        last_used_at,
        synced,
    };
    PasskeysPage {
        brand: brand(),
        locale,
        email: HOSTILE.into(),
        passkeys: vec![
            passkey(HOSTILE, true, Some(86_400)),
            passkey("Laptop", false, None),
        ],
        add: available.then(|| {
            PasskeyOffer::new(
                Ceremony {
                    id: "c".into(),
                    options: "{}".into(),
                },
                "/account/passkeys/add".into(),
            )
        }),
        unavailable: (!available).then_some("passkey-unavailable-ip"),
        password_required: true,
        second_factor_required: true,
        code_field: true,
        csrf_token: "t".into(),
        error: Some(locale.text("passkey-password-required")),
        notice: Some(locale.text("passkey-added")),
        now: 2 * 86_400,
    }
}

pub fn identities_page(locale: Locale, now: i64) -> IdentitiesPage {
    IdentitiesPage {
        brand: brand(),
        locale,
        email: HOSTILE.into(),
        linked: vec![LinkedIdentity {
            upstream_id: "github".into(),
            upstream_name: HOSTILE.into(),
            account_name: Some(HOSTILE.into()),
            linked_at: now - 86_400,
            last_used_at: now - 60,
        }],
        linkable: vec![("corp".into(), HOSTILE.into())],
        sign_in_again: "/login?return_to=/account/identities".into(),
        csrf_token: "t".into(),
        notice: Some(locale.text("identities-linked")),
        error: Some(locale.text("identities-last-way")),
        now,
    }
}

/// The password page: a change, or a first password the account must sign in again for,
/// with every message it may show.
pub fn password_page(locale: Locale, has_password: bool) -> PasswordPage {
    let refusal = crate::auth::password_policy::PolicyRefusal::TooShort { min: 8 };
    PasswordPage {
        brand: brand(),
        locale,
        email: HOSTILE.into(),
        has_password,
        sign_in_again: (!has_password).then(|| "/login?return_to=/account/password".into()),
        min_length: 8,
        csrf_token: "t".into(),
        notice: Some(locale.text("password-changed")),
        error: Some(crate::http::pages::messages::policy_refusal(
            locale, refusal,
        )),
    }
}

pub fn delete_page(locale: Locale, has_password: bool) -> DeleteAccountPage {
    DeleteAccountPage {
        brand: brand(),
        locale,
        email: HOSTILE.into(),
        has_password,
        sign_in_again: (!has_password).then(|| "/login?return_to=/account/delete".into()),
        csrf_token: "t".into(),
        error: Some(locale.text("delete-not-confirmed")),
    }
}

pub const FIREFOX_ON_LINUX: &str =
    "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0";

/// One event of every type and outcome, as the account page's activity list is given them
/// (those not shown to the owner are dropped by the page), a minute apart.
pub fn every_activity(now: i64) -> Vec<crate::service::account::Activity> {
    use crate::audit::EventType;
    let outcomes = ["success", "failure", "throttled"];
    EventType::ALL
        .iter()
        .flat_map(|t| outcomes.iter().map(move |o| (*t, *o)))
        .enumerate()
        .map(
            |(i, (event_type, outcome))| crate::service::account::Activity {
                event_type,
                outcome: outcome.to_string(),
                at: now - 60 * i as i64,
                address: Some("198.51.100.4".into()),
                user_agent: Some(FIREFOX_ON_LINUX.into()),
                by_admin: event_type == EventType::SecondFactorsReset,
            },
        )
        .collect()
}
