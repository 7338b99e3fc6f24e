//! APIs as resource servers (RFC 8707 resource indicators, RFC 9068 audiences), the
//! client_credentials grant (RFC 6749 §4.4), and introspection by an API (RFC 7662), driven
//! by the `openidconnect` crate where it has the call, against a real listener.
mod common;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use common::*;
use openidconnect::core::{CoreAuthenticationFlow, CoreClient, CoreProviderMetadata};
use openidconnect::{
    AuthorizationCode, ClientId, ClientSecret, CsrfToken, IssuerUrl, Nonce, OAuth2TokenResponse,
    PkceCodeChallenge, RedirectUrl, RefreshToken, Scope, TokenResponse,
};
use serde_json::Value;

const ORDERS: &str = "https://orders.example.com";
const BILLING: &str = "https://billing.example.com";
const API_SECRET: &str = "orders-introspection-secret";
const APP_SECRET: &str = "api-app-secret";
const SERVICE_SECRET: &str = "service-secret";
const APP_REDIRECT: &str = "http://127.0.0.1:9911/cb";

fn extra_config() -> String {
    format!(
        r#"
signing_algs = ["RS256", "ES256"]

[[resources]]
identifier = "{ORDERS}"
name = "Orders API"
scopes = ["orders:read", "orders:write"]
introspection_secret_hash = "{api}"
access_token_ttl = 600

[[resources]]
identifier = "{BILLING}"
name = "Billing API"
scopes = ["billing:read"]
access_token_signed_response_alg = "ES256"

[[clients]]
client_id = "api-app"
client_name = "Shop"
client_secret_hash = "{app}"
redirect_uris = ["{APP_REDIRECT}"]
scopes = ["openid", "email", "offline_access", "orders:read", "orders:write", "billing:read"]
resources = ["{ORDERS}", "{BILLING}"]

[[clients]]
client_id = "service"
client_secret_hash = "{service}"
grant_types = ["client_credentials"]
scopes = ["orders:read"]
resources = ["{ORDERS}"]
"#,
        api = hashed(API_SECRET),
        app = hashed(APP_SECRET),
        service = hashed(SERVICE_SECRET),
    )
}

async fn spawn(backend: Backend) -> TestApp {
    TestApp::spawn_with_toml(backend, &extra_config()).await
}

/// The claims of a JWT, unverified: what an API would read after verifying it.
fn claims(jwt: &str) -> Value {
    let payload = jwt.split('.').nth(1).unwrap();
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).unwrap()).unwrap()
}

/// The JOSE header of a JWT.
fn header(jwt: &str) -> Value {
    let header = jwt.split('.').next().unwrap();
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(header).unwrap()).unwrap()
}

/// RFC 6749 §2.3.1: the client_id (here an API's URI, which holds ':') is form-encoded
/// before it goes into the Basic header.
fn basic(id: &str, secret: &str) -> String {
    let encode = |s: &str| url::form_urlencoded::byte_serialize(s.as_bytes()).collect::<String>();
    let pair = format!("{}:{}", encode(id), encode(secret));
    format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(pair)
    )
}

