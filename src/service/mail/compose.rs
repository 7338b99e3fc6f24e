//! A message as its recipient reads it: subject, plain text and HTML (inline styles only, no
//! remote images: mail clients block them and they would tell a sender who opened what),
//! every word from the catalogue in the recipient's language, branded with the product name
//! and primary colour; and the headers of an automatic message (RFC 5322, RFC 3834).
use std::time::{Duration, SystemTime};

use lettre::Message;
use lettre::message::header::{ContentType, Header, HeaderName, HeaderValue};
use lettre::message::{Mailbox, MultiPart, SinglePart};

use super::{Mail, MailKind};
use crate::branding::contrast::{Rgb, contrast_ratio};
use crate::i18n::{Arg, Locale, escape_html};

/// Who the message comes from and how it looks: read from the settings when it is queued.
pub(super) struct Sender<'a> {
    pub product_name: &'a str,
    pub primary_color: Rgb,
    pub from: Mailbox,
    /// The issuer's host: the right-hand side of the Message-ID.
    pub host: &'a str,
}

/// One piece of a message body, in order.
enum Block<'a> {
    Paragraph(String),
    /// A button in HTML, the label and the address in text.
    Link {
        label: String,
        url: &'a str,
    },
}

/// `Auto-Submitted: auto-generated` (RFC 3834 §5): vacation responders and other robots do
/// not answer it.
#[derive(Clone)]
struct AutoSubmitted;

impl Header for AutoSubmitted {
    fn name() -> HeaderName {
        HeaderName::new_from_ascii_str("Auto-Submitted")
    }

    fn parse(_: &str) -> Result<Self, Box<dyn std::error::Error + Send + Sync>> {
        Ok(Self)
    }

    fn display(&self) -> HeaderValue {
        HeaderValue::new(Self::name(), "auto-generated".to_string())
    }
}

/// The whole message, ready to be sealed: its `Message-ID` is `<id@host>`, its `Date` `now`.
pub(super) fn message(
    mail: &Mail,
    to: Mailbox,
    sender: &Sender<'_>,
    id: &str,
    now: i64,
) -> Result<Message, String> {
    let locale = mail.locale;
    let product = sender.product_name;
    let subject = say(
        locale,
        &format!("mail-{}-subject", slug(&mail.kind)),
        product,
        &mail.kind,
    );
    let blocks = blocks(&mail.kind, locale, product);
    let footer = say(locale, "mail-footer", product, &mail.kind);
    let text = text_body(locale, &blocks, &footer);
    let html = html_body(locale, &subject, &blocks, &footer, sender.primary_color);
    let date = SystemTime::UNIX_EPOCH + Duration::from_secs(u64::try_from(now).unwrap_or(0));
    Message::builder()
        .from(sender.from.clone())
        .to(to)
        .subject(subject)
        .date(date)
        .message_id(Some(format!("<{id}@{}>", sender.host)))
        .header(AutoSubmitted)
        .multipart(
            MultiPart::alternative()
                .singlepart(
                    SinglePart::builder()
                        .header(ContentType::TEXT_PLAIN)
                        .body(text),
                )
                .singlepart(
                    SinglePart::builder()
                        .header(ContentType::TEXT_HTML)
                        .body(html),
                ),
        )
        .map_err(|e| format!("cannot build the message: {e}"))
}

/// The catalogue's name of a kind: `mail-<slug>-…`.
fn slug(kind: &MailKind) -> &'static str {
    match kind {
        MailKind::VerifyEmail { .. } => "verify-email",
        MailKind::ResetPassword { .. } => "reset-password",
        MailKind::PasswordChanged { .. } => "password-changed",
        MailKind::SignUpExists { .. } => "sign-up-exists",
        MailKind::Invite { .. } => "invite",
        MailKind::EmailChangeConfirm { .. } => "email-change-confirm",
        MailKind::EmailChangeNotice { .. } => "email-change-notice",
        MailKind::AccountDeleted => "account-deleted",
    }
}

/// A message of the catalogue with the product name (and the new address, for the notice).
fn say(locale: Locale, id: &str, product: &str, kind: &MailKind) -> String {
    let new_email = match kind {
        MailKind::EmailChangeNotice { new_email, .. } => new_email.as_str(),
        _ => "",
    };
    locale.format(
        id,
        &[
            ("product", Arg::Text(product)),
            ("new_email", Arg::Text(new_email)),
        ],
    )
}

