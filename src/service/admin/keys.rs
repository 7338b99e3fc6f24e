//! Signing keys as `tessera keys` and the admin API handle them: listed as the servers read
//! them, a new key per algorithm (made here, or imported), and one retired now. The key life
//! itself is `service::keys`, which records rotations and retirements. A change here is seen
//! by this process at once and by every other instance within `key_refresh_interval`.
use super::{AdminError, Result};
use crate::auth::sealing::SealingKey;
use crate::keys::material::{self, NewKey};
use crate::keys::{KeySet, SigningAlg};
use crate::service::keys::{self as key_service, Retire};
use crate::state::AppState;

/// One stored key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyView {
    pub kid: String,
    pub alg: String,
    /// `prepared`, `next`, `current`, `previous`, `retired`, or `unusable` (it cannot be
    /// loaded: every server leaves it out).
    pub state: &'static str,
    /// Absent for a key that cannot be loaded.
    pub publish_at: Option<i64>,
    pub sign_at: Option<i64>,
    /// When it retires (or retired).
    pub retire_at: Option<i64>,
    /// Why it cannot be loaded.
    pub unusable_because: Option<String>,
}

fn sealer(state: &AppState) -> Result<&SealingKey> {
    state.signing_key_sealer().ok_or(AdminError::NotConfigured(
        "the master key (it seals the signing keys)",
    ))
}

/// Every key as the servers read it, at `now`; this process signs and verifies with them
/// from then on.
pub async fn list(state: &AppState, now: i64) -> Result<Vec<KeyView>> {
    let keys = key_service::load(state.store(), sealer(state)?, now).await?;
    let views = views(&keys, now);
    state.replace_keys(keys);
    Ok(views)
}

/// Those a server can load, with their state at `now`, then those it cannot.
fn views(keys: &KeySet, now: i64) -> Vec<KeyView> {
    let loaded = keys.keys_at(now).map(|(key, state)| KeyView {
        kid: key.kid.clone(),
        alg: key.alg.as_str().to_string(),
        state: state.as_str(),
        publish_at: Some(key.times.publish_at),
        sign_at: Some(key.times.sign_at),
        retire_at: key.times.retired_at.or(key.times.retire_at),
        unusable_because: None,
    });
    let unusable = keys.unusable().iter().map(|key| KeyView {
        kid: key.kid.clone(),
        alg: key.alg.clone(),
        state: if key.retired { "retired" } else { "unusable" },
        publish_at: None,
        sign_at: None,
        retire_at: None,
        unusable_because: Some(key.reason.clone()),
    });
    loaded.chain(unusable).collect()
}

/// A key just added.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AddedKey {
    pub kid: String,
    pub alg: SigningAlg,
    pub publish_at: i64,
    pub sign_at: i64,
}

/// The algorithms a rotation makes keys for: every one in `signing_algs`, or the one asked
/// for, which must be among them (a key of another algorithm would never sign).
fn algs_to_rotate(state: &AppState, only: Option<SigningAlg>) -> Result<Vec<SigningAlg>> {
    let enabled = &state.config().signing_algs;
    match only {
        None => Ok(enabled.clone()),
        Some(alg) if enabled.contains(&alg) => Ok(vec![alg]),
        Some(alg) => Err(AdminError::AlgorithmNotEnabled(alg.to_string())),
    }
}

/// Makes a new key for each algorithm (or `only` one): published now, signing after
/// `key_prepublish`, or at once when `at_once` (apps holding a cached JWKS without it then
/// fail to verify new tokens until they fetch it again).
pub async fn rotate(
    state: &AppState,
    only: Option<SigningAlg>,
    at_once: bool,
    now: i64,
) -> Result<Vec<AddedKey>> {
    let mut added = Vec::new();
    for alg in algs_to_rotate(state, only)? {
        let key = tokio::task::spawn_blocking(move || material::generate(alg))
            .await
            .map_err(|e| AdminError::Conflict(format!("key generation stopped: {e}")))??;
        added.push(add(state, key, at_once, now).await?);
    }
    list(state, now).await?;
    Ok(added)
}

/// Adds `key` (made or imported) as the next key of its algorithm, which must be in
/// `signing_algs`.
pub async fn add(state: &AppState, key: NewKey, at_once: bool, now: i64) -> Result<AddedKey> {
    let alg = key.alg;
    algs_to_rotate(state, Some(alg))?;
    let sign_at = if at_once {
        now
    } else {
        now + state.config().key_prepublish
    };
    let (store, audit, config) = (state.store(), state.audit(), state.config());
    let kid = key_service::prepare(store, audit, sealer(state)?, config, key, now, sign_at)
        .await?
        .ok_or_else(|| {
            AdminError::Conflict(
                "another instance prepared a key at the same moment; list the keys".into(),
            )
        })?;
    Ok(AddedKey {
        kid,
        alg,
        publish_at: now,
        sign_at,
    })
}

/// Retires `kid` now (a suspected compromise): `Retired`, `HandedOver` (its successor signs
/// from now on) or `AlreadyRetired`; an unknown key or one that signs with no successor is
/// refused.
pub async fn retire(state: &AppState, kid: &str, now: i64) -> Result<Retire> {
    let (store, audit) = (state.store(), state.audit());
    let algs = &state.config().signing_algs;
    let outcome = key_service::retire(store, audit, algs, kid, now).await?;
    match outcome {
        Retire::UnknownKey => Err(AdminError::NotFound(format!("no key {kid}"))),
        Retire::SignsNow => Err(AdminError::KeySignsNow(kid.to_string())),
        done => {
            list(state, now).await?;
            Ok(done)
        }
    }
}
