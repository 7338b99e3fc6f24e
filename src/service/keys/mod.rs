//! Signing keys over their life: made (first start, schedule, or by hand), imported from
//! earlier versions' PEM files, sealed into the database under the master key, read back by
//! every instance, and retired. Which key signs when is decided by `keys::lifecycle` from the
//! stored times alone, so instances agree without talking to each other. Each algorithm in
//! `signing_algs` has keys of its own that live that life side by side; the keys of an
//! algorithm dropped from `signing_algs` stay published until their tokens have expired.
use super::error::{Error, Result};
use crate::audit::{AuditEvent, AuditLog, EventType};
use crate::auth::sealing::SealingKey;
use crate::config::Config;
use crate::keys::lifecycle::{self, KeyTimes, Retirement, Schedule};
use crate::keys::material::{self, NewKey};
use crate::keys::{KeyError, KeySet, LoadedKey, SigningAlg, UnusableKey};
use crate::state::AppState;
use crate::store::Store;
use crate::store::signing_keys::SigningKeyRow;

mod bootstrap;
pub use bootstrap::bootstrap;

/// Kept after a key stops signing, beyond the longest token lifetime, for clock skew and
/// tokens minted in the last instant.
const RETIRE_MARGIN: i64 = 300;

/// Reads every key and opens the private parts of those that may still sign. A row that
/// cannot be loaded (too weak for its algorithm, damaged, sealed under another master key, an
/// algorithm this version does not know) is logged, counted and left out: it never stops the
/// other keys from loading, so a rotation or retirement made after it still takes effect.
pub async fn load(store: &Store, sealing: &SealingKey, now: i64) -> Result<KeySet> {
    let rows = store.signing_keys().await?;
    let mut loaded = Vec::with_capacity(rows.len());
    let mut unusable = Vec::new();
    for row in rows {
        let (kid, alg) = (row.kid.clone(), row.alg.clone());
        let retired = lifecycle::state(&[times_of(&row)], 0, now) == lifecycle::KeyState::Retired;
        match load_row(row, sealing, now) {
            Ok(key) => loaded.push(key),
            Err(e) => {
                if !retired {
                    tracing::error!(kid = %kid, alg = %alg, error = %e,
                        "a signing key cannot be loaded and is left out; the other keys are used \
                         (retire it with `tessera keys retire`)");
                }
                unusable.push(UnusableKey {
                    kid,
                    alg,
                    reason: e.to_string(),
                    retired,
                });
            }
        }
    }
    Ok(KeySet::new(loaded, now).with_unusable(unusable))
}

/// One stored key, ready to verify (and, unless retired, to sign).
fn load_row(row: SigningKeyRow, sealing: &SealingKey, now: i64) -> Result<LoadedKey> {
    let times = times_of(&row);
    let state = lifecycle::state(&[times], 0, now);
    let public_jwk = serde_json::from_str(&row.public_jwk)
        .map_err(|e| KeyError::BadKey(format!("key {}: {e}", row.kid)))?;
    let alg = alg_of(&row)?;
    let pem = match state {
        lifecycle::KeyState::Retired => None,
        _ => Some(sealing.open(&row.sealed_private_key, &row.kid).map_err(|_| {
            KeyError::BadKey(format!(
                "key {} does not open with this master key: every instance needs the same master key",
                row.kid
            ))
        })?),
    };
    Ok(LoadedKey::new(
        row.kid,
        alg,
        times,
        row.created_at,
        public_jwk,
        pem.as_deref().map(|p| p.as_slice()),
    )?)
}

/// One instance's turn: prepare the next key if the schedule says so (one instance wins),
/// then read the key set again, so this instance signs with what every other one signs with.
pub async fn refresh(state: &AppState) -> Result<()> {
    let Some(sealer) = state.signing_key_sealer() else {
        return Ok(());
    };
    let (store, config, now) = (state.store(), state.config(), state.now());
    rotate_if_due(store, state.audit(), sealer, config, now).await?;
    for (alg, kid, retire_at) in retire_dropped_algs(store, config, now).await? {
        tracing::info!(kid = %kid, alg = %alg, retire_at,
            "the algorithm is no longer in signing_algs: its key stays published until its tokens expire");
    }
    state.replace_keys(load(store, sealer, now).await?);
    Ok(())
}

/// How keys rotate under `config`.
pub fn schedule(config: &Config) -> Schedule {
    Schedule {
        rotation_interval: config.key_rotation_interval,
        prepublish: config.key_prepublish,
    }
}

/// How long a key stays published after it stops signing: every token it signed has expired
/// (an API's access tokens may outlive the default).
fn retention(config: &Config) -> i64 {
    let longest_api_token = config.resources.iter().filter_map(|r| r.access_token_ttl);
    longest_api_token
        .chain([config.access_token_ttl, config.id_token_ttl])
        .max()
        .unwrap_or(config.id_token_ttl)
        + RETIRE_MARGIN
}

