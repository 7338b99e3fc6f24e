//! Client authentication at the token endpoint (RFC 6749 §2.3, OIDC Core §9): which client is
//! calling and which secret or assertion (RFC 7523 §2.2) must be verified. Verifying them
//! (argon2, the assertion's keys and replay record) is the caller's job; this only decides.
use base64::Engine;
use base64::engine::general_purpose::STANDARD;

use super::client::{AuthMethod, Client};
use super::client_assertion::{self, JWT_BEARER};
use super::error::OAuthError;
use super::params::Params;

/// Credentials as they arrived: from the `Authorization: Basic` header and/or the body.
#[derive(Default)]
pub struct PresentedCredentials {
    pub basic: Option<(String, String)>,
    pub body_client_id: Option<String>,
    pub body_client_secret: Option<String>,
    /// RFC 7523 §2.2 `client_assertion_type` and `client_assertion` (private_key_jwt).
    pub client_assertion_type: Option<String>,
    pub client_assertion: Option<String>,
}

/// The client claimed by a request, and the secret or assertion it must prove (neither for
/// public clients).
pub struct ClaimedClient<'c> {
    pub client: &'c Client,
    pub secret: Option<String>,
    /// The private_key_jwt assertion, not yet verified.
    pub assertion: Option<String>,
}

pub fn identify_client<'c>(
    presented: PresentedCredentials,
    find_client: impl Fn(&str) -> Option<&'c Client>,
) -> Result<ClaimedClient<'c>, OAuthError> {
    if presented.client_assertion.is_some() || presented.client_assertion_type.is_some() {
        return identify_by_assertion(presented, find_client);
    }
    let (client_id, secret, method) = id_secret_and_method(presented)?;
    let client = find_client(&client_id)
        .ok_or_else(|| OAuthError::invalid_client("client authentication failed"))?;
    if client.auth_method != method {
        // Same message as a wrong secret where a secret was involved, so probing which
        // method a client uses tells nothing.
        return Err(OAuthError::invalid_client(
            if client.is_public() || method == AuthMethod::None {
                "client authentication failed: this client uses a different authentication method"
            } else {
                "client authentication failed"
            },
        ));
    }
    Ok(ClaimedClient {
        client,
        secret,
        assertion: None,
    })
}

/// The client id, the secret (none for a public client) and the method that carried them,
/// from credentials without an assertion: one method only, and a body `client_id` beside
/// a Basic header must name the same client.
fn id_secret_and_method(
    presented: PresentedCredentials,
) -> Result<(String, Option<String>, AuthMethod), OAuthError> {
    let PresentedCredentials {
        basic,
        body_client_id,
        body_client_secret,
        ..
    } = presented;
    match (basic, body_client_secret) {
        (Some(_), Some(_)) => Err(OAuthError::invalid_request(
            "use exactly one client authentication method",
        )),
        (Some((id, secret)), None) => {
            if body_client_id
                .as_ref()
                .is_some_and(|body_id| *body_id != id)
            {
                return Err(OAuthError::invalid_request(
                    "client_id in the body differs from the authenticated client",
                ));
            }
            Ok((id, Some(secret), AuthMethod::ClientSecretBasic))
        }
        (None, Some(secret)) => {
            let id = body_client_id
                .ok_or_else(|| OAuthError::invalid_client("client_secret without client_id"))?;
            Ok((id, Some(secret), AuthMethod::ClientSecretPost))
        }
        (None, None) => {
            let id = body_client_id
                .ok_or_else(|| OAuthError::invalid_client("client authentication is required"))?;
            Ok((id, None, AuthMethod::None))
        }
    }
}

/// RFC 7523 §2.2 and §3: the client named by the assertion's `sub`, read unverified only to
/// find whose keys verify it.
fn identify_by_assertion<'c>(
    presented: PresentedCredentials,
    find_client: impl Fn(&str) -> Option<&'c Client>,
) -> Result<ClaimedClient<'c>, OAuthError> {
    if presented.basic.is_some() || presented.body_client_secret.is_some() {
        return Err(OAuthError::invalid_request(
            "use exactly one client authentication method",
        ));
    }
    let assertion_type = presented.client_assertion_type.ok_or_else(|| {
        OAuthError::invalid_request("client_assertion_type is required with client_assertion")
    })?;
    if assertion_type != JWT_BEARER {
        return Err(OAuthError::invalid_client(
            "client_assertion_type must be urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
        ));
    }
    let assertion = presented.client_assertion.ok_or_else(|| {
        OAuthError::invalid_request("client_assertion is required with client_assertion_type")
    })?;
    let subject = client_assertion::unverified_subject(&assertion)?;
    if presented
        .body_client_id
        .is_some_and(|body_id| body_id != subject)
    {
        return Err(OAuthError::invalid_client(
            "client_id differs from the client assertion's sub",
        ));
    }
    let client = find_client(&subject)
        .ok_or_else(|| OAuthError::invalid_client("client authentication failed"))?;
    if client.auth_method != AuthMethod::PrivateKeyJwt {
        return Err(OAuthError::invalid_client("client authentication failed"));
    }
    Ok(ClaimedClient {
        client,
        secret: None,
        assertion: Some(assertion),
    })
}