/// `POST /introspect` as the Orders API.
async fn api_introspects(app: &TestApp, token: &str) -> Value {
    reqwest::Client::new()
        .post(app.url("/introspect"))
        .header("authorization", basic(ORDERS, API_SECRET))
        .form(&[("token", token)])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

async fn discover(app: &TestApp) -> CoreProviderMetadata {
    CoreProviderMetadata::discover_async(
        IssuerUrl::new(app.issuer.clone()).unwrap(),
        &http_client(),
    )
    .await
    .expect("discovery")
}

async fn oidc_client(
    app: &TestApp,
    id: &str,
    secret: &str,
) -> CoreClient<
    openidconnect::EndpointSet,
    openidconnect::EndpointNotSet,
    openidconnect::EndpointNotSet,
    openidconnect::EndpointNotSet,
    openidconnect::EndpointMaybeSet,
    openidconnect::EndpointMaybeSet,
> {
    CoreClient::from_provider_metadata(
        discover(app).await,
        ClientId::new(id.into()),
        Some(ClientSecret::new(secret.into())),
    )
    .set_redirect_uri(RedirectUrl::new(APP_REDIRECT.into()).unwrap())
}

fn form_error(body: &Value) -> &str {
    body["error"].as_str().unwrap_or_default()
}

#[tokio::test]
async fn a_sign_in_for_two_apis_gives_each_its_own_token() {
    for backend in Backend::all() {
        let app = spawn(backend).await;
        app.add_user(USER_EMAIL, USER_PASSWORD).await;
        let http = http_client();
        let client = oidc_client(&app, "api-app", APP_SECRET).await;

        let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
        let (auth_url, _, nonce) = client
            .authorize_url(
                CoreAuthenticationFlow::AuthorizationCode,
                CsrfToken::new_random,
                Nonce::new_random,
            )
            .add_scopes(
                ["email", "offline_access", "orders:read", "billing:read"]
                    .map(|s| Scope::new(s.into())),
            )
            .add_extra_param("resource", ORDERS)
            .add_extra_param("resource", BILLING)
            .add_extra_param("prompt", "consent")
            .set_pkce_challenge(challenge)
            .url();
        let mut browser = app.browser();
        let consent = browser.sign_in_at(auth_url.as_str()).await;
        for shown in ["Orders API", "orders:read", "Billing API", "billing:read"] {
            assert!(consent.body.contains(shown), "{shown}: {}", consent.body);
        }
        assert!(
            !consent.body.contains("orders:write"),
            "only what was asked"
        );
        let code = browser.allow(&consent).await;

        // The code buys a token for the Orders API, and an ID token as usual.
        let tokens = client
            .exchange_code(AuthorizationCode::new(code))
            .unwrap()
            .set_pkce_verifier(verifier)
            .add_extra_param("resource", ORDERS)
            .request_async(&http)
            .await
            .expect("token exchange");
        let id_token = tokens.id_token().expect("an ID token");
        let id_verifier = client
            .id_token_verifier()
            .set_time_fn(|| chrono::DateTime::from_timestamp(START + 1, 0).unwrap());
        id_token
            .claims(&id_verifier, &nonce)
            .expect("valid ID token");
        let orders = claims(tokens.access_token().secret());
        assert_eq!(orders["aud"], ORDERS);
        assert_eq!(orders["scope"], "orders:read");
        assert_eq!(
            orders["exp"].as_i64().unwrap() - orders["iat"].as_i64().unwrap(),
            600
        );
        assert_eq!(tokens.expires_in().unwrap().as_secs(), 600);
        let scopes: Vec<String> = tokens
            .scopes()
            .unwrap()
            .iter()
            .map(|s| s.to_string())
            .collect();
        assert_eq!(scopes, ["orders:read"], "the response scope is the token's");
        assert_eq!(
            userinfo_status(&app, tokens.access_token().secret()).await,
            401,
            "an API's token is not for userinfo"
        );

        // The Orders API sees its token; the client sees its own token too.
        let seen = api_introspects(&app, tokens.access_token().secret()).await;
        assert_eq!(seen["active"], true, "{seen}");
        assert_eq!(seen["aud"], ORDERS);
        assert_eq!(seen["scope"], "orders:read");
        let seen_by_client = client_post(
            &app,
            "/introspect",
            ("api-app", APP_SECRET),
            &[("token", tokens.access_token().secret())],
        )
        .await
        .json::<Value>()
        .await
        .unwrap();
        assert_eq!(seen_by_client["active"], true);

        // The refresh token covers both APIs: a token for Billing, then one for userinfo.
        let refresh = tokens.refresh_token().unwrap().clone();
        let billing = client
            .exchange_refresh_token(&refresh)
            .unwrap()
            .add_extra_param("resource", BILLING)
            .request_async(&http)
            .await
            .expect("refresh for billing");
        let billing_claims = claims(billing.access_token().secret());
        assert_eq!(billing_claims["aud"], BILLING);
        // Each API's tokens are signed with the algorithm it registered.
        assert_eq!(header(billing.access_token().secret())["alg"], "ES256");
        assert_eq!(header(tokens.access_token().secret())["alg"], "RS256");
        let billing_seen = client_post(
            &app,
            "/introspect",
            ("api-app", APP_SECRET),
            &[("token", billing.access_token().secret())],
        )
        .await
        .json::<Value>()
        .await
        .unwrap();
        assert_eq!(billing_seen["active"], true, "{billing_seen}");
        assert_eq!(billing_claims["scope"], "billing:read");
        assert_eq!(
            api_introspects(&app, billing.access_token().secret()).await,
            serde_json::json!({"active": false}),
            "an API sees only tokens for itself"
        );
        let own = client
            .exchange_refresh_token(billing.refresh_token().unwrap())
            .unwrap()
            .request_async(&http)
            .await
            .expect("refresh for userinfo");
        let own_claims = claims(own.access_token().secret());
        assert_eq!(own_claims["aud"], app.issuer);
        assert_eq!(own_claims["scope"], "openid email offline_access");
        assert_eq!(
            userinfo_status(&app, own.access_token().secret()).await,
            200
        );

        // A resource the grant does not cover changes nothing: the refresh token still works.
        let latest = own.refresh_token().unwrap().secret().clone();
        for resource in ["https://other.example.com", "not a uri"] {
            let refused = token_request(
                &app,
                Some(("api-app", APP_SECRET)),
                &[
                    ("grant_type", "refresh_token"),
                    ("refresh_token", &latest),
                    ("resource", resource),
                ],
            )
            .await;
            assert_eq!(refused.status(), 400);
            assert_eq!(form_error(&refused.json().await.unwrap()), "invalid_target");
        }
        client
            .exchange_refresh_token(&RefreshToken::new(latest))
            .unwrap()
            .request_async(&http)
            .await
            .expect("the refused requests did not rotate the token");
    }
}

/// The browser part of a sign-in for api-app with extra authorization parameters; the
/// redirect back to the app (with a code or an error).
async fn authorize(app: &TestApp, browser: &mut Browser, extra: &[(&str, &str)]) -> String {
    let url = authorize_url("api-app", APP_REDIRECT, extra).replace(
        "scope=openid+email+profile",
        "scope=openid+email+orders%3Aread",
    );
    let start = browser.get(&url).await;
    let mut page = match browser.follow(start).await {
        Ok(page) => page,
        Err(location) => return location,
    };
    if page.body.contains("name=\"password\"") {
        page = match browser.submit_login(&page, USER_EMAIL, USER_PASSWORD).await {
            Ok(page) => page,
            Err(location) => return location,
        };
    }
    let _ = app;
    browser
        .submit_consent(&page, "allow")
        .await
        .location()
        .unwrap()
}

#[tokio::test]
async fn bad_resources_on_the_authorization_request_are_invalid_target() {
    for backend in Backend::all() {
        let app = spawn(backend).await;
        app.add_user(USER_EMAIL, USER_PASSWORD).await;
        let mut browser = app.browser();
        for (resource, error) in [
            ("orders", "invalid_target"),
            ("https://orders.example.com#frag", "invalid_target"),
            ("https://unknown.example.com", "invalid_target"),
        ] {
            let back = authorize(&app, &mut browser, &[("resource", resource)]).await;
            assert!(back.starts_with(APP_REDIRECT), "{back}");
            assert_eq!(query_of(&back)["error"], error, "{resource}");
        }
        // An API scope without its API named is a mistake worth a clear error.
        let back = authorize(&app, &mut browser, &[]).await;
        assert_eq!(query_of(&back)["error"], "invalid_scope", "{back}");
        // The confidential client may use no API at all.
        let start = browser
            .get(&authorize_url(
                "confidential",
                REDIRECT,
                &[("resource", ORDERS)],
            ))
            .await;
        let back = browser.follow(start).await.unwrap_err();
        assert_eq!(query_of(&back)["error"], "invalid_target", "{back}");
    }
}

#[tokio::test]
async fn bad_resources_on_the_token_request_change_nothing() {
    for backend in Backend::all() {
        let app = spawn(backend).await;
        app.add_user(USER_EMAIL, USER_PASSWORD).await;
        let mut browser = app.browser();
        let back = authorize(&app, &mut browser, &[("resource", ORDERS)]).await;
        let code = query_of(&back)["code"].clone();
        let exchange_with = |resources: Vec<&'static str>| {
            let mut fields = vec![
                ("grant_type", "authorization_code"),
                ("code", code.as_str()),
                ("redirect_uri", APP_REDIRECT),
                ("code_verifier", VERIFIER),
            ];
            fields.extend(resources.into_iter().map(|r| ("resource", r)));
            let app = &app;
            async move { token_request(app, Some(("api-app", APP_SECRET)), &fields).await }
        };
        for resources in [vec![ORDERS, BILLING], vec![BILLING], vec!["relative/path"]] {
            let refused = exchange_with(resources.clone()).await;
            assert_eq!(refused.status(), 400, "{resources:?}");
            let body: Value = refused.json().await.unwrap();
            assert_eq!(form_error(&body), "invalid_target", "{resources:?}: {body}");
        }
        let granted = exchange_with(vec![ORDERS]).await;
        assert_eq!(granted.status(), 200, "the code survived the refusals");
        let body: Value = granted.json().await.unwrap();
        assert_eq!(
            claims(body["access_token"].as_str().unwrap())["aud"],
            ORDERS
        );
    }
}

