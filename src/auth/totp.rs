//! RFC 6238 TOTP: the secret, the otpauth URI and its QR code for enrolment, and the check of
//! a submitted code with a ±1 step window and a replay guard. HMAC and truncation come from
//! `totp-rs`, the QR code from `qrcode`; this module owns the time-step math and the decisions.
//! Pure: callers pass `now` and the last step already accepted for the user.
use std::fmt;

use qrcode::render::svg;
use qrcode::{EcLevel, QrCode};
use subtle::ConstantTimeEq;
use totp_rs::{Algorithm, Builder, Secret};
use zeroize::Zeroizing;

/// RFC 6238 §5.2 recommends 30 s steps; authenticator apps assume it.
pub const STEP_SECONDS: i64 = 30;
/// Steps accepted either side of the current one, for clock drift and typing time.
pub const SKEW_STEPS: i64 = 1;
/// Digits of the codes Tessera's users type.
pub const DIGITS: u8 = 6;

/// A TOTP shared secret (160 bits when Tessera makes it, RFC 4226 §4). Never in `Debug`.
pub struct TotpSecret(Zeroizing<Vec<u8>>);

impl fmt::Debug for TotpSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("TotpSecret(redacted)")
    }
}

impl TotpSecret {
    /// A new random 160-bit secret from the operating system's CSPRNG.
    pub fn generate() -> Self {
        Self(Zeroizing::new(Secret::generate().as_bytes().to_vec()))
    }

    pub fn from_bytes(bytes: Zeroizing<Vec<u8>>) -> Self {
        Self(bytes)
    }

    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }

    /// RFC 4648 base32 without padding, for typing into an app by hand.
    pub fn to_base32(&self) -> Zeroizing<String> {
        Zeroizing::new(Secret::from(self.0.to_vec()).to_base32())
    }
}

/// Why enrolment material could not be produced.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SetupError(pub String);

impl fmt::Display for SetupError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "TOTP setup: {}", self.0)
    }
}

impl std::error::Error for SetupError {}

fn generator(secret: &[u8], digits: u8) -> Result<totp_rs::Totp, SetupError> {
    Builder::new()
        .with_algorithm(Algorithm::SHA1)
        .with_digits(digits)
        .with_step_duration(STEP_SECONDS.unsigned_abs())
        .with_secret(secret.to_vec())
        .build()
        .map_err(|e| SetupError(e.to_string()))
}

/// The Key URI an authenticator app scans:
/// `otpauth://totp/ISSUER:ACCOUNT?secret=…&issuer=ISSUER` (SHA-1, 6 digits, 30 s: the defaults,
/// so the URI leaves them out and every app reads it the same way).
pub fn otpauth_uri(
    secret: &TotpSecret,
    issuer: &str,
    account: &str,
) -> Result<Zeroizing<String>, SetupError> {
    // The label separates issuer and account with a colon, so neither may contain one.
    let account = account.replace(':', "_");
    let issuer = issuer.replace(':', "_");
    Builder::new()
        .with_algorithm(Algorithm::SHA1)
        .with_digits(DIGITS)
        .with_step_duration(STEP_SECONDS.unsigned_abs())
        .with_secret(secret.as_bytes().to_vec())
        .with_issuer(Some(issuer))
        .with_account_name(account)
        .build()
        .and_then(|totp| totp.to_url())
        .map(Zeroizing::new)
        .map_err(|e| SetupError(e.to_string()))
}

/// The URI as an inline SVG QR code (no scripts, no external references), ready to embed in
/// a page. The XML declaration is dropped: inside HTML it would be noise.
pub fn qr_svg(uri: &str) -> Result<Zeroizing<String>, SetupError> {
    let code = QrCode::with_error_correction_level(uri.as_bytes(), EcLevel::M)
        .map_err(|e| SetupError(e.to_string()))?;
    let image = Zeroizing::new(
        code.render::<svg::Color<'_>>()
            .min_dimensions(200, 200)
            .dark_color(svg::Color("#000"))
            .light_color(svg::Color("#fff"))
            .build(),
    );
    let start = image
        .find("<svg")
        .ok_or_else(|| SetupError("the QR renderer produced no <svg>".into()))?;
    let element = image.get(start..).unwrap_or_default();
    Ok(Zeroizing::new(element.replacen(
        "<svg ",
        "<svg role=\"img\" aria-label=\"QR code for your authenticator app\" ",
        1,
    )))
}

