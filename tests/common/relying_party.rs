//! An app's back-channel logout endpoint (OpenID Connect Back-Channel Logout 1.0), as an app
//! runs one: a small axum listener that receives POSTed logout tokens, and the checks an app
//! makes on each (§2.6) against Tessera's JWKS. Its behaviour can be switched while it runs:
//! accept, fail (503), hang, answer with a huge body, or redirect somewhere else.
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::Router;
use axum::extract::{Form, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use josekit::jwk::JwkSet;
use josekit::jws::RS256;
use serde_json::{Map, Value};

pub const EVENT: &str = "http://schemas.openid.net/event/backchannel-logout";
pub const PATH: &str = "/backchannel-logout";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Behaviour {
    Accept,
    /// 503, as an app being deployed answers.
    Fail,
    /// Answers 200 after half a second (a busy app: deliveries overlap).
    Slow,
    /// Never answers.
    Hang,
    /// 200 with 32 MiB of body.
    HugeBody,
    /// 307 to another listener on this port (which must never be called).
    Redirect(u16),
}

/// One logout token as it arrived, and when.
#[derive(Debug, Clone)]
pub struct Received {
    pub token: String,
    pub at: Instant,
}

#[derive(Clone)]
struct Shared {
    behaviour: Arc<Mutex<Behaviour>>,
    received: Arc<Mutex<Vec<Received>>>,
    /// Requests seen, tokens or not.
    hits: Arc<Mutex<u64>>,
}

pub struct RelyingParty {
    pub port: u16,
    pub url: String,
    shared: Shared,
    server: tokio::task::JoinHandle<()>,
}

impl Drop for RelyingParty {
    fn drop(&mut self) {
        self.server.abort();
    }
}

/// A port of an app that is down: bound but not listening, so a connection to it is refused
/// as by a stopped app, and nothing else on the machine (an outgoing connection's ephemeral
/// port, another test) can take it before the app comes back with
/// [`RelyingParty::start_on`].
pub struct ReservedPort {
    pub port: u16,
    socket: tokio::net::TcpSocket,
}

pub fn reserved_port() -> ReservedPort {
    let socket = tokio::net::TcpSocket::new_v4().unwrap();
    socket.bind(([127, 0, 0, 1], 0).into()).unwrap();
    let port = socket.local_addr().unwrap().port();
    ReservedPort { port, socket }
}

pub fn url_on(port: u16) -> String {
    format!("http://127.0.0.1:{port}{PATH}")
}

impl RelyingParty {
    pub async fn start(behaviour: Behaviour) -> RelyingParty {
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", 0))
            .await
            .unwrap();
        Self::serve(listener, behaviour)
    }

    /// Listens on a reserved port: the app that was down comes back at the same address.
    pub async fn start_on(reserved: ReservedPort, behaviour: Behaviour) -> RelyingParty {
        Self::serve(reserved.socket.listen(1024).unwrap(), behaviour)
    }

    fn serve(listener: tokio::net::TcpListener, behaviour: Behaviour) -> RelyingParty {
        let port = listener.local_addr().unwrap().port();
        let shared = Shared {
            behaviour: Arc::new(Mutex::new(behaviour)),
            received: Arc::default(),
            hits: Arc::default(),
        };
        let router = Router::new()
            .route(PATH, post(receive))
            .fallback(count_hit)
            .with_state(shared.clone());
        let server = tokio::spawn(async move {
            axum::serve(listener, router).await.unwrap();
        });
        RelyingParty {
            port,
            url: url_on(port),
            shared,
            server,
        }
    }

    pub fn set(&self, behaviour: Behaviour) {
        *self.shared.behaviour.lock().unwrap() = behaviour;
    }

    pub fn received(&self) -> Vec<Received> {
        self.shared.received.lock().unwrap().clone()
    }

    pub fn hits(&self) -> u64 {
        *self.shared.hits.lock().unwrap()
    }

    /// Waits until `count` tokens have arrived (panics after `within`).
    pub async fn wait_for(&self, count: usize, within: Duration) -> Vec<Received> {
        let deadline = Instant::now() + within;
        loop {
            let received = self.received();
            if received.len() >= count {
                return received;
            }
            assert!(
                Instant::now() < deadline,
                "{} logout tokens arrived, {count} expected",
                received.len()
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}

async fn receive(
    State(shared): State<Shared>,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    *shared.hits.lock().unwrap() += 1;
    if let Some(token) = form.get("logout_token") {
        shared.received.lock().unwrap().push(Received {
            token: token.clone(),
            at: Instant::now(),
        });
    }
    let behaviour = *shared.behaviour.lock().unwrap();
    match behaviour {
        Behaviour::Accept => {
            (StatusCode::OK, [(header::CACHE_CONTROL, "no-store")]).into_response()
        }
        Behaviour::Fail => StatusCode::SERVICE_UNAVAILABLE.into_response(),
        Behaviour::Slow => {
            tokio::time::sleep(Duration::from_millis(500)).await;
            StatusCode::OK.into_response()
        }
        Behaviour::Hang => {
            tokio::time::sleep(Duration::from_secs(3600)).await;
            StatusCode::OK.into_response()
        }
        Behaviour::HugeBody => (StatusCode::OK, vec![b'x'; 32 << 20]).into_response(),
        Behaviour::Redirect(port) => (
            StatusCode::TEMPORARY_REDIRECT,
            [(header::LOCATION, url_on(port))],
        )
            .into_response(),
    }
}

async fn count_hit(State(shared): State<Shared>) -> StatusCode {
    *shared.hits.lock().unwrap() += 1;
    StatusCode::NOT_FOUND
}

/// What an app checks before acting on a logout token (Back-Channel Logout 1.0 §2.6): the
/// signature against the issuer's JWKS (fetched from `base`), `typ`, `iss`, `aud`, `iat` and
/// `exp` around `now`, the event, `jti`, `sub` or `sid`, and no `nonce`. Returns the claims.
pub async fn verify_like_an_app(
    base: &str,
    issuer: &str,
    client_id: &str,
    token: &str,
    now: i64,
) -> Map<String, Value> {
    let jwks = reqwest::get(format!("{base}/jwks.json"))
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    let jwks = JwkSet::from_bytes(&jwks).unwrap();
    let header = josekit::jwt::decode_header(token).unwrap();
    let kid = header
        .claim("kid")
        .and_then(Value::as_str)
        .unwrap()
        .to_string();
    assert_eq!(header.claim("typ"), Some(&Value::from("logout+jwt")));
    assert_eq!(header.claim("alg"), Some(&Value::from("RS256")));
    let jwk = jwks
        .get(&kid)
        .into_iter()
        .next()
        .expect("the kid is in the JWKS");
    let verifier = RS256.verifier_from_jwk(jwk).unwrap();
    let (payload, _) = josekit::jwt::decode_with_verifier(token, &verifier).expect("signature");
    let claims = payload.claims_set().clone();
    assert_eq!(claims["iss"], issuer);
    let audience_ok = claims["aud"] == client_id
        || claims["aud"]
            .as_array()
            .is_some_and(|a| a.iter().any(|v| v == client_id));
    assert!(audience_ok, "aud: {}", claims["aud"]);
    let (iat, exp) = (
        claims["iat"].as_i64().unwrap(),
        claims["exp"].as_i64().unwrap(),
    );
    assert!(
        iat <= now + 5 && exp > now && exp - iat <= 300,
        "iat {iat} exp {exp} now {now}"
    );
    assert!(claims["jti"].as_str().is_some_and(|j| !j.is_empty()));
    assert!(
        claims["events"][EVENT].is_object(),
        "events: {}",
        claims["events"]
    );
    assert!(claims.get("nonce").is_none(), "a logout token has no nonce");
    assert!(claims.contains_key("sub") || claims.contains_key("sid"));
    claims
}

/// The claims of a JWT, unverified (to compare a logout token with the ID token an app kept).
pub fn claims_of(jwt: &str) -> Map<String, Value> {
    use base64::Engine;
    let payload = jwt.split('.').nth(1).unwrap();
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload)
        .unwrap();
    serde_json::from_slice(&bytes).unwrap()
}
