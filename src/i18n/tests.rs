//! The catalogues are complete and consistent: these tests are what lets `catalogue::format`
//! promise that no user ever sees a message id.
use std::collections::BTreeSet;
use std::path::Path;

use fluent_bundle::FluentResource;
use fluent_syntax::ast::{Entry, Expression, InlineExpression, Pattern, PatternElement};

use super::Locale;
use super::catalogue::{ids_and_errors, source};

/// German messages whose text is legitimately the same as the English.
const SAME_IN_GERMAN: &[&str] = &[
    // "Passkey" is the word German uses too (as Apple, Google and Microsoft do in German).
    "passkeys-title",
    "account-passkeys-link",
];

fn ids(locale: Locale) -> Vec<String> {
    ids_and_errors(source(locale)).0
}

#[test]
fn every_catalogue_parses_without_errors_or_duplicate_ids() {
    for locale in Locale::ALL {
        let (ids, errors) = ids_and_errors(source(locale));
        assert_eq!(errors, 0, "{locale}.ftl has syntax errors");
        let unique: BTreeSet<&String> = ids.iter().collect();
        assert_eq!(unique.len(), ids.len(), "{locale}.ftl defines an id twice");
        assert!(ids.len() > 50, "{locale}.ftl looks empty");
    }
}

#[test]
fn every_catalogue_has_exactly_the_english_ids() {
    let english: BTreeSet<String> = ids(Locale::En).into_iter().collect();
    for locale in Locale::ALL {
        let other: BTreeSet<String> = ids(locale).into_iter().collect();
        let missing: Vec<_> = english.difference(&other).collect();
        let stale: Vec<_> = other.difference(&english).collect();
        assert!(missing.is_empty(), "{locale}.ftl lacks {missing:?}");
        assert!(
            stale.is_empty(),
            "{locale}.ftl has ids English does not: {stale:?}"
        );
    }
}

#[test]
fn translations_use_the_english_arguments() {
    let english = variables_by_id(Locale::En);
    for locale in Locale::ALL {
        for (id, variables) in variables_by_id(locale) {
            let expected = english.iter().find(|(en_id, _)| *en_id == id);
            assert_eq!(
                expected.map(|(_, v)| v),
                Some(&variables),
                "{locale}.ftl: {id} uses other arguments than English"
            );
        }
    }
}

#[test]
fn no_english_is_left_in_german() {
    for id in ids(Locale::En) {
        if SAME_IN_GERMAN.contains(&id.as_str()) {
            continue;
        }
        let (en, de) = (sample(Locale::En, &id), sample(Locale::De, &id));
        assert_ne!(en, de, "de.ftl: {id} is still English");
    }
}

#[test]
fn every_message_formats_in_every_locale() {
    for locale in Locale::ALL {
        for id in ids(locale) {
            let text = sample(locale, &id);
            assert!(!text.trim().is_empty(), "{locale}: {id} is empty");
            assert!(!text.contains(&id), "{locale}: {id} shows its id");
        }
    }
}

#[test]
fn plurals_choose_their_forms() {
    let minutes = |locale: Locale, n| locale.count("ago-minutes", "count", n);
    assert_eq!(minutes(Locale::En, 1), "1 minute ago");
    assert_eq!(minutes(Locale::En, 5), "5 minutes ago");
    assert_eq!(minutes(Locale::De, 1), "vor einer Minute");
    assert_eq!(minutes(Locale::De, 5), "vor 5 Minuten");
    assert_eq!(minutes(Locale::Fr, 1), "il y a 1 minute");
    assert_eq!(minutes(Locale::Fr, 5), "il y a 5 minutes");
    let left = |locale: Locale, n| locale.count("mfa-codes-left", "count", n);
    assert_eq!(left(Locale::En, 10), "Unused recovery codes: 10.");
    assert_eq!(left(Locale::En, 1), "One unused recovery code left.");
    assert_eq!(
        left(Locale::De, 0),
        "Keine unbenutzten Wiederherstellungscodes mehr."
    );
}

#[test]
fn markup_messages_escape_their_argument() {
    let html = Locale::De.markup("consent-lead-html", "client", "<b>\"A&B\"</b>");
    assert_eq!(
        html,
        "<strong>&lt;b&gt;&quot;A&amp;B&quot;&lt;/b&gt;</strong> möchte:"
    );
}

