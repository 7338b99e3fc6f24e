//! `/keys`: the signing keys, a rotation, a retirement; what `tessera keys` does, through the
//! same functions.
use axum::Json;
use axum::extract::State;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::extract::{Body, PathParams};
use super::problem::Problem;
use crate::keys::SigningAlg;
use crate::service::admin::keys as admin_keys;
use crate::service::keys::Retire;
use crate::state::AppState;

/// A stored signing key.
#[derive(Debug, Serialize, ToSchema)]
pub struct SigningKey {
    pub kid: String,
    pub alg: String,
    /// `prepared`, `next`, `current`, `previous`, `retired`, or `unusable` (no server can
    /// load it: retire it).
    pub state: String,
    pub publish_at: Option<i64>,
    pub sign_at: Option<i64>,
    /// When it retires, or retired.
    pub retire_at: Option<i64>,
    /// Why no server can load it.
    pub unusable_because: Option<String>,
}

impl From<admin_keys::KeyView> for SigningKey {
    fn from(key: admin_keys::KeyView) -> Self {
        Self {
            kid: key.kid,
            alg: key.alg,
            state: key.state.to_string(),
            publish_at: key.publish_at,
            sign_at: key.sign_at,
            retire_at: key.retire_at,
            unusable_because: key.unusable_because,
        }
    }
}

/// List the signing keys.
#[utoipa::path(get, path = "/keys", tag = "keys",
    responses((status = 200, description = "Every stored key", body = Vec<SigningKey>)))]
pub async fn list_keys(State(state): State<AppState>) -> Result<Json<Vec<SigningKey>>, Problem> {
    let keys = admin_keys::list(&state, state.now()).await?;
    Ok(Json(keys.into_iter().map(SigningKey::from).collect()))
}

/// A signing algorithm.
#[derive(Debug, Clone, Copy, Deserialize, ToSchema)]
pub enum Alg {
    #[serde(rename = "RS256")]
    Rs256,
    #[serde(rename = "ES256")]
    Es256,
    #[serde(rename = "EdDSA")]
    EdDsa,
}

impl From<Alg> for SigningAlg {
    fn from(alg: Alg) -> Self {
        match alg {
            Alg::Rs256 => Self::Rs256,
            Alg::Es256 => Self::Es256,
            Alg::EdDsa => Self::EdDsa,
        }
    }
}

/// A rotation: a new key for each algorithm in `signing_algs`, or only `alg`.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Rotation {
    /// One of `signing_algs`.
    #[serde(default)]
    pub alg: Option<Alg>,
    /// Sign with it at once instead of after `key_prepublish` (apps holding a cached JWKS
    /// fail to verify new tokens until they fetch it again).
    #[serde(default)]
    pub now: bool,
}

/// A key just made.
#[derive(Debug, Serialize, ToSchema)]
pub struct NewKey {
    pub kid: String,
    pub alg: String,
    pub publish_at: i64,
    pub sign_at: i64,
}

/// Make new signing keys.
#[utoipa::path(post, path = "/keys/rotate", tag = "keys", request_body = Rotation,
    responses((status = 200, description = "The keys made: published now, signing from `sign_at` \
        on every instance", body = Vec<NewKey>),
        (status = 422, description = "The algorithm is not in `signing_algs`")))]
pub async fn rotate_keys(
    State(state): State<AppState>,
    Body(rotation): Body<Rotation>,
) -> Result<Json<Vec<NewKey>>, Problem> {
    let alg = rotation.alg.map(SigningAlg::from);
    let added = admin_keys::rotate(&state, alg, rotation.now, state.now()).await?;
    Ok(Json(
        added
            .into_iter()
            .map(|key| NewKey {
                kid: key.kid,
                alg: key.alg.as_str().to_string(),
                publish_at: key.publish_at,
                sign_at: key.sign_at,
            })
            .collect(),
    ))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
pub struct Kid {
    /// The key's id.
    pub kid: String,
}

/// What retiring did.
#[derive(Debug, Serialize, ToSchema)]
pub struct Retirement {
    /// `retired`, `handed_over` (`successor` signs from now on) or `already_retired`.
    pub outcome: String,
    pub successor: Option<String>,
}

/// Retire a signing key now.
#[utoipa::path(post, path = "/keys/{kid}/retire", tag = "keys", params(Kid),
    responses((status = 200, description = "Retired now (also when it was): out of every \
        instance's JWKS within key_refresh_interval", body = Retirement),
        (status = 409, description = "It signs and no newer key can take over (`key-signs-now`)")))]
pub async fn retire_key(
    State(state): State<AppState>,
    PathParams(path): PathParams<Kid>,
) -> Result<Json<Retirement>, Problem> {
    let (outcome, successor) = match admin_keys::retire(&state, &path.kid, state.now()).await? {
        Retire::HandedOver { successor, .. } => ("handed_over", Some(successor)),
        Retire::AlreadyRetired => ("already_retired", None),
        _ => ("retired", None),
    };
    Ok(Json(Retirement {
        outcome: outcome.to_string(),
        successor,
    }))
}
