//! Every page, in every language, renders with its words from the catalogue: the right
//! `lang`, no message id and no unfilled placeable left, arguments escaped, and templates
//! with no words of their own.

use askama::Template;

use super::device_pages::device_pages;
use super::emailed_pages::emailed_pages;
use super::fixtures::*;
use crate::auth::recovery;
use crate::http::html::error_page_html;
use crate::http::pages::templates::*;
use crate::i18n::{Locale, Message, message_ids};
use crate::oauth::scope::Scopes;
use crate::service::account::{ConsentSummary, Overview, SessionSummary};
use crate::service::consent::Asker;

/// Every page, in every state that changes its words.
fn every_page(locale: Locale) -> Vec<(&'static str, String)> {
    let scopes = Scopes::parse("openid profile email offline_access").unwrap();
    let now = 10 * 86_400;
    let pages: Vec<(&'static str, askama::Result<String>)> = vec![
        (
            "login for a client",
            LoginPage {
                brand: brand(),
                locale,
                client_name: Some(HOSTILE.into()),
                action: "/login".into(),
                csrf_token: "t".into(),
                email: String::new(),
                error: Some(
                    locale.format("form-throttled", &[("minutes", crate::i18n::Arg::Count(2))]),
                ),
                passkey: Some(offer()),
                upstreams: vec![UpstreamButton {
                    href: "/login/upstream/github?client_id=app".into(),
                    label: locale.text_with("upstream-continue", "provider", HOSTILE),
                }],
                link_notice: Some(locale.markup_pair(
                    "upstream-link-first-html",
                    &("email", HOSTILE),
                    &("provider", HOSTILE),
                )),
                sign_up: true,
            }
            .render(),
        ),
        (
            "login for the account",
            LoginPage {
                brand: brand(),
                locale,
                client_name: None,
                action: "/login".into(),
                csrf_token: "t".into(),
                email: String::new(),
                error: None,
                passkey: None,
                upstreams: Vec::new(),
                link_notice: None,
                sign_up: false,
            }
            .render(),
        ),
        (
            "totp",
            SecondStepPage {
                brand: brand(),
                locale,
                client_name: Some("App".into()),
                action: "/login/totp".into(),
                csrf_token: "t".into(),
                error: Some(locale.text("totp-wrong-code")),
                totp: true,
                passkey: Some(offer()),
            }
            .render(),
        ),
        (
            "second step with a passkey only",
            SecondStepPage {
                brand: brand(),
                locale,
                client_name: None,
                action: "/login/totp".into(),
                csrf_token: "t".into(),
                error: Some(locale.text("passkey-rejected")),
                totp: false,
                passkey: Some(offer()),
            }
            .render(),
        ),
        ("passkeys", passkeys_page(locale, true).render()),
        (
            "passkeys unavailable",
            passkeys_page(locale, false).render(),
        ),
        (
            "consent",
            ConsentPage {
                brand: brand(),
                locale,
                client_name: HOSTILE.into(),
                user_email: "ada@example.com".into(),
                scopes: scopes.iter().filter_map(describe_scope).collect(),
                apis: vec![(HOSTILE.into(), vec!["read".into()])],
                action: "/consent".into(),
                csrf_token: "t".into(),
                asker: Asker::default(),
            }
            .render(),
        ),
        (
            "consent of a client that describes itself",
            ConsentPage {
                brand: brand(),
                locale,
                client_name: HOSTILE.into(),
                user_email: "ada@example.com".into(),
                scopes: scopes.iter().filter_map(describe_scope).collect(),
                apis: Vec::new(),
                action: "/consent".into(),
                csrf_token: "t".into(),
                asker: Asker {
                    client_host: Some(HOSTILE.into()),
                    self_registered: true,
                    logo_uri: Some("https://tool.example/logo.png".into()),
                    redirect_host: Some(HOSTILE.into()),
                },
            }
            .render(),
        ),
        (
            "account",
            AccountPage {
                brand: brand(),
                locale,
                overview: Overview {
                    email: "ada@example.com".into(),
                    sessions: vec![
                        SessionSummary {
                            handle: "h".into(),
                            auth_time: now - 90_000,
                            last_seen_at: now - 120,
                            current: true,
                            user_agent: Some(FIREFOX_ON_LINUX.into()),
                            address: Some("192.0.2.7".into()),
                        },
                        SessionSummary {
                            handle: "i".into(),
                            auth_time: now - 4_000,
                            last_seen_at: now,
                            current: false,
                            user_agent: Some(HOSTILE.into()),
                            address: None,
                        },
                    ],
                    consents: vec![ConsentSummary {
                        client_id: "app".into(),
                        client_name: HOSTILE.into(),
                        scope: scopes.clone(),
                    }],
                    activity: every_activity(now),
                },
                now,
                csrf_token: "t".into(),
                upstreams_configured: true,
            }
            .render(),
        ),
        ("identities", identities_page(locale, now).render()),
        (
            "mfa enrol",
            mfa_page(
                locale,
                MfaShown::Enrol {
                    enrolment: enrolment(),
                    action: "/account/mfa/enable".into(),
                },
            )
            .render(),
        ),
        (
            "mfa manage",
            mfa_page(
                locale,
                MfaShown::Manage {
                    recovery_codes_left: 3,
                },
            )
            .render(),
        ),
        (
            "mfa unavailable",
            mfa_page(locale, MfaShown::Unavailable).render(),
        ),
        (
            "mfa codes",
            mfa_page(
                locale,
                MfaShown::Codes {
                    codes: recovery::generate(),
                    continue_url: "/authorize".into(),
                    continue_label: locale.text_with("mfa-continue-to", "client", HOSTILE),
                },
            )
            .render(),
        ),
        (
            "logout for a client",
            LogoutPage {
                brand: brand(),
                locale,
                client_name: Some(HOSTILE.into()),
                csrf_token: "t".into(),
                fields: vec![],
            }
            .render(),
        ),
        (
            "logout",
            LogoutPage {
                brand: brand(),
                locale,
                client_name: None,
                csrf_token: "t".into(),
                fields: vec![],
            }
            .render(),
        ),
        ("password", password_page(locale, true).render()),
        ("first password", password_page(locale, false).render()),
        ("delete", delete_page(locale, true).render()),
        (
            "delete after an upstream sign-in",
            delete_page(locale, false).render(),
        ),
        (
            "account deleted",
            AccountDeletedPage {
                brand: brand(),
                locale,
            }
            .render(),
        ),
        (
            "signed out",
            SignedOutPage {
                brand: brand(),
                locale,
            }
            .render(),
        ),
        (
            "error",
            error_page_html(
                locale,
                "error-invalid-request-title",
                &Message::new("error-duplicate-parameter").with_text("name", HOSTILE),
            ),
        ),
    ];
    pages
        .into_iter()
        .chain(emailed_pages(locale))
        .chain(device_pages(locale))
        .map(|(name, html)| (name, html.unwrap_or_else(|e| panic!("{name}: {e}"))))
        .collect()
}