/// Every message id the code and templates name exists in English (and so, by the test
/// above, everywhere). Ids are recognised as string literals of lowercase words joined by
/// dashes that start with one of the catalogue's id prefixes (`login-`, `error-`, ...), in
/// `src/http` anywhere, in templates inside their expressions.
#[test]
fn every_message_id_used_exists() {
    let english: BTreeSet<String> = ids(Locale::En).into_iter().collect();
    let prefixes: BTreeSet<String> = english
        .iter()
        .filter_map(|id| id.split('-').next().map(|p| format!("{p}-")))
        .collect();
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    collect(&root.join("templates"), "html", &mut files);
    // The web layer is where pages and their messages are made; the admin API makes no page
    // (its problem types, `password-policy` and the like, are no messages).
    collect(&root.join("src/http"), "rs", &mut files);
    files.retain(|file| !file.starts_with(root.join("src/http/admin")));
    let mut used = 0;
    for file in files {
        let Ok(text) = std::fs::read_to_string(&file) else {
            continue;
        };
        // In a template only its expressions name messages, not its element ids.
        let text = match file.extension().is_some_and(|e| e == "html") {
            true => template_expressions(&text),
            false => text,
        };
        for literal in text.split('"').skip(1).step_by(2) {
            let looks_like_id = literal.contains('-')
                && literal
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
            if looks_like_id && prefixes.iter().any(|p| literal.starts_with(p.as_str())) {
                used += 1;
                assert!(
                    english.contains(literal),
                    "{}: message {literal:?} is not in en.ftl",
                    file.display()
                );
            }
        }
    }
    assert!(used > 50, "the scan found only {used} message ids");
}

/// The insides of a template's `{{ … }}` and `{% … %}`, one per line.
fn template_expressions(template: &str) -> String {
    let mut out = String::new();
    for (open, close) in [("{{", "}}"), ("{%", "%}")] {
        for piece in template.split(open).skip(1) {
            if let Some((inside, _)) = piece.split_once(close) {
                out.push_str(inside);
                out.push('\n');
            }
        }
    }
    out
}

fn collect(dir: &Path, extension: &str, files: &mut Vec<std::path::PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            collect(&path, extension, files);
        } else if path.extension().is_some_and(|e| e == extension) {
            files.push(path);
        }
    }
}

/// The message with every argument filled in: text arguments as "X", counts as 7.
fn sample(locale: Locale, id: &str) -> String {
    use super::Arg;
    let variables = variables_by_id(Locale::En)
        .into_iter()
        .find(|(en_id, _)| en_id == id)
        .map(|(_, v)| v)
        .unwrap_or_default();
    let args: Vec<(&str, Arg<'_>)> = variables
        .iter()
        .map(|name| match name.as_str() {
            "count" | "minutes" => (name.as_str(), Arg::Count(7)),
            _ => (name.as_str(), Arg::Text("X")),
        })
        .collect();
    locale.format(id, &args)
}

/// Each message's id and the argument names it refers to.
fn variables_by_id(locale: Locale) -> Vec<(String, BTreeSet<String>)> {
    let resource =
        FluentResource::try_new(source(locale).to_string()).unwrap_or_else(|(partial, _)| partial);
    resource
        .entries()
        .filter_map(|entry| match entry {
            Entry::Message(message) => {
                let mut names = BTreeSet::new();
                if let Some(pattern) = &message.value {
                    pattern_variables(pattern, &mut names);
                }
                Some((message.id.name.to_string(), names))
            }
            _ => None,
        })
        .collect()
}

fn pattern_variables(pattern: &Pattern<&str>, names: &mut BTreeSet<String>) {
    for element in &pattern.elements {
        if let PatternElement::Placeable { expression } = element {
            expression_variables(expression, names);
        }
    }
}

fn expression_variables(expression: &Expression<&str>, names: &mut BTreeSet<String>) {
    match expression {
        Expression::Inline(inline) => inline_variables(inline, names),
        Expression::Select { selector, variants } => {
            inline_variables(selector, names);
            for variant in variants {
                pattern_variables(&variant.value, names);
            }
        }
    }
}

fn inline_variables(inline: &InlineExpression<&str>, names: &mut BTreeSet<String>) {
    match inline {
        InlineExpression::VariableReference { id } => {
            names.insert(id.name.to_string());
        }
        InlineExpression::Placeable { expression } => expression_variables(expression, names),
        _ => {}
    }
}
