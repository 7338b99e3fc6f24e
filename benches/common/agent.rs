//! One user agent and the relying party behind it: a browser's cookie jar and keep-alive
//! connection (redirects are read, never followed), and the client's side of the code flow
//! (PKCE S256, `state`, `nonce`, `client_secret_basic`, the ID token checked against the
//! JWKS; on request, a DPoP proof on its token requests). Every step returns `Err` with a
//! reason when Tessera answers anything unexpected.
use std::collections::HashMap;
use std::time::Duration;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use josekit::jws::alg::ecdsa::EcdsaJwsSigner;
use josekit::jws::alg::rsassa::RsassaJwsVerifier;
use josekit::jws::{ES256, JwsSigner, JwsVerifier, RS256};
use reqwest::header::{COOKIE, LOCATION, SET_COOKIE};
use serde_json::Value;
use sha2::Digest;

use super::server::{API, CLIENT_ID, CLIENT_SECRET, EMAIL, PASSWORD, REDIRECT, SERVICE_ID};
use super::stats::unix_now;

pub type Outcome = Result<(), String>;

pub const SCOPE: &str = "openid profile email offline_access";
pub const DISCOVERY: &str = "/.well-known/openid-configuration";
pub const JWKS: &str = "/jwks.json";

/// What every agent checks tokens against: the issuer and its published keys, fetched once.
pub struct Provider {
    pub issuer: String,
    verifiers: HashMap<String, RsassaJwsVerifier>,
}

impl Provider {
    pub async fn fetch(base: &str) -> Provider {
        let body = reqwest::get(format!("{base}{JWKS}"))
            .await
            .unwrap()
            .bytes()
            .await
            .unwrap();
        let set = josekit::jwk::JwkSet::from_bytes(&body).unwrap();
        let verifiers = set
            .keys()
            .into_iter()
            .map(|jwk| {
                let kid = jwk.key_id().unwrap().to_string();
                (kid, RS256.verifier_from_jwk(jwk).unwrap())
            })
            .collect();
        Provider {
            issuer: base.to_string(),
            verifiers,
        }
    }

    /// The RS256 signature (by a key of the JWKS), `typ`, `iss`, `aud`, `exp`, and the
    /// `nonce` when the request sent one.
    pub fn verify_id_token(&self, token: &str, nonce: Option<&str>) -> Outcome {
        let (payload, header) = josekit::jwt::decode_with_verifier_selector(token, |header| {
            Ok(header
                .key_id()
                .and_then(|kid| self.verifiers.get(kid))
                .map(|v| v as &dyn JwsVerifier))
        })
        .map_err(|e| format!("ID token does not verify: {e}"))?;
        if header.token_type() != Some("JWT") {
            return Err(format!("ID token typ {:?}", header.token_type()));
        }
        if payload.issuer() != Some(self.issuer.as_str()) {
            return Err(format!("ID token iss {:?}", payload.issuer()));
        }
        if !payload
            .audience()
            .is_some_and(|aud| aud.contains(&CLIENT_ID))
        {
            return Err("ID token aud does not name the client".into());
        }
        let exp = payload.claim("exp").and_then(Value::as_i64);
        if exp.is_none_or(|exp| exp <= unix_now()) {
            return Err("ID token expired or without exp".into());
        }
        if let Some(nonce) = nonce
            && payload.claim("nonce").and_then(Value::as_str) != Some(nonce)
        {
            return Err(format!("ID token nonce {:?}", payload.claim("nonce")));
        }
        Ok(())
    }
}

/// What an answer held that the agents look at.
pub struct Reply {
    pub status: u16,
    pub location: Option<String>,
    pub body: String,
}

/// The per-request secrets of one authorization request.
struct Flow {
    url: String,
    state: String,
    nonce: String,
    verifier: String,
}

impl Flow {
    /// The code from the redirect to the client, after checking `state` and `iss`
    /// (RFC 9207).
    fn code_from(&self, location: &str, issuer: &str) -> Result<String, String> {
        if !location.starts_with(REDIRECT) {
            return Err(format!("sent to {location}, not to the client"));
        }
        let url = url::Url::parse(location).map_err(|e| format!("{location}: {e}"))?;
        let params: HashMap<String, String> = url.query_pairs().into_owned().collect();
        if let Some(error) = params.get("error") {
            return Err(format!("authorization error {error}"));
        }
        if params.get("state") != Some(&self.state) {
            return Err(format!("state {:?}", params.get("state")));
        }
        if params.get("iss").map(String::as_str) != Some(issuer) {
            return Err(format!("iss {:?}", params.get("iss")));
        }
        params
            .get("code")
            .cloned()
            .ok_or_else(|| "no code in the redirect".into())
    }
}

