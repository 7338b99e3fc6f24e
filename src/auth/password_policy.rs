//! Which new passwords Tessera accepts: NIST SP 800-63B §3.1.1.2. A minimum length and a
//! generous maximum, no composition rules ("must contain a digit" makes passwords worse, not
//! stronger), and a refusal of passwords that are common or guessable from the account itself.
//! "Common" is the zxcvbn estimator's judgement (its frequency lists of passwords, words and
//! names, keyboard patterns, dates, repeats), with the account's own words as its user inputs.
use zxcvbn::Score;

/// The longest password accepted, in bytes: argon2 of a megabyte is a cheap denial of service,
/// and NIST asks only that at least 64 characters be allowed.
pub const MAX_PASSWORD_BYTES: usize = 1024;

/// The shortest minimum `password_min_length` may set (NIST: at least 8).
pub const LEAST_MIN_LENGTH: usize = 8;

/// The lowest zxcvbn score accepted: 3 is "safely unguessable" (about 10^8 guesses or more),
/// which still lets a phrase of four ordinary words through.
pub const LEAST_SCORE: Score = Score::Three;

/// A context word shorter than this is not searched for inside the password: a local part
/// such as "al" would otherwise refuse every password that contains those two letters. The
/// estimator still weighs it.
const LEAST_CONTEXT_WORD_CHARS: usize = 4;

/// Why a new password was refused: one rule, named for the person who chose it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PolicyRefusal {
    TooShort {
        min: usize,
    },
    TooLong {
        max: usize,
    },
    /// Common, or guessable in few tries (a known password, a word, a keyboard walk, a date).
    TooCommon,
    /// Contains the account's email name or the product's name.
    LikeYourAccount,
}

impl PolicyRefusal {
    /// The pages' message (its argument, where it has one, is [`Self::count`]).
    pub fn message_id(self) -> &'static str {
        match self {
            Self::TooShort { .. } => "password-rule-too-short",
            Self::TooLong { .. } => "password-rule-too-long",
            Self::TooCommon => "password-rule-too-common",
            Self::LikeYourAccount => "password-rule-like-your-account",
        }
    }

    /// The number the message names (`$count`): the least or most characters allowed.
    pub fn count(self) -> Option<usize> {
        match self {
            Self::TooShort { min } => Some(min),
            Self::TooLong { max } => Some(max),
            Self::TooCommon | Self::LikeYourAccount => None,
        }
    }
}

/// As the CLI prints it.
impl std::fmt::Display for PolicyRefusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::TooShort { min } => write!(f, "the password must have at least {min} characters"),
            Self::TooLong { max } => write!(f, "the password must have at most {max} bytes"),
            Self::TooCommon => f.write_str(
                "the password is too common or too easy to guess: choose a longer one, such as a few unrelated words",
            ),
            Self::LikeYourAccount => {
                f.write_str("the password must not contain the email address or the product's name")
            }
        }
    }
}

impl std::error::Error for PolicyRefusal {}

/// Checks a new password. Length counts Unicode code points, as NIST asks; `context` holds
/// the words an attacker would try first for this account (see [`context_words`]).
pub fn check(password: &str, min_length: usize, context: &[&str]) -> Result<(), PolicyRefusal> {
    if password.len() > MAX_PASSWORD_BYTES {
        return Err(PolicyRefusal::TooLong {
            max: MAX_PASSWORD_BYTES,
        });
    }
    if password.chars().count() < min_length {
        return Err(PolicyRefusal::TooShort { min: min_length });
    }
    let lowered = password.to_lowercase();
    let contains_context = context
        .iter()
        .map(|word| word.trim().to_lowercase())
        .filter(|word| word.chars().count() >= LEAST_CONTEXT_WORD_CHARS)
        .any(|word| lowered.contains(&word));
    if contains_context {
        return Err(PolicyRefusal::LikeYourAccount);
    }
    if zxcvbn::zxcvbn(password, context).score() < LEAST_SCORE {
        return Err(PolicyRefusal::TooCommon);
    }
    Ok(())
}

/// The words of an account an attacker tries first: the email, its local part, the product's
/// name, and "tessera".
pub fn context_words<'a>(email: &'a str, product_name: &'a str) -> Vec<&'a str> {
    let mut words = vec![email, product_name, "tessera"];
    if let Some((local, _)) = email.split_once('@') {
        words.push(local);
    }
    words.retain(|word| !word.is_empty());
    words
}

