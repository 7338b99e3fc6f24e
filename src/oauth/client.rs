//! Registered clients (RFC 6749 §2) and redirect URI matching: exact string comparison,
//! with the RFC 8252 §7.3 loopback exception that the port may vary.
use std::fmt;

use serde::{Deserialize, Serialize};

use super::client_assertion::PrivateKeyJwt;
use super::resource::Resource;
use super::signing_alg::SigningAlg;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AuthMethod {
    ClientSecretBasic,
    ClientSecretPost,
    /// A public client: no secret, PKCE is its only proof.
    None,
    /// A JWT signed with the client's private key (RFC 7523 §2.2, OIDC Core §9).
    PrivateKeyJwt,
}

impl AuthMethod {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::ClientSecretBasic => "client_secret_basic",
            Self::ClientSecretPost => "client_secret_post",
            Self::None => "none",
            Self::PrivateKeyJwt => "private_key_jwt",
        }
    }
}

/// The grants a client may use at the token endpoint (RFC 6749 §4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum GrantType {
    AuthorizationCode,
    RefreshToken,
    ClientCredentials,
}

impl GrantType {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::AuthorizationCode => "authorization_code",
            Self::RefreshToken => "refresh_token",
            Self::ClientCredentials => "client_credentials",
        }
    }
}

/// The security profile a client is held to (what each decides: `oauth::profile`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize)]
pub enum Profile {
    /// Tessera's own rules (`profile = "none"`).
    #[default]
    #[serde(rename = "none")]
    Standard,
    /// The FAPI 2.0 Security Profile (`profile = "fapi2"`).
    #[serde(rename = "fapi2")]
    Fapi2,
}

impl Profile {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Standard => "none",
            Self::Fapi2 => "fapi2",
        }
    }
}

/// Where a client's registration comes from: the configuration file, a Dynamic Client
/// Registration (RFC 7591) stored in the database, or a Client ID Metadata Document fetched
/// from the URL that is its id. The last two are held to `client_metadata`'s policy.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum ClientOrigin {
    #[default]
    Config,
    Registered,
    MetadataDocument,
}

impl ClientOrigin {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Config => "config",
            Self::Registered => "registered",
            Self::MetadataDocument => "metadata_document",
        }
    }
}

#[derive(Clone)]
pub struct Client {
    pub id: String,
    pub name: String,
    /// argon2id PHC string of the client secret; `None` for public clients.
    pub secret_hash: Option<String>,
    pub auth_method: AuthMethod,
    pub redirect_uris: Vec<String>,
    pub allowed_scopes: Vec<String>,
    pub skip_consent: bool,
    pub post_logout_redirect_uris: Vec<String>,
    pub logout_revokes_refresh_tokens: bool,
    /// Every sign-in for this client must pass the TOTP step.
    pub require_mfa: bool,
    /// When MFA is demanded of a user who has none: send them to enrolment (true), or refuse
    /// with `access_denied` (false).
    pub allow_enrolment: bool,
    /// Where Back-Channel Logout 1.0 logout tokens are POSTed when a session this client
    /// got tokens through ends.
    pub backchannel_logout_uri: Option<String>,
    /// The client needs `sid` in its logout tokens (§2.2; the default).
    pub backchannel_logout_session_required: bool,
    /// The grants it may use.
    pub grant_types: Vec<GrantType>,
    /// The APIs it may ask tokens for (RFC 8707), as registered.
    pub resources: Vec<Resource>,
    /// Its keys and rules when it authenticates with private_key_jwt; `None` otherwise.
    pub private_key_jwt: Option<PrivateKeyJwt>,
    /// The algorithm its ID tokens and logout tokens are signed with.
    pub id_token_signed_response_alg: SigningAlg,
    /// RFC 9126 §5: its authorization requests must be pushed (its own setting, the global
    /// one, or its profile's).
    pub require_pushed_authorization_requests: bool,
    /// The security profile it is held to (`oauth::profile`).
    pub profile: Profile,
    /// RFC 9449 §5.2: its access tokens must be DPoP-bound (the fapi2 profile sets it).
    pub dpop_bound_access_tokens: bool,
    /// RFC 9449 §8, §9: this client's proofs carry a nonce Tessera issued.
    pub dpop_nonce_required: bool,
    /// Where its registration comes from.
    pub origin: ClientOrigin,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("id", &self.id)
            .field("auth_method", &self.auth_method)
            .field("redirect_uris", &self.redirect_uris)
            .field("origin", &self.origin)
            .finish_non_exhaustive()
    }
}

impl Client {
    /// A client with no redirect URIs, no scopes and every option at its default: the
    /// starting point for tests and tools, which set what they need.
    pub fn new(id: &str, auth_method: AuthMethod) -> Self {
        Self {
            id: id.to_string(),
            name: id.to_string(),
            secret_hash: None,
            auth_method,
            redirect_uris: Vec::new(),
            allowed_scopes: Vec::new(),
            skip_consent: false,
            post_logout_redirect_uris: Vec::new(),
            logout_revokes_refresh_tokens: true,
            require_mfa: false,
            allow_enrolment: true,
            backchannel_logout_uri: None,
            backchannel_logout_session_required: true,
            grant_types: vec![GrantType::AuthorizationCode, GrantType::RefreshToken],
            resources: Vec::new(),
            private_key_jwt: None,
            id_token_signed_response_alg: SigningAlg::Rs256,
            require_pushed_authorization_requests: false,
            profile: Profile::Standard,
            dpop_bound_access_tokens: false,
            dpop_nonce_required: false,
            origin: ClientOrigin::Config,
        }
    }