/// A login page in the browser, with the authorization request that led to it.
pub struct LoginPage {
    flow: Flow,
    csrf: String,
    action: String,
}

/// The answer to `POST /login`, not yet followed.
pub struct SignedIn {
    flow: Flow,
    reply: Reply,
}

/// A client's DPoP key (RFC 9449), ES256, made once per agent: each token request then
/// carries a fresh proof signed with it, as a DPoP client library sends it.
struct DpopProver {
    signer: EcdsaJwsSigner,
    /// The proof's JOSE header, base64url: the same for every proof of this key.
    header: String,
    sent: u64,
}

impl DpopProver {
    fn generate() -> DpopProver {
        let pair = ES256.generate_key_pair().unwrap();
        let header = serde_json::json!({
            "typ": "dpop+jwt",
            "alg": "ES256",
            "jwk": Value::Object(pair.to_jwk_public_key().into()),
        });
        DpopProver {
            signer: ES256.signer_from_jwk(&pair.to_jwk_private_key()).unwrap(),
            header: URL_SAFE_NO_PAD.encode(header.to_string()),
            sent: 0,
        }
    }

    /// A proof for `POST url` now, with a `jti` never used before.
    fn proof(&mut self, agent: usize, url: &str) -> String {
        self.sent += 1;
        let claims = serde_json::json!({
            "jti": format!("{agent}-{}", self.sent),
            "htm": "POST",
            "htu": url,
            "iat": unix_now(),
        });
        let input = format!(
            "{}.{}",
            self.header,
            URL_SAFE_NO_PAD.encode(claims.to_string())
        );
        let signature = self.signer.sign(input.as_bytes()).unwrap();
        format!("{input}.{}", URL_SAFE_NO_PAD.encode(signature))
    }
}

/// A code the client received, with the request's secrets (the PKCE verifier, the nonce).
pub struct Code {
    flow: Flow,
    code: String,
}

pub struct Agent {
    pub id: usize,
    base: String,
    http: reqwest::Client,
    cookies: HashMap<String, String>,
    /// The agent's own refresh-token chain: set by its first code exchange, then rotated.
    pub refresh_token: Option<String>,
    /// The newest access token the agent was given.
    pub access_token: Option<String>,
    /// HTTP requests sent so far.
    pub requests: u64,
    sequence: u64,
    /// The DPoP key, once a DPoP flow has run; `dpop_on` while one runs.
    dpop: Option<DpopProver>,
    dpop_on: bool,
}

impl Agent {
    /// An agent with its own connection pool (one keep-alive connection in practice, as it
    /// sends one request at a time) and an empty cookie jar.
    pub fn new(id: usize, base: &str) -> Agent {
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            // Below the server's header_read_timeout (10 s), so an idle agent never reuses
            // a connection the server is closing.
            .pool_idle_timeout(Duration::from_secs(5))
            .pool_max_idle_per_host(1)
            .tcp_nodelay(true)
            .build()
            .unwrap();
        Agent {
            id,
            base: base.to_string(),
            http,
            cookies: HashMap::new(),
            refresh_token: None,
            access_token: None,
            requests: 0,
            sequence: 0,
            dpop: None,
            dpop_on: false,
        }
    }

    /// Empties the cookie jar, returning what it held.
    pub fn take_cookies(&mut self) -> HashMap<String, String> {
        std::mem::take(&mut self.cookies)
    }

    pub fn set_cookies(&mut self, cookies: HashMap<String, String>) {
        self.cookies = cookies;
    }

    fn absolute(&self, url: &str) -> String {
        match url.starts_with('/') {
            true => format!("{}{url}", self.base),
            false => url.to_string(),
        }
    }

