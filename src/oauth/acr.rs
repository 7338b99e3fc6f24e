//! Authentication context classes (OIDC Core §2 `acr`). Tessera's two levels follow from the
//! methods a session really used (its `amr`): a password alone, or more: a password and a
//! second factor, or a passkey with user verification (possession and the user's PIN or
//! biometric in one ceremony). `acr` is derived from `amr`, never stored on its own, so the two cannot disagree.
use super::amr::Amr;

/// Two factors: a password and a second factor, or a passkey with user verification.
pub const MFA: &str = "urn:tessera:mfa";
/// A password alone.
pub const PASSWORD: &str = "urn:tessera:pwd";
/// Every class Tessera can assert, strongest first (discovery `acr_values_supported`).
pub const SUPPORTED: [&str; 2] = [MFA, PASSWORD];

/// The `acr` a token asserts for these methods.
pub fn acr_for(amr: &Amr) -> &'static str {
    if amr.has_second_factor() {
        MFA
    } else {
        PASSWORD
    }
}

/// True when the request's `acr_values` (OIDC Core §3.1.2.1) ask for the MFA class.
pub fn demands_mfa(acr_values: &[String]) -> bool {
    acr_values.iter().any(|value| value == MFA)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn acr_follows_the_methods_used() {
        assert_eq!(acr_for(&Amr::password()), PASSWORD);
        assert_eq!(acr_for(&Amr::parse("pwd otp").unwrap()), MFA);
        assert_eq!(acr_for(&Amr::default()), PASSWORD);
    }

    #[test]
    fn only_the_mfa_class_is_a_demand() {
        let values = |list: &[&str]| list.iter().map(|v| v.to_string()).collect::<Vec<_>>();
        assert!(demands_mfa(&values(&["urn:tessera:mfa"])));
        assert!(demands_mfa(&values(&[
            "urn:tessera:pwd",
            "urn:tessera:mfa"
        ])));
        assert!(!demands_mfa(&values(&["urn:tessera:pwd", "urn:other:mfa"])));
    }
}
