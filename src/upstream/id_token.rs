//! OIDC Core §3.1.3.7: an upstream's ID token checked by the openidconnect crate (signature
//! against the upstream's JWKS, `iss`, `aud`, `exp` and `iat` against `now`, `nonce`), plus
//! the `azp` rule the crate leaves to its users, then read into plain values.
use chrono::{DateTime, Utc};
use openidconnect::core::{
    CoreGenderClaim, CoreJsonWebKeySet, CoreJweContentEncryptionAlgorithm, CoreJwsSigningAlgorithm,
};
use openidconnect::{
    AdditionalClaims, ClaimsVerificationError, ClientId, IdToken, IdTokenVerifier, IssuerUrl,
    Nonce, SignatureVerificationError,
};
use serde::{Deserialize, Serialize};

/// How far an `iat` may lie ahead of `now` (clocks differ a little).
const CLOCK_SKEW: i64 = 60;

/// Asymmetric algorithms only: an HMAC "signature" keyed with the client secret would let
/// anyone who learns the secret mint tokens.
const ALGORITHMS: [CoreJwsSigningAlgorithm; 10] = [
    CoreJwsSigningAlgorithm::RsaSsaPkcs1V15Sha256,
    CoreJwsSigningAlgorithm::RsaSsaPkcs1V15Sha384,
    CoreJwsSigningAlgorithm::RsaSsaPkcs1V15Sha512,
    CoreJwsSigningAlgorithm::RsaSsaPssSha256,
    CoreJwsSigningAlgorithm::RsaSsaPssSha384,
    CoreJwsSigningAlgorithm::RsaSsaPssSha512,
    CoreJwsSigningAlgorithm::EcdsaP256Sha256,
    CoreJwsSigningAlgorithm::EcdsaP384Sha384,
    CoreJwsSigningAlgorithm::EcdsaP521Sha512,
    CoreJwsSigningAlgorithm::EdDsa,
];

/// Claims beyond OIDC Core that Tessera reads.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
pub struct ExtraClaims {
    /// Google's hosted domain.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    hd: Option<String>,
}

impl AdditionalClaims for ExtraClaims {}

type UpstreamIdToken = IdToken<
    ExtraClaims,
    CoreGenderClaim,
    CoreJweContentEncryptionAlgorithm,
    CoreJwsSigningAlgorithm,
>;

/// What a verified ID token says.
#[derive(Debug, Clone, Default)]
pub struct Claims {
    pub subject: String,
    pub email: Option<String>,
    pub email_verified: Option<bool>,
    pub name: Option<String>,
    pub preferred_username: Option<String>,
    pub amr: Vec<String>,
    pub acr: Option<String>,
    pub hosted_domain: Option<String>,
}

/// Why a token was not accepted.
#[derive(Debug)]
pub enum Rejection {
    /// No key of the set matches the token's `kid` and algorithm: the upstream may have a new
    /// key, worth one more look at its JWKS.
    UnknownKey,
    Refused(String),
}

/// The expected values a token is checked against.
pub struct Expected<'a> {
    pub issuer: &'a IssuerUrl,
    pub client_id: &'a str,
    pub nonce: &'a str,
    pub now: i64,
}

pub fn verify(
    token: &str,
    keys: &CoreJsonWebKeySet,
    expected: &Expected<'_>,
) -> Result<Claims, Rejection> {
    let token: UpstreamIdToken = token
        .parse()
        .map_err(|_| Rejection::Refused("the id_token is not a signed JWT".into()))?;
    let now = expected.now;
    let at_now = DateTime::<Utc>::from_timestamp(now, 0)
        .ok_or_else(|| Rejection::Refused("the time is out of range".into()))?;
    let verifier = IdTokenVerifier::new_public_client(
        ClientId::new(expected.client_id.to_string()),
        expected.issuer.clone(),
        keys.clone(),
    )
    .set_allowed_algs(ALGORITHMS)
    .set_time_fn(move || at_now)
    .set_issue_time_verifier_fn(move |iat| {
        if iat.timestamp() > now + CLOCK_SKEW {
            Err("iat is in the future".to_string())
        } else {
            Ok(())
        }
    });
    let nonce = Nonce::new(expected.nonce.to_string());
    let claims = token.claims(&verifier, &nonce).map_err(|e| match e {
        ClaimsVerificationError::SignatureVerification(
            SignatureVerificationError::NoMatchingKey,
        ) => Rejection::UnknownKey,
        other => Rejection::Refused(format!("id_token: {other}")),
    })?;
    // OIDC Core §3.1.3.7 steps 4-5: a token for several audiences must name the party it
    // was issued to, and a named party must be this client.
    match claims.authorized_party() {
        Some(azp) if azp.as_str() != expected.client_id => {
            return Err(Rejection::Refused("id_token: azp is another client".into()));
        }
        None if claims.audiences().len() > 1 => {
            return Err(Rejection::Refused(
                "id_token: several audiences and no azp".into(),
            ));
        }
        _ => {}
    }
    Ok(Claims {
        subject: claims.subject().as_str().to_string(),
        email: claims.email().map(|e| e.as_str().to_string()),
        email_verified: claims.email_verified(),
        name: claims
            .name()
            .and_then(|name| name.get(None))
            .map(|name| name.as_str().to_string()),
        preferred_username: claims.preferred_username().map(|u| u.as_str().to_string()),
        amr: claims
            .auth_method_refs()
            .map(|methods| methods.iter().map(|m| m.as_str().to_string()).collect())
            .unwrap_or_default(),
        acr: claims
            .auth_context_ref()
            .map(|acr| acr.as_str().to_string()),
        hosted_domain: claims.additional_claims().hd.clone(),
    })
}