    /// Sends with the jar's cookies, keeps the cookies set, reads the body.
    async fn browse(&mut self, request: reqwest::RequestBuilder) -> Result<Reply, String> {
        let request = match self.cookies.is_empty() {
            true => request,
            false => {
                let jar: Vec<String> = self
                    .cookies
                    .iter()
                    .map(|(k, v)| format!("{k}={v}"))
                    .collect();
                request.header(COOKIE, jar.join("; "))
            }
        };
        self.requests += 1;
        let response = request.send().await.map_err(|e| format!("request: {e}"))?;
        for value in response.headers().get_all(SET_COOKIE) {
            let value = value.to_str().unwrap_or_default();
            let pair = value.split(';').next().unwrap_or_default();
            let Some((name, val)) = pair.split_once('=') else {
                continue;
            };
            if val.is_empty() || value.contains("Max-Age=0") {
                self.cookies.remove(name);
            } else {
                self.cookies.insert(name.to_string(), val.to_string());
            }
        }
        read(response).await
    }

    pub async fn get(&mut self, url: &str) -> Result<Reply, String> {
        let request = self.http.get(self.absolute(url));
        self.browse(request).await
    }

    /// GET of a public document (discovery, JWKS): 200 with a body.
    pub async fn fetch_document(&mut self, path: &str) -> Outcome {
        let reply = self.get(path).await?;
        match (reply.status, reply.body.is_empty()) {
            (200, false) => Ok(()),
            (status, _) => Err(format!("GET {path}: {status}")),
        }
    }

    fn new_flow(&mut self) -> Flow {
        self.sequence += 1;
        let tag = format!("{}-{}", self.id, self.sequence);
        let verifier = format!("{tag:0>64}");
        let challenge = URL_SAFE_NO_PAD.encode(sha2::Sha256::digest(verifier.as_bytes()));
        let (state, nonce) = (format!("s{tag}"), format!("n{tag}"));
        let query = url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs([
                ("response_type", "code"),
                ("client_id", CLIENT_ID),
                ("redirect_uri", REDIRECT),
                ("scope", SCOPE),
                ("state", &state),
                ("nonce", &nonce),
                ("code_challenge", &challenge),
                ("code_challenge_method", "S256"),
            ])
            .finish();
        Flow {
            url: format!("{}/authorize?{query}", self.base),
            state,
            nonce,
            verifier,
        }
    }

    /// The code flow of a browser that already has a session: /authorize answers with the
    /// code at once (skip_consent client), then the client exchanges it.
    pub async fn silent_flow(&mut self, provider: &Provider) -> Outcome {
        let code = self.authorize_silently(provider).await?;
        self.redeem(provider, code).await
    }

    /// [`Agent::silent_flow`] with a DPoP proof on the token request (RFC 9449 §5): the
    /// access token comes back bound to the agent's key (`token_type` DPoP).
    pub async fn silent_flow_dpop(&mut self, provider: &Provider) -> Outcome {
        self.dpop.get_or_insert_with(DpopProver::generate);
        self.dpop_on = true;
        let outcome = self.silent_flow(provider).await;
        self.dpop_on = false;
        outcome
    }

    /// The first half of [`Agent::silent_flow`]: `GET /authorize` with the session cookie.
    pub async fn authorize_silently(&mut self, provider: &Provider) -> Result<Code, String> {
        let flow = self.new_flow();
        let reply = self.get(&flow.url).await?;
        let location = redirect_of(&reply, "GET /authorize")?;
        let code = flow.code_from(&location, &provider.issuer)?;
        Ok(Code { flow, code })
    }

    /// The second half: the client's `POST /token` with the code.
    pub async fn redeem(&mut self, provider: &Provider, code: Code) -> Outcome {
        self.exchange(provider, &code.flow, &code.code).await
    }

    /// The code flow with a sign-in: /authorize sends the browser to the login page, the
    /// password is posted with the page's CSRF token, and the browser comes back to
    /// /authorize, which sends the code to the client.
    pub async fn password_flow(&mut self, provider: &Provider) -> Outcome {
        let page = self.open_login_page().await?;
        let posted = self.post_password(page).await?;
        let code = self.return_to_client(provider, posted).await?;
        self.redeem(provider, code).await
    }

