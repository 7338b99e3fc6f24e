//! The colours derived from the brand's primary colour, for both colour schemes, and the
//! small stylesheet that carries them. Every derived colour is checked against WCAG 2.2 AA
//! here, so no configured colour can make a page unreadable:
//!
//! - button text is white or near-black, whichever contrasts more with the primary colour
//!   (pure black when neither near-black nor white reaches 4.5:1; one of white and black
//!   always does, since a colour failing 4.5:1 against white has luminance above 0.18);
//! - links (and the focus ring) use the primary colour where it reaches 4.5:1 against the
//!   page background, and otherwise the primary darkened (light scheme) or lightened (dark
//!   scheme) in 5% steps until it does. A colour is never refused for contrast: it is kept
//!   for buttons, where its text colour is chosen for it, and adjusted for links.
use super::contrast::{Rgb, TEXT_CONTRAST, contrast_ratio};

/// The page backgrounds of `assets/tessera.css` (`--bg` in each scheme); a test below keeps
/// the two files in step.
pub const LIGHT_BACKGROUND: Rgb = Rgb::new(0xff, 0xff, 0xff);
pub const DARK_BACKGROUND: Rgb = Rgb::new(0x16, 0x18, 0x1d);
/// Tessera's own blue, used when `branding.primary_color` is not set.
pub const DEFAULT_PRIMARY: Rgb = Rgb::new(0x2b, 0x5f, 0xd9);
/// The dark choice for button text: softer than black where it is readable enough.
const NEAR_BLACK: Rgb = Rgb::new(0x11, 0x11, 0x11);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Palette {
    pub primary: Rgb,
    /// Text on primary-coloured buttons.
    pub on_primary: Rgb,
    /// Links and the focus ring on the light background.
    pub link_light: Rgb,
    /// Links and the focus ring on the dark background.
    pub link_dark: Rgb,
}

impl Palette {
    pub fn from_primary(primary: Rgb) -> Self {
        Self {
            primary,
            on_primary: text_on(primary),
            link_light: readable_on(primary, LIGHT_BACKGROUND, Rgb::BLACK),
            link_dark: readable_on(primary, DARK_BACKGROUND, Rgb::WHITE),
        }
    }

    /// The custom properties `tessera.css` reads, with the ratios they reach.
    pub fn stylesheet(&self) -> String {
        let ratio = |a, b| contrast_ratio(a, b);
        format!(
            "/* Generated from the primary colour {primary}. WCAG 2.2 contrast: button text \
             {on_primary} on {primary} {button:.2}:1; links {link_light} on {light_bg} \
             {light:.2}:1, {link_dark} on {dark_bg} {dark:.2}:1 (dark scheme). */\n\
             :root {{ --primary: {primary}; --on-primary: {on_primary}; --link: {link_light}; }}\n\
             @media (prefers-color-scheme: dark) {{ :root {{ --link: {link_dark}; }} }}\n",
            primary = self.primary.to_hex(),
            on_primary = self.on_primary.to_hex(),
            link_light = self.link_light.to_hex(),
            link_dark = self.link_dark.to_hex(),
            light_bg = LIGHT_BACKGROUND.to_hex(),
            dark_bg = DARK_BACKGROUND.to_hex(),
            button = ratio(self.on_primary, self.primary),
            light = ratio(self.link_light, LIGHT_BACKGROUND),
            dark = ratio(self.link_dark, DARK_BACKGROUND),
        )
    }
}

/// White or near-black, whichever reads better on `background`; black if that is still
/// under 4.5:1 (a narrow band of mid-luminance colours).
fn text_on(background: Rgb) -> Rgb {
    let (white, dark) = (
        contrast_ratio(Rgb::WHITE, background),
        contrast_ratio(NEAR_BLACK, background),
    );
    let (best, ratio) = if white >= dark {
        (Rgb::WHITE, white)
    } else {
        (NEAR_BLACK, dark)
    };
    if ratio >= TEXT_CONTRAST {
        best
    } else {
        Rgb::BLACK
    }
}

/// `colour`, or the nearest step of it towards `toward` that reaches 4.5:1 on `background`.
fn readable_on(colour: Rgb, background: Rgb, toward: Rgb) -> Rgb {
    (0..=20)
        .map(|step| colour.mix(toward, f64::from(step) * 0.05))
        .find(|candidate| contrast_ratio(*candidate, background) >= TEXT_CONTRAST)
        .unwrap_or(toward)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::branding::contrast::NON_TEXT_CONTRAST;

    fn hex(text: &str) -> Rgb {
        Rgb::parse_hex(text).unwrap()
    }

    #[test]
    fn the_default_blue_keeps_white_text_and_is_lightened_for_dark_pages() {
        let palette = Palette::from_primary(DEFAULT_PRIMARY);
        assert_eq!(palette.on_primary, Rgb::WHITE);
        assert_eq!(
            palette.link_light, DEFAULT_PRIMARY,
            "5.61:1 on white already"
        );
        assert_ne!(
            palette.link_dark, DEFAULT_PRIMARY,
            "3.16:1 on the dark page"
        );
        assert!(contrast_ratio(palette.link_dark, DARK_BACKGROUND) >= TEXT_CONTRAST);
    }

    #[test]
    fn light_primaries_get_dark_button_text_and_darker_links() {
        let palette = Palette::from_primary(hex("#ffd500"));
        assert_eq!(palette.on_primary, NEAR_BLACK);
        assert!(contrast_ratio(palette.link_light, LIGHT_BACKGROUND) >= TEXT_CONTRAST);
        assert_eq!(
            palette.link_dark,
            hex("#ffd500"),
            "bright yellow reads on dark"
        );
    }

    /// Every colour of a coarse sweep of the sRGB cube, the worst cases included.
    #[test]
    fn every_primary_yields_readable_buttons_links_and_focus_rings() {
        let levels = [0u8, 0x33, 0x66, 0x77, 0x80, 0x99, 0xcc, 0xff];
        for r in levels {
            for g in levels {
                for b in levels {
                    let palette = Palette::from_primary(Rgb::new(r, g, b));
                    let p = &palette;
                    assert!(
                        contrast_ratio(p.on_primary, p.primary) >= TEXT_CONTRAST,
                        "{p:?}"
                    );
                    assert!(contrast_ratio(p.link_light, LIGHT_BACKGROUND) >= TEXT_CONTRAST);
                    assert!(contrast_ratio(p.link_dark, DARK_BACKGROUND) >= TEXT_CONTRAST);
                    assert!(contrast_ratio(p.link_dark, DARK_BACKGROUND) >= NON_TEXT_CONTRAST);
                }
            }
        }
        // The hardest case for button text: luminance where white and black tie.
        let grey = hex("#757575");
        assert!(contrast_ratio(text_on(grey), grey) >= TEXT_CONTRAST);
    }

    #[test]
    fn the_stylesheet_carries_the_colours() {
        let css = Palette::from_primary(hex("#ffd500")).stylesheet();
        assert!(css.contains("--primary: #ffd500;"), "{css}");
        assert!(css.contains("--on-primary: #111111;"), "{css}");
        assert!(css.contains("prefers-color-scheme: dark"), "{css}");
    }
}