#[tokio::test]
async fn a_service_gets_a_token_for_itself_with_client_credentials() {
    for backend in Backend::all() {
        let app = spawn(backend).await;
        let http = http_client();
        let metadata = discover(&app).await;
        let client = CoreClient::from_provider_metadata(
            metadata,
            ClientId::new("service".into()),
            Some(ClientSecret::new(SERVICE_SECRET.into())),
        );
        let tokens = client
            .exchange_client_credentials()
            .unwrap()
            .add_scope(Scope::new("orders:read".into()))
            .add_extra_param("resource", ORDERS)
            .request_async(&http)
            .await
            .expect("client_credentials");
        assert!(tokens.refresh_token().is_none());
        assert!(tokens.id_token().is_none());
        assert_eq!(tokens.expires_in().unwrap().as_secs(), 600);
        let token = tokens.access_token().secret().clone();
        let jwt = claims(&token);
        assert_eq!(jwt["sub"], "service");
        assert_eq!(jwt["client_id"], "service");
        assert_eq!(jwt["aud"], ORDERS);
        assert_eq!(jwt["scope"], "orders:read");
        assert!(jwt.get("auth_time").is_none() && jwt.get("amr").is_none());
        assert!(jwt["jti"].is_string());
        let header: Value = serde_json::from_slice(
            &URL_SAFE_NO_PAD
                .decode(token.split('.').next().unwrap())
                .unwrap(),
        )
        .unwrap();
        assert_eq!(header["typ"], "at+jwt");

        let seen = api_introspects(&app, &token).await;
        assert_eq!(seen["active"], true, "{seen}");
        assert_eq!(seen["sub"], "service");
        assert!(seen.get("auth_time").is_none());
        assert_eq!(userinfo_status(&app, &token).await, 401);

        // Defaults: the only API, and every scope of it the client may have.
        let defaulted = token_request(
            &app,
            Some(("service", SERVICE_SECRET)),
            &[("grant_type", "client_credentials")],
        )
        .await;
        let body: Value = defaulted.json().await.unwrap();
        assert_eq!(body["scope"], "orders:read", "{body}");

        // Revoked by the client, it is inactive for the API.
        let revoked = client_post(
            &app,
            "/revoke",
            ("service", SERVICE_SECRET),
            &[("token", &token)],
        )
        .await;
        assert_eq!(revoked.status(), 200);
        assert_eq!(api_introspects(&app, &token).await["active"], false);
    }
}

