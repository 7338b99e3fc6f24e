//! Which settings a running server can take from a reloaded file, and which need a restart
//! (the listener, the database, files, the key material, the middleware built at start). The
//! reloaded configuration keeps the running values of the latter, and names them.
//!
//! `[branding]` is applied whole, `logo_file` included: `Config::load` reads the logo again,
//! and the pages link every branded asset by a content hash, so browsers fetch the new one.
use super::Config;
use crate::auth::master_key::MasterKey;
use crate::auth::sealing::SealingKey;

impl Config {
    /// `new` as the running server can apply it, and the keys whose change needs a restart.
    /// `configured_master_key` is `master_key` as the file and environment gave it at start:
    /// the running key may have been read from `master_key_file` or `keys_dir`, or made.
    pub fn reloaded(
        &self,
        mut new: Config,
        configured_master_key: Option<&MasterKey>,
    ) -> (Config, Vec<&'static str>) {
        let mut ignored = Vec::new();
        macro_rules! keep {
            ($($field:ident),* $(,)?) => {$(
                if !same(&self.$field, &new.$field) {
                    ignored.push(stringify!($field));
                }
                new.$field = self.$field.clone();
            )*};
        }
        keep!(
            issuer,
            webauthn_rp_id,
            allow_insecure_http,
            listen,
            database_url,
            database_timeout,
            keys_dir,
            master_key_file,
            key_file_permissions,
            pid_file,
            metrics_listen,
            admin_listen,
            log_format,
            password_hash_concurrency,
            password_hash_queue,
            max_body_bytes,
            request_timeout,
            header_read_timeout,
            rate_limit_per_second,
            rate_limit_burst,
            trusted_proxies,
            cors_allowed_origins,
            backchannel_logout_concurrency,
        );
        // The key material is resolved at start (it may have been made then) and everything
        // sealed depends on it: never swapped. A change is named like the others' (never
        // with its value), so an operator does not believe a new key is in use.
        if !same_key(
            new.master_key.as_ref(),
            configured_master_key,
            MasterKey::same_as,
        ) {
            ignored.push("master_key");
        }
        let (file, running) = (&new.mfa_encryption_key, &self.mfa_encryption_key);
        if !same_key(file.as_ref(), running.as_ref(), SealingKey::same_as) {
            ignored.push("mfa_encryption_key");
        }
        new.master_key = self.master_key.clone();
        new.mfa_encryption_key = self.mfa_encryption_key.clone();
        (new, ignored)
    }
}

fn same_key<K>(a: Option<&K>, b: Option<&K>, same: fn(&K, &K) -> bool) -> bool {
    match (a, b) {
        (None, None) => true,
        (Some(a), Some(b)) => same(a, b),
        _ => false,
    }
}

/// Equal by their serialised form (the fields compared here all serialise).
fn same<T: serde::Serialize>(a: &T, b: &T) -> bool {
    serde_json::to_value(a).ok() == serde_json::to_value(b).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn runtime_settings_change_and_restart_settings_are_kept_and_named() {
        let running = Config::from_toml("access_token_ttl = 900").unwrap();
        let file = Config::from_toml(
            "access_token_ttl = 300\nlisten = \"127.0.0.1:9999\"\n[[clients]]\nclient_id = \"n\"\ntoken_endpoint_auth_method = \"none\"\nredirect_uris = [\"https://n.example/cb\"]",
        )
        .unwrap();
        let (applied, ignored) = running.reloaded(file, None);
        assert_eq!(applied.access_token_ttl, 300);
        assert_eq!(applied.clients.len(), 1);
        assert_eq!(applied.listen, running.listen);
        assert_eq!(ignored, vec!["listen"]);
    }

    #[test]
    fn branding_is_applied_by_a_reload() {
        let running = Config::from_toml("").unwrap();
        let file = Config::from_toml(
            "[branding]\nproduct_name = \"Acme ID\"\nprimary_color = \"#0a7\"\nterms_url = \"https://acme.example/terms\"",
        )
        .unwrap();
        let (applied, ignored) = running.reloaded(file, None);
        assert!(ignored.is_empty(), "{ignored:?}");
        assert_eq!(applied.branding.product_name, "Acme ID");
        assert_eq!(applied.mfa_issuer(), "Acme ID");
        assert_eq!(applied.branding.primary_color.unwrap().to_hex(), "#00aa77");
        assert!(applied.branding.terms_url.is_some());
    }

    const KEY_A: &str = "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=";
    const KEY_B: &str = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";

    fn with(lines: &str) -> Config {
        Config::from_toml(lines).unwrap()
    }

    #[test]
    fn changed_key_material_is_named_never_swapped() {
        let a = MasterKey::from_base64(KEY_A).unwrap();
        // Started with the master key from keys_dir/master.key: the running config holds it.
        let mut running = with(&format!("mfa_encryption_key = \"{KEY_A}\""));
        running.master_key = Some(a.clone());
        let cases = [
            ("", None, vec!["mfa_encryption_key"]),
            (&*format!("mfa_encryption_key = \"{KEY_A}\""), None, vec![]),
            (
                &*format!("mfa_encryption_key = \"{KEY_B}\""),
                None,
                vec!["mfa_encryption_key"],
            ),
            (
                &*format!("master_key = \"{KEY_B}\"\nmfa_encryption_key = \"{KEY_A}\""),
                None,
                vec!["master_key"],
            ),
            // Configured at start: the same value is no change, its removal is one.
            (
                &*format!("master_key = \"{KEY_A}\"\nmfa_encryption_key = \"{KEY_A}\""),
                Some(&a),
                vec![],
            ),
            (
                &*format!("mfa_encryption_key = \"{KEY_A}\""),
                Some(&a),
                vec!["master_key"],
            ),
            (
                &*format!("master_key_file = \"/run/key\"\nmfa_encryption_key = \"{KEY_A}\""),
                None,
                vec!["master_key_file"],
            ),
        ];
        for (file, configured, named) in cases {
            let (applied, ignored) = running.reloaded(with(file), configured);
            assert_eq!(ignored, named, "{file}");
            assert!(applied.master_key.unwrap().same_as(&a), "{file}");
            let legacy = SealingKey::from_base64(KEY_A).unwrap();
            assert!(
                applied.mfa_encryption_key.unwrap().same_as(&legacy),
                "{file}"
            );
        }
    }
}
