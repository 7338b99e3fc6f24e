//! A client's side of pushed authorization requests (RFC 9126), as a relying party's back
//! end would write it: the form it pushes, the push itself over reqwest, and the short
//! authorization URL it then sends the browser to.
use serde_json::Value;

use super::{CHALLENGE, TestApp};

/// How the client proves itself at `/par`.
pub enum ParAuth<'a> {
    /// client_secret_basic.
    Basic(&'a str, &'a str),
    /// client_secret_post.
    Post(&'a str, &'a str),
    /// A public client: its client_id only.
    Public(&'a str),
    /// private_key_jwt: client_id and the signed assertion.
    Assertion(&'a str, String),
    /// Nothing at all.
    Nothing,
}

/// An authorization request's parameters as a client pushes them (PKCE S256, state, nonce);
/// `extra` replaces or adds parameters.
pub fn request_fields(
    redirect_uri: &str,
    extra: &[(&'static str, &str)],
) -> Vec<(&'static str, String)> {
    let mut fields: Vec<(&'static str, String)> = vec![
        ("response_type", "code".into()),
        ("redirect_uri", redirect_uri.into()),
        ("scope", "openid email profile".into()),
        ("state", "st-pushed".into()),
        ("nonce", "n-pushed".into()),
        ("code_challenge", CHALLENGE.into()),
        ("code_challenge_method", "S256".into()),
    ];
    for (name, value) in extra {
        fields.retain(|(n, _)| n != name);
        fields.push((name, (*value).to_string()));
    }
    fields
}

/// POSTs `fields` to `/par`, authenticated as `auth` says.
pub async fn push(
    app: &TestApp,
    auth: ParAuth<'_>,
    fields: &[(&str, String)],
) -> reqwest::Response {
    let mut form: Vec<(&str, String)> = fields.to_vec();
    let request = reqwest::Client::new().post(app.url("/par"));
    let request = match auth {
        ParAuth::Basic(id, secret) => request.basic_auth(id, Some(secret)),
        ParAuth::Post(id, secret) => {
            form.push(("client_id", id.into()));
            form.push(("client_secret", secret.into()));
            request
        }
        ParAuth::Public(id) => {
            form.push(("client_id", id.into()));
            request
        }
        ParAuth::Assertion(id, assertion) => {
            form.push(("client_id", id.into()));
            form.push((
                "client_assertion_type",
                "urn:ietf:params:oauth:client-assertion-type:jwt-bearer".into(),
            ));
            form.push(("client_assertion", assertion));
            request
        }
        ParAuth::Nothing => request,
    };
    request.form(&form).send().await.unwrap()
}

/// Pushes and returns the `request_uri`, checking the RFC 9126 §2.2 answer on the way.
pub async fn pushed_request_uri(
    app: &TestApp,
    auth: ParAuth<'_>,
    fields: &[(&str, String)],
) -> String {
    let response = push(app, auth, fields).await;
    assert_eq!(response.status(), 201, "PAR answers 201 Created");
    assert_eq!(
        response.headers()["cache-control"].to_str().unwrap(),
        "no-store"
    );
    let body: Value = response.json().await.unwrap();
    let request_uri = body["request_uri"]
        .as_str()
        .expect("request_uri")
        .to_string();
    assert!(
        request_uri.starts_with("urn:ietf:params:oauth:request_uri:"),
        "{request_uri}"
    );
    assert!(body["expires_in"].as_i64().unwrap() <= 600, "{body}");
    request_uri
}

/// The URL a client sends the browser to after pushing (RFC 9126 §4).
pub fn par_authorize_url(client_id: &str, request_uri: &str) -> String {
    let query = url::form_urlencoded::Serializer::new(String::new())
        .append_pair("client_id", client_id)
        .append_pair("request_uri", request_uri)
        .finish();
    format!("/authorize?{query}")
}

/// The `error` and status of a JSON error answer.
pub async fn json_error(response: reqwest::Response) -> (u16, String) {
    let status = response.status().as_u16();
    let body: Value = response.json().await.unwrap();
    (
        status,
        body["error"].as_str().unwrap_or_default().to_string(),
    )
}
