//! Getting from a configuration to a ready state: the master key (configured, read from a
//! file, or — on the embedded SQLite default — made on first start), the migrated store, the
//! signing keys (imported or made on first start), and TOTP secrets of earlier versions
//! re-sealed under the master key.
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::auth::master_key::{MasterKey, Purpose};
use crate::auth::sealing::SealingKey;
use crate::clock::Clock;
use crate::config::Config;
use crate::keys::KeySet;
use crate::private_files::{self, check_key_file};
use crate::service;
use crate::state::AppState;
use crate::store::Store;

/// The file `serve` keeps a generated master key in, inside `keys_dir`.
pub const MASTER_KEY_FILE: &str = "master.key";

#[derive(Debug)]
pub struct StartupError(pub String);

impl fmt::Display for StartupError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for StartupError {}

impl From<service::Error> for StartupError {
    fn from(e: service::Error) -> Self {
        Self(e.to_string())
    }
}

impl From<crate::store::StoreError> for StartupError {
    fn from(e: crate::store::StoreError) -> Self {
        Self(format!("database: {e}"))
    }
}

impl From<sqlx::migrate::MigrateError> for StartupError {
    fn from(e: sqlx::migrate::MigrateError) -> Self {
        Self(format!("database migration: {e}"))
    }
}

/// Where the master key came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MasterKeySource {
    Configured,
    File(PathBuf),
    /// Made just now, on first start of the embedded default.
    Generated(PathBuf),
}

/// Where the master key is, before anything is written.
enum Located {
    Found(MasterKey, MasterKeySource),
    /// None configured and no `keys_dir/master.key`, on SQLite: one may be made here.
    Missing(PathBuf),
}

/// The master key: `master_key` (`TESSERA_MASTER_KEY`), else `master_key_file`, else
/// `keys_dir/master.key`. With none of them, a SQLite installation may get a new one there;
/// PostgreSQL means several instances may share the database, and a key each made for itself
/// would seal data the others cannot open, so it is refused with instructions instead.
fn locate_master_key(config: &Config) -> Result<Located, StartupError> {
    if let Some(key) = &config.master_key {
        return Ok(Located::Found(key.clone(), MasterKeySource::Configured));
    }
    if let Some(path) = &config.master_key_file {
        let key = read_master_key(path, config)?;
        return Ok(Located::Found(key, MasterKeySource::File(path.clone())));
    }
    let path = config.keys_dir.join(MASTER_KEY_FILE);
    if path.exists() {
        return Ok(Located::Found(
            read_master_key(&path, config)?,
            MasterKeySource::File(path),
        ));
    }
    if !config.database_url.starts_with("sqlite:") {
        return Err(StartupError(
            "no master key: set TESSERA_MASTER_KEY (or master_key_file) to the same key on every instance; make one with `openssl rand -base64 32`".into(),
        ));
    }
    Ok(Located::Missing(path))
}

/// The key in `path`, once its permissions pass `key_file_permissions`.
fn read_master_key(path: &Path, config: &Config) -> Result<MasterKey, StartupError> {
    check_key_file(path, config.key_file_permissions).map_err(StartupError)?;
    let text = zeroize::Zeroizing::new(
        std::fs::read_to_string(path)
            .map_err(|e| StartupError(format!("{}: {e}", path.display())))?,
    );
    MasterKey::from_base64(&text).map_err(|e| StartupError(format!("{}: {e}", path.display())))
}

/// Creates `path` with mode 0600 (its folder 0700 when Tessera makes it); never overwrites.
pub fn write_private_file(path: &Path, contents: &[u8]) -> Result<(), StartupError> {
    private_files::write_private_file(path, contents)
        .map_err(|e| StartupError(format!("{}: {e}", path.display())))
}

