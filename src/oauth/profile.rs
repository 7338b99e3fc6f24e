//! The security profile a client is held to: Tessera's own rules, or the FAPI 2.0 Security
//! Profile (final, 2025) on top of them. What the profile decides at run time is here; what it
//! refuses in a registration is `config::profile`. Most of the profile is what Tessera does for
//! every client anyway (PKCE S256, `response_type=code`, codes ≤ 60 s, RFC 9207 `iss`);
//! docs/fapi2.md lists every clause.
use super::client::Client;
pub use super::client::Profile;
use super::client_assertion::AssertionAlg;
use super::error::OAuthError;
use super::signing_alg::SigningAlg;

/// FAPI 2.0 §5.4.1: a fapi2 client's assertions are PS256, ES256 or EdDSA, never RS256 (its
/// registration may leave the algorithm open, so this is checked on every assertion).
pub fn check_assertion_alg(client: &Client, alg: AssertionAlg) -> Result<(), OAuthError> {
    if client.is_fapi2() && alg == AssertionAlg::Rs256 {
        return Err(OAuthError::invalid_client(
            "client assertion: the FAPI 2.0 profile refuses RS256 (use PS256, ES256 or EdDSA)",
        ));
    }
    Ok(())
}

/// The algorithm of an access token for userinfo (audience: the issuer): RS256, or for a
/// fapi2 client the algorithm of its ID tokens, which its registration keeps off RS256
/// (§5.4.1). An API's tokens keep the API's own algorithm, which a fapi2 client's
/// registration likewise keeps off RS256.
pub fn userinfo_token_alg(client: &Client) -> SigningAlg {
    if client.is_fapi2() {
        client.id_token_signed_response_alg
    } else {
        SigningAlg::Rs256
    }
}

/// FAPI 2.0 §5.3.2.1 (refresh token rotation) and its Note 2: tokens may rotate only if a
/// client that never received the new one can retry with the previous one. For a fapi2
/// client, a token replaced within the grace period is therefore rotated again, not refused.
pub fn retries_rotated_refresh(client: &Client) -> bool {
    client.is_fapi2()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::oauth::client::AuthMethod;

    #[test]
    fn a_fapi2_client_is_refused_rs256_assertions_and_signs_userinfo_tokens_with_its_alg() {
        let mut client = Client::new("bank", AuthMethod::PrivateKeyJwt);
        client.id_token_signed_response_alg = SigningAlg::Ps256;
        assert!(check_assertion_alg(&client, AssertionAlg::Rs256).is_ok());
        assert_eq!(userinfo_token_alg(&client), SigningAlg::Rs256);
        assert!(!retries_rotated_refresh(&client));
        client.profile = Profile::Fapi2;
        let refused = check_assertion_alg(&client, AssertionAlg::Rs256).unwrap_err();
        assert_eq!(refused.code.as_str(), "invalid_client");
        for alg in [
            AssertionAlg::Ps256,
            AssertionAlg::Es256,
            AssertionAlg::EdDsa,
        ] {
            assert!(check_assertion_alg(&client, alg).is_ok(), "{alg:?}");
        }
        assert_eq!(userinfo_token_alg(&client), SigningAlg::Ps256);
        assert!(retries_rotated_refresh(&client));
    }
}
