//! Authentication context classes (OIDC Core §2 `acr`) and methods (RFC 8176 `amr`).
//! Tessera's two levels follow from the methods a session really used: a password alone, or a
//! password and a one-time code. `acr` is derived from `amr`, never stored on its own, so the
//! two cannot disagree.

/// A password and a TOTP code (RFC 8176 `pwd` + `otp`).
pub const MFA: &str = "urn:tessera:mfa";
/// A password alone.
pub const PASSWORD: &str = "urn:tessera:pwd";
/// Every class Tessera can assert, strongest first (discovery `acr_values_supported`).
pub const SUPPORTED: [&str; 2] = [MFA, PASSWORD];

/// RFC 8176 §2 method names used by Tessera.
pub const AMR_PASSWORD: &str = "pwd";
pub const AMR_OTP: &str = "otp";

/// True when the methods include a second factor.
pub fn amr_has_second_factor(amr: &[String]) -> bool {
    amr.iter().any(|method| method == AMR_OTP)
}

/// The `acr` a token asserts for these methods.
pub fn acr_for(amr: &[String]) -> &'static str {
    if amr_has_second_factor(amr) {
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

    fn methods(list: &[&str]) -> Vec<String> {
        list.iter().map(|m| m.to_string()).collect()
    }

    #[test]
    fn acr_follows_the_methods_used() {
        assert_eq!(acr_for(&methods(&["pwd"])), PASSWORD);
        assert_eq!(acr_for(&methods(&["pwd", "otp"])), MFA);
        assert_eq!(acr_for(&[]), PASSWORD);
    }

    #[test]
    fn only_the_mfa_class_is_a_demand() {
        assert!(demands_mfa(&methods(&["urn:tessera:mfa"])));
        assert!(demands_mfa(&methods(&[
            "urn:tessera:pwd",
            "urn:tessera:mfa"
        ])));
        assert!(!demands_mfa(&methods(&[
            "urn:tessera:pwd",
            "urn:other:mfa"
        ])));
    }
}
