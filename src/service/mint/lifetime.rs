//! How long each token lives, from the configuration (and an API's own access-token
//! lifetime). A refresh family has an absolute end that rotation never extends; each token
//! in it also expires when left unused.
use crate::config::Config;
use crate::oauth::resource::Resource;

/// Seconds an access token for `audience` lives.
pub fn access_token_ttl(config: &Config, audience: Option<&Resource>) -> i64 {
    audience
        .and_then(|r| r.access_token_ttl)
        .unwrap_or(config.access_token_ttl)
}

/// The end of a refresh family started at `now`.
pub fn refresh_family_expires_at(config: &Config, now: i64) -> i64 {
    now + config.refresh_token_ttl
}

/// When a refresh token issued at `now` expires unused: never after its family's end.
pub fn refresh_idle_expires_at(config: &Config, family_expires_at: i64, now: i64) -> i64 {
    (now + config.refresh_token_idle_ttl).min(family_expires_at)
}
