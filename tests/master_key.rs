//! A missing master key is never replaced by a new one while the database holds values sealed
//! under the old one: `serve` and the `keys` commands refuse before writing anything.
mod common;

use common::Backend;
use common::mfa::MASTER_KEY;
use common::process::{Instance, cli, start_instance};
use tessera::auth::master_key::{MasterKey, Purpose};
use tessera::auth::sealing::SealingKey;
use tessera::config::Config;
use tessera::startup::{self, MasterKeySource};
use tessera::store::Store;

#[tokio::test]
async fn a_missing_master_key_is_not_replaced_while_signing_keys_are_sealed_under_it() {
    for backend in Backend::all() {
        // SQLite: the first start made keys/master.key; PostgreSQL: the file gives the key.
        let Instance {
            server,
            dir,
            config,
        } = start_instance(backend, "").await;
        drop(server);
        let text: String = std::fs::read_to_string(&config)
            .unwrap()
            .lines()
            .filter(|line| !line.starts_with("master_key ="))
            .map(|line| format!("{line}\n"))
            .collect();
        std::fs::write(&config, text).unwrap();
        let key_file = dir.path().join("keys/master.key");
        let _ = std::fs::remove_file(&key_file);

        for command in [&["serve"][..], &["keys", "list"]] {
            let (ok, out, err) = cli(dir.path(), &config, command, None);
            assert!(!ok, "{command:?} refused: {out}");
            let explained = match backend {
                Backend::Sqlite => {
                    err.contains("the master key is missing")
                        && err.contains(&key_file.display().to_string())
                        && err.contains("Losing the master key")
                }
                // PostgreSQL never makes a key: it asks for one, as before.
                Backend::Postgres => err.contains("no master key"),
            };
            assert!(explained, "{command:?}: {err}");
            assert!(!key_file.exists(), "{command:?} wrote a new master key");
        }
    }
}

/// A SQLite database (the only backend on which Tessera makes a master key) whose one user
/// has a TOTP secret sealed with `sealing`, and a configuration for it naming no master key.
async fn database_with_a_totp_secret(sealing: &SealingKey) -> (tempfile::TempDir, Config) {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("tessera.db").display());
    let store = Store::connect(&url).await.unwrap();
    store.migrate().await.unwrap();
    let user = "ada-1".to_string();
    let row = tessera::store::users::UserRow {
        id: user.clone(),
        email: "ada@example.com".into(),
        name: None,
        password_hash: tessera::auth::password::hash_blocking(b"a long password").unwrap(),
        email_verified: true,
        disabled: false,
        created_at: 0,
        tokens_valid_after: 0,
    };
    store.insert_user(&row).await.unwrap();
    let sealed = sealing.seal(b"12345678901234567890", &user).unwrap();
    store.insert_pending_totp(&user, &sealed, 0).await.unwrap();
    store.close().await;
    let keys = dir.path().join("keys");
    let text = format!(
        "database_url = \"{url}\"\nkeys_dir = \"{}\"\n",
        keys.display()
    );
    (dir, Config::from_toml(&text).unwrap())
}

#[tokio::test]
async fn totp_secrets_sealed_under_a_master_key_stop_a_new_one_but_legacy_ones_do_not() {
    let lost = MasterKey::from_base64(MASTER_KEY).unwrap();
    let (dir, config) = database_with_a_totp_secret(&lost.derive(Purpose::TotpSecrets)).await;
    let refused = startup::open_with_master_key(config).await.err().unwrap();
    assert!(refused.0.contains("the master key is missing"), "{refused}");
    assert!(!dir.path().join("keys/master.key").exists());

    // An upgrade from a version before master keys: the secret is sealed with the legacy
    // mfa_encryption_key, which still opens it. A new master key is right here.
    let legacy_text = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";
    let legacy = SealingKey::from_base64(legacy_text).unwrap();
    let (dir, mut config) = database_with_a_totp_secret(&legacy).await;
    config.mfa_encryption_key = Some(legacy);
    let (_, store, source) = startup::open_with_master_key(config).await.unwrap();
    let made = dir.path().join("keys/master.key");
    assert_eq!(source, MasterKeySource::Generated(made.clone()));
    assert!(made.exists());
    store.close().await;
}
