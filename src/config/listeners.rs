//! The listeners besides `listen`: each must be its own address.
use super::{Config, ConfigError};

/// The admin API's own listener must be its own: on `listen` it would not be apart, and on
/// `metrics_listen` one of the two could not bind.
pub(super) fn validate(config: &Config) -> Result<(), ConfigError> {
    let Some(admin) = config.admin_listen else {
        return Ok(());
    };
    let taken = |other: std::net::SocketAddr| other.port() != 0 && other == admin;
    if taken(config.listen) {
        return Err(ConfigError::new(
            "admin_listen",
            "must differ from `listen` (leave it unset to serve the admin API there)",
        ));
    }
    if config.metrics_listen.is_some_and(taken) {
        return Err(ConfigError::new(
            "admin_listen",
            "must differ from `metrics_listen`",
        ));
    }
    Ok(())
}
