//! The pages of emailed links and of the account's address, in every state that changes
//! their words, for `every_language`.
use askama::Template;

use super::fixtures::{HOSTILE, brand};
use crate::http::pages::email_templates::*;
use crate::i18n::Locale;

pub fn emailed_pages(locale: Locale) -> Vec<(&'static str, askama::Result<String>)> {
    vec![
        (
            "notice",
            NoticePage {
                brand: brand(),
                locale,
                title: locale.text("forgot-sent-title"),
                message: locale.text("forgot-sent"),
                link: Some(("/login".into(), locale.text("link-expired-sign-in"))),
            }
            .render(),
        ),
        (
            "forgot password",
            EmailFormPage {
                brand: brand(),
                locale,
                title: locale.text("forgot-title"),
                lead: locale.text("forgot-lead"),
                action: "/password/forgot".into(),
                csrf_token: "t".into(),
                email: HOSTILE.into(),
                submit: locale.text("forgot-submit"),
                error: Some(locale.text("sign-up-invalid-email")),
                back: Some(("/login".into(), locale.text("forgot-back"))),
            }
            .render(),
        ),
        (
            "new password",
            NewPasswordPage {
                brand: brand(),
                locale,
                title: locale.text("reset-title"),
                email: HOSTILE.into(),
                action: "/password/reset".into(),
                csrf_token: "t".into(),
                submit: locale.text("reset-submit"),
                error: Some(locale.text("new-password-mismatch")),
                min_length: 8,
            }
            .render(),
        ),
        (
            "confirm a link",
            ConfirmLinkPage {
                brand: brand(),
                locale,
                title: locale.text("verify-title"),
                lead_html: locale.markup("verify-lead-html", "email", HOSTILE),
                action: "/email/verify".into(),
                csrf_token: "t".into(),
                submit: locale.text("verify-submit"),
            }
            .render(),
        ),
        (
            "sign up page",
            SignUpPage {
                brand: brand(),
                locale,
                action: "/signup".into(),
                csrf_token: "t".into(),
                email: HOSTILE.into(),
                name: HOSTILE.into(),
                error: Some(locale.text("sign-up-domain-not-allowed")),
                min_length: 8,
            }
            .render(),
        ),
        (
            "account email",
            AccountEmailPage {
                brand: brand(),
                locale,
                email: HOSTILE.into(),
                verified: false,
                csrf_token: "t".into(),
                notice: Some(locale.text("account-email-change-sent")),
                error: Some(locale.text("account-email-sign-in-again")),
            }
            .render(),
        ),
    ]
}
