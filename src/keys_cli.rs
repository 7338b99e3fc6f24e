//! `tessera keys`: list, rotate, retire and import signing keys, and say what the servers
//! will do about it. The key life itself is `service::keys`; this only runs it and reports.
use std::sync::Arc;

use tessera::config::Config;
use tessera::keys::material;
use tessera::service::admin::AdminResult;
use tessera::service::admin::keys::{self as admin_keys, AddedKey, KeyView};
use tessera::service::keys::Retire;
use tessera::startup;
use tessera::{AppState, clock::SystemClock, keys::KeySet};

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
    let state = AppState::new(
        config,
        store,
        KeySet::new(Vec::new(), now),
        Arc::new(SystemClock),
    );
    let changed = change_keys(&state, command, now).await;
    state.audit().flush().await;
    let listing = changed?;
    let keys = admin_keys::list(&state, now).await?;
    if listing {
        list_keys(&keys);
    }
    warn_about_unusable_keys(&keys);
    state.store().close().await;
    Ok(())
}

/// Does what `command` says to the keys; whether it asked for the list.
async fn change_keys(state: &AppState, command: KeysCommand, now: i64) -> AdminResult<bool> {
    let config = state.config();
    let listing = matches!(command, KeysCommand::List);
    match command {
        // Listed below, from the same read of the keys that the warnings come from.
        KeysCommand::List => {}
        KeysCommand::Rotate { now: at_once, alg } => {
            for added in admin_keys::rotate(state, alg, at_once, now).await? {
                report_added(&added, at_once);
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
            let added = admin_keys::add(state, key, at_once, now).await?;
            report_added(&added, at_once);
        }
        KeysCommand::Retire { kid } => match admin_keys::retire(state, &kid, now).await? {
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
            // The state asked for holds already: not a failure for a script to handle.
            Retire::AlreadyRetired => println!("key {kid} is already retired: nothing to do"),
            _ => println!(
                "key {kid} retired: gone from every instance's JWKS within key_refresh_interval ({} s)",
                config.key_refresh_interval
            ),
        },
    }
    Ok(listing)
}

fn report_added(added: &AddedKey, at_once: bool) {
    if at_once {
        eprintln!(
            "warning: {} signs now; apps holding a cached JWKS without it fail to verify new tokens until they fetch it again",
            added.kid
        );
    }
    println!(
        "key {} is published now and signs from {} (unix time) for {}",
        added.kid, added.sign_at, added.alg
    );
}

/// The promises above ("on every instance within …") hold for the keys a server can load;
/// one it cannot is left out by every server (counted in tessera_signing_keys_unusable and
/// logged). Reads the key set as a server would and names each such key, so the operator
/// hears of it here rather than from a dashboard.
fn warn_about_unusable_keys(keys: &[KeyView]) {
    for key in keys.iter().filter(|k| k.state == "unusable") {
        eprintln!(
            "warning: key {} ({}) cannot be loaded, so every server leaves it out of signing and the JWKS (counted in tessera_signing_keys_unusable): {}; retire it with `tessera keys retire {}`",
            key.kid,
            key.alg,
            key.unusable_because.as_deref().unwrap_or("-"),
            key.kid
        );
    }
}

fn list_keys(keys: &[KeyView]) {
    let time = |t: Option<i64>| t.map_or("-".to_string(), |t| t.to_string());
    println!("kid\talg\tstate\tpublish_at\tsign_at\tretires_at");
    for key in keys {
        println!(
            "{}\t{}\t{}\t{}\t{}\t{}",
            key.kid,
            key.alg,
            key.state,
            time(key.publish_at),
            time(key.sign_at),
            time(key.retire_at)
        );
    }
}
