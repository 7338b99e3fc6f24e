//! `client_id_metadata_documents` and its host lists: each pattern a lower-case host name or
//! `*.` and a domain, so a typo cannot silently allow or deny nothing.
use super::{Config, ConfigError};
use crate::oauth::client_id_url::pattern_problem;

pub(super) fn validate(config: &Config) -> Result<(), ConfigError> {
    for (key, patterns) in [
        (
            "client_id_metadata_hosts_allow",
            &config.client_id_metadata_hosts_allow,
        ),
        (
            "client_id_metadata_hosts_deny",
            &config.client_id_metadata_hosts_deny,
        ),
    ] {
        for (i, pattern) in patterns.iter().enumerate() {
            if let Some(problem) = pattern_problem(pattern) {
                return Err(ConfigError::new(format!("{key}[{i}]"), problem));
            }
        }
    }
    Ok(())
}