/// The client the credentials claim to be, read without verifying anything: the Basic
/// username, else the assertion's `sub`, else the body's `client_id`. Only to find the
/// client's registration, which `identify_client` then checks them against.
pub fn claimed_client_id(presented: &PresentedCredentials) -> Option<String> {
    if let Some((id, _)) = &presented.basic {
        return Some(id.clone());
    }
    if let Some(assertion) = &presented.client_assertion
        && let Ok(subject) = client_assertion::unverified_subject(assertion)
    {
        return Some(subject);
    }
    presented.body_client_id.clone()
}

/// The credentials a request carries: its `Authorization` header, as sent, and/or the body's.
pub fn presented_credentials(
    authorization: Option<&[u8]>,
    params: &Params,
) -> Result<PresentedCredentials, OAuthError> {
    let basic = match authorization {
        Some(value) => {
            let value = header_text(value)
                .ok_or_else(|| OAuthError::invalid_client("malformed Basic credentials"))?;
            Some(parse_basic(value)?)
        }
        None => None,
    };
    Ok(PresentedCredentials {
        basic,
        body_client_id: params.get("client_id").map(str::to_string),
        body_client_secret: params.get("client_secret").map(str::to_string),
        client_assertion_type: params.get("client_assertion_type").map(str::to_string),
        client_assertion: params.get("client_assertion").map(str::to_string),
    })
}

/// A header value as text: visible ASCII and tabs only, as HTTP's `HeaderValue::to_str`
/// reads it; anything else cannot be Basic credentials.
fn header_text(value: &[u8]) -> Option<&str> {
    let visible = value
        .iter()
        .all(|&b| b == b'\t' || (0x20..0x7f).contains(&b));
    if visible {
        std::str::from_utf8(value).ok()
    } else {
        None
    }
}

/// The client_id and secret of an `Authorization: Basic` header value, each
/// form-urlencoded first as RFC 6749 §2.3.1 requires.
pub fn parse_basic(value: &str) -> Result<(String, String), OAuthError> {
    let malformed = || OAuthError::invalid_client("malformed Basic credentials");
    let (scheme, encoded) = value.split_once(' ').ok_or_else(malformed)?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return Err(malformed());
    }
    let decoded = STANDARD.decode(encoded.trim()).map_err(|_| malformed())?;
    let decoded = String::from_utf8(decoded).map_err(|_| malformed())?;
    let (id, secret) = decoded.split_once(':').ok_or_else(malformed)?;
    Ok((form_unescape(id), form_unescape(secret)))
}