/// The outcome of checking a submitted code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// The code belongs to this time step, which was not used before: remember it.
    Accepted {
        step: i64,
    },
    /// The code was right for a step already used (RFC 6238 §5.2: accept a code once).
    Replayed,
    Wrong,
}

/// The time step `now` falls in.
pub fn time_step(now: i64) -> i64 {
    now.div_euclid(STEP_SECONDS)
}

/// Checks `code` against `secret` at `now`, accepting the steps within ±[`SKEW_STEPS`] of the
/// current one, except those at or before `last_used_step`. Every candidate is computed and
/// compared in constant time, whatever matches.
pub fn verify_code(
    secret: &[u8],
    digits: u8,
    code: &str,
    now: i64,
    last_used_step: Option<i64>,
) -> Verdict {
    let Ok(totp) = generator(secret, digits) else {
        return Verdict::Wrong;
    };
    let code: Zeroizing<String> =
        Zeroizing::new(code.chars().filter(|c| !c.is_whitespace()).collect());
    if code.len() != usize::from(digits) || !code.bytes().all(|b| b.is_ascii_digit()) {
        return Verdict::Wrong;
    }
    let current = time_step(now);
    let mut fresh = None;
    let mut replayed = false;
    for step in current.saturating_sub(SKEW_STEPS)..=current.saturating_add(SKEW_STEPS) {
        let Some(time) = step
            .checked_mul(STEP_SECONDS)
            .and_then(|t| u64::try_from(t).ok())
        else {
            continue;
        };
        let expected = Zeroizing::new(totp.generate(time).to_string());
        if bool::from(expected.as_bytes().ct_eq(code.as_bytes())) {
            if last_used_step.is_some_and(|used| step <= used) {
                replayed = true;
            } else {
                fresh = Some(step);
            }
        }
    }
    match (fresh, replayed) {
        (Some(step), _) => Verdict::Accepted { step },
        (None, true) => Verdict::Replayed,
        (None, false) => Verdict::Wrong,
    }
}

/// The per-account limit on wrong second-factor codes: `max_attempts` within `window` seconds.
/// With ±1 step, each guess covers 3 of the 10⁶ codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AttemptLimit {
    pub max_attempts: u32,
    pub window: i64,
}

impl AttemptLimit {
    /// Judges an attempt. `recorded` counts the attempts within the window including this one;
    /// `oldest` is when the earliest of them was made. `Err` carries the seconds until the
    /// oldest leaves the window.
    pub fn judge(&self, recorded: i64, oldest: Option<i64>, now: i64) -> Result<(), i64> {
        if recorded <= i64::from(self.max_attempts) {
            return Ok(());
        }
        let frees_at = oldest.unwrap_or(now).saturating_add(self.window);
        Err(frees_at.saturating_sub(now).max(1))
    }

    /// The start of the window that ends at `now` (attempts after it count).
    pub fn window_start(&self, now: i64) -> i64 {
        now.saturating_sub(self.window)
    }
}