/// The rules as configured: the minimum length and the product's name.
#[derive(Debug, Clone)]
pub struct PasswordRules {
    pub min_length: usize,
    pub product_name: String,
}

impl PasswordRules {
    /// Checks a new password for the account with this `email`.
    pub fn check(&self, password: &str, email: &str) -> Result<(), PolicyRefusal> {
        check(
            password,
            self.min_length,
            &context_words(email, &self.product_name),
        )
    }
}

impl Default for PasswordRules {
    fn default() -> Self {
        Self {
            min_length: LEAST_MIN_LENGTH,
            product_name: "Tessera".into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn for_ada(password: &str) -> Result<(), PolicyRefusal> {
        PasswordRules::default().check(password, "ada.lovelace@example.com")
    }

    #[test]
    fn the_test_suites_passwords_pass() {
        for password in [
            "correct horse battery",
            "upstream horse battery",
            "a brand new passphrase",
            "a long password",
            "another long password",
            "a new long password",
            "a long enough password",
        ] {
            assert_eq!(for_ada(password), Ok(()), "{password}");
        }
        // The benchmarks' user (benches/common/server.rs), who signs in with it.
        let bench =
            PasswordRules::default().check("orchard lantern velvet 42", "bench@example.com");
        assert_eq!(bench, Ok(()));
    }

    #[test]
    fn a_password_shorter_than_the_minimum_is_refused() {
        assert_eq!(for_ada("x7#Qp"), Err(PolicyRefusal::TooShort { min: 8 }));
        let rules = PasswordRules {
            min_length: 12,
            ..PasswordRules::default()
        };
        assert_eq!(
            rules.check("Zq8#vW2!pL", "a@example.com"),
            Err(PolicyRefusal::TooShort { min: 12 })
        );
    }

    #[test]
    fn length_counts_characters_not_bytes() {
        // Eight characters, sixteen bytes: long enough.
        assert_ne!(for_ada("ждщфыйцъ"), Err(PolicyRefusal::TooShort { min: 8 }));
    }

    #[test]
    fn sixty_four_characters_are_allowed_and_over_1024_bytes_refused() {
        let long = "lighthouse keeper ferments quince jam under the aurora, softly! ";
        assert!(long.chars().count() >= 64);
        assert_eq!(for_ada(long), Ok(()));
        let too_long = "q".repeat(MAX_PASSWORD_BYTES + 1);
        assert_eq!(
            for_ada(&too_long),
            Err(PolicyRefusal::TooLong { max: 1024 })
        );
    }

    #[test]
    fn no_composition_rule_a_lowercase_phrase_passes() {
        assert_eq!(for_ada("quiet lantern orbit pebble"), Ok(()));
    }

    #[test]
    fn common_passwords_are_refused() {
        for password in [
            "password",
            "password1",
            "12345678",
            "qwertyuiop",
            "iloveyou1",
        ] {
            assert_eq!(
                for_ada(password),
                Err(PolicyRefusal::TooCommon),
                "{password}"
            );
        }
    }

    #[test]
    fn a_password_with_the_email_name_or_product_name_is_refused() {
        for password in [
            "Ada.Lovelace-rules-2024",
            "my tessera password here",
            "ADA.LOVELACE@example.com",
        ] {
            assert_eq!(
                for_ada(password),
                Err(PolicyRefusal::LikeYourAccount),
                "{password}"
            );
        }
        let branded = PasswordRules {
            product_name: "Acme ID".into(),
            ..PasswordRules::default()
        };
        assert_eq!(
            branded.check("my acme id is safe", "bo@example.com"),
            Err(PolicyRefusal::LikeYourAccount)
        );
    }

    #[test]
    fn a_short_local_part_is_not_searched_for() {
        // "al" is in "salty", but refusing that would refuse half of all phrases.
        let rules = PasswordRules::default();
        assert_eq!(rules.check("salty walrus galaxy", "al@example.com"), Ok(()));
    }

    #[test]
    fn each_refusal_has_a_message_and_an_english_reason() {
        for refusal in [
            PolicyRefusal::TooShort { min: 8 },
            PolicyRefusal::TooLong { max: 1024 },
            PolicyRefusal::TooCommon,
            PolicyRefusal::LikeYourAccount,
        ] {
            assert!(refusal.message_id().starts_with("password-rule-"));
            assert!(refusal.to_string().starts_with("the password"));
        }
    }
}