/// What each kind says, in order: why the person gets it, what to do, what if it was not them.
fn blocks<'a>(kind: &'a MailKind, locale: Locale, product: &str) -> Vec<Block<'a>> {
    let name = slug(kind);
    let para =
        |part: &str| Block::Paragraph(say(locale, &format!("mail-{name}-{part}"), product, kind));
    let link = |part: &str, url: &'a str| Block::Link {
        label: say(locale, &format!("mail-{name}-{part}"), product, kind),
        url,
    };
    match kind {
        MailKind::VerifyEmail { link: url }
        | MailKind::ResetPassword { link: url }
        | MailKind::Invite { link: url }
        | MailKind::EmailChangeConfirm { link: url } => vec![
            para("why"),
            link("action", url),
            para("expiry"),
            para("not-you"),
        ],
        MailKind::PasswordChanged { reset_link } => {
            vec![para("why"), para("not-you"), link("action", reset_link)]
        }
        MailKind::SignUpExists {
            sign_in_link,
            reset_link,
        } => vec![
            para("why"),
            para("sign-in-hint"),
            link("sign-in", sign_in_link),
            para("reset-hint"),
            link("reset", reset_link),
            para("not-you"),
        ],
        MailKind::EmailChangeNotice { undo_link, .. } => {
            vec![para("why"), para("not-you"), link("action", undo_link)]
        }
        MailKind::AccountDeleted => vec![para("why"), para("not-you")],
    }
}

fn text_body(locale: Locale, blocks: &[Block<'_>], footer: &str) -> String {
    let mut text = format!("{}\n\n", locale.text("mail-greeting"));
    for block in blocks {
        match block {
            Block::Paragraph(words) => text.push_str(&format!("{words}\n\n")),
            Block::Link { label, url } => text.push_str(&format!("{label}:\n{url}\n\n")),
        }
    }
    text.push_str(&format!("-- \n{footer}\n"));
    text
}

fn html_body(
    locale: Locale,
    subject: &str,
    blocks: &[Block<'_>],
    footer: &str,
    primary: Rgb,
) -> String {
    let (background, ink) = (primary.to_hex(), button_ink(primary).to_hex());
    let text_style = "margin:0 0 16px;font:16px/1.5 system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;color:#1f2328";
    let mut body = String::new();
    for block in blocks {
        match block {
            Block::Paragraph(words) => {
                body.push_str(&format!(
                    "<p style=\"{text_style}\">{}</p>\n",
                    escape_html(words)
                ));
            }
            Block::Link { label, url } => {
                let (label, url) = (escape_html(label), escape_html(url));
                body.push_str(&format!(
                    "<p style=\"margin:0 0 8px\"><a href=\"{url}\" style=\"display:inline-block;padding:12px 20px;border-radius:6px;background:{background};color:{ink};font:600 16px/1.2 system-ui,sans-serif;text-decoration:none\">{label}</a></p>\n\
                     <p style=\"margin:0 0 16px;font:13px/1.5 system-ui,sans-serif;color:#57606a\">{fallback}<br><a href=\"{url}\" style=\"color:#57606a;word-break:break-all\">{url}</a></p>\n",
                    fallback = escape_html(&locale.text("mail-link-fallback")),
                ));
            }
        }
    }
    format!(
        "<!DOCTYPE html>\n<html lang=\"{lang}\">\n<head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width\"><title>{title}</title></head>\n\
         <body style=\"margin:0;padding:24px;background:#f6f8fa\">\n\
         <div style=\"max-width:560px;margin:0 auto;padding:24px;background:#ffffff;border-top:4px solid {background};border-radius:6px\">\n\
         <p style=\"{text_style}\">{greeting}</p>\n{body}\
         <p style=\"margin:24px 0 0;font:13px/1.5 system-ui,sans-serif;color:#57606a\">{footer}</p>\n</div>\n</body>\n</html>\n",
        lang = locale.as_str(),
        title = escape_html(subject),
        greeting = escape_html(&locale.text("mail-greeting")),
        footer = escape_html(footer),
    )
}

/// White or black, whichever reads better on the button (WCAG contrast).
fn button_ink(background: Rgb) -> Rgb {
    if contrast_ratio(background, Rgb::WHITE) >= contrast_ratio(background, Rgb::BLACK) {
        Rgb::WHITE
    } else {
        Rgb::BLACK
    }
}
