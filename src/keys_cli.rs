//! `tessera keys`: list, rotate, retire and import signing keys, and say what the servers
//! will do about it. The key life itself is `service::keys`; this only runs it and reports.
use tessera::auth::master_key::Purpose;
use tessera::config::Config;
use tessera::keys::{SigningAlg, material};
use tessera::service::admin::AdminResult;
use tessera::service::keys::{self as key_service, Retire};
use tessera::startup;
use tessera::store::Store;

use std::sync::Arc;

use tessera::audit::AuditLog;
use tessera::auth::sealing::SealingKey;
use tessera::clock::SystemClock;

use crate::KeysCommand;

pub async fn keys_command(config: Config, command: KeysCommand, now: i64) -> AdminResult<()> {
    let (config, store, source) = startup::open_with_master_key(config).await?;
    if let startup::MasterKeySource::Generated(path) = &source {
        // Made as `serve` would make it, but a command has no log: say so once, so the
        // operator knows there is a new secret to back up (the path only, never the key).
        eprintln!(
            "created the master key in {} (back it up: it opens every sealed secret)",
            path.display()
        );
    }
    let sealer = config
        .master_key
        .as_ref()
        .map(|m| m.derive(Purpose::SigningKeys))
        .ok_or("no master key")?;
    let audit = AuditLog::new(store.clone(), Arc::new(SystemClock));
    let changed = change_keys(&config, command, &store, &audit, &sealer, now).await;
    audit.flush().await;
    let listing = changed?;
    let keys = key_service::load(&store, &sealer, now).await?;
    if listing {
        list_keys(&keys, now);
    }
    warn_about_unusable_keys(&keys);
    store.close().await;
    Ok(())
}

/// Does what `command` says to the keys; whether it asked for the list.
async fn change_keys(
    config: &Config,
    command: KeysCommand,
    store: &Store,
    audit: &AuditLog,
    sealer: &SealingKey,
    now: i64,
) -> AdminResult<bool> {
    let listing = matches!(command, KeysCommand::List);
    match command {
        // Listed below, from the same read of the keys that the warnings come from.
        KeysCommand::List => {}
        KeysCommand::Rotate { now: at_once, alg } => {
            for alg in algs_to_rotate(config, alg)? {
                let key = material::generate(alg)?;
                add_key(store, audit, sealer, config, key, now, at_once).await?;
            }
        }
        KeysCommand::Import { file, now: at_once } => {
            let key = material::from_pem(&std::fs::read(&file)?)
                .map_err(|e| format!("{}: {e}", file.display()))?;
            if !config.signing_algs.contains(&key.alg) {
                return Err(format!(
                    "{}: a {} key, and {} is not in signing_algs: it would never sign",
                    file.display(),
                    key.alg,
                    key.alg
                )
                .into());
            }
            add_key(store, audit, sealer, config, key, now, at_once).await?;
        }
        KeysCommand::Retire { kid } => {
            match key_service::retire(store, audit, &config.signing_algs, &kid, now).await? {
                Retire::Retired => println!(
                    "key {kid} retired: gone from every instance's JWKS within key_refresh_interval ({} s)",
                    config.key_refresh_interval
                ),
                Retire::UnknownKey => return Err(format!("no key {kid}").into()),
                // The state asked for holds already: not a failure for a script to handle.
                Retire::AlreadyRetired => println!("key {kid} is already retired: nothing to do"),
                Retire::HandedOver {
                    successor,
                    published_at,
                } => {
                    println!(
                        "key {kid} retired; {successor} signs in its place from now, on every instance within key_refresh_interval ({} s)",
                        config.key_refresh_interval
                    );
                    if now - published_at < config.jwks_max_age + config.key_refresh_interval {
                        eprintln!(
                            "warning: {successor} was published {} s ago; apps holding a cached JWKS without it fail to verify new tokens until they fetch it again",
                            now - published_at
                        );
                    }
                }
                Retire::SignsNow => {
                    return Err(format!(
                    "{kid} is the key signing now for its algorithm, and no newer published key of that algorithm can take over (signing would fall back to an older key): run `tessera keys rotate --now --alg <its alg>` first, then retire {kid}"
                )
                .into());
                }
            }
        }
    }
    Ok(listing)
}

/// The promises above ("on every instance within …") hold for the keys a server can load;
/// one it cannot is left out by every server (counted in tessera_signing_keys_unusable and
/// logged). Reads the key set as a server would and names each such key, so the operator
/// hears of it here rather than from a dashboard.
fn warn_about_unusable_keys(keys: &tessera::keys::KeySet) {
    for key in keys.unusable_live() {
        eprintln!(
            "warning: key {} ({}) cannot be loaded, so every server leaves it out of signing and the JWKS (counted in tessera_signing_keys_unusable): {}; retire it with `tessera keys retire {}`",
            key.kid, key.alg, key.reason, key.kid
        );
    }
}

/// The algorithms `keys rotate` makes keys for: every one in signing_algs, or the one asked
/// for, which must be among them (a key of another algorithm would never sign).
fn algs_to_rotate(config: &Config, only: Option<SigningAlg>) -> AdminResult<Vec<SigningAlg>> {
    match only {
        None => Ok(config.signing_algs.clone()),
        Some(alg) if config.signing_algs.contains(&alg) => Ok(vec![alg]),
        Some(alg) => Err(format!(
            "{alg} is not in signing_algs: add it there (a running server then makes its first key)"
        )
        .into()),
    }
}

fn list_keys(keys: &tessera::keys::KeySet, now: i64) {
    println!("kid\talg\tstate\tpublish_at\tsign_at\tretires_at");
    for (key, state) in keys.keys_at(now) {
        let retire = key.times.retired_at.or(key.times.retire_at);
        let retire = retire.map_or("-".to_string(), |t| t.to_string());
        println!(
            "{}\t{}\t{}\t{}\t{}\t{retire}",
            key.kid,
            key.alg,
            state.as_str(),
            key.times.publish_at,
            key.times.sign_at
        );
    }
    for key in keys.unusable() {
        let state = if key.retired { "retired" } else { "unusable" };
        println!("{}\t{}\t{state}\t-\t-\t-", key.kid, key.alg);
    }
}

async fn add_key(
    store: &Store,
    audit: &AuditLog,
    sealer: &SealingKey,
    config: &Config,
    key: material::NewKey,
    now: i64,
    at_once: bool,
) -> AdminResult<()> {
    let sign_at = if at_once {
        now
    } else {
        now + config.key_prepublish
    };
    let key_alg = key.alg;
    let kid = key_service::prepare(store, audit, sealer, config, key, now, sign_at)
        .await?
        .ok_or("another instance prepared a key at the same moment; run `tessera keys list`")?;
    if at_once {
        eprintln!(
            "warning: {kid} signs now; apps holding a cached JWKS without it fail to verify new tokens until they fetch it again"
        );
    }
    println!(
        "key {kid} is published now and signs from {sign_at} (unix time) for {alg}",
        alg = key_alg
    );
    Ok(())
}
