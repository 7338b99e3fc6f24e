//! WCAG 2.2 contrast: relative luminance and the contrast ratio (Understanding SC 1.4.3,
//! "relative luminance"), the arithmetic behind every colour Tessera derives from the brand.

/// An sRGB colour as CSS writes it in hex.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rgb {
    pub r: u8,
    pub g: u8,
    pub b: u8,
}

/// WCAG 2.2 AA for normal text (SC 1.4.3).
pub const TEXT_CONTRAST: f64 = 4.5;
/// WCAG 2.2 AA for user-interface components and focus indicators (SC 1.4.11).
pub const NON_TEXT_CONTRAST: f64 = 3.0;

impl Rgb {
    pub const WHITE: Rgb = Rgb::new(0xff, 0xff, 0xff);
    pub const BLACK: Rgb = Rgb::new(0, 0, 0);

    pub const fn new(r: u8, g: u8, b: u8) -> Self {
        Self { r, g, b }
    }

    /// `#rgb` or `#rrggbb`, any case. Nothing else: named colours, `rgb()`, alpha and the
    /// rest of CSS would each need their own contrast rules.
    pub fn parse_hex(text: &str) -> Option<Self> {
        let digits = text.strip_prefix('#')?;
        if !digits.bytes().all(|b| b.is_ascii_hexdigit()) {
            return None;
        }
        let nibbles: Vec<u8> = digits
            .chars()
            .filter_map(|c| c.to_digit(16))
            .filter_map(|d| u8::try_from(d).ok())
            .collect();
        match nibbles.as_slice() {
            [r, g, b] => Some(Self::new(r * 17, g * 17, b * 17)),
            [r1, r2, g1, g2, b1, b2] => Some(Self::new(r1 * 16 + r2, g1 * 16 + g2, b1 * 16 + b2)),
            _ => None,
        }
    }

    /// `#rrggbb`, lower case: the one form written into stylesheets.
    pub fn to_hex(self) -> String {
        format!("#{:02x}{:02x}{:02x}", self.r, self.g, self.b)
    }

    /// WCAG 2.2 relative luminance: 0 for black, 1 for white.
    pub fn relative_luminance(self) -> f64 {
        fn linear(channel: u8) -> f64 {
            let c = f64::from(channel) / 255.0;
            if c <= 0.04045 {
                c / 12.92
            } else {
                ((c + 0.055) / 1.055).powf(2.4)
            }
        }
        0.2126 * linear(self.r) + 0.7152 * linear(self.g) + 0.0722 * linear(self.b)
    }

    /// This colour moved `amount` (0 to 1) of the way towards `other`, channel by channel.
    pub fn mix(self, other: Rgb, amount: f64) -> Rgb {
        let channel = |a: u8, b: u8| {
            let mixed = f64::from(a) + (f64::from(b) - f64::from(a)) * amount.clamp(0.0, 1.0);
            // In 0..=255 by construction; the cast cannot wrap.
            mixed.round().clamp(0.0, 255.0) as u8
        };
        Rgb::new(
            channel(self.r, other.r),
            channel(self.g, other.g),
            channel(self.b, other.b),
        )
    }
}

/// (L1 + 0.05) / (L2 + 0.05), lighter over darker: from 1 (same) to 21 (black on white).
pub fn contrast_ratio(a: Rgb, b: Rgb) -> f64 {
    let (la, lb) = (a.relative_luminance(), b.relative_luminance());
    let (lighter, darker) = if la >= lb { (la, lb) } else { (lb, la) };
    (lighter + 0.05) / (darker + 0.05)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hex(text: &str) -> Rgb {
        Rgb::parse_hex(text).unwrap()
    }

    #[test]
    fn parses_short_and_long_hex_only() {
        assert_eq!(hex("#fff"), Rgb::WHITE);
        assert_eq!(hex("#2B5FD9"), Rgb::new(0x2b, 0x5f, 0xd9));
        assert_eq!(hex("#2b5fd9").to_hex(), "#2b5fd9");
        for bad in [
            "red",
            "#12345",
            "#1234567",
            "2b5fd9",
            "#ggg",
            "#",
            "#+1+",
            "rgb(0,0,0)",
        ] {
            assert_eq!(Rgb::parse_hex(bad), None, "{bad}");
        }
    }

    #[test]
    fn ratios_match_known_values() {
        let ratio = |a: &str, b: &str| (contrast_ratio(hex(a), hex(b)) * 100.0).round() / 100.0;
        assert_eq!(ratio("#000", "#fff"), 21.0);
        assert_eq!(ratio("#fff", "#000"), 21.0, "order does not matter");
        assert_eq!(ratio("#777", "#777"), 1.0);
        // Published by WebAIM's contrast checker for the same pairs.
        assert_eq!(ratio("#2b5fd9", "#ffffff"), 5.61);
        assert_eq!(ratio("#777777", "#ffffff"), 4.48);
        assert_eq!(ratio("#767676", "#ffffff"), 4.54);
    }

    #[test]
    fn mixing_moves_towards_the_other_colour() {
        assert_eq!(Rgb::BLACK.mix(Rgb::WHITE, 0.5), Rgb::new(128, 128, 128));
        assert_eq!(hex("#2b5fd9").mix(Rgb::BLACK, 0.0), hex("#2b5fd9"));
        assert_eq!(hex("#2b5fd9").mix(Rgb::BLACK, 1.0), Rgb::BLACK);
    }
}
