//! The client side of DPoP (RFC 9449), written here the way an app writes it over josekit: a
//! key pair made on the device, a proof for every request (a fresh `jti`, the request's
//! method and URL, `ath` at a resource, the server's nonce once one was sent), and an HTTP
//! client for the `openidconnect` crate that signs a proof for each of its calls and, like
//! oauth4webapi, retries once when the server answers `use_dpop_nonce`.
use std::future::Future;
use std::pin::Pin;
use std::sync::Mutex;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use josekit::jwk::alg::ed::EdCurve;
use josekit::jws::{ES256, EdDSA, JwsSigner};
use openidconnect::{AsyncHttpClient, HttpRequest, HttpResponse};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use tessera::clock::{Clock, ManualClock};

/// A DPoP key pair: what signs the proofs, and the public JWK they carry.
pub struct DpopKey {
    signer: Box<dyn JwsSigner>,
    alg: &'static str,
    pub public: Value,
    pub private: Value,
}

impl DpopKey {
    pub fn es256() -> Self {
        let pair = ES256.generate_key_pair().unwrap();
        Self {
            signer: Box::new(ES256.signer_from_jwk(&pair.to_jwk_private_key()).unwrap()),
            alg: "ES256",
            public: Value::Object(pair.to_jwk_public_key().into()),
            private: Value::Object(pair.to_jwk_private_key().into()),
        }
    }

    pub fn ed25519() -> Self {
        let pair = EdDSA.generate_key_pair(EdCurve::Ed25519).unwrap();
        Self {
            signer: Box::new(EdDSA.signer_from_jwk(&pair.to_jwk_private_key()).unwrap()),
            alg: "EdDSA",
            public: Value::Object(pair.to_jwk_public_key().into()),
            private: Value::Object(pair.to_jwk_private_key().into()),
        }
    }

    /// The RFC 7638 SHA-256 thumbprint of the public key, computed here (not by Tessera):
    /// the required members in lexicographic order, no whitespace.
    pub fn jkt(&self) -> String {
        let k = &self.public;
        let canonical = match k["kty"].as_str().unwrap() {
            "EC" => format!(
                r#"{{"crv":"{}","kty":"EC","x":"{}","y":"{}"}}"#,
                k["crv"].as_str().unwrap(),
                k["x"].as_str().unwrap(),
                k["y"].as_str().unwrap()
            ),
            "OKP" => format!(
                r#"{{"crv":"{}","kty":"OKP","x":"{}"}}"#,
                k["crv"].as_str().unwrap(),
                k["x"].as_str().unwrap()
            ),
            other => panic!("no thumbprint here for {other}"),
        };
        URL_SAFE_NO_PAD.encode(Sha256::digest(canonical.as_bytes()))
    }

    /// The header every proof of this key carries (§4.2).
    pub fn header(&self) -> Value {
        json!({ "typ": "dpop+jwt", "alg": self.alg, "jwk": self.public })
    }

    /// A compact JWS of exactly `header` and `claims`, signed by this key.
    pub fn sign(&self, header: &Value, claims: &Value) -> String {
        let input = format!("{}.{}", b64_json(header), b64_json(claims));
        let signature = self.signer.sign(input.as_bytes()).unwrap();
        format!("{input}.{}", URL_SAFE_NO_PAD.encode(signature))
    }

    /// A proof of `claims` with this key's header.
    pub fn proof(&self, claims: &Value) -> String {
        self.sign(&self.header(), claims)
    }
}

pub fn b64_json(value: &Value) -> String {
    URL_SAFE_NO_PAD.encode(serde_json::to_vec(value).unwrap())
}

/// The claims of a proof for one request: a fresh `jti`, `htm`, `htu` (no query), `iat`.
pub fn claims(method: &str, url: &str, iat: i64) -> Value {
    let htu = url.split(['?', '#']).next().unwrap();
    json!({
        "jti": uuid::Uuid::new_v4().to_string(),
        "htm": method,
        "htu": htu,
        "iat": iat,
    })
}

