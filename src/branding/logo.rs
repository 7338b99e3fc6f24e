//! The logo file: read once (at start and on reload), at most 256 KiB, and accepted only
//! when its content is a PNG or an SVG document, whatever its name says. What it is decides
//! the Content-Type it is served with, so a file cannot pass for another kind.
use std::fmt;
use std::io::Read;
use std::path::Path;
use std::sync::Arc;

pub const MAX_LOGO_BYTES: u64 = 256 * 1024;
const PNG_SIGNATURE: &[u8] = b"\x89PNG\r\n\x1a\n";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogoKind {
    Png,
    Svg,
}

impl LogoKind {
    pub fn content_type(self) -> &'static str {
        match self {
            Self::Png => "image/png",
            Self::Svg => "image/svg+xml",
        }
    }
}

/// The logo's bytes and kind. Shared, so a reload's copy of the settings costs nothing.
#[derive(Clone)]
pub struct Logo {
    pub kind: LogoKind,
    pub bytes: Arc<[u8]>,
}

/// The bytes are an image, not something to print.
impl fmt::Debug for Logo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Logo({:?}, {} bytes)", self.kind, self.bytes.len())
    }
}

impl Logo {
    /// Reads `path`, refusing what is too big or neither PNG nor SVG.
    pub fn read(path: &Path) -> Result<Self, String> {
        let file = std::fs::File::open(path)
            .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        // One byte past the limit tells "too big" apart without reading a huge file whole.
        let mut bytes = Vec::new();
        file.take(MAX_LOGO_BYTES + 1)
            .read_to_end(&mut bytes)
            .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        if bytes.len() as u64 > MAX_LOGO_BYTES {
            return Err(format!(
                "{} is larger than {} KiB; use a smaller PNG or SVG",
                path.display(),
                MAX_LOGO_BYTES / 1024
            ));
        }
        let kind = sniff(&bytes).ok_or_else(|| {
            format!(
                "{} is neither a PNG nor an SVG image (judged by its content, not its name)",
                path.display()
            )
        })?;
        Ok(Self {
            kind,
            bytes: bytes.into(),
        })
    }
}

/// PNG by its signature; SVG when the text's first element is `<svg`, after an optional
/// byte-order mark, XML declaration, comments and a DOCTYPE without an internal subset
/// (which could declare entities).
pub fn sniff(bytes: &[u8]) -> Option<LogoKind> {
    if bytes.starts_with(PNG_SIGNATURE) {
        return Some(LogoKind::Png);
    }
    let text = std::str::from_utf8(bytes).ok()?;
    let mut rest = text.strip_prefix('\u{feff}').unwrap_or(text);
    loop {
        rest = rest.trim_start();
        if let Some(after) = rest.strip_prefix("<?xml") {
            rest = skip_past(after, "?>")?;
        } else if let Some(after) = rest.strip_prefix("<!--") {
            rest = skip_past(after, "-->")?;
        } else if let Some(after) = rest.strip_prefix("<!DOCTYPE") {
            let end = after.find('>')?;
            if after.get(..end)?.contains('[') {
                return None;
            }
            rest = after.get(end + 1..)?;
        } else {
            break;
        }
    }
    let after = rest.strip_prefix("<svg")?;
    let next = after.chars().next()?;
    (next.is_ascii_whitespace() || next == '>' || next == '/').then_some(LogoKind::Svg)
}

fn skip_past<'a>(text: &'a str, end: &str) -> Option<&'a str> {
    text.find(end).and_then(|i| text.get(i + end.len()..))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn png_and_svg_are_told_by_content() {
        assert_eq!(sniff(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR"), Some(LogoKind::Png));
        for svg in [
            "<svg xmlns=\"http://www.w3.org/2000/svg\"/>",
            "\u{feff}<?xml version=\"1.0\"?>\n<!-- made by hand -->\n<svg>\n</svg>",
            "<!DOCTYPE svg PUBLIC \"-//W3C//DTD SVG 1.1//EN\" \"x.dtd\">\n<svg\nviewBox=\"0 0 1 1\"></svg>",
        ] {
            assert_eq!(sniff(svg.as_bytes()), Some(LogoKind::Svg), "{svg}");
        }
    }

    #[test]
    fn everything_else_is_refused() {
        for other in [
            &b"GIF89a\x01\0\x01\0"[..],
            b"<!doctype html><html><svg></svg></html>",
            b"<html><body>hi</body></html>",
            b"<svgx/>",
            b"<!DOCTYPE svg [<!ENTITY x \"y\">]><svg/>",
            b"<!-- never closed <svg/>",
            b"\xff\xfe<\0s\0v\0g\0",
            b"",
        ] {
            assert_eq!(sniff(other), None, "{}", String::from_utf8_lossy(other));
        }
    }
}