/// Credentials (Basic), extra form fields, expected status and error code.
type Refusal = (
    Option<(&'static str, &'static str)>,
    Vec<(&'static str, &'static str)>,
    u16,
    &'static str,
);

#[tokio::test]
async fn client_credentials_refusals_follow_rfc_6749() {
    for backend in Backend::all() {
        let app = spawn(backend).await;
        let cases: [Refusal; 6] = [
            // A public client has no credentials to present.
            (
                None,
                vec![("client_id", "public")],
                400,
                "unauthorized_client",
            ),
            // A client not registered for the grant.
            (
                Some(("confidential", CONFIDENTIAL_SECRET)),
                vec![],
                400,
                "unauthorized_client",
            ),
            (
                Some(("service", SERVICE_SECRET)),
                vec![("scope", "orders:write")],
                400,
                "invalid_scope",
            ),
            (
                Some(("service", SERVICE_SECRET)),
                vec![("scope", "openid")],
                400,
                "invalid_scope",
            ),
            (
                Some(("service", SERVICE_SECRET)),
                vec![("resource", BILLING)],
                400,
                "invalid_target",
            ),
            (Some(("service", "wrong")), vec![], 401, "invalid_client"),
        ];
        for (auth, extra, status, error) in cases {
            let mut fields = vec![("grant_type", "client_credentials")];
            fields.extend(extra.iter().copied());
            let response = token_request(&app, auth, &fields).await;
            assert_eq!(response.status(), status, "{fields:?}");
            let body: Value = response.json().await.unwrap();
            assert_eq!(form_error(&body), error, "{fields:?}: {body}");
        }
    }
}