    /// The steps of [`Agent::password_flow`], apart so that each can be measured alone:
    /// `GET /authorize` without a session, and the redirects to the login page.
    pub async fn open_login_page(&mut self) -> Result<LoginPage, String> {
        let flow = self.new_flow();
        let mut reply = self.get(&flow.url).await?;
        while reply.status == 303 {
            let location = redirect_of(&reply, "the way to the login page")?;
            if location.starts_with(REDIRECT) {
                return Err("a code without signing in".into());
            }
            reply = self.get(&location).await?;
        }
        if reply.status != 200 || !reply.body.contains("name=\"password\"") {
            return Err(format!("no login page ({})", reply.status));
        }
        let csrf = hidden_input(&reply.body, "csrf_token")?;
        let action = form_action(&reply.body)?;
        Ok(LoginPage { flow, csrf, action })
    }

    /// `POST /login` with the page's CSRF token, the email and the password.
    pub async fn post_password(&mut self, page: LoginPage) -> Result<SignedIn, String> {
        let request = self.http.post(self.absolute(&page.action)).form(&[
            ("csrf_token", page.csrf.as_str()),
            ("email", EMAIL),
            ("password", PASSWORD),
        ]);
        let reply = self.browse(request).await?;
        Ok(SignedIn {
            flow: page.flow,
            reply,
        })
    }

    /// The redirects after the sign-in, back through /authorize to the client's code.
    pub async fn return_to_client(
        &mut self,
        provider: &Provider,
        signed_in: SignedIn,
    ) -> Result<Code, String> {
        let SignedIn { flow, mut reply } = signed_in;
        let location = loop {
            let location = redirect_of(&reply, "POST /login")?;
            if location.starts_with(REDIRECT) {
                break location;
            }
            reply = self.get(&location).await?;
        };
        let code = flow.code_from(&location, &provider.issuer)?;
        Ok(Code { flow, code })
    }

    /// `grant_type=client_credentials` as the machine client: an access token for the API,
    /// with no ID token and no refresh token.
    pub async fn client_credentials(&mut self) -> Outcome {
        let fields = [("grant_type", "client_credentials"), ("resource", API)];
        let tokens = self.token_request_as(SERVICE_ID, &fields).await?;
        match (
            tokens["access_token"].is_string(),
            tokens.get("refresh_token"),
        ) {
            (true, None) => Ok(()),
            _ => Err(format!("client_credentials answer: {tokens}")),
        }
    }

    /// A token request as the client's back end makes it: HTTP Basic, no browser cookies.
    async fn token_request(&mut self, fields: &[(&str, &str)]) -> Result<Value, String> {
        self.token_request_as(CLIENT_ID, fields).await
    }

    async fn token_request_as(
        &mut self,
        client_id: &str,
        fields: &[(&str, &str)],
    ) -> Result<Value, String> {
        self.requests += 1;
        let url = format!("{}/token", self.base);
        let mut request = self
            .http
            .post(&url)
            .basic_auth(client_id, Some(CLIENT_SECRET))
            .form(fields);
        if let Some(dpop) = self.dpop.as_mut().filter(|_| self.dpop_on) {
            request = request.header("DPoP", dpop.proof(self.id, &url));
        }
        let response = request
            .send()
            .await
            .map_err(|e| format!("POST /token: {e}"))?;
        let reply = read(response).await?;
        if reply.status != 200 {
            return Err(format!("POST /token: {} {}", reply.status, reply.body));
        }
        serde_json::from_str(&reply.body).map_err(|e| format!("token response: {e}"))
    }

    async fn exchange(&mut self, provider: &Provider, flow: &Flow, code: &str) -> Outcome {
        let tokens = self
            .token_request(&[
                ("grant_type", "authorization_code"),
                ("code", code),
                ("redirect_uri", REDIRECT),
                ("code_verifier", &flow.verifier),
            ])
            .await?;
        let id_token = tokens["id_token"].as_str().ok_or("no id_token")?;
        provider.verify_id_token(id_token, Some(&flow.nonce))?;
        let expected_type = if self.dpop_on { "DPoP" } else { "Bearer" };
        if tokens["token_type"] != expected_type {
            return Err(format!(
                "token_type {} (expected {expected_type})",
                tokens["token_type"]
            ));
        }
        let access_token = tokens["access_token"].as_str().ok_or("no access_token")?;
        self.access_token = Some(access_token.to_string());
        if self.refresh_token.is_none() {
            let refresh_token = tokens["refresh_token"].as_str().ok_or("no refresh_token")?;
            self.refresh_token = Some(refresh_token.to_string());
        }
        Ok(())
    }

