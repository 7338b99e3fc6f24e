//! An upstream's client secret: read from the file or environment variable the configuration
//! names, when the upstream is resolved, and kept out of Debug and the log.
use std::fmt;

use zeroize::Zeroizing;

use crate::config::UpstreamConfig;

pub struct ClientSecret(Zeroizing<String>);

impl ClientSecret {
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for ClientSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ClientSecret(redacted)")
    }
}

/// The secret, or why it cannot be read (naming the file or variable, never a value).
pub fn read(config: &UpstreamConfig) -> Result<ClientSecret, String> {
    let value = match (&config.client_secret_file, &config.client_secret_env) {
        (Some(path), _) => Zeroizing::new(
            std::fs::read_to_string(path)
                .map_err(|e| format!("cannot read client_secret_file {}: {e}", path.display()))?,
        ),
        (None, Some(name)) => Zeroizing::new(std::env::var(name).map_err(|_| {
            format!("the environment variable {name} (client_secret_env) is not set")
        })?),
        (None, None) => return Err("no client secret is configured".into()),
    };
    // A file written by an editor ends with a newline that is no part of the secret.
    let secret = value.trim();
    if secret.is_empty() {
        return Err("the client secret is empty".into());
    }
    Ok(ClientSecret(Zeroizing::new(secret.to_string())))
}