#[tokio::test]
async fn an_api_authenticates_to_introspect_and_sees_only_its_tokens() {
    for backend in Backend::all() {
        let app = spawn(backend).await;
        app.add_user(USER_EMAIL, USER_PASSWORD).await;
        // A token for userinfo (another audience) is inactive to the API.
        let mut browser = app.browser();
        let code = obtain_code(&app, &mut browser, "confidential", REDIRECT).await;
        let tokens: Value = exchange(&app, &code).await.json().await.unwrap();
        let own = tokens["access_token"].as_str().unwrap();
        assert_eq!(
            api_introspects(&app, own).await,
            serde_json::json!({"active": false})
        );
        // Wrong secret, an API without an introspection secret, and both Basic and body
        // credentials are refused.
        for header in [basic(ORDERS, "wrong"), basic(BILLING, "anything")] {
            let refused = reqwest::Client::new()
                .post(app.url("/introspect"))
                .header("authorization", header)
                .form(&[("token", own)])
                .send()
                .await
                .unwrap();
            assert_eq!(refused.status(), 401);
            assert_eq!(form_error(&refused.json().await.unwrap()), "invalid_client");
        }
        let mixed = reqwest::Client::new()
            .post(app.url("/introspect"))
            .header("authorization", basic(ORDERS, API_SECRET))
            .form(&[("token", own), ("client_secret", "x")])
            .send()
            .await
            .unwrap();
        assert_eq!(mixed.status(), 400);
    }
}

