//! RFC 8628 §6.1: the user code. Eight characters from twenty consonants without look-alikes
//! (no vowels, so no words; no 0/O or 1/I), 20⁸ ≈ 2^34.6 codes, shown as `XXXX-XXXX` and
//! read back whatever the case, dashes and spaces the person typed.
use std::fmt;

/// The alphabet RFC 8628 §6.1 suggests: base 20, consonants only.
pub const ALPHABET: &[u8; 20] = b"BCDFGHJKLMNPQRSTVWXZ";
/// Characters in a code (not counting the dash it is shown with).
pub const LENGTH: usize = 8;
/// Longest input read as a code: a person may add spaces and dashes, but not a page of text.
const MAX_INPUT: usize = 64;

/// A user code in its one canonical form: eight upper-case characters of `ALPHABET`. A
/// bearer secret for its lifetime: never in Debug output.
#[derive(Clone, PartialEq, Eq)]
pub struct UserCode(String);

impl UserCode {
    /// A new code. `random_byte` is a CSPRNG; bytes at or above 240 (the largest multiple of
    /// 20 in a byte) are drawn again, so every character is equally likely.
    pub fn generate(mut random_byte: impl FnMut() -> u8) -> Self {
        let mut code = String::with_capacity(LENGTH);
        while code.len() < LENGTH {
            let byte = random_byte();
            if byte < 240 {
                let index = usize::from(byte % 20);
                if let Some(&c) = ALPHABET.get(index) {
                    code.push(char::from(c));
                }
            }
        }
        Self(code)
    }

    /// What a person typed, read as a code: case, dashes and white space do not matter.
    /// `None` when what is left is not eight characters of the alphabet.
    pub fn parse(input: &str) -> Option<Self> {
        if input.len() > MAX_INPUT {
            return None;
        }
        let code: String = input
            .chars()
            .filter(|c| !c.is_whitespace() && *c != '-')
            .map(|c| c.to_ascii_uppercase())
            .collect();
        let valid = code.len() == LENGTH && code.bytes().all(|b| ALPHABET.contains(&b));
        valid.then_some(Self(code))
    }

    /// The canonical form: what is hashed and stored.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// As a person reads and types it: `XXXX-XXXX`.
    pub fn display(&self) -> String {
        let (first, second) = self.0.split_at(LENGTH / 2);
        format!("{first}-{second}")
    }
}

impl fmt::Debug for UserCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("UserCode(..)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_eight_characters_of_the_alphabet() {
        let mut bytes = (0u8..=255).cycle();
        let code = UserCode::generate(|| bytes.next().unwrap());
        assert_eq!(code.as_str().len(), LENGTH);
        assert!(code.as_str().bytes().all(|b| ALPHABET.contains(&b)));
        assert_eq!(code.as_str(), "BCDFGHJK");
        assert_eq!(code.display(), "BCDF-GHJK");
    }

    #[test]
    fn bytes_past_the_last_multiple_of_twenty_are_drawn_again_so_no_character_is_favoured() {
        let mut bytes = [240u8, 255, 19, 250, 0, 1, 2, 3, 4, 5, 6].into_iter();
        let code = UserCode::generate(|| bytes.next().unwrap());
        assert_eq!(code.as_str(), "ZBCDFGHJ");
    }

    #[test]
    fn typed_codes_are_read_whatever_the_case_dashes_and_spaces() {
        let canonical = UserCode::parse("BCDF-GHJK").unwrap();
        for typed in ["bcdfghjk", " bcdf ghjk ", "bC-dF-gH-jK", "BCDFGHJK\n"] {
            assert_eq!(UserCode::parse(typed).unwrap(), canonical, "{typed:?}");
        }
    }

    #[test]
    fn anything_else_is_not_a_code() {
        for typed in [
            "",
            "BCDF-GHJ",
            "BCDF-GHJKL",
            "ABCD-GHJK",
            "BCDF-GHJ0",
            "BCDF_GHJK",
        ] {
            assert!(UserCode::parse(typed).is_none(), "{typed:?}");
        }
        assert!(UserCode::parse(&" ".repeat(100)).is_none());
    }

    #[test]
    fn debug_output_hides_the_code() {
        let code = UserCode::parse("BCDFGHJK").unwrap();
        assert!(!format!("{code:?}").contains("BCDF"));
    }
}