    /// [`Agent::refresh`], and after a failure a new chain from a silent flow, so that one
    /// failure is counted once, not on every later refresh of a dead chain.
    pub async fn refresh_or_restart(&mut self, provider: &Provider) -> Outcome {
        let outcome = self.refresh(provider).await;
        if outcome.is_err() {
            self.refresh_token = None;
            let _ = self.silent_flow(provider).await;
        }
        outcome
    }

    /// `grant_type=refresh_token` on the agent's chain: the answer must carry a new refresh
    /// token (rotation) and a valid ID token, and the agent keeps both tokens it is given.
    pub async fn refresh(&mut self, provider: &Provider) -> Outcome {
        let current = self.refresh_token.clone().ok_or("no refresh token")?;
        let tokens = self
            .token_request(&[("grant_type", "refresh_token"), ("refresh_token", &current)])
            .await?;
        let next = tokens["refresh_token"].as_str().ok_or("no refresh_token")?;
        if next == current {
            return Err("the refresh token was not rotated".into());
        }
        let id_token = tokens["id_token"].as_str().ok_or("no id_token")?;
        provider.verify_id_token(id_token, None)?;
        let access_token = tokens["access_token"].as_str().ok_or("no access_token")?;
        self.refresh_token = Some(next.to_string());
        self.access_token = Some(access_token.to_string());
        Ok(())
    }

    /// GET /userinfo with the newest access token: 200 and a `sub`.
    pub async fn userinfo(&mut self) -> Outcome {
        self.requests += 1;
        let token = self.access_token.as_deref().ok_or("no access token")?;
        let response = self
            .http
            .get(format!("{}/userinfo", self.base))
            .bearer_auth(token)
            .send()
            .await
            .map_err(|e| format!("GET /userinfo: {e}"))?;
        let reply = read(response).await?;
        if reply.status != 200 {
            return Err(format!("GET /userinfo: {} {}", reply.status, reply.body));
        }
        let claims: Value =
            serde_json::from_str(&reply.body).map_err(|e| format!("userinfo: {e}"))?;
        match claims["sub"].is_string() {
            true => Ok(()),
            false => Err("userinfo without sub".into()),
        }
    }
}

async fn read(response: reqwest::Response) -> Result<Reply, String> {
    let status = response.status().as_u16();
    let location = response
        .headers()
        .get(LOCATION)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let body = response.text().await.map_err(|e| format!("body: {e}"))?;
    Ok(Reply {
        status,
        location,
        body,
    })
}

/// The Location of a 303.
fn redirect_of(reply: &Reply, what: &str) -> Result<String, String> {
    match (reply.status, &reply.location) {
        (303, Some(location)) => Ok(location.clone()),
        (status, _) => Err(format!(
            "{what}: {status} instead of 303 ({})",
            reply.body.chars().take(200).collect::<String>()
        )),
    }
}

/// The value of a hidden input of a page.
fn hidden_input(body: &str, name: &str) -> Result<String, String> {
    let marker = format!("name=\"{name}\" value=\"");
    let start = body.find(&marker).ok_or(format!("no {name} on the page"))? + marker.len();
    let rest = body.get(start..).unwrap_or_default();
    let end = rest.find('"').ok_or(format!("unterminated {name}"))?;
    Ok(html_unescape(rest.get(..end).unwrap_or_default()))
}

/// The action of a page's form.
fn form_action(body: &str) -> Result<String, String> {
    let marker = "action=\"";
    let start = body.find(marker).ok_or("no form on the page")? + marker.len();
    let rest = body.get(start..).unwrap_or_default();
    let end = rest.find('"').ok_or("unterminated attribute")?;
    Ok(html_unescape(rest.get(..end).unwrap_or_default()))
}

fn html_unescape(s: &str) -> String {
    s.replace("&#38;", "&")
        .replace("&amp;", "&")
        .replace("&#x3d;", "=")
        .replace("&#61;", "=")
        .replace("&#x2f;", "/")
        .replace("&#47;", "/")
        .replace("&quot;", "\"")
        .replace("&#x27;", "'")
        .replace("&#39;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
}
