//! The device flow's pages (RFC 8628), in every state that changes their words, for
//! `every_language`.
use askama::Template;

use super::fixtures::{HOSTILE, brand};
use crate::http::html::error_page_html;
use crate::http::pages::device_templates::{DeviceConsentPage, DevicePage};
use crate::http::pages::email_templates::NoticePage;
use crate::http::pages::templates::describe_scope;
use crate::i18n::{Arg, Locale, Message};
use crate::oauth::scope::Scopes;

pub fn device_pages(locale: Locale) -> Vec<(&'static str, askama::Result<String>)> {
    let scopes = Scopes::parse("openid email offline_access").unwrap();
    let done = |title: &str, message: &str| NoticePage {
        brand: brand(),
        locale,
        title: locale.text(title),
        message: locale.text_with(message, "client", HOSTILE),
        link: None,
    };
    vec![
        (
            "device code",
            DevicePage {
                brand: brand(),
                locale,
                action: "/device".into(),
                csrf_token: "t".into(),
                user_code: "BCDF-GHJK".into(),
                error: None,
            }
            .render(),
        ),
        (
            "device code, wrong",
            DevicePage {
                brand: brand(),
                locale,
                action: "/device".into(),
                csrf_token: "t".into(),
                user_code: HOSTILE.into(),
                error: Some(locale.text("device-code-wrong")),
            }
            .render(),
        ),
        (
            "device code, throttled",
            DevicePage {
                brand: brand(),
                locale,
                action: "/device".into(),
                csrf_token: "t".into(),
                user_code: String::new(),
                error: Some(locale.format("form-throttled", &[("minutes", Arg::Count(10))])),
            }
            .render(),
        ),
        (
            "device consent",
            DeviceConsentPage {
                brand: brand(),
                locale,
                client_name: HOSTILE.into(),
                user_email: "ada@example.com".into(),
                scopes: scopes.iter().filter_map(describe_scope).collect(),
                apis: vec![(HOSTILE.into(), vec!["read".into()])],
                action: "/device/consent?device=h".into(),
                csrf_token: "t".into(),
            }
            .render(),
        ),
        (
            "device connected",
            done("device-done-title", "device-approved").render(),
        ),
        (
            "device not connected",
            done("device-denied-title", "device-denied").render(),
        ),
        (
            "device code ended",
            error_page_html(locale, "device-ended-title", &Message::new("device-ended")),
        ),
        (
            "device needs a second factor",
            error_page_html(
                locale,
                "device-ended-title",
                &Message::new("device-second-factor-required").with_text("client", HOSTILE),
            ),
        ),
    ]
}
