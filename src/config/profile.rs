//! PAR (RFC 9126) and the FAPI 2.0 Security Profile in the configuration: the global keys
//! (`par_expires_in`, `require_pushed_authorization_requests`, `default_profile`), what a
//! client leaves to them, and the registrations the fapi2 profile refuses, each naming the key
//! that breaks it. What the profile enforces at run time is `oauth::profile`.
use super::{ClientConfig, Config, ConfigError};
use crate::oauth::client::{AuthMethod, GrantType};
use crate::oauth::client_assertion::AssertionAlg;
use crate::oauth::profile::Profile;

/// FAPI 2.0 §5.3.2.2 item 12: a `request_uri` lives less than 600 seconds.
const MAX_PAR_EXPIRES_IN: i64 = 599;

/// What a client that names none of them gets from the global keys.
#[derive(Debug, Clone, Copy, Default)]
pub struct ClientDefaults {
    pub profile: Profile,
    pub require_pushed_authorization_requests: bool,
}

impl Config {
    pub fn client_defaults(&self) -> ClientDefaults {
        ClientDefaults {
            profile: self.default_profile,
            require_pushed_authorization_requests: self.require_pushed_authorization_requests,
        }
    }
}

pub(super) fn validate(config: &Config) -> Result<(), ConfigError> {
    if !(1..=MAX_PAR_EXPIRES_IN).contains(&config.par_expires_in) {
        return Err(ConfigError::new(
            "par_expires_in",
            format!("must be between 1 and {MAX_PAR_EXPIRES_IN} seconds (FAPI 2.0: under 600)"),
        ));
    }
    let defaults = config.client_defaults();
    for (index, client) in config.clients.iter().enumerate() {
        if client.profile(defaults) == Profile::Fapi2 {
            validate_fapi2_client(config, client, &format!("clients[{index}]"))?;
        }
    }
    Ok(())
}

/// What FAPI 2.0 §5.3.2 and §5.4 forbid in a registration (mTLS is not supported, so
/// `private_key_jwt` is the one way to authenticate).
fn validate_fapi2_client(
    config: &Config,
    client: &ClientConfig,
    key: &str,
) -> Result<(), ConfigError> {
    let field = |name: &str| format!("{key}.{name}");
    let refuse = |name: &str, why: &str| Err(ConfigError::new(field(name), why));
    match client.token_endpoint_auth_method {
        AuthMethod::PrivateKeyJwt => {}
        AuthMethod::None => {
            return refuse(
                "token_endpoint_auth_method",
                "the fapi2 profile admits confidential clients only (FAPI 2.0 §5.3.2.1): use \"private_key_jwt\"",
            );
        }
        AuthMethod::ClientSecretBasic | AuthMethod::ClientSecretPost => {
            return refuse(
                "token_endpoint_auth_method",
                "the fapi2 profile authenticates clients with \"private_key_jwt\" only (FAPI 2.0 §5.3.2.1; mTLS is not supported): a client secret is refused",
            );
        }
    }
    if !client.id_token_signed_response_alg.allowed_by_fapi2() {
        return refuse(
            "id_token_signed_response_alg",
            "the fapi2 profile signs with PS256, ES256 or EdDSA, never RS256 (FAPI 2.0 §5.4.1)",
        );
    }
    if client.token_endpoint_auth_signing_alg == Some(AssertionAlg::Rs256) {
        return refuse(
            "token_endpoint_auth_signing_alg",
            "the fapi2 profile accepts PS256, ES256 or EdDSA assertions, never RS256 (FAPI 2.0 §5.4.1)",
        );
    }
    if client.client_assertion_accepts_token_endpoint_aud {
        return refuse(
            "client_assertion_accepts_token_endpoint_aud",
            "the fapi2 profile accepts only the issuer identifier as an assertion's aud (FAPI 2.0 §5.3.2.1 item 8)",
        );
    }
    if client.require_pushed_authorization_requests == Some(false) {
        return refuse(
            "require_pushed_authorization_requests",
            "the fapi2 profile requires pushed authorization requests (FAPI 2.0 §5.3.2.2 item 3)",
        );
    }
    for (i, uri) in client.redirect_uris.iter().enumerate() {
        if !uri.starts_with("https://") {
            return Err(ConfigError::new(
                format!("{key}.redirect_uris[{i}]"),
                "the fapi2 profile sends authorization responses over https only (FAPI 2.0 §5.3.2.2 item 8)",
            ));
        }
    }
    validate_fapi2_apis(config, client, key)?;
    let refreshes = client.grant_types.contains(&GrantType::RefreshToken);
    if refreshes && config.refresh_grace_period == 0 {
        return Err(ConfigError::new(
            "refresh_grace_period",
            format!(
                "must be at least 1 second while {} (a fapi2 client) may refresh: FAPI 2.0 §5.3.2.1 Note 2 lets a client retry with its previous refresh token",
                client.client_id
            ),
        ));
    }
    Ok(())
}

/// Access tokens for the APIs a fapi2 client may ask for are signed with the API's algorithm,
/// which must be one the profile allows (the built-in admin API signs with RS256, so a fapi2
/// client cannot be an admin client).
fn validate_fapi2_apis(
    config: &Config,
    client: &ClientConfig,
    key: &str,
) -> Result<(), ConfigError> {
    let apis = config.all_resources();
    for (i, identifier) in client.resources.iter().enumerate() {
        let rs256 = apis
            .iter()
            .find(|r| &r.identifier == identifier)
            .is_some_and(|r| !r.access_token_signed_response_alg.allowed_by_fapi2());
        if rs256 {
            return Err(ConfigError::new(
                format!("{key}.resources[{i}]"),
                format!(
                    "{identifier:?} signs its access tokens with RS256, which the fapi2 profile forbids (FAPI 2.0 §5.4.1): set its access_token_signed_response_alg to PS256, ES256 or EdDSA"
                ),
            ));
        }
    }
    Ok(())
}
