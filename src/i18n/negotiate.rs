//! Which language a page is shown in: the client's `ui_locales` (OIDC Core §3.1.2.1), then
//! the browser's `Accept-Language` (RFC 9110 §12.5.4), then the configured default.
use super::Locale;

/// The locale for a page. `ui_locales` is the authorization request's space-separated list
/// of BCP 47 tags, in order of preference; `accept_language` is the header's value.
/// Tags are matched on their primary language subtag; unsupported ones are skipped.
pub fn negotiate(
    ui_locales: Option<&str>,
    accept_language: Option<&str>,
    default: Locale,
) -> Locale {
    ui_locales
        .and_then(|tags| tags.split_ascii_whitespace().find_map(Locale::parse))
        .or_else(|| accept_language.and_then(from_accept_language))
        .unwrap_or(default)
}

/// The most preferred supported language of an `Accept-Language` value. `q=0` means "not
/// this one"; `*` names no language in particular, so it leaves the choice to the default.
fn from_accept_language(header: &str) -> Option<Locale> {
    let mut ranges: Vec<(&str, u16)> = header.split(',').filter_map(language_range).collect();
    // Stable: equal weights keep the order the browser sent them in.
    ranges.sort_by_key(|(_, weight)| std::cmp::Reverse(*weight));
    ranges
        .into_iter()
        .filter(|(_, weight)| *weight > 0)
        .find_map(|(tag, _)| Locale::parse(tag))
}

/// One `language-range [; q=weight]`, the weight in thousandths (RFC 9110 §12.4.2 allows
/// three decimals). A malformed weight drops the range rather than guessing it.
fn language_range(item: &str) -> Option<(&str, u16)> {
    let mut parts = item.split(';');
    let tag = parts.next()?.trim();
    if tag.is_empty() || tag == "*" {
        return None;
    }
    let mut weight = 1000;
    for parameter in parts {
        let (name, value) = parameter.split_once('=')?;
        if name.trim().eq_ignore_ascii_case("q") {
            weight = parse_weight(value.trim())?;
        }
    }
    Some((tag, weight))
}

fn parse_weight(value: &str) -> Option<u16> {
    let (whole, fraction) = value.split_once('.').unwrap_or((value, ""));
    if fraction.len() > 3 || !fraction.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let thousandths = format!("{fraction:0<3}").parse::<u16>().ok()?;
    match whole {
        "0" => Some(thousandths),
        "1" if thousandths == 0 => Some(1000),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use Locale::{De, En, Fr};

    #[test]
    fn ui_locales_come_before_accept_language() {
        assert_eq!(negotiate(Some("de"), Some("fr"), En), De);
        assert_eq!(negotiate(Some("fr-CA de"), Some("de"), En), Fr);
    }

    #[test]
    fn ui_locales_skip_unsupported_tags_in_order() {
        assert_eq!(negotiate(Some("ja  zh-Hant de-CH fr"), None, En), De);
        assert_eq!(negotiate(Some("ja"), Some("fr"), En), Fr);
        assert_eq!(negotiate(Some(""), None, De), De);
    }

    #[test]
    fn region_and_script_subtags_match_their_language() {
        assert_eq!(negotiate(Some("de-CH"), None, En), De);
        assert_eq!(negotiate(Some("FR-be"), None, En), Fr);
        assert_eq!(negotiate(None, Some("de-AT"), En), De);
        assert_eq!(negotiate(None, Some("en_GB"), De), En);
    }

    #[test]
    fn accept_language_honours_weights() {
        assert_eq!(
            negotiate(None, Some("en;q=0.5, fr;q=0.9, de;q=0.7"), De),
            Fr
        );
        assert_eq!(negotiate(None, Some("de;q=0.8,fr"), En), Fr);
        assert_eq!(
            negotiate(
                None,
                Some("fr-CH, fr;q=0.9, en;q=0.8, de;q=0.7, *;q=0.5"),
                En
            ),
            Fr
        );
        // Equal weights: the order sent.
        assert_eq!(negotiate(None, Some("de, fr"), En), De);
    }

    #[test]
    fn q_zero_means_not_this_language() {
        assert_eq!(negotiate(None, Some("fr;q=0, de;q=0.1"), En), De);
        assert_eq!(negotiate(None, Some("de;q=0.000"), Fr), Fr);
    }

    #[test]
    fn unknown_tags_wildcards_and_garbage_fall_back_to_the_default() {
        assert_eq!(negotiate(None, Some("ja, zh;q=0.9"), De), De);
        assert_eq!(negotiate(None, Some("*"), Fr), Fr);
        assert_eq!(negotiate(None, Some("de;q=2, fr;q=abc"), En), En);
        assert_eq!(negotiate(None, Some(",,;"), De), De);
        assert_eq!(negotiate(None, None, Fr), Fr);
    }

    #[test]
    fn weights_parse_as_rfc_9110_says() {
        assert_eq!(parse_weight("1"), Some(1000));
        assert_eq!(parse_weight("1.000"), Some(1000));
        assert_eq!(parse_weight("0.5"), Some(500));
        assert_eq!(parse_weight("0.125"), Some(125));
        assert_eq!(parse_weight("0.1234"), None);
        assert_eq!(parse_weight("1.5"), None);
        assert_eq!(parse_weight("-0"), None);
    }
}
