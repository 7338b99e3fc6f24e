//! RFC 6749 §4.1.3: the authorization code exchanged for tokens at the provider's token
//! endpoint, with the PKCE verifier (RFC 7636 §4.5). One function for GitHub and OpenID
//! providers; the access token it returns is used once and dropped.
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use openidconnect::http::{self, HeaderValue, header};
use serde::Deserialize;
use zeroize::Zeroizing;

use super::error::{UpstreamError, error_code};
use super::http_client::{GuardedHttp, json_body, origin};
use super::secret::ClientSecret;

/// How the client authenticates at the token endpoint (RFC 6749 §2.3.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClientAuth {
    /// `client_secret_basic`: the default, and what OIDC providers must support.
    Basic,
    /// `client_secret_post`: in the body (GitHub; providers that offer nothing else).
    Post,
}

/// What Tessera needs from a token response.
pub struct Tokens {
    pub access_token: Zeroizing<String>,
    pub id_token: Option<String>,
}

#[derive(Deserialize)]
struct Answer {
    access_token: Option<String>,
    id_token: Option<String>,
    error: Option<String>,
}

pub struct Exchange<'a> {
    pub token_url: &'a url::Url,
    pub client_id: &'a str,
    pub secret: &'a ClientSecret,
    pub auth: ClientAuth,
    pub code: &'a str,
    pub redirect_uri: &'a str,
    pub code_verifier: &'a str,
}

impl Exchange<'_> {
    pub async fn send(&self, http: &GuardedHttp) -> Result<Tokens, UpstreamError> {
        let response = http
            .send(self.request()?)
            .await
            .map_err(|e| UpstreamError::Unavailable(format!("token endpoint: {e}")))?;
        let status = response.status();
        let answer: Result<Answer, String> = json_body(&response);
        let at = origin(self.token_url);
        if status.is_server_error() {
            return Err(UpstreamError::Unavailable(format!(
                "token endpoint {at}: HTTP {}",
                status.as_u16()
            )));
        }
        // GitHub answers a refused code with 200 and an `error`; others with 400.
        match answer {
            Ok(Answer {
                error: Some(error), ..
            }) => Err(UpstreamError::Refused(format!(
                "token endpoint {at} refused the code: {}",
                error_code(Some(&error))
            ))),
            Ok(Answer {
                access_token: Some(access_token),
                id_token,
                ..
            }) if status.is_success() => Ok(Tokens {
                access_token: Zeroizing::new(access_token),
                id_token,
            }),
            _ if status.is_client_error() => Err(UpstreamError::Refused(format!(
                "token endpoint {at}: HTTP {}",
                status.as_u16()
            ))),
            Ok(_) => Err(UpstreamError::Unavailable(format!(
                "token endpoint {at}: no access_token in the answer"
            ))),
            Err(why) => Err(UpstreamError::Unavailable(format!(
                "token endpoint {at}: {why}"
            ))),
        }
    }

    fn request(&self) -> Result<openidconnect::HttpRequest, UpstreamError> {
        let mut form = url::form_urlencoded::Serializer::new(String::new());
        form.append_pair("grant_type", "authorization_code")
            .append_pair("code", self.code)
            .append_pair("redirect_uri", self.redirect_uri)
            .append_pair("code_verifier", self.code_verifier);
        let mut builder = http::Request::builder()
            .method(http::Method::POST)
            .uri(self.token_url.as_str())
            .header(header::ACCEPT, "application/json")
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
        match self.auth {
            ClientAuth::Post => {
                form.append_pair("client_id", self.client_id)
                    .append_pair("client_secret", self.secret.expose());
            }
            ClientAuth::Basic => {
                // RFC 6749 §2.3.1: each part form-encoded before the Basic encoding.
                let encode = |s: &str| {
                    url::form_urlencoded::byte_serialize(s.as_bytes()).collect::<String>()
                };
                let pair = Zeroizing::new(format!(
                    "{}:{}",
                    encode(self.client_id),
                    encode(self.secret.expose())
                ));
                let mut value =
                    HeaderValue::from_str(&format!("Basic {}", STANDARD.encode(pair.as_bytes())))
                        .map_err(|_| {
                        UpstreamError::Unavailable(
                            "the client credentials are not a header value".into(),
                        )
                    })?;
                value.set_sensitive(true);
                builder = builder.header(header::AUTHORIZATION, value);
            }
        }
        builder
            .body(form.finish().into_bytes())
            .map_err(|e| UpstreamError::Unavailable(format!("bad token request: {e}")))
    }
}