/// `ath`: base64url(SHA-256(access token)) (§4.2).
pub fn ath(access_token: &str) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(access_token.as_bytes()))
}

/// An HTTP client for the `openidconnect` crate that adds a DPoP proof to every request,
/// remembers the last `DPoP-Nonce` it was sent, and tries once more with a fresh nonce when
/// the answer is `use_dpop_nonce`.
pub struct DpopHttp<'k> {
    http: reqwest::Client,
    key: &'k DpopKey,
    clock: ManualClock,
    nonce: Mutex<Option<String>>,
    /// Requests sent, retries included.
    pub sent: Mutex<usize>,
}

#[derive(Debug)]
pub struct DpopHttpError(String);

impl std::fmt::Display for DpopHttpError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for DpopHttpError {}

impl<'k> DpopHttp<'k> {
    pub fn new(key: &'k DpopKey, clock: &ManualClock) -> Self {
        Self {
            http: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .unwrap(),
            key,
            clock: clock.clone(),
            nonce: Mutex::new(None),
            sent: Mutex::new(0),
        }
    }

    pub fn nonce(&self) -> Option<String> {
        self.nonce.lock().unwrap().clone()
    }

    async fn send(&self, request: HttpRequest) -> Result<HttpResponse, DpopHttpError> {
        let mut answer = self.send_once(&request).await?;
        if is_use_dpop_nonce(&answer) {
            answer = self.send_once(&request).await?;
        }
        Ok(answer)
    }

    async fn send_once(&self, request: &HttpRequest) -> Result<HttpResponse, DpopHttpError> {
        let method = request.method().as_str().to_string();
        let url = request.uri().to_string();
        let mut claims = claims(&method, &url, self.clock.now());
        if let Some(nonce) = self.nonce() {
            claims["nonce"] = json!(nonce);
        }
        let mut outgoing = self
            .http
            .request(method.parse().unwrap(), &url)
            .header("DPoP", self.key.proof(&claims))
            .body(request.body().clone());
        for (name, value) in request.headers() {
            outgoing = outgoing.header(name.as_str(), value.as_bytes());
        }
        *self.sent.lock().unwrap() += 1;
        let response = outgoing
            .send()
            .await
            .map_err(|e| DpopHttpError(e.to_string()))?;
        if let Some(nonce) = response.headers().get("dpop-nonce") {
            *self.nonce.lock().unwrap() = Some(nonce.to_str().unwrap().to_string());
        }
        let mut builder =
            openidconnect::http::Response::builder().status(response.status().as_u16());
        for (name, value) in response.headers() {
            builder = builder.header(name.as_str(), value.as_bytes());
        }
        let body = response
            .bytes()
            .await
            .map_err(|e| DpopHttpError(e.to_string()))?;
        builder
            .body(body.to_vec())
            .map_err(|e| DpopHttpError(e.to_string()))
    }
}

/// §8 (400 with the error in JSON) or §9 (401 with it in `WWW-Authenticate`).
fn is_use_dpop_nonce(response: &HttpResponse) -> bool {
    let in_body = serde_json::from_slice::<Value>(response.body())
        .is_ok_and(|body| body["error"] == "use_dpop_nonce");
    let in_challenge = response
        .headers()
        .get("www-authenticate")
        .is_some_and(|v| v.to_str().unwrap_or("").contains("use_dpop_nonce"));
    in_body || in_challenge
}

impl<'c, 'k> AsyncHttpClient<'c> for DpopHttp<'k> {
    type Error = DpopHttpError;
    type Future = Pin<Box<dyn Future<Output = Result<HttpResponse, DpopHttpError>> + Send + 'c>>;

    fn call(&'c self, request: HttpRequest) -> Self::Future {
        Box::pin(self.send(request))
    }
}