    pub fn may_use(&self, grant: GrantType) -> bool {
        self.grant_types.contains(&grant)
    }

    /// A scope this client may be granted for the API `resource`.
    pub fn allows_resource_scope(&self, resource: &Resource, scope: &str) -> bool {
        resource.defines(scope) && self.allows_scope(scope)
    }

    pub fn is_public(&self) -> bool {
        self.auth_method == AuthMethod::None
    }

    /// Held to the FAPI 2.0 Security Profile (`oauth::profile`).
    pub fn is_fapi2(&self) -> bool {
        self.profile == Profile::Fapi2
    }

    /// True when `requested` is one of the registered redirect URIs.
    pub fn redirect_uri_registered(&self, requested: &str) -> bool {
        self.redirect_uris
            .iter()
            .any(|registered| redirect_uri_matches(registered, requested))
    }

    /// RP-Initiated Logout 1.0 §3: exact match against the registered list.
    pub fn post_logout_redirect_registered(&self, requested: &str) -> bool {
        self.post_logout_redirect_uris
            .iter()
            .any(|r| r == requested)
    }

    pub fn allows_scope(&self, scope: &str) -> bool {
        self.allowed_scopes.iter().any(|s| s == scope)
    }
}

/// Exact match, or for `http` loopback IP literals, a match of everything but the port
/// (RFC 8252 §7.3). No normalisation of case, encoding or trailing slashes: a redirect URI
/// is compared as the string the client registered.
pub fn redirect_uri_matches(registered: &str, requested: &str) -> bool {
    if registered == requested {
        return true;
    }
    match (split_loopback(registered), split_loopback(requested)) {
        (Some((host_a, rest_a)), Some((host_b, rest_b))) => host_a == host_b && rest_a == rest_b,
        _ => false,
    }
}

/// Splits `http://127.0.0.1[:port]<rest>` (or `[::1]`) into host and the part after the port.
/// Returns `None` for anything that is not exactly such a loopback URI.
fn split_loopback(uri: &str) -> Option<(&'static str, &str)> {
    const HOSTS: [&str; 2] = ["127.0.0.1", "[::1]"];
    let after_scheme = uri.strip_prefix("http://")?;
    let host = HOSTS.into_iter().find(|h| after_scheme.starts_with(h))?;
    let after_host = after_scheme.get(host.len()..)?;
    let rest = match after_host.strip_prefix(':') {
        Some(port_and_rest) => {
            let digits = port_and_rest.bytes().take_while(u8::is_ascii_digit).count();
            let port = port_and_rest.get(..digits)?;
            if port.is_empty() || port.parse::<u16>().is_err() {
                return None;
            }
            port_and_rest.get(digits..)?
        }
        None => after_host,
    };
    // After the authority only a path or query may follow; this refuses `@`, `.evil`, etc.
    if rest.is_empty() || rest.starts_with('/') || rest.starts_with('?') {
        Some((host, rest))
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exact_match_only() {
        let registered = "https://app.example.com/cb";
        assert!(redirect_uri_matches(registered, registered));
        for attack in [
            "https://app.example.com/cb/",
            "https://app.example.com/cb/../evil",
            "https://APP.example.com/cb",
            "https://app.example.com/CB",
            "https://app.example.com/cb?x=1",
            "https://app.example.com/cb#x",
            "https://app.example.com.evil.com/cb",
            "https://app.example.com@evil.com/cb",
            "https://app.example.com%2fcb",
            "https://app.example.com/c%62",
            "https://app.example.com:443/cb",
            "http://app.example.com/cb",
            "https://app.example.com\\@evil.com/cb",
            "https://app.example.com/cbx",
            "https://app.example.com/c",
        ] {
            assert!(!redirect_uri_matches(registered, attack), "{attack}");
        }
    }

    #[test]
    fn loopback_port_may_vary_but_nothing_else() {
        let registered = "http://127.0.0.1:8765/cb";
        assert!(redirect_uri_matches(
            registered,
            "http://127.0.0.1:51234/cb"
        ));
        assert!(redirect_uri_matches(registered, "http://127.0.0.1/cb"));
        assert!(redirect_uri_matches(
            "http://[::1]/cb",
            "http://[::1]:4000/cb"
        ));
        for attack in [
            "http://127.0.0.1:80@evil.com/cb",
            "http://127.0.0.1.evil.com/cb",
            "http://127.0.0.1:8765/cb/x",
            "http://127.0.0.1:99999/cb",
            "http://[::1]:8765/cb",
            "http://localhost:8765/cb",
            "https://127.0.0.1:8765/cb",
        ] {
            assert!(!redirect_uri_matches(registered, attack), "{attack}");
        }
    }
}
