//! A first start: the PEM files an earlier version left in `keys_dir` are imported, and every
//! algorithm in `signing_algs` without a key gets one.
use std::path::Path;

use super::{next_generation, prepare_after, retention, sealed_row};
use crate::auth::sealing::SealingKey;
use crate::config::Config;
use crate::keys::material;
use crate::keys::{KeyError, SigningAlg};
use crate::service::error::{Error, Result};
use crate::store::Store;

/// On start: an empty key table gets the PEM files an earlier version left in `keys_dir`
/// (so an upgrade keeps the same `kid`s; the newest signs); then every algorithm in
/// `signing_algs` without a key gets one that signs at once. Returns the kids added. Safe
/// with several instances starting together.
pub async fn bootstrap(
    store: &Store,
    sealing: &SealingKey,
    config: &Config,
    now: i64,
) -> Result<Vec<String>> {
    let mut added = Vec::new();
    if store.signing_keys().await?.is_empty() {
        added.extend(import_pem_files(store, sealing, config, now).await?);
    }
    let rows = store.signing_keys().await?;
    for alg in &config.signing_algs {
        if rows.iter().any(|row| row.alg == alg.as_str()) {
            continue;
        }
        let key = material::generate(*alg)?;
        let kid = prepare_after(store, None, sealing, config, key, (now, now), &[]).await?;
        added.extend(kid);
    }
    Ok(added)
}

/// The PEM files of `keys_dir`, imported as RS256 keys, the last one signing.
async fn import_pem_files(
    store: &Store,
    sealing: &SealingKey,
    config: &Config,
    now: i64,
) -> Result<Vec<String>> {
    let files = pem_files(&config.keys_dir)?;
    let mut added = Vec::new();
    let count = files.len();
    for (index, file) in files.iter().enumerate() {
        crate::private_files::check_key_file(file, config.key_file_permissions)
            .map_err(KeyError::BadKey)?;
        let pem = std::fs::read(file)
            .map_err(|e| KeyError::BadKey(format!("{}: {e}", file.display())))?;
        let key = material::rsa_from_pem(&pem)
            .map_err(|e| KeyError::BadKey(format!("{}: {e}", file.display())))?;
        // Names start with their creation time, so the last one signed most recently; the
        // others may have signed tokens still alive, so they stay published for a while.
        let retire_at = (index + 1 < count).then_some(now + retention(config));
        let row = sealed_row(
            sealing,
            key,
            next_generation(store, SigningAlg::Rs256).await?,
            now,
            now,
            now,
            retire_at,
        )?;
        if store.insert_signing_key(&row, None).await? {
            added.push(row.kid);
        }
    }
    Ok(added)
}

/// The `*.pem` files in `dir`, sorted by name (earlier versions named them by creation time).
fn pem_files(dir: &Path) -> Result<Vec<std::path::PathBuf>> {
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => {
            return Err(Error::from(KeyError::BadKey(format!(
                "{}: {e}",
                dir.display()
            ))));
        }
    };
    let mut files: Vec<_> = entries
        .filter_map(std::result::Result::ok)
        .map(|entry| entry.path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "pem"))
        .collect();
    files.sort();
    Ok(files)
}
