//! RFC 8693 token exchange in the configuration: which clients may exchange tokens, each
//! refusal naming the key that breaks it. The policy itself is the client's `resources` and
//! `scopes` (`oauth::token_exchange`).
use super::{ClientConfig, Config, ConfigError};
use crate::oauth::client::{AuthMethod, GrantType};

pub(super) fn validate(config: &Config) -> Result<(), ConfigError> {
    for (index, client) in config.clients.iter().enumerate() {
        validate_client(client, &format!("clients[{index}]"))?;
    }
    Ok(())
}

/// Token exchange is for confidential clients (a public one could not keep the tokens it
/// would get, nor prove it is the backend it claims to be) that list an API to exchange into;
/// impersonation is a setting of that grant only.
fn validate_client(client: &ClientConfig, key: &str) -> Result<(), ConfigError> {
    let exchanges = client.grant_types.contains(&GrantType::TokenExchange);
    if exchanges && client.token_endpoint_auth_method == AuthMethod::None {
        return Err(ConfigError::new(
            format!("{key}.grant_types"),
            "urn:ietf:params:oauth:grant-type:token-exchange is for confidential clients only; a public client cannot keep a credential",
        ));
    }
    if exchanges && client.resources.is_empty() {
        return Err(ConfigError::new(
            format!("{key}.resources"),
            "a client that exchanges tokens lists the APIs it may exchange them for",
        ));
    }
    if client.token_exchange_impersonation && !exchanges {
        return Err(ConfigError::new(
            format!("{key}.token_exchange_impersonation"),
            "only for a client whose grant_types include urn:ietf:params:oauth:grant-type:token-exchange",
        ));
    }
    Ok(())
}