#[test]
fn every_page_renders_in_every_language_without_message_ids() {
    let ids = message_ids();
    for locale in Locale::ALL {
        for (name, html) in every_page(locale) {
            let lang = format!("<html lang=\"{locale}\">");
            assert!(html.contains(&lang), "{locale} {name}: no {lang}");
            for id in &ids {
                assert!(!html.contains(id.as_str()), "{locale} {name}: shows {id}");
            }
            assert!(
                !html.contains("{ $") && !html.contains("{$"),
                "{locale} {name}: {html}"
            );
            // Client names and the like stay text, wherever the message puts them.
            assert!(
                !html.contains(HOSTILE),
                "{locale} {name}: unescaped argument"
            );
        }
    }
}

#[test]
fn german_and_french_pages_differ_from_english_ones() {
    let english = every_page(Locale::En);
    for locale in [Locale::De, Locale::Fr] {
        for ((name, en), (_, other)) in english.iter().zip(every_page(locale)) {
            assert_ne!(
                en.replace("lang=\"en\"", ""),
                other.replace(&format!("lang=\"{locale}\""), ""),
                "{locale} {name}"
            );
        }
    }
}

/// Text outside tags and template expressions would be the same in every language.
#[test]
fn templates_hold_no_words_of_their_own() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("templates");
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let template = std::fs::read_to_string(&path).unwrap();
        let mut text = String::new();
        let mut depth = 0;
        let mut chars = template.chars().peekable();
        while let Some(c) = chars.next() {
            match (c, chars.peek()) {
                ('{', Some('{' | '%' | '#')) | ('<', _) => depth += 1,
                ('}' | '%' | '#', Some('}')) | ('>', _) if depth > 0 => {
                    depth -= 1;
                    if c != '>' {
                        chars.next();
                    }
                }
                _ if depth == 0 => text.push(c),
                _ => {}
            }
        }
        let words: Vec<&str> = text
            .split(|c: char| !c.is_alphabetic())
            .filter(|w| !w.is_empty() && *w != "Tessera")
            .collect();
        assert!(words.is_empty(), "{}: {words:?}", path.display());
    }
}
