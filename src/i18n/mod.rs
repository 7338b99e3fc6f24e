//! The languages of Tessera's pages: the supported `Locale`s, their message catalogues
//! (Fluent, `locales/*.ftl`, compiled into the binary) and the choice of one for a request
//! (OIDC Core §3.1.2.1 `ui_locales`, then RFC 9110 §12.5.4 `Accept-Language`). Pure: no HTTP,
//! no database; the web layer passes in the header values it read.
mod catalogue;
mod message;
mod negotiate;
#[cfg(test)]
mod tests;

pub use message::{Arg, Message};
pub use negotiate::negotiate;

/// A language Tessera's pages are written in. Adding one: a `locales/<tag>.ftl` file, a
/// variant here, its arms below and in `catalogue::source`; the tests then demand that the
/// new catalogue has every message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Locale {
    #[default]
    En,
    De,
    Fr,
}

impl Locale {
    /// Every supported locale, English (the fallback) first. Discovery lists these.
    pub const ALL: [Locale; 3] = [Locale::En, Locale::De, Locale::Fr];

    /// The BCP 47 tag, as in `<html lang>` and `ui_locales_supported`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::En => "en",
            Self::De => "de",
            Self::Fr => "fr",
        }
    }

    /// A supported locale from a BCP 47 tag, matched on its primary language subtag
    /// (`de-CH` is German), case-insensitively (RFC 5646 §2.1.1).
    pub fn parse(tag: &str) -> Option<Self> {
        let primary = tag.trim().split(['-', '_']).next()?;
        Self::ALL
            .into_iter()
            .find(|locale| locale.as_str().eq_ignore_ascii_case(primary))
    }

    /// The message `id` in this language, without arguments.
    pub fn text(self, id: &str) -> String {
        catalogue::format(self, id, &[])
    }

    /// The message `id` with its arguments: text (shown as given) or counts (which also
    /// choose a plural form).
    pub fn format(self, id: &str, args: &[(&str, Arg<'_>)]) -> String {
        catalogue::format(self, id, args)
    }

    /// A message built earlier (an error's), in this language.
    pub fn message(self, message: &Message) -> String {
        let args: Vec<(&str, Arg<'_>)> = message.args().collect();
        catalogue::format(self, message.id(), &args)
    }

    /// A message whose text holds markup (`<strong>`) around one text argument, for a
    /// template's `|safe`: the argument is HTML-escaped here, before it is placed, and the
    /// catalogue's own text is trusted markup. Never pass the result through anything else.
    pub fn markup(self, id: &str, name: &str, value: &str) -> String {
        let escaped = escape_html(value);
        catalogue::format(self, id, &[(name, Arg::Text(&escaped))])
    }

    /// As [`Locale::markup`], with two text arguments (both escaped). Templates pass tuples
    /// by reference.
    pub fn markup_pair(self, id: &str, first: &(&str, &str), second: &(&str, &str)) -> String {
        let (first_value, second_value) = (escape_html(first.1), escape_html(second.1));
        let args = [
            (first.0, Arg::Text(&first_value)),
            (second.0, Arg::Text(&second_value)),
        ];
        catalogue::format(self, id, &args)
    }

    /// A message with one text argument, for templates (which cannot build slices); the
    /// template escapes the whole result as usual.
    pub fn text_with(self, id: &str, name: &str, value: &str) -> String {
        catalogue::format(self, id, &[(name, Arg::Text(value))])
    }

    /// A message with one count argument, for templates.
    pub fn count(self, id: &str, name: &str, value: i64) -> String {
        catalogue::format(self, id, &[(name, Arg::Count(value))])
    }
}

/// Every message id of the English catalogue, for tests elsewhere that look for ids left
/// in rendered pages.
#[cfg(test)]
pub(crate) fn message_ids() -> Vec<String> {
    catalogue::ids_and_errors(catalogue::source(Locale::En)).0
}

impl std::fmt::Display for Locale {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The five characters that matter in HTML text and quoted attributes (pages' markup
/// messages, and the HTML part of mail).
pub fn escape_html(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for c in value.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}
