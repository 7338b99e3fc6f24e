//! The UserInfo endpoint (OIDC Core §5.3): the claims the token's scope releases, for an
//! active access token that was issued with `openid`. A bearer token as RFC 6750 says; a
//! DPoP-bound one only with the DPoP scheme and a proof of its key (RFC 9449 §7): its
//! refusals are challenges of the DPoP scheme (§7.1), whichever scheme it came with.
use serde_json::{Map, Value};

use super::access_token::{self, Subject, TokenCheck};
use super::clients;
use super::dpop::{self, ProofAt};
use super::error::{Error, Result};
use crate::oauth::access_token::AccessTokenClaims;
use crate::oauth::dpop::{PresentedProof, Scheme, check_resource_binding};
use crate::oauth::error::{ErrorCode, OAuthError};
use crate::oauth::tokens::UserClaims;
use crate::routes;
use crate::state::AppState;

/// An access token as the request presented it.
#[derive(Debug, Clone, Copy)]
pub struct PresentedToken<'a> {
    pub token: &'a str,
    /// `Authorization: Bearer` (or the form body), or `Authorization: DPoP`.
    pub scheme: Scheme,
    /// The `DPoP` header field(s).
    pub proof: &'a PresentedProof,
    /// The request's method, which a proof's `htm` names.
    pub method: &'a str,
}

/// What userinfo answers.
#[derive(Debug)]
pub enum Userinfo {
    Claims(Map<String, Value>),
    /// Refused: the error, and the scheme whose challenge carries it.
    Refused(OAuthError, Scheme),
}

pub async fn userinfo(
    state: &AppState,
    presented: PresentedToken<'_>,
    now: i64,
) -> Result<Userinfo> {
    // Userinfo is the resource server of tokens whose audience is the issuer itself; an
    // API's token (a client's own token included) is not for it.
    let claims = match access_token::verified_claims(state, presented.token, now) {
        Ok(claims) if claims.aud.includes(state.issuer()) => claims,
        Ok(_) => {
            return Ok(invalid_token(
                "the token is not for this audience",
                presented,
            ));
        }
        Err(why) => return Ok(invalid_token(why, presented)),
    };
    // §7.1: a bound token's refusals name the DPoP scheme, even when it came as a bearer token.
    let scheme = match (presented.scheme, &claims.cnf) {
        (Scheme::Bearer, None) => Scheme::Bearer,
        _ => Scheme::Dpop,
    };
    match released_claims(state, presented, claims, now).await {
        Ok(released) => Ok(Userinfo::Claims(released)),
        Err(Error::OAuth(refusal)) => Ok(Userinfo::Refused(refusal, scheme)),
        Err(other) => Err(other),
    }
}

fn invalid_token(why: &'static str, presented: PresentedToken<'_>) -> Userinfo {
    Userinfo::Refused(OAuthError::invalid_token(why), presented.scheme)
}

/// The claims for a token whose signature, issuer, expiry and audience hold: its proof and
/// key (§7), then revocation and the user (RFC 9068 §4), then the scope.
async fn released_claims(
    state: &AppState,
    presented: PresentedToken<'_>,
    claims: AccessTokenClaims,
    now: i64,
) -> Result<Map<String, Value>> {
    let proven = match presented.scheme {
        Scheme::Dpop => Some(proven_key(state, presented, &claims, now).await?),
        Scheme::Bearer => None,
    };
    check_resource_binding(presented.scheme, claims.cnf.as_ref(), proven.as_deref())
        .map_err(|e| dpop::refused("wrong_key", e))?;
    let (claims, user) = match access_token::check_claims(state, claims).await? {
        TokenCheck::Active(claims, Subject::User(user)) => (claims, user),
        TokenCheck::Active(_, Subject::Client) => {
            return Err(OAuthError::invalid_token("the token is not for this audience").into());
        }
        TokenCheck::Inactive(why) => return Err(OAuthError::invalid_token(why).into()),
    };
    if !claims.scope.contains("openid") {
        return Err(OAuthError::new(
            ErrorCode::InsufficientScope,
            "the token was not issued with the openid scope",
        )
        .into());
    }
    let user = UserClaims {
        sub: user.id,
        email: user.email,
        email_verified: user.email_verified,
        name: user.name,
    };
    Ok(user.released(&claims.scope))
}

/// §7: the DPoP scheme comes with a proof made for this request and this token; nonces as
/// the token's client is configured (§9).
async fn proven_key(
    state: &AppState,
    presented: PresentedToken<'_>,
    claims: &AccessTokenClaims,
    now: i64,
) -> Result<String> {
    let admitted = clients::admit(state, &claims.client_id, now).await?;
    let at = ProofAt {
        presented: presented.proof,
        method: presented.method,
        route: routes::USERINFO,
        access_token: Some(presented.token),
        nonce_required: dpop::nonce_required(&admitted, admitted.client(&claims.client_id)),
    };
    dpop::prove(state, at, now).await?.ok_or_else(|| {
        let missing = OAuthError::invalid_dpop_proof(
            "a token sent with the DPoP scheme needs a DPoP proof header",
        );
        dpop::refused("missing", missing)
    })
}