/// Prepares the next key of each algorithm in `signing_algs` that the schedule says is due
/// (an algorithm with no current key: one that signs at once). Exactly one instance succeeds
/// when several find it due at the same moment; the others see its key at their next read.
pub async fn rotate_if_due(
    store: &Store,
    audit: &AuditLog,
    sealing: &SealingKey,
    config: &Config,
    now: i64,
) -> Result<Vec<(SigningAlg, String)>> {
    let rows = store.signing_keys().await?;
    let mut prepared = Vec::new();
    for alg in &config.signing_algs {
        let rows = rows_of(&rows, *alg);
        let times: Vec<KeyTimes> = rows.iter().map(times_of).collect();
        let Some(at) = lifecycle::due(&times, now, schedule(config)) else {
            continue;
        };
        let key = material::generate(*alg)?;
        if let Some(kid) =
            prepare_after(store, Some(audit), sealing, config, key, at, &rows).await?
        {
            prepared.push((*alg, kid));
        }
    }
    Ok(prepared)
}

/// Gives every key of an algorithm no longer in `signing_algs` a retirement time, once:
/// nothing signs with it any more, and what it signed is verifiable until it expires.
/// Returns what was scheduled, for the log.
pub async fn retire_dropped_algs(
    store: &Store,
    config: &Config,
    now: i64,
) -> Result<Vec<(String, String, i64)>> {
    let retire_at = now + retention(config);
    let mut scheduled = Vec::new();
    for row in store.signing_keys().await? {
        let configured = config.signing_algs.iter().any(|a| a.as_str() == row.alg);
        if configured || row.retire_at.is_some() || row.retired_at.is_some() {
            continue;
        }
        if store
            .schedule_signing_key_retirement(&row.kid, retire_at)
            .await?
        {
            scheduled.push((row.alg, row.kid, retire_at));
        }
    }
    Ok(scheduled)
}

/// Adds `key` as the next signing key of its algorithm: published at `publish_at`, signing
/// from `sign_at`. The key of that algorithm that signs until then retires once its tokens
/// have expired; other algorithms' keys are untouched. `None` when another
/// instance prepared a key at the same moment.
pub async fn prepare(
    store: &Store,
    audit: &AuditLog,
    sealing: &SealingKey,
    config: &Config,
    key: NewKey,
    publish_at: i64,
    sign_at: i64,
) -> Result<Option<String>> {
    let rows = store.signing_keys().await?;
    let rows = rows_of(&rows, key.alg);
    prepare_after(
        store,
        Some(audit),
        sealing,
        config,
        key,
        (publish_at, sign_at),
        &rows,
    )
    .await
}

/// `prepare`, as the successor of the keys of its algorithm, `rows`, as they were read;
/// recorded in `audit` (the first keys a server makes at start-up are not: its log says). The
/// new key takes the generation after theirs, so when two instances decide from the same rows
/// that a key is due, only the first insert succeeds (generations are unique per algorithm).
async fn prepare_after(
    store: &Store,
    audit: Option<&AuditLog>,
    sealing: &SealingKey,
    config: &Config,
    key: NewKey,
    (publish_at, sign_at): (i64, i64),
    rows: &[SigningKeyRow],
) -> Result<Option<String>> {
    let times: Vec<KeyTimes> = rows.iter().map(times_of).collect();
    let superseded = lifecycle::current(&times, sign_at.saturating_sub(1))
        .and_then(|i| rows.get(i))
        .map(|row| (row.kid.as_str(), sign_at + retention(config)));
    let generation = rows.iter().map(|r| r.generation).max().unwrap_or(0) + 1;
    let row = sealed_row(
        sealing, key, generation, publish_at, publish_at, sign_at, None,
    )?;
    let stored = store.insert_signing_key(&row, superseded).await?;
    if let (true, Some(audit)) = (stored, audit) {
        audit.record(
            AuditEvent::success(EventType::SigningKeyRotated)
                .detail("kid", row.kid.as_str())
                .detail("alg", row.alg.as_str())
                .detail("publish_at", publish_at)
                .detail("sign_at", sign_at),
        );
    }
    Ok(stored.then_some(row.kid))
}

/// What retiring a key did, or why it could not.
#[derive(Debug, PartialEq, Eq)]
pub enum Retire {
    Retired,
    /// It was the signing key: `successor`, published since `published_at`, signs from now on.
    HandedOver {
        successor: String,
        published_at: i64,
    },
    UnknownKey,
    /// Retired before (by hand, or by the schedule once its tokens had expired): nothing to do.
    AlreadyRetired,
    /// It signs now and no newer published key can take over: rotate first
    /// (`tessera keys rotate --now`).
    SignsNow,
}