fn form_unescape(s: &str) -> String {
    // A literal `&` would split the pair; it can only mean itself here.
    url::form_urlencoded::parse(format!("x={}", s.replace('&', "%26")).as_bytes())
        .next()
        .map(|(_, v)| v.into_owned())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn client(id: &str, method: AuthMethod) -> Client {
        Client::new(id, method)
    }

    #[test]
    fn each_client_must_use_its_registered_method() {
        let clients = [
            client("basic", AuthMethod::ClientSecretBasic),
            client("post", AuthMethod::ClientSecretPost),
            client("public", AuthMethod::None),
        ];
        let find = |id: &str| clients.iter().find(|c| c.id == id);
        let basic = |id: &str| PresentedCredentials {
            basic: Some((id.into(), "s".into())),
            ..Default::default()
        };
        let post = |id: &str| PresentedCredentials {
            body_client_id: Some(id.into()),
            body_client_secret: Some("s".into()),
            ..Default::default()
        };
        let none = |id: &str| PresentedCredentials {
            body_client_id: Some(id.into()),
            ..Default::default()
        };
        assert!(identify_client(basic("basic"), find).is_ok());
        assert!(identify_client(post("post"), find).is_ok());
        assert!(
            identify_client(none("public"), find)
                .unwrap()
                .secret
                .is_none()
        );
        assert!(identify_client(post("basic"), find).is_err());
        assert!(identify_client(none("basic"), find).is_err());
        assert!(identify_client(basic("public"), find).is_err());
        assert!(identify_client(none("unknown"), find).is_err());
        assert!(identify_client(PresentedCredentials::default(), find).is_err());
    }

    #[test]
    fn basic_credentials_are_form_decoded() {
        let value = format!("Basic {}", STANDARD.encode("my%20app:s%3Acret+x"));
        assert_eq!(
            parse_basic(&value).unwrap(),
            ("my app".to_string(), "s:cret x".to_string())
        );
        assert!(parse_basic("Bearer abc").is_err());
        assert!(parse_basic("Basic !!!").is_err());
        assert!(parse_basic(&format!("Basic {}", STANDARD.encode("nocolon"))).is_err());
    }

    #[test]
    fn credentials_come_from_the_header_and_the_body() {
        let header = format!("Basic {}", STANDARD.encode("app:s"));
        let params = Params::parse(b"client_id=app&client_assertion_type=t&client_assertion=a");
        let presented = presented_credentials(Some(header.as_bytes()), &params).unwrap();
        assert_eq!(presented.basic, Some(("app".into(), "s".into())));
        assert_eq!(presented.body_client_id.as_deref(), Some("app"));
        assert_eq!(presented.client_assertion_type.as_deref(), Some("t"));
        assert_eq!(presented.client_assertion.as_deref(), Some("a"));
        let params = Params::parse(b"client_id=app&client_secret=s");
        let presented = presented_credentials(None, &params).unwrap();
        assert!(presented.basic.is_none());
        assert_eq!(presented.body_client_secret.as_deref(), Some("s"));
    }

    #[test]
    fn a_header_that_is_not_visible_ascii_is_malformed() {
        use crate::oauth::error::ErrorCode;
        let params = Params::default();
        for value in [
            "Basic YXBwOnM=\u{3000}".as_bytes(),
            b"Basic \xff",
            b"Basic \x01",
        ] {
            let err = presented_credentials(Some(value), &params).err().unwrap();
            assert_eq!(err.code, ErrorCode::InvalidClient);
        }
    }

    #[test]
    fn two_methods_at_once_are_refused() {
        let clients = [client("basic", AuthMethod::ClientSecretBasic)];
        let presented = PresentedCredentials {
            basic: Some(("basic".into(), "s".into())),
            body_client_id: Some("basic".into()),
            body_client_secret: Some("s".into()),
            ..Default::default()
        };
        assert!(identify_client(presented, |id| clients.iter().find(|c| c.id == id)).is_err());
    }

    #[test]
    fn an_assertion_is_the_only_credential_and_names_a_private_key_jwt_client() {
        use crate::oauth::error::ErrorCode;
        let clients = [
            client("signed", AuthMethod::PrivateKeyJwt),
            client("basic", AuthMethod::ClientSecretBasic),
        ];
        let find = |id: &str| clients.iter().find(|c| c.id == id);
        let jwt = |sub: &str| {
            let part = |v: &str| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v);
            format!(
                "{}.{}.sig",
                part(r#"{"alg":"ES256"}"#),
                part(&format!(r#"{{"sub":"{sub}"}}"#))
            )
        };
        let assertion = |sub: &str| PresentedCredentials {
            client_assertion_type: Some(JWT_BEARER.into()),
            client_assertion: Some(jwt(sub)),
            ..Default::default()
        };
        let code = |presented| identify_client(presented, find).err().map(|e| e.code);
        let claimed = identify_client(assertion("signed"), find).unwrap();
        assert_eq!(claimed.client.id, "signed");
        assert!(claimed.assertion.is_some() && claimed.secret.is_none());
        assert_eq!(
            code(PresentedCredentials {
                basic: Some(("signed".into(), "s".into())),
                ..assertion("signed")
            }),
            Some(ErrorCode::InvalidRequest)
        );
        assert_eq!(
            code(PresentedCredentials {
                body_client_secret: Some("s".into()),
                ..assertion("signed")
            }),
            Some(ErrorCode::InvalidRequest)
        );
        assert_eq!(
            code(PresentedCredentials {
                client_assertion_type: Some(
                    "urn:ietf:params:oauth:client-assertion-type:saml2-bearer".into()
                ),
                ..assertion("signed")
            }),
            Some(ErrorCode::InvalidClient)
        );
        assert_eq!(
            code(PresentedCredentials {
                body_client_id: Some("basic".into()),
                ..assertion("signed")
            }),
            Some(ErrorCode::InvalidClient)
        );
        assert_eq!(code(assertion("basic")), Some(ErrorCode::InvalidClient));
        assert_eq!(code(assertion("unknown")), Some(ErrorCode::InvalidClient));
        let secret_for_signed = PresentedCredentials {
            basic: Some(("signed".into(), "s".into())),
            ..Default::default()
        };
        assert_eq!(code(secret_for_signed), Some(ErrorCode::InvalidClient));
    }
}
