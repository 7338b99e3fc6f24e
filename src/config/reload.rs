//! Which settings a running server can take from a reloaded file, and which need a restart
//! (the listener, the database, files, the key material, the middleware built at start). The
//! reloaded configuration keeps the running values of the latter, and names them.
use super::Config;

impl Config {
    /// `new` as the running server can apply it, and the keys whose change needs a restart.
    pub fn reloaded(&self, mut new: Config) -> (Config, Vec<&'static str>) {
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
            allow_insecure_http,
            listen,
            database_url,
            database_timeout,
            keys_dir,
            master_key_file,
            pid_file,
            metrics_listen,
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
        );
        // The key material is resolved at start (it may have been made then); never swapped.
        new.master_key = self.master_key.clone();
        new.mfa_encryption_key = self.mfa_encryption_key.clone();
        (new, ignored)
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
        let (applied, ignored) = running.reloaded(file);
        assert_eq!(applied.access_token_ttl, 300);
        assert_eq!(applied.clients.len(), 1);
        assert_eq!(applied.listen, running.listen);
        assert_eq!(ignored, vec!["listen"]);
    }
}