/// Whole minutes, rounded up, for "try again in N minutes".
pub fn minutes_rounded_up(seconds: i64) -> i64 {
    (seconds.max(1) + 59) / 60
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 6238 Appendix B: the SHA-1 seed "12345678901234567890", 8-digit codes.
    const RFC_SEED: &[u8] = b"12345678901234567890";
    const RFC_SHA1_VECTORS: [(i64, &str); 6] = [
        (59, "94287082"),
        (1111111109, "07081804"),
        (1111111111, "14050471"),
        (1234567890, "89005924"),
        (2000000000, "69279037"),
        (20000000000, "65353130"),
    ];

    #[test]
    fn rfc_6238_appendix_b_sha1_vectors_verify_at_their_own_step() {
        for (time, code) in RFC_SHA1_VECTORS {
            assert_eq!(
                verify_code(RFC_SEED, 8, code, time, None),
                Verdict::Accepted {
                    step: time / STEP_SECONDS
                },
                "T={time}"
            );
        }
    }

    #[test]
    fn rfc_vectors_are_refused_outside_the_window_and_when_altered() {
        for (time, code) in RFC_SHA1_VECTORS {
            assert_eq!(
                verify_code(RFC_SEED, 8, code, time + 2 * STEP_SECONDS, None),
                Verdict::Wrong,
                "T={time} +2 steps"
            );
            let mut altered = code.as_bytes().to_vec();
            altered[7] = if altered[7] == b'9' {
                b'0'
            } else {
                altered[7] + 1
            };
            let altered = String::from_utf8(altered).unwrap();
            assert_eq!(
                verify_code(RFC_SEED, 8, &altered, time, None),
                Verdict::Wrong
            );
        }
    }

    fn code_at(secret: &[u8], time: i64) -> String {
        generator(secret, DIGITS)
            .unwrap()
            .generate(time as u64)
            .to_string()
    }

    #[test]
    fn one_step_of_skew_either_way_is_accepted_two_are_not() {
        let secret = TotpSecret::generate();
        let now = 1_800_000_015;
        let step = time_step(now);
        for (offset, accepted) in [(-2, false), (-1, true), (0, true), (1, true), (2, false)] {
            let code = code_at(secret.as_bytes(), (step + offset) * STEP_SECONDS);
            let verdict = verify_code(secret.as_bytes(), DIGITS, &code, now, None);
            if accepted {
                assert_eq!(
                    verdict,
                    Verdict::Accepted {
                        step: step + offset
                    },
                    "{offset}"
                );
            } else {
                assert_eq!(verdict, Verdict::Wrong, "{offset}");
            }
        }
    }

    #[test]
    fn a_used_step_and_every_earlier_one_is_a_replay() {
        let secret = TotpSecret::generate();
        let now = 1_800_000_000;
        let step = time_step(now);
        let code = code_at(secret.as_bytes(), now);
        assert_eq!(
            verify_code(secret.as_bytes(), DIGITS, &code, now, Some(step - 1)),
            Verdict::Accepted { step }
        );
        assert_eq!(
            verify_code(secret.as_bytes(), DIGITS, &code, now, Some(step)),
            Verdict::Replayed
        );
        let earlier = code_at(secret.as_bytes(), now - STEP_SECONDS);
        assert_eq!(
            verify_code(secret.as_bytes(), DIGITS, &earlier, now, Some(step)),
            Verdict::Replayed
        );
        // After a code from the next step was used, the current one is spent too.
        assert_eq!(
            verify_code(secret.as_bytes(), DIGITS, &code, now, Some(step + 1)),
            Verdict::Replayed
        );
    }

    #[test]
    fn malformed_codes_are_wrong_and_spaces_are_forgiven() {
        let secret = TotpSecret::generate();
        let now = 1_800_000_000;
        let code = code_at(secret.as_bytes(), now);
        let spaced = format!("{} {}", &code[..3], &code[3..]);
        assert!(matches!(
            verify_code(secret.as_bytes(), DIGITS, &spaced, now, None),
            Verdict::Accepted { .. }
        ));
        for bad in ["", "12345", "1234567", "+12345", "abcdef", "١٢٣٤٥٦"] {
            assert_eq!(
                verify_code(secret.as_bytes(), DIGITS, bad, now, None),
                Verdict::Wrong
            );
        }
    }

    #[test]
    fn otpauth_uri_names_issuer_and_account_and_carries_the_secret() {
        let secret = TotpSecret::from_bytes(Zeroizing::new(RFC_SEED.to_vec()));
        assert_eq!(
            secret.to_base32().as_str(),
            "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"
        );
        let uri = otpauth_uri(&secret, "Tessera", "ada@example.com").unwrap();
        assert_eq!(
            uri.as_str(),
            "otpauth://totp/Tessera:ada%40example.com?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=Tessera"
        );
        assert_eq!(format!("{secret:?}"), "TotpSecret(redacted)");
    }

    #[test]
    fn generated_secrets_are_160_bits_and_distinct() {
        let a = TotpSecret::generate();
        assert_eq!(a.as_bytes().len(), 20);
        assert_ne!(a.as_bytes(), TotpSecret::generate().as_bytes());
    }

    #[test]
    fn qr_code_is_a_bare_svg_element() {
        let svg = qr_svg("otpauth://totp/Tessera:a?secret=GEZDGNBV&issuer=Tessera").unwrap();
        assert!(svg.starts_with("<svg role=\"img\""), "{}", &svg[..40]);
        assert!(svg.ends_with("</svg>"));
        assert!(!svg.contains("<script"));
    }

    #[test]
    fn attempt_limit_allows_the_configured_number_then_names_the_wait() {
        let limit = AttemptLimit {
            max_attempts: 5,
            window: 900,
        };
        assert_eq!(limit.judge(5, Some(100), 200), Ok(()));
        assert_eq!(limit.judge(6, Some(100), 200), Err(800));
        assert_eq!(minutes_rounded_up(800), 14);
        assert_eq!(minutes_rounded_up(900), 15);
        assert_eq!(minutes_rounded_up(1), 1);
        assert_eq!(limit.window_start(1000), 100);
    }
}
