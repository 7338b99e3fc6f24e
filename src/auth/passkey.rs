//! The WebAuthn relying party Tessera is: its ID and origin come from the issuer (a parent
//! domain may be named with `webauthn_rp_id`), and an issuer that cannot host passkeys says
//! why instead of failing obscurely. Pure: no HTTP, no database.
use std::net::IpAddr;
use std::time::Duration;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use webauthn_rs::prelude::{CreationChallengeResponse, Url, Webauthn, WebauthnBuilder};
use webauthn_rs_proto::ResidentKeyRequirement;

/// Seconds a ceremony may take: the authenticator's timeout and the challenge's lifetime
/// (WebAuthn Level 3 recommends 300 s for user verification required).
pub const CEREMONY_SECONDS: i64 = 300;

/// Why this issuer cannot host passkeys.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unavailable {
    /// The issuer's host is an IP address; a WebAuthn relying party ID must be a domain.
    IpAddressIssuer,
    /// An `http` issuer other than `localhost`: browsers offer WebAuthn only in a secure
    /// context.
    InsecureOrigin,
    /// The issuer URL or the relying party ID was refused by the WebAuthn library.
    Refused,
}

impl Unavailable {
    /// For the operator's log and the CLI (pages use their own words).
    pub fn explain(self) -> &'static str {
        match self {
            Self::IpAddressIssuer => {
                "passkeys need a domain name: the issuer's host is an IP address (use http://localhost:PORT for development)"
            }
            Self::InsecureOrigin => {
                "passkeys need a secure context: an https issuer, or http only on localhost"
            }
            Self::Refused => "the issuer cannot be used as a WebAuthn relying party",
        }
    }
}

/// Whether `rp_id` may be the relying party ID for the issuer host `host`: the host itself or
/// a parent domain of it (WebAuthn §5.1.4: a registrable domain suffix), never an IP.
pub fn rp_id_fits(host: &str, rp_id: &str) -> bool {
    let rp_id = rp_id.trim_end_matches('.');
    !rp_id.is_empty()
        && rp_id.parse::<IpAddr>().is_err()
        && rp_id.contains(|c: char| c.is_ascii_alphabetic())
        && (host == rp_id || host.ends_with(&format!(".{rp_id}")))
}

/// The relying party for `issuer`, named `name` in authenticators' prompts. `configured` is
/// `webauthn_rp_id` (validated at start against the issuer host).
pub fn relying_party(
    issuer: &str,
    configured: Option<&str>,
    name: &str,
) -> Result<Webauthn, Unavailable> {
    let origin = Url::parse(issuer).map_err(|_| Unavailable::Refused)?;
    let host = match origin.host() {
        Some(url::Host::Domain(host)) => host.to_ascii_lowercase(),
        Some(_) => return Err(Unavailable::IpAddressIssuer),
        None => return Err(Unavailable::Refused),
    };
    let localhost = host == "localhost" || host.ends_with(".localhost");
    if origin.scheme() != "https" && !localhost {
        return Err(Unavailable::InsecureOrigin);
    }
    let rp_id = configured.unwrap_or(&host);
    if !rp_id_fits(&host, rp_id) {
        return Err(Unavailable::Refused);
    }
    WebauthnBuilder::new(rp_id, &origin)
        .map_err(|_| Unavailable::Refused)?
        .rp_name(name)
        .timeout(Duration::from_secs(CEREMONY_SECONDS.unsigned_abs()))
        .build()
        .map_err(|_| Unavailable::Refused)
}

/// Asks the authenticator for a discoverable credential (a passkey that signs in without a
/// typed email). The library's passkey registration leaves this "discouraged"; it does not
/// check the answer, so asking for more is safe.
pub fn make_discoverable(challenge: &mut CreationChallengeResponse) {
    if let Some(selection) = challenge.public_key.authenticator_selection.as_mut() {
        selection.resident_key = Some(ResidentKeyRequirement::Required);
        selection.require_resident_key = true;
    }
}

/// A credential ID as stored and shown: base64url without padding.
pub fn credential_key(credential_id: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(credential_id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ip_issuers_and_plain_http_cannot_host_passkeys() {
        let ip = relying_party("http://127.0.0.1:8080", None, "Tessera");
        assert_eq!(ip.err(), Some(Unavailable::IpAddressIssuer));
        let v6 = relying_party("https://[::1]:8443", None, "Tessera");
        assert_eq!(v6.err(), Some(Unavailable::IpAddressIssuer));
        let http = relying_party("http://id.example.com", None, "Tessera");
        assert_eq!(http.err(), Some(Unavailable::InsecureOrigin));
    }

    #[test]
    fn localhost_and_https_domains_can() {
        assert!(relying_party("http://localhost:8080", None, "Tessera").is_ok());
        assert!(relying_party("https://id.example.com", None, "Tessera").is_ok());
        let parent = relying_party("https://id.example.com", Some("example.com"), "Tessera");
        assert!(parent.is_ok());
    }

    #[test]
    fn the_rp_id_is_the_host_or_a_parent_domain() {
        assert!(rp_id_fits("id.example.com", "id.example.com"));
        assert!(rp_id_fits("id.example.com", "example.com"));
        assert!(!rp_id_fits("id.example.com", "other.com"));
        assert!(
            !rp_id_fits("id.example.com", "ample.com"),
            "a suffix, not a parent"
        );
        assert!(!rp_id_fits("id.example.com", "sub.id.example.com"));
        assert!(!rp_id_fits("127.0.0.1", "127.0.0.1"));
        let wrong = relying_party("https://id.example.com", Some("other.com"), "Tessera");
        assert_eq!(wrong.err(), Some(Unavailable::Refused));
    }
}