/// The store, connected and migrated, and the configuration with its master key resolved
/// (and where the key came from). A key is made only while the database holds nothing sealed:
/// a `master.key` that went missing must not be replaced by a new one, which opens none of
/// the signing keys and TOTP secrets and would seal new ones that the old key cannot open.
pub async fn open_with_master_key(
    mut config: Config,
) -> Result<(Config, Store, MasterKeySource), StartupError> {
    let located = locate_master_key(&config)?;
    let store = open_store(&config).await?;
    let (key, source) = match located {
        Located::Found(key, source) => (key, source),
        Located::Missing(path) => {
            let legacy = config.mfa_encryption_key.as_ref();
            if holds_master_sealed_values(&store, legacy).await? {
                return Err(StartupError(format!(
                    "the master key is missing ({} does not exist), but the database holds signing keys or TOTP secrets sealed under one (TOTP secrets of an earlier version need their mfa_encryption_key set): not making a new key, which could open none of them. Put the master key back, or set TESSERA_MASTER_KEY or master_key_file; if it is lost, see \"Losing the master key\" in docs/operations.md",
                    path.display()
                )));
            }
            let key = MasterKey::generate();
            write_private_file(&path, key.to_base64().as_bytes())?;
            (key, MasterKeySource::Generated(path))
        }
    };
    config.master_key = Some(key);
    Ok((config, store, source))
}

/// Whether the database holds anything sealed under a master key: a signing key, or a TOTP
/// secret the legacy `mfa_encryption_key` does not open. Those it opens predate master keys
/// (an upgrade from PEM files): a new master key is right for them, and `ready` re-seals
/// them under it.
async fn holds_master_sealed_values(
    store: &Store,
    legacy: Option<&SealingKey>,
) -> Result<bool, StartupError> {
    if !store.signing_keys().await?.is_empty() {
        return Ok(true);
    }
    let credentials = store.all_totp_credentials().await?;
    Ok(credentials.iter().any(|credential| {
        legacy.is_none_or(|key| {
            key.open(&credential.sealed_secret, &credential.user_id)
                .is_err()
        })
    }))
}

/// Connects and migrates.
pub async fn open_store(config: &Config) -> Result<Store, StartupError> {
    let timeout = std::time::Duration::from_secs(config.database_timeout);
    let store = Store::connect_within(&config.database_url, timeout).await?;
    store.migrate().await?;
    Ok(store)
}

/// What `ready` did, for the log.
#[derive(Debug, Default)]
pub struct Prepared {
    pub keys_added: Vec<String>,
    pub totp_secrets_resealed: u64,
}

/// Signing keys present (imported or made), legacy TOTP secrets re-sealed, the key set read.
/// `config` must carry its master key (see `open_with_master_key`).
/// One unusable key is left out; but when no key at all can sign, the likely cause is one
/// for the whole instance (a master key other than the one the keys were sealed under), and
/// serving without a signing key would only turn every sign-in into an error.
fn refuse_when_no_key_loads(keys: &KeySet, now: i64) -> Result<(), StartupError> {
    if keys.signing(now).next().is_some() || keys.unusable_live().next().is_none() {
        return Ok(());
    }
    let reasons: Vec<String> = keys
        .unusable_live()
        .map(|k| format!("{}: {}", k.kid, k.reason))
        .collect();
    Err(StartupError(format!(
        "no signing key can be loaded ({}); is this the master key the keys were sealed under?",
        reasons.join("; ")
    )))
}

pub async fn ready(
    config: Config,
    store: Store,
    clock: Arc<dyn Clock>,
) -> Result<(AppState, Prepared), StartupError> {
    let master = config
        .master_key
        .clone()
        .ok_or_else(|| StartupError("no master key".into()))?;
    let sealer = master.derive(Purpose::SigningKeys);
    let now = clock.now();
    let keys_added = service::keys::bootstrap(&store, &sealer, &config, now).await?;
    let keys: KeySet = service::keys::load(&store, &sealer, now).await?;
    refuse_when_no_key_loads(&keys, now)?;
    let totp_secrets_resealed = match &config.mfa_encryption_key {
        Some(legacy) => {
            let current = master.derive(Purpose::TotpSecrets);
            service::mfa::reseal_totp_secrets(&store, legacy, &current).await?
        }
        None => 0,
    };
    let state = AppState::new(config, store, keys, clock);
    Ok((
        state,
        Prepared {
            keys_added,
            totp_secrets_resealed,
        },
    ))
}
