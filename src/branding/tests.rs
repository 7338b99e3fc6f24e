//! `assets/tessera.css` against the rules it claims in its header: every text/background
//! pair at least 4.5:1 in both colour schemes, borders at least 3:1, the backgrounds the
//! palette derives links for, and defaults equal to what `brand.css` generates for them.
use std::collections::HashMap;

use super::STYLESHEET;
use super::contrast::{NON_TEXT_CONTRAST, Rgb, TEXT_CONTRAST, contrast_ratio};
use super::palette::{DARK_BACKGROUND, DEFAULT_PRIMARY, LIGHT_BACKGROUND, Palette};

/// The `--name: #hex;` declarations of the first `:root { … }` in `css`.
fn custom_properties(css: &str) -> HashMap<String, Rgb> {
    let start = css.find(":root {").unwrap() + ":root {".len();
    let block = &css[start..start + css[start..].find('}').unwrap()];
    block
        .split(';')
        .filter_map(|declaration| {
            let (name, value) = declaration.split_once(':')?;
            let name = name.trim().strip_prefix("--")?;
            Some((name.to_string(), Rgb::parse_hex(value.trim())?))
        })
        .collect()
}

fn schemes() -> [(&'static str, HashMap<String, Rgb>); 2] {
    let light = custom_properties(STYLESHEET);
    let dark_at = STYLESHEET
        .find("@media (prefers-color-scheme: dark)")
        .unwrap();
    let mut dark = light.clone();
    dark.extend(custom_properties(&STYLESHEET[dark_at..]));
    [("light", light), ("dark", dark)]
}

#[test]
fn every_text_pair_reaches_aa_in_both_schemes() {
    for (scheme, colours) in schemes() {
        let ratio = |fg: &str, bg: &str| contrast_ratio(colours[fg], colours[bg]);
        for (fg, bg) in [
            ("text", "bg"),
            ("muted", "bg"),
            ("link", "bg"),
            ("error-text", "error-bg"),
            ("on-primary", "primary"),
        ] {
            assert!(
                ratio(fg, bg) >= TEXT_CONTRAST,
                "{scheme}: --{fg} on --{bg} is {:.2}:1",
                ratio(fg, bg)
            );
        }
        for (ui, bg) in [("border", "bg"), ("link", "bg"), ("error-text", "error-bg")] {
            assert!(
                ratio(ui, bg) >= NON_TEXT_CONTRAST,
                "{scheme}: --{ui} on --{bg}"
            );
        }
    }
}

#[test]
fn the_stylesheet_and_the_palette_agree() {
    let [(_, light), (_, dark)] = schemes();
    assert_eq!(light["bg"], LIGHT_BACKGROUND);
    assert_eq!(dark["bg"], DARK_BACKGROUND);
    let default = Palette::from_primary(DEFAULT_PRIMARY);
    assert_eq!(light["primary"], default.primary);
    assert_eq!(light["on-primary"], default.on_primary);
    assert_eq!(light["link"], default.link_light);
    assert_eq!(dark["link"], default.link_dark);
}

#[test]
fn muted_text_is_a_colour_not_a_transparency() {
    assert!(!STYLESHEET.contains("opacity:"));
}