#[tokio::test]
async fn discovery_lists_the_grant_and_the_apis_scopes() {
    let app = spawn(Backend::Sqlite).await;
    let metadata = discovery_json(&app).await;
    let grants = metadata["grant_types_supported"].as_array().unwrap();
    assert!(grants.contains(&Value::from("client_credentials")));
    let scopes = metadata["scopes_supported"].as_array().unwrap();
    for scope in ["openid", "orders:read", "orders:write", "billing:read"] {
        assert!(scopes.contains(&Value::from(scope)), "{scope}");
    }
}

/// The validation code of docs/apis.md, run against real tokens: it must accept Tessera's
/// token for the API, and refuse one for another audience and an ID token.
mod documented_check {
    use std::collections::HashMap;
    use std::time::{Duration, SystemTime};

    use josekit::jwk::JwkSet;
    use josekit::jws::alg::rsassa::RsassaJwsVerifier;
    use josekit::jws::{JwsVerifier, RS256};
    use josekit::jwt::{self, JwtPayload, JwtPayloadValidator};

    pub fn verifiers(jwks: &JwkSet) -> HashMap<String, RsassaJwsVerifier> {
        jwks.keys()
            .into_iter()
            .filter(|jwk| jwk.algorithm() == Some("RS256"))
            .filter_map(|jwk| {
                Some((
                    jwk.key_id()?.to_string(),
                    RS256.verifier_from_jwk(jwk).ok()?,
                ))
            })
            .collect()
    }

    pub fn validate(
        token: &str,
        verifiers: &HashMap<String, RsassaJwsVerifier>,
        issuer: &str,
        audience: &str,
        now: SystemTime,
    ) -> Result<JwtPayload, Box<dyn std::error::Error>> {
        let (payload, header) = jwt::decode_with_verifier_selector(token, |header| {
            Ok(header
                .key_id()
                .and_then(|kid| verifiers.get(kid))
                .map(|verifier| verifier as &dyn JwsVerifier))
        })?;
        if header.token_type() != Some("at+jwt") {
            return Err("not an access token".into());
        }
        let mut validator = JwtPayloadValidator::new();
        validator.set_issuer(issuer);
        validator.set_audience(audience);
        validator.set_base_time(now);
        validator.set_max_issued_time(now + Duration::from_secs(60));
        validator.validate(&payload)?;
        Ok(payload)
    }

    pub fn allows(payload: &JwtPayload, needed: &str) -> bool {
        let scope = payload
            .claim("scope")
            .and_then(|s| s.as_str())
            .unwrap_or("");
        scope.split(' ').any(|s| s == needed)
    }
}

#[tokio::test]
async fn the_documented_api_check_accepts_tessera_tokens_for_the_api_only() {
    use documented_check::*;
    let app = spawn(Backend::Sqlite).await;
    app.add_user(USER_EMAIL, USER_PASSWORD).await;
    let jwks = reqwest::get(app.url("/jwks.json"))
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    let verifiers = verifiers(&josekit::jwk::JwkSet::from_bytes(&jwks).unwrap());
    // The token's times come from the test clock.
    let now = std::time::UNIX_EPOCH + std::time::Duration::from_secs(START as u64 + 1);

    let service = token_request(
        &app,
        Some(("service", SERVICE_SECRET)),
        &[("grant_type", "client_credentials")],
    )
    .await
    .json::<Value>()
    .await
    .unwrap();
    let token = service["access_token"].as_str().unwrap();
    let payload = validate(token, &verifiers, &app.issuer, ORDERS, now).expect("accepted");
    assert!(allows(&payload, "orders:read") && !allows(&payload, "orders:write"));
    assert!(validate(token, &verifiers, &app.issuer, BILLING, now).is_err());

    let mut browser = app.browser();
    let code = obtain_code(&app, &mut browser, "confidential", REDIRECT).await;
    let tokens: Value = exchange(&app, &code).await.json().await.unwrap();
    let id_token = tokens["id_token"].as_str().unwrap();
    assert!(
        validate(id_token, &verifiers, &app.issuer, "confidential", now).is_err(),
        "an ID token is not an access token"
    );
}
