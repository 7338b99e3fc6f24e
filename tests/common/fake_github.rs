//! A fake GitHub on 127.0.0.1, implementing the documented endpoints of GitHub's OAuth web
//! flow (with PKCE) and the two REST calls Tessera makes: the authorize page answers at once
//! as if the user approved (or declined), the token endpoint checks the client, the code and
//! the PKCE verifier, and the API wants the bearer token it issued. Each test sets the user,
//! their addresses, and failures; `web_url()` and `api_url()` are what `[[upstreams]]` takes.
use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};

use axum::extract::{Form, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::json;

/// One address of `GET /user/emails`.
#[derive(Debug, Clone)]
pub struct FakeEmail {
    pub email: String,
    pub primary: bool,
    pub verified: bool,
}

impl FakeEmail {
    pub fn new(email: &str, primary: bool, verified: bool) -> Self {
        Self {
            email: email.into(),
            primary,
            verified,
        }
    }
}

/// The GitHub account that "signs in".
#[derive(Debug, Clone)]
pub struct FakeUser {
    pub id: u64,
    pub login: String,
    pub name: Option<String>,
    pub emails: Vec<FakeEmail>,
}

impl FakeUser {
    /// octocat, id 583231, with one primary verified address.
    pub fn octocat() -> Self {
        Self {
            id: 583231,
            login: "octocat".into(),
            name: Some("The Octocat".into()),
            emails: vec![FakeEmail::new("octocat@example.com", true, true)],
        }
    }
}

struct Grant {
    challenge: Option<String>,
    redirect_uri: Option<String>,
}

struct Scenario {
    client_id: String,
    client_secret: String,
    user: FakeUser,
    deny: bool,
    api_fails: bool,
    codes: HashMap<String, Grant>,
    tokens: HashSet<String>,
}

type Shared = Arc<Mutex<Scenario>>;

pub struct FakeGithub {
    base: String,
    scenario: Shared,
    _server: tokio::task::JoinHandle<()>,
}

impl FakeGithub {
    /// A fake GitHub that knows one OAuth app (`client_id`, `client_secret`).
    pub async fn spawn(client_id: &str, client_secret: &str) -> Self {
        let scenario = Arc::new(Mutex::new(Scenario {
            client_id: client_id.into(),
            client_secret: client_secret.into(),
            user: FakeUser::octocat(),
            deny: false,
            api_fails: false,
            codes: HashMap::new(),
            tokens: HashSet::new(),
        }));
        let router = Router::new()
            .route("/login/oauth/authorize", get(authorize))
            .route("/login/oauth/access_token", post(access_token))
            .route("/api/user", get(user))
            .route("/api/user/emails", get(emails))
            .with_state(scenario.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let server = tokio::spawn(async move {
            axum::serve(listener, router).await.unwrap();
        });
        Self {
            base,
            scenario,
            _server: server,
        }
    }

    /// GitHub's web address (`web_url`).
    pub fn web_url(&self) -> String {
        self.base.clone()
    }

    /// The REST API's base (`api_url`), as GitHub Enterprise has it.
    pub fn api_url(&self) -> String {
        format!("{}/api", self.base)
    }

    /// Who signs in from now on (e.g. the same id under a new login).
    pub fn set_user(&self, user: FakeUser) {
        self.scenario.lock().unwrap().user = user;
    }

    /// The authorize page answers `error=access_denied` (the user declined).
    pub fn deny(&self, deny: bool) {
        self.scenario.lock().unwrap().deny = deny;
    }

    /// The API answers 500.
    pub fn fail_api(&self, fail: bool) {
        self.scenario.lock().unwrap().api_fails = fail;
    }
}

async fn authorize(
    State(scenario): State<Shared>,
    Query(query): Query<HashMap<String, String>>,
) -> Response {
    let mut scenario = scenario.lock().unwrap();
    if query.get("client_id") != Some(&scenario.client_id) {
        return (StatusCode::NOT_FOUND, "unknown client_id").into_response();
    }
    let Some(redirect_uri) = query.get("redirect_uri") else {
        return (StatusCode::BAD_REQUEST, "no redirect_uri").into_response();
    };
    let state = query.get("state").cloned().unwrap_or_default();
    if scenario.deny {
        let location = with_query(
            redirect_uri,
            &[("error", "access_denied"), ("state", &state)],
        );
        return found(&location);
    }
    if query
        .get("code_challenge_method")
        .is_some_and(|m| m != "S256")
    {
        return (StatusCode::BAD_REQUEST, "S256 only").into_response();
    }
    let code = uuid::Uuid::new_v4().simple().to_string();
    scenario.codes.insert(
        code.clone(),
        Grant {
            challenge: query.get("code_challenge").cloned(),
            redirect_uri: Some(redirect_uri.clone()),
        },
    );
    let location = with_query(redirect_uri, &[("code", &code), ("state", &state)]);
    found(&location)
}

/// GitHub answers the approval with 302 Found.
fn found(location: &str) -> Response {
    (
        StatusCode::FOUND,
        [(header::LOCATION, location.to_string())],
    )
        .into_response()
}

fn with_query(base: &str, pairs: &[(&str, &str)]) -> String {
    let mut url = url::Url::parse(base).unwrap();
    url.query_pairs_mut().extend_pairs(pairs);
    url.to_string()
}

async fn access_token(
    State(scenario): State<Shared>,
    headers: HeaderMap,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    let json = headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("application/json"));
    let mut scenario = scenario.lock().unwrap();
    let answer = |pairs: &[(&str, &str)]| -> Response {
        if json {
            let map: serde_json::Map<String, serde_json::Value> = pairs
                .iter()
                .map(|(k, v)| (k.to_string(), json!(v)))
                .collect();
            Json(map).into_response()
        } else {
            let body = url::form_urlencoded::Serializer::new(String::new())
                .extend_pairs(pairs)
                .finish();
            (
                [(header::CONTENT_TYPE, "application/x-www-form-urlencoded")],
                body,
            )
                .into_response()
        }
    };
    // GitHub answers refusals with 200 and an `error`.
    if form.get("client_id") != Some(&scenario.client_id)
        || form.get("client_secret") != Some(&scenario.client_secret)
    {
        return answer(&[("error", "incorrect_client_credentials")]);
    }
    let grant = form
        .get("code")
        .and_then(|code| scenario.codes.remove(code));
    let Some(grant) = grant else {
        return answer(&[("error", "bad_verification_code")]);
    };
    let verifier_fits = match (&grant.challenge, form.get("code_verifier")) {
        (Some(challenge), Some(verifier)) => {
            tessera::oauth::pkce::s256_challenge(verifier) == *challenge
        }
        (None, None) => true,
        _ => false,
    };
    let redirect_fits = match form.get("redirect_uri") {
        Some(uri) => grant.redirect_uri.as_ref() == Some(uri),
        None => true,
    };
    if !verifier_fits || !redirect_fits {
        return answer(&[("error", "bad_verification_code")]);
    }
    let token = format!("gho_{}", uuid::Uuid::new_v4().simple());
    scenario.tokens.insert(token.clone());
    answer(&[
        ("access_token", &token),
        ("scope", "read:user,user:email"),
        ("token_type", "bearer"),
    ])
}

/// The user and whether the API fails, once the bearer token is one this fake issued.
fn authorized(scenario: &Shared, headers: &HeaderMap) -> Option<(FakeUser, bool)> {
    let scenario = scenario.lock().unwrap();
    let token = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "));
    token
        .is_some_and(|t| scenario.tokens.contains(t))
        .then(|| (scenario.user.clone(), scenario.api_fails))
}

fn bad_credentials() -> Response {
    let body = json!({"message": "Bad credentials", "status": "401"});
    (StatusCode::UNAUTHORIZED, Json(body)).into_response()
}

async fn user(State(scenario): State<Shared>, headers: HeaderMap) -> Response {
    match authorized(&scenario, &headers) {
        None => bad_credentials(),
        Some((_, true)) => StatusCode::INTERNAL_SERVER_ERROR.into_response(),
        Some((user, false)) => Json(json!({
            "id": user.id,
            "login": user.login,
            "name": user.name,
            "type": "User",
        }))
        .into_response(),
    }
}

async fn emails(State(scenario): State<Shared>, headers: HeaderMap) -> Response {
    match authorized(&scenario, &headers) {
        None => bad_credentials(),
        Some((_, true)) => StatusCode::INTERNAL_SERVER_ERROR.into_response(),
        Some((user, false)) => {
            let list: Vec<_> = user
                .emails
                .iter()
                .map(|e| {
                    json!({
                        "email": e.email,
                        "primary": e.primary,
                        "verified": e.verified,
                        "visibility": if e.primary { Some("private") } else { None },
                    })
                })
                .collect();
            Json(list).into_response()
        }
    }
}
