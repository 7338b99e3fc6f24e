//! The Fluent catalogues, compiled into the binary and parsed once, on first use, into one
//! shared bundle per locale (`concurrent::FluentBundle`, so every request thread reads the
//! same one).
use std::sync::LazyLock;

use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource, FluentValue};

use super::{Arg, Locale};

type Bundle = FluentBundle<FluentResource>;

/// The catalogue text of `locale`.
pub(super) fn source(locale: Locale) -> &'static str {
    match locale {
        Locale::En => include_str!("../../locales/en.ftl"),
        Locale::De => include_str!("../../locales/de.ftl"),
        Locale::Fr => include_str!("../../locales/fr.ftl"),
    }
}

static BUNDLES: LazyLock<[Bundle; 3]> =
    LazyLock::new(|| Locale::ALL.map(|locale| bundle(locale, source(locale))));

fn bundle_of(locale: Locale) -> &'static Bundle {
    let [en, de, fr] = &*BUNDLES;
    match locale {
        Locale::En => en,
        Locale::De => de,
        Locale::Fr => fr,
    }
}

/// A bundle from a catalogue. A syntax error cannot stop the server: the entries that did
/// parse are used, and the tests (`i18n::tests`) make sure there are none.
fn bundle(locale: Locale, source: &str) -> Bundle {
    let resource =
        FluentResource::try_new(source.to_string()).unwrap_or_else(|(partial, _)| partial);
    let langid = locale.as_str().parse().unwrap_or_default();
    let mut bundle = Bundle::new_concurrent(vec![langid]);
    // Fluent would wrap every placed argument in Unicode isolation marks (U+2068/U+2069) so
    // that right-to-left text cannot reorder its surroundings. All our locales are
    // left-to-right, and the invisible marks would land inside <title>, attribute values and
    // the tests' string matches.
    bundle.set_use_isolating(false);
    // Only an id defined twice is refused here; the tests forbid that too.
    let _ = bundle.add_resource(resource);
    bundle
}

/// Message `id` in `locale` with `args`. A message missing from a catalogue is a bug the
/// tests catch: debug builds stop on it, a release build shows the English text rather than
/// an id, and only a message missing from English too comes out as its id (logged).
pub(super) fn format(locale: Locale, id: &str, args: &[(&str, Arg<'_>)]) -> String {
    if let Some(text) = try_format(locale, id, args) {
        return text;
    }
    debug_assert!(
        false,
        "message {id:?} is missing from the {locale} catalogue"
    );
    tracing::error!(message_id = id, %locale, "message missing from the catalogue");
    try_format(Locale::En, id, args).unwrap_or_else(|| id.to_string())
}

fn try_format(locale: Locale, id: &str, args: &[(&str, Arg<'_>)]) -> Option<String> {
    let bundle = bundle_of(locale);
    let pattern = bundle.get_message(id)?.value()?;
    let mut fluent_args = FluentArgs::new();
    for (name, value) in args {
        let value = match value {
            Arg::Text(text) => FluentValue::from(*text),
            Arg::Count(count) => FluentValue::from(*count),
        };
        fluent_args.set(*name, value);
    }
    let mut errors = Vec::new();
    let text = bundle.format_pattern(pattern, Some(&fluent_args), &mut errors);
    // A reference to an argument we did not pass: as bad as a missing message.
    if !errors.is_empty() {
        debug_assert!(false, "message {id:?} in {locale}: {errors:?}");
        return None;
    }
    Some(text.into_owned())
}

/// The message ids a catalogue defines, and its syntax errors (for the tests).
#[cfg(test)]
pub(super) fn ids_and_errors(source: &str) -> (Vec<String>, usize) {
    use fluent_syntax::ast::Entry;
    let (resource, errors) = match FluentResource::try_new(source.to_string()) {
        Ok(resource) => (resource, 0),
        Err((resource, errors)) => (resource, errors.len()),
    };
    let ids = resource
        .entries()
        .filter_map(|entry| match entry {
            Entry::Message(message) => Some(message.id.name.to_string()),
            _ => None,
        })
        .collect();
    (ids, errors)
}
