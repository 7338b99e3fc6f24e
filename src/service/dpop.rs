//! DPoP proofs at Tessera's own endpoints (RFC 9449): `/token` (§5) and `/userinfo` (§7).
//! `oauth::dpop` checks a proof against the request; here come the two checks that need
//! more than the request: the server's nonce (§8, §9; stateless, `auth::dpop_nonce`) and the
//! proof's `jti`, recorded in the database so that a proof is accepted once on any instance
//! (§11.1). A proof costs a request one database write, that record; nothing else is stored
//! for it (a bound token carries its key, a bound code or refresh token one column more).
use super::error::{Error, Result};
use crate::auth::secret;
use crate::oauth::client::Client;
use crate::oauth::dpop::{self, ExpectedProof, PresentedProof, VerifiedProof};
use crate::oauth::error::{ErrorCode, OAuthError};
use crate::routes;
use crate::state::AppState;

/// A proof presented at one of Tessera's endpoints, and what it must prove.
#[derive(Debug, Clone, Copy)]
pub struct ProofAt<'a> {
    pub presented: &'a PresentedProof,
    pub method: &'a str,
    /// The endpoint's path: `htu` must be the issuer followed by it.
    pub route: &'a str,
    /// At a resource: the access token sent with the proof (`ath`).
    pub access_token: Option<&'a str>,
    /// The proof must carry a nonce Tessera issued.
    pub nonce_required: bool,
}

/// The thumbprint of the key the request proved, or `None` when it carried no proof. Every
/// presented proof is checked, and recorded once it passed.
pub async fn prove(state: &AppState, at: ProofAt<'_>, now: i64) -> Result<Option<String>> {
    let Some(proof) = at.presented.single().map_err(|e| refused("invalid", e))? else {
        return Ok(None);
    };
    let target = format!("{}{}", state.issuer(), at.route);
    let expected = ExpectedProof {
        method: at.method,
        target: &target,
        access_token: at.access_token,
        iat_window: state.config().dpop.iat_window,
        now,
    };
    let verified = dpop::verify(proof, &expected).map_err(|e| refused("invalid", e))?;
    check_nonce(state, &verified, at.nonce_required, now)?;
    let first_use = state
        .store()
        .record_dpop_proof(
            &verified.jkt,
            &secret::hash(&verified.jti),
            verified.remember_until,
        )
        .await?;
    if !first_use {
        tracing::warn!(jkt = %verified.jkt, "DPoP proof replayed");
        let replay = OAuthError::invalid_dpop_proof(
            "this proof was used before: make a new proof, with a new jti, for each request",
        );
        return Err(refused("replayed", replay));
    }
    Ok(Some(verified.jkt))
}

/// The token endpoint's proof (§5): checked when present, and required of a client
/// registered with `dpop_bound_access_tokens` (§5.2).
pub async fn token_proof(
    state: &AppState,
    client: &Client,
    presented: &PresentedProof,
    now: i64,
) -> Result<Option<String>> {
    let at = ProofAt {
        presented,
        method: "POST",
        route: routes::TOKEN,
        access_token: None,
        nonce_required: nonce_required(state, Some(client)),
    };
    let jkt = prove(state, at, now).await?;
    dpop::check_proof_required(client, jkt.is_some()).map_err(|e| refused("missing", e))?;
    Ok(jkt)
}

/// Whether proofs for `client` (the token's, at a resource) must carry a nonce: the global
/// `dpop.nonce_required`, or the client's own `dpop_nonce_required`.
pub fn nonce_required(state: &AppState, client: Option<&Client>) -> bool {
    state.config().dpop.nonce_required || client.is_some_and(|c| c.dpop_nonce_required)
}

/// The nonce to send in `DPoP-Nonce` now (§8.2: in errors and in successful answers alike).
pub fn current_nonce(state: &AppState, now: i64) -> String {
    state
        .dpop_nonces()
        .nonce(state.config().dpop.nonce_rotation, now)
}

/// §8, §9: a nonce, when present, must be one of ours and recent, whether or not one is
/// required: a client that sends one is following `DPoP-Nonce` and needs the current one.
fn check_nonce(state: &AppState, verified: &VerifiedProof, required: bool, now: i64) -> Result<()> {
    let rotation = state.config().dpop.nonce_rotation;
    let why = match &verified.nonce {
        Some(nonce) if state.dpop_nonces().accepts(nonce, rotation, now) => return Ok(()),
        Some(_) => "the proof's nonce has expired or is not Tessera's: use the one in DPoP-Nonce",
        None if required => "the proof must carry the nonce Tessera sends in DPoP-Nonce",
        None => return Ok(()),
    };
    Err(refused(
        "use_nonce",
        OAuthError::new(ErrorCode::UseDpopNonce, why),
    ))
}

/// A refusal for a DPoP reason, counted by it (`tessera_dpop_refusals_total`).
pub fn refused(reason: &'static str, error: OAuthError) -> Error {
    crate::observe::dpop_refused(reason);
    error.into()
}