/// Takes a key out of the JWKS and out of signing now (a suspected compromise). The key that
/// signs for its algorithm is retired only when a newer published key of the same algorithm
/// can sign in its place at once: signing must never fall back to an older key. A key of an
/// algorithm no longer in `signing_algs` signs nothing, and retires without a successor.
pub async fn retire(
    store: &Store,
    audit: &AuditLog,
    signing_algs: &[SigningAlg],
    kid: &str,
    now: i64,
) -> Result<Retire> {
    let rows = store.signing_keys().await?;
    let Some(alg) = rows.iter().find(|r| r.kid == kid).map(|r| r.alg.clone()) else {
        return Ok(Retire::UnknownKey);
    };
    let rows: Vec<SigningKeyRow> = rows.into_iter().filter(|r| r.alg == alg).collect();
    let Some(target) = rows.iter().position(|r| r.kid == kid) else {
        return Ok(Retire::UnknownKey);
    };
    let times: Vec<KeyTimes> = rows.iter().map(times_of).collect();
    if lifecycle::state(&times, target, now) == lifecycle::KeyState::Retired {
        return Ok(Retire::AlreadyRetired);
    }
    let signs = signing_algs.iter().any(|a| a.as_str() == alg);
    let successor = match lifecycle::retirement(&times, target, now) {
        Retirement::NotSigning => None,
        _ if !signs => None,
        Retirement::HandOver(index) => rows.get(index),
        Retirement::NoSuccessor => return Ok(Retire::SignsNow),
    };
    let successor_kid = successor.map(|row| row.kid.as_str());
    // The row exists; no update means another command retired it since it was read.
    if !store.retire_signing_key(kid, now, successor_kid).await? {
        return Ok(Retire::AlreadyRetired);
    }
    let mut event = AuditEvent::success(EventType::SigningKeyRetired).detail("kid", kid);
    if let Some(successor) = successor_kid {
        event = event.detail("successor", successor);
    }
    audit.record(event);
    Ok(match successor {
        Some(row) => Retire::HandedOver {
            successor: row.kid.clone(),
            published_at: row.publish_at,
        },
        None => Retire::Retired,
    })
}

fn times_of(row: &SigningKeyRow) -> KeyTimes {
    KeyTimes {
        generation: row.generation,
        publish_at: row.publish_at,
        sign_at: row.sign_at,
        retire_at: row.retire_at,
        retired_at: row.retired_at,
    }
}

/// The rows of `alg`'s keys, in the store's order.
fn rows_of(rows: &[SigningKeyRow], alg: SigningAlg) -> Vec<SigningKeyRow> {
    rows.iter()
        .filter(|row| row.alg == alg.as_str())
        .cloned()
        .collect()
}

/// A stored key's algorithm; one this version does not know makes the key unusable here
/// (left out and counted by `load`, as any other key it cannot use).
fn alg_of(row: &SigningKeyRow) -> Result<SigningAlg> {
    row.alg
        .parse()
        .map_err(|e| Error::from(KeyError::BadKey(format!("key {}: {e}", row.kid))))
}

async fn next_generation(store: &Store, alg: SigningAlg) -> Result<i64> {
    let rows = store.signing_keys().await?;
    let rows = rows_of(&rows, alg);
    Ok(rows.iter().map(|r| r.generation).max().unwrap_or(0) + 1)
}

fn sealed_row(
    sealing: &SealingKey,
    key: NewKey,
    generation: i64,
    created_at: i64,
    publish_at: i64,
    sign_at: i64,
    retire_at: Option<i64>,
) -> Result<SigningKeyRow> {
    check_loadable(&key)?;
    Ok(SigningKeyRow {
        sealed_private_key: sealing.seal(&key.private_pem, &key.kid)?,
        public_jwk: key.public_jwk.to_string(),
        kid: key.kid,
        generation,
        alg: key.alg.as_str().to_string(),
        created_at,
        publish_at,
        sign_at,
        retire_at,
        retired_at: None,
    })
}

/// Refuses to store a key that a server could not load: it would only be left out (and
/// counted) on every instance. The signer and verifier are made exactly as `load` makes them.
fn check_loadable(key: &NewKey) -> Result<()> {
    let times = KeyTimes {
        generation: 0,
        publish_at: 0,
        sign_at: 0,
        retire_at: None,
        retired_at: None,
    };
    LoadedKey::new(
        key.kid.clone(),
        key.alg,
        times,
        0,
        key.public_jwk.clone(),
        Some(&key.private_pem),
    )?;
    Ok(())
}
