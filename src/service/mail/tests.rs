//! Composition without a database: every kind in every language has its words, its links in
//! both parts, the headers of an automatic message; Debug never shows a link.
use std::str::FromStr;

use lettre::message::Mailbox;
use mailparse::MailHeaderMap;

use super::compose::{Sender, message};
use super::{Mail, MailKind};
use crate::branding::contrast::Rgb;
use crate::i18n::Locale;

const LINK: &str = "https://id.example.com/email/verify?token=SECRET-TOKEN-1";
const OTHER: &str = "https://id.example.com/password/forgot?token=SECRET-TOKEN-2";

fn every_kind() -> Vec<MailKind> {
    vec![
        MailKind::VerifyEmail { link: LINK.into() },
        MailKind::ResetPassword { link: LINK.into() },
        MailKind::PasswordChanged {
            reset_link: LINK.into(),
        },
        MailKind::SignUpExists {
            sign_in_link: LINK.into(),
            reset_link: OTHER.into(),
        },
        MailKind::Invite { link: LINK.into() },
        MailKind::EmailChangeConfirm { link: LINK.into() },
        MailKind::EmailChangeNotice {
            new_email: "new@example.com".into(),
            undo_link: LINK.into(),
        },
        MailKind::AccountDeleted,
    ]
}

fn compose(kind: MailKind, locale: Locale) -> String {
    let mail = Mail {
        to: "ada@example.com".into(),
        locale,
        kind,
    };
    let sender = Sender {
        product_name: "Acme <ID>",
        primary_color: Rgb::new(0xff, 0xdd, 0x00),
        from: Mailbox::from_str("Acme ID <no-reply@id.example.com>").unwrap(),
        host: "id.example.com",
    };
    let to = Mailbox::from_str(&mail.to).unwrap();
    let built = message(&mail, to, &sender, "mail-1", 1_800_000_000).unwrap();
    String::from_utf8(built.formatted()).unwrap()
}

/// The text and HTML parts, decoded (quoted-printable or base64, as lettre chose).
fn parts(raw: &str) -> (String, String) {
    let parsed = mailparse::parse_mail(raw.as_bytes()).unwrap();
    assert_eq!(parsed.ctype.mimetype, "multipart/alternative");
    let body = |i: usize| parsed.subparts[i].get_body().unwrap();
    assert_eq!(parsed.subparts[0].ctype.mimetype, "text/plain");
    assert_eq!(parsed.subparts[1].ctype.mimetype, "text/html");
    (body(0), body(1))
}

#[test]
fn every_kind_in_every_language_has_its_words_links_and_headers() {
    for locale in Locale::ALL {
        for kind in every_kind() {
            let name = kind.name();
            let links: Vec<&str> = match &kind {
                MailKind::AccountDeleted => vec![],
                MailKind::SignUpExists { .. } => vec![LINK, OTHER],
                _ => vec![LINK],
            };
            let raw = compose(kind, locale);
            let parsed = mailparse::parse_mail(raw.as_bytes()).unwrap();
            let header = |n: &str| parsed.headers.get_first_value(n).unwrap_or_default();
            assert_eq!(header("Auto-Submitted"), "auto-generated");
            assert_eq!(header("Message-ID"), "<mail-1@id.example.com>");
            assert!(header("Date").contains("2027"), "{}", header("Date"));
            assert!(!header("Subject").is_empty());
            let (text, html) = parts(&raw);
            for link in &links {
                assert!(
                    text.contains(link),
                    "{locale:?} {name}: text lacks the link"
                );
                assert!(
                    html.contains(&format!("href=\"{link}\"")),
                    "{locale:?} {name}"
                );
            }
            for part in [&text, &html] {
                assert!(
                    !part.contains("mail-"),
                    "{locale:?} {name}: an id left: {part}"
                );
            }
            // The product name is text, never markup; the button's ink reads on yellow.
            assert!(html.contains("Acme &lt;ID&gt;") && !html.contains("Acme <ID>"));
            if !links.is_empty() {
                assert!(html.contains("background:#ffdd00;color:#000000"), "{name}");
            }
            assert!(html.contains(&format!("lang=\"{}\"", locale.as_str())));
            assert!(
                !html.contains("<img") && !html.contains("<link"),
                "no remote content"
            );
        }
    }
}

#[test]
fn the_subject_is_in_the_recipients_language() {
    let subject = |locale| {
        let raw = compose(MailKind::ResetPassword { link: LINK.into() }, locale);
        let parsed = mailparse::parse_mail(raw.as_bytes()).unwrap();
        parsed.headers.get_first_value("Subject").unwrap()
    };
    assert_eq!(subject(Locale::En), "Choose a new password for Acme <ID>");
    assert_eq!(
        subject(Locale::De),
        "Wählen Sie ein neues Passwort für Acme <ID>"
    );
    assert_eq!(
        subject(Locale::Fr),
        "Choisissez un nouveau mot de passe pour Acme <ID>"
    );
}

#[test]
fn debug_never_shows_a_link() {
    for kind in every_kind() {
        let mail = Mail {
            to: "ada@example.com".into(),
            locale: Locale::En,
            kind,
        };
        let shown = format!("{mail:?}");
        assert!(!shown.contains("SECRET-TOKEN"), "{shown}");
        assert!(shown.contains("links redacted"), "{shown}");
    }
}
