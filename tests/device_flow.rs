//! The device authorization grant (RFC 8628) against real listeners: a device asks one
//! instance for codes and polls it, while a person types the code, signs in (with the
//! second step too) and answers on another instance sharing the database; the device's
//! side of the happy path is the `openidconnect` crate. Then every other answer: denial,
//! expiry, `slow_down`, a spent or unknown device code, two polls racing for the tokens, a
//! poll with a DPoP proof, the second factor before the consent,
//! guessing user codes, a client without the grant, a public client, and bad requests.
mod common;
#[path = "dpop/client.rs"]
#[allow(dead_code)]
mod dpop_client;

use std::time::Duration;

use common::mfa::{code_at, enrolled_user, is_totp_page, jwt_claims, submit_code};
use common::*;
use openidconnect::core::{CoreClient, CoreDeviceAuthorizationResponse, CoreProviderMetadata};
use openidconnect::{
    ClientId, ClientSecret, DeviceAuthorizationUrl, IssuerUrl, Nonce, OAuth2TokenResponse, Scope,
    TokenResponse,
};
use serde_json::Value;
use tessera::config::Config;

const GRANT: &str = "urn:ietf:params:oauth:grant-type:device_code";
const TV: &str = "tv";
const TV_SECRET: &str = "tv-secret";
const CLI: &str = "cli";
const KIOSK: &str = "kiosk";

fn device_clients() -> String {
    format!(
        r#"
[[clients]]
client_id = "{TV}"
client_name = "Living Room TV"
client_secret_hash = "{secret}"
grant_types = ["{GRANT}", "refresh_token"]
scopes = ["openid", "profile", "email", "offline_access"]

[[clients]]
client_id = "{CLI}"
client_name = "Command Line"
token_endpoint_auth_method = "none"
grant_types = ["{GRANT}"]
scopes = ["openid", "email"]

[[clients]]
client_id = "{KIOSK}"
client_name = "Bank Kiosk"
token_endpoint_auth_method = "none"
grant_types = ["{GRANT}"]
require_mfa = true
"#,
        secret = hashed(TV_SECRET)
    )
}

fn with_device_clients(config: &mut Config) {
    let text = format!("{}\n{}", base_config(&config.issuer), device_clients());
    let issuer = config.issuer.clone();
    *config = Config::from_toml(&text).expect("device clients are valid");
    config.issuer = issuer;
}

async fn spawn(backend: Backend) -> TestApp {
    let app = TestApp::spawn_with(backend, with_device_clients).await;
    app.add_user(USER_EMAIL, USER_PASSWORD).await;
    app
}

/// A client call: `client` authenticates with Basic (`Some(secret)`) or names itself.
async fn call(
    app: &TestApp,
    path: &str,
    client: (&str, Option<&str>),
    form: &[(&str, &str)],
) -> (u16, Value) {
    let mut fields: Vec<(&str, &str)> = form.to_vec();
    let request = http_client().post(app.url(path));
    let request = match client.1 {
        Some(secret) => request.basic_auth(client.0, Some(secret)),
        None => {
            fields.push(("client_id", client.0));
            request
        }
    };
    let response = request.form(&fields).send().await.unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap())
}

async fn start(app: &TestApp, scope: &str) -> Value {
    let (status, codes) = call(
        app,
        "/device_authorization",
        (TV, Some(TV_SECRET)),
        &[("scope", scope)],
    )
    .await;
    assert_eq!(status, 200, "{codes}");
    codes
}

async fn poll(app: &TestApp, client: (&str, Option<&str>), device_code: &str) -> (u16, Value) {
    call(
        app,
        "/token",
        client,
        &[("grant_type", GRANT), ("device_code", device_code)],
    )
    .await
}

async fn poll_tv(app: &TestApp, codes: &Value) -> (u16, Value) {
    poll(
        app,
        (TV, Some(TV_SECRET)),
        codes["device_code"].as_str().unwrap(),
    )
    .await
}

fn error_of(answer: &(u16, Value)) -> &str {
    assert_eq!(answer.0, 400, "{}", answer.1);
    answer.1["error"].as_str().unwrap()
}

/// The path and query of the complete verification URI, to open on any instance.
fn complete_path(codes: &Value) -> String {
    let uri = url::Url::parse(codes["verification_uri_complete"].as_str().unwrap()).unwrap();
    format!("{}?{}", uri.path(), uri.query().unwrap())
}

/// Types `typed` on the `/device` page in `browser`; returns the answer, unfollowed.
async fn type_code(browser: &mut Browser, typed: &str) -> Page {
    let form = browser.get("/device").await;
    assert_eq!(form.status, 200, "{}", form.body);
    let csrf = form.hidden("csrf_token");
    browser
        .post_form("/device", &[("csrf_token", &csrf), ("user_code", typed)])
        .await
}

/// Types the code, signs in with the password, and returns the device consent page.
async fn enter_and_sign_in(browser: &mut Browser, typed: &str) -> Page {
    let entered = type_code(browser, typed).await;
    assert_eq!(entered.status, 303, "{}", entered.body);
    let login = browser.follow(entered).await.unwrap();
    assert!(login.body.contains("name=\"password\""), "{}", login.body);
    assert!(
        login.body.contains("Living Room TV"),
        "the sign-in names the app"
    );
    browser
        .submit_login(&login, USER_EMAIL, USER_PASSWORD)
        .await
        .unwrap()
}

fn is_device_consent(page: &Page) -> bool {
    page.status == 200
        && page.body.contains("Allow this device?")
        && page.body.contains("Living Room TV")
        && page
            .body
            .contains("Only continue if you started this yourself on a device you own")
}

/// The whole browser side: the complete URI, sign-in, and `decision`.
async fn answer(browser: &mut Browser, codes: &Value, decision: &str) -> Page {
    let prefilled = browser.get(&complete_path(codes)).await;
    let shown = codes["user_code"].as_str().unwrap();
    assert!(
        prefilled.body.contains(&format!("value=\"{shown}\"")),
        "{}",
        prefilled.body
    );
    let consent = enter_and_sign_in(browser, shown).await;
    assert!(is_device_consent(&consent), "{}", consent.body);
    browser.submit_consent(&consent, decision).await
}

#[tokio::test]
async fn a_device_gets_tokens_once_while_the_user_approves_on_another_instance() {
    for backend in Backend::all() {
        let a = spawn(backend).await;
        let b = a.second_instance(with_device_clients).await;
        let http = http_client();
        let metadata =
            CoreProviderMetadata::discover_async(IssuerUrl::new(a.issuer.clone()).unwrap(), &http)
                .await
                .unwrap();
        let raw = discovery_json(&a).await;
        assert_eq!(
            raw["device_authorization_endpoint"],
            a.url("/device_authorization")
        );
        assert!(
            raw["grant_types_supported"]
                .as_array()
                .unwrap()
                .contains(&GRANT.into())
        );
        let device = CoreClient::from_provider_metadata(
            metadata,
            ClientId::new(TV.into()),
            Some(ClientSecret::new(TV_SECRET.into())),
        )
        .set_device_authorization_url(
            DeviceAuthorizationUrl::new(a.url("/device_authorization")).unwrap(),
        );
        let details: CoreDeviceAuthorizationResponse = device
            .exchange_device_code()
            .add_scope(Scope::new("profile".into()))
            .add_scope(Scope::new("offline_access".into()))
            .request_async(&http)
            .await
            .expect("device authorization");
        assert_eq!(details.expires_in(), Duration::from_secs(600));
        assert_eq!(details.interval(), Duration::from_secs(5));
        let user_code = details.user_code().secret().clone();
        assert!(regex_like_user_code(&user_code), "{user_code}");
        assert_eq!(details.verification_uri().as_str(), a.url("/device"));
        let codes = serde_json::json!({
            "device_code": details.device_code().secret(),
            "user_code": user_code,
            "verification_uri_complete": details.verification_uri_complete().unwrap().secret(),
        });
        // The device polls before anyone answered.
        assert_eq!(
            error_of(&poll_tv(&a, &codes).await),
            "authorization_pending"
        );

        let mut browser = b.browser();
        let done = answer(&mut browser, &codes, "allow").await;
        assert_eq!(done.status, 200, "{}", done.body);
        assert!(
            done.body.contains("You can return to your device now"),
            "{}",
            done.body
        );

        a.clock.advance(5);
        let tokens = device
            .exchange_device_access_token(&details)
            .unwrap()
            .request_async(&http, |_| async {}, None)
            .await
            .expect("tokens");
        let id_token = tokens.id_token().expect("an ID token");
        let claims = id_token
            .claims(
                &device
                    .id_token_verifier()
                    .set_time_fn(|| chrono::DateTime::from_timestamp(START + 10, 0).unwrap()),
                |_: Option<&Nonce>| Ok(()),
            )
            .expect("a valid ID token");
        assert_eq!(claims.audiences()[0].as_str(), TV);
        assert_eq!(claims.auth_time().unwrap().timestamp(), START);
        let raw_claims = jwt_claims(&id_token.to_string());
        assert_eq!(raw_claims["amr"], serde_json::json!(["pwd"]));
        assert!(
            tokens.refresh_token().is_some(),
            "offline_access brings a refresh token"
        );
        assert_eq!(
            userinfo_status(&a, tokens.access_token().secret()).await,
            200
        );

        // Success comes once, on any instance.
        a.clock.advance(5);
        assert_eq!(error_of(&poll_tv(&a, &codes).await), "invalid_grant");
        assert_eq!(error_of(&poll_tv(&b, &codes).await), "invalid_grant");
    }
}

fn regex_like_user_code(code: &str) -> bool {
    let (first, second) = code.split_once('-').unwrap_or(("", ""));
    [first, second]
        .iter()
        .all(|half| half.len() == 4 && half.bytes().all(|b| b"BCDFGHJKLMNPQRSTVWXZ".contains(&b)))
}

#[tokio::test]
async fn a_denial_is_access_denied_and_the_page_says_so() {
    for backend in Backend::all() {
        let app = spawn(backend).await;
        let codes = start(&app, "openid").await;
        let mut browser = app.browser();
        let done = answer(&mut browser, &codes, "deny").await;
        assert!(done.body.contains("was not connected"), "{}", done.body);
        assert_eq!(error_of(&poll_tv(&app, &codes).await), "access_denied");
        // The code is answered: typing it again finds nothing.
        let again = type_code(&mut browser, codes["user_code"].as_str().unwrap()).await;
        assert!(
            again.body.contains("That code is not right"),
            "{}",
            again.body
        );
    }
}

#[tokio::test]
async fn an_expired_device_code_is_expired_token_cannot_be_approved_and_is_purged_later() {
    for backend in Backend::all() {
        let app = spawn(backend).await;
        let codes = start(&app, "openid").await;
        app.clock.advance(600);
        assert_eq!(error_of(&poll_tv(&app, &codes).await), "expired_token");
        let mut browser = app.browser();
        let typed = type_code(&mut browser, codes["user_code"].as_str().unwrap()).await;
        assert_eq!(typed.status, 200);
        assert!(
            typed.body.contains("That code is not right"),
            "{}",
            typed.body
        );
        // Kept an hour past its expiry (still `expired_token`), then purged.
        let expired_at = app.clock_now();
        app.store
            .purge_expired(expired_at + 3599, &[])
            .await
            .unwrap();
        assert_eq!(error_of(&poll_tv(&app, &codes).await), "expired_token");
        app.store
            .purge_expired(expired_at + 3601, &[])
            .await
            .unwrap();
        assert_eq!(error_of(&poll_tv(&app, &codes).await), "invalid_grant");
    }
}

#[tokio::test]
async fn each_poll_sooner_than_the_interval_is_slow_down_and_grows_it_by_five_seconds() {
    for backend in Backend::all() {
        let app = spawn(backend).await;
        let codes = start(&app, "openid").await;
        assert_eq!(
            error_of(&poll_tv(&app, &codes).await),
            "authorization_pending"
        );
        // At once: too fast, the interval becomes 10.
        assert_eq!(error_of(&poll_tv(&app, &codes).await), "slow_down");
        app.clock.advance(9);
        // 9 s < 10: too fast again, now 15.
        assert_eq!(error_of(&poll_tv(&app, &codes).await), "slow_down");
        app.clock.advance(14);
        assert_eq!(error_of(&poll_tv(&app, &codes).await), "slow_down");
        // The interval is 20 now; waiting that long is on time.
        app.clock.advance(20);
        assert_eq!(
            error_of(&poll_tv(&app, &codes).await),
            "authorization_pending"
        );
        app.clock.advance(20);
        assert_eq!(
            error_of(&poll_tv(&app, &codes).await),
            "authorization_pending"
        );
    }
}

#[tokio::test]
async fn two_polls_at_once_on_two_instances_get_the_tokens_once() {
    for backend in Backend::all() {
        let a = spawn(backend).await;
        let b = a.second_instance(with_device_clients).await;
        for _ in 0..3 {
            let codes = start(&a, "openid").await;
            let mut browser = b.browser();
            answer(&mut browser, &codes, "allow").await;
            let (first, second) = tokio::join!(poll_tv(&a, &codes), poll_tv(&b, &codes));
            let won = [&first, &second].iter().filter(|r| r.0 == 200).count();
            assert_eq!(won, 1, "{first:?} {second:?}");
            let lost = if first.0 == 200 { &second } else { &first };
            assert_eq!(lost.1["error"], "invalid_grant", "{lost:?}");
        }
    }
}

#[tokio::test]
async fn an_unknown_or_another_clients_device_code_is_invalid_grant() {
    for backend in Backend::all() {
        let app = spawn(backend).await;
        assert_eq!(
            error_of(&poll(&app, (TV, Some(TV_SECRET)), "no-such-code").await),
            "invalid_grant"
        );
        let codes = start(&app, "openid").await;
        let device_code = codes["device_code"].as_str().unwrap();
        assert_eq!(
            error_of(&poll(&app, (CLI, None), device_code).await),
            "invalid_grant"
        );
        let (status, body) = call(
            &app,
            "/token",
            (TV, Some(TV_SECRET)),
            &[("grant_type", GRANT)],
        )
        .await;
        assert_eq!(
            (status, body["error"].as_str()),
            (400, Some("invalid_request"))
        );
    }
}

#[tokio::test]
async fn a_user_code_typed_in_lower_case_with_spaces_is_found() {
    for backend in Backend::all() {
        let app = spawn(backend).await;
        let codes = start(&app, "openid email").await;
        let typed = format!(
            " {} ",
            codes["user_code"]
                .as_str()
                .unwrap()
                .to_lowercase()
                .replace('-', " ")
        );
        let mut browser = app.browser();
        let consent = enter_and_sign_in(&mut browser, &typed).await;
        assert!(is_device_consent(&consent), "{}", consent.body);
        assert!(
            consent.body.contains("See your email address"),
            "the scopes are named"
        );
        let done = browser.submit_consent(&consent, "allow").await;
        assert_eq!(done.status, 200);
        app.clock.advance(5);
        let (status, tokens) = poll_tv(&app, &codes).await;
        assert_eq!(status, 200, "{tokens}");
        assert!(
            tokens.get("refresh_token").is_none(),
            "no offline_access, no refresh token"
        );
    }
}

#[tokio::test]
async fn guessing_user_codes_is_limited_per_address_and_the_right_code_then_waits_too() {
    for backend in Backend::all() {
        let app = spawn(backend).await;
        let codes = start(&app, "openid").await;
        let mut browser = app.browser();
        for _ in 0..2 {
            let wrong = type_code(&mut browser, "BBBB-BBBB").await;
            assert_eq!(wrong.status, 200);
            assert!(
                wrong.body.contains("That code is not right"),
                "{}",
                wrong.body
            );
        }
        let right = codes["user_code"].as_str().unwrap();
        let refused = type_code(&mut browser, right).await;
        assert_eq!(refused.status, 429, "{}", refused.body);
        assert!(refused.header("retry-after").is_some());
        // Another browser on the same address is refused too.
        let mut other = app.browser();
        assert_eq!(type_code(&mut other, right).await.status, 429);
        // What cannot be a code cannot hit one: it is not counted, and says so the same way.
        let typo = type_code(&mut other, "BCD").await;
        assert_eq!(typo.status, 200);
        // After the window the right code works.
        app.clock.advance(600);
        let codes = start(&app, "openid").await;
        let found = type_code(&mut other, codes["user_code"].as_str().unwrap()).await;
        assert_eq!(found.status, 303, "{}", found.body);
        let failures = audit_count(&app, "device_code_entered", "failure").await;
        assert_eq!(failures, 2);
    }
}

#[tokio::test]
async fn the_global_limit_holds_against_guesses_from_many_addresses() {
    for backend in Backend::all() {
        let app = TestApp::spawn_with(backend, |c| {
            with_device_clients(c);
            c.device_flow.max_failed_entries = 3;
            c.trusted_proxies = vec!["127.0.0.1/32".parse().unwrap()];
        })
        .await;
        for i in 0..3 {
            let mut browser = from_address(&app, &format!("203.0.113.{i}"));
            assert_eq!(type_code(&mut browser, "BBBB-BBBB").await.status, 200);
        }
        let mut fresh = from_address(&app, "198.51.100.7");
        assert_eq!(type_code(&mut fresh, "BBBB-BBBB").await.status, 429);
    }
}

fn from_address(app: &TestApp, address: &str) -> Browser {
    let mut browser = app.browser();
    let mut headers = reqwest::header::HeaderMap::new();
    headers.insert("x-forwarded-for", address.parse().unwrap());
    browser.client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .default_headers(headers)
        .build()
        .unwrap();
    browser
}

async fn audit_count(app: &TestApp, event_type: &str, outcome: &str) -> i64 {
    app.state.audit().flush().await;
    let sql = "select count(*) from audit_events where event_type = $1 and outcome = $2";
    match app.store.db() {
        tessera::store::Db::Sqlite(pool) => {
            sqlx::query_scalar(sql)
                .bind(event_type)
                .bind(outcome)
                .fetch_one(&mut *pool.acquire().await.unwrap())
                .await
        }
        tessera::store::Db::Postgres(pool) => {
            sqlx::query_scalar(sql)
                .bind(event_type)
                .bind(outcome)
                .fetch_one(&mut *pool.acquire().await.unwrap())
                .await
        }
    }
    .unwrap()
}

#[tokio::test]
async fn a_client_not_registered_for_the_grant_is_unauthorized_client() {
    for backend in Backend::all() {
        let app = spawn(backend).await;
        let confidential = ("confidential", Some(CONFIDENTIAL_SECRET));
        let (status, body) = call(
            &app,
            "/device_authorization",
            confidential,
            &[("scope", "openid")],
        )
        .await;
        assert_eq!(
            (status, body["error"].as_str()),
            (400, Some("unauthorized_client")),
            "{body}"
        );
        let codes = start(&app, "openid").await;
        let device_code = codes["device_code"].as_str().unwrap();
        assert_eq!(
            error_of(&poll(&app, confidential, device_code).await),
            "unauthorized_client"
        );
        let (status, _) = call(
            &app,
            "/device_authorization",
            (TV, Some("wrong")),
            &[("scope", "openid")],
        )
        .await;
        assert_eq!(status, 401);
    }
}

#[tokio::test]
async fn bad_device_authorization_requests_get_the_rfc_errors() {
    for backend in Backend::all() {
        let app = spawn(backend).await;
        let tv = (TV, Some(TV_SECRET));
        for (form, error) in [
            (vec![("scope", "profile")], "invalid_scope"),
            (vec![], "invalid_scope"),
            (
                vec![
                    ("scope", "openid"),
                    ("resource", "https://unknown.example/api"),
                ],
                "invalid_target",
            ),
            (
                vec![("scope", "openid"), ("scope", "email")],
                "invalid_request",
            ),
        ] {
            let (status, body) = call(&app, "/device_authorization", tv, &form).await;
            assert_eq!(
                (status, body["error"].as_str()),
                (400, Some(error)),
                "{form:?}: {body}"
            );
        }
    }
}

#[tokio::test]
async fn a_public_client_gets_codes_and_tokens_without_a_secret() {
    for backend in Backend::all() {
        let app = spawn(backend).await;
        let (status, codes) = call(
            &app,
            "/device_authorization",
            (CLI, None),
            &[("scope", "openid email offline_access")],
        )
        .await;
        assert_eq!(status, 200, "{codes}");
        let mut browser = app.browser();
        let entered = type_code(&mut browser, codes["user_code"].as_str().unwrap()).await;
        let login = browser.follow(entered).await.unwrap();
        assert!(login.body.contains("Command Line"));
        let consent = browser
            .submit_login(&login, USER_EMAIL, USER_PASSWORD)
            .await
            .unwrap();
        assert!(consent.body.contains("Command Line"), "{}", consent.body);
        browser.submit_consent(&consent, "allow").await;
        let device_code = codes["device_code"].as_str().unwrap();
        let (status, tokens) = poll(&app, (CLI, None), device_code).await;
        assert_eq!(status, 200, "{tokens}");
        assert!(tokens["id_token"].is_string());
        // offline_access is not among the client's scopes: no refresh token.
        assert!(tokens.get("refresh_token").is_none());
    }
}

#[tokio::test]
async fn a_user_with_two_step_verification_passes_it_before_the_device_consent() {
    for backend in Backend::all() {
        let app = TestApp::spawn_with(backend, with_device_clients).await;
        let enrolment = enrolled_user(&app).await;
        let codes = start(&app, "openid").await;
        let mut browser = app.browser();
        let entered = type_code(&mut browser, codes["user_code"].as_str().unwrap()).await;
        let login = browser.follow(entered).await.unwrap();
        let totp = browser
            .submit_login(&login, USER_EMAIL, USER_PASSWORD)
            .await
            .unwrap();
        assert!(is_totp_page(&totp), "{}", totp.body);
        let code = code_at(&enrolment.secret, app.clock_now());
        let after = submit_code(&mut browser, &totp, &code).await;
        let consent = browser.follow(after).await.unwrap();
        assert!(is_device_consent(&consent), "{}", consent.body);
        browser.submit_consent(&consent, "allow").await;
        let (status, tokens) = poll_tv(&app, &codes).await;
        assert_eq!(status, 200, "{tokens}");
        let claims = jwt_claims(tokens["id_token"].as_str().unwrap());
        assert_eq!(claims["amr"], serde_json::json!(["pwd", "otp"]));
    }
}

#[tokio::test]
async fn the_consent_form_needs_its_csrf_token_and_a_live_handle() {
    for backend in Backend::all() {
        let app = spawn(backend).await;
        let codes = start(&app, "openid").await;
        let mut browser = app.browser();
        let consent = enter_and_sign_in(&mut browser, codes["user_code"].as_str().unwrap()).await;
        let forged = browser
            .post_form(
                &consent.form_action(),
                &[("csrf_token", "forged"), ("decision", "allow")],
            )
            .await;
        assert_eq!(forged.status, 403);
        assert_eq!(
            error_of(&poll_tv(&app, &codes).await),
            "authorization_pending"
        );
        let unknown = browser.get("/device/consent?device=nothing").await;
        assert_eq!(unknown.status, 400);
    }
}

#[tokio::test]
async fn a_client_demanding_two_step_verification_is_denied_for_an_account_without_it() {
    for backend in Backend::all() {
        let app = spawn(backend).await;
        let (status, codes) = call(
            &app,
            "/device_authorization",
            (KIOSK, None),
            &[("scope", "openid")],
        )
        .await;
        assert_eq!(status, 200, "{codes}");
        let mut browser = app.browser();
        let entered = type_code(&mut browser, codes["user_code"].as_str().unwrap()).await;
        let login = browser.follow(entered).await.unwrap();
        let refused = browser
            .submit_login(&login, USER_EMAIL, USER_PASSWORD)
            .await
            .unwrap();
        assert_eq!(refused.status, 403, "{}", refused.body);
        assert!(
            refused.body.contains("requires two-step verification"),
            "{}",
            refused.body
        );
        assert!(!refused.body.contains("decision"), "no consent form");
        let device_code = codes["device_code"].as_str().unwrap();
        assert_eq!(
            error_of(&poll(&app, (KIOSK, None), device_code).await),
            "access_denied"
        );
    }
}

#[tokio::test]
async fn a_password_only_session_is_stepped_up_before_the_device_consent() {
    for backend in Backend::all() {
        let app = spawn(backend).await;
        // Browser A signs in with the password; the account gets TOTP in browser B afterwards.
        let mut a = app.browser();
        common::mfa::sign_in_with_password(&app, &mut a).await;
        let mut b = app.browser();
        common::mfa::sign_in_with_password(&app, &mut b).await;
        let enrolment = common::mfa::enrol(&app, &mut b).await;
        app.clock.advance(common::mfa::STEP);
        let codes = start(&app, "openid").await;
        let entered = type_code(&mut a, codes["user_code"].as_str().unwrap()).await;
        let login = a.follow(entered).await.unwrap();
        assert!(login.body.contains("name=\"password\""), "{}", login.body);
        let totp = a
            .submit_login(&login, USER_EMAIL, USER_PASSWORD)
            .await
            .unwrap();
        assert!(is_totp_page(&totp), "{}", totp.body);
        let code = code_at(&enrolment.secret, app.clock_now());
        let after = submit_code(&mut a, &totp, &code).await;
        let consent = a.follow(after).await.unwrap();
        assert!(is_device_consent(&consent), "{}", consent.body);
    }
}

#[tokio::test]
async fn a_poll_with_a_dpop_proof_gets_tokens_bound_to_that_key() {
    use tessera::clock::Clock;
    for backend in Backend::all() {
        let app = spawn(backend).await;
        let codes = start(&app, "openid offline_access").await;
        let mut browser = app.browser();
        answer(&mut browser, &codes, "allow").await;
        let key = dpop_client::DpopKey::es256();
        let token_url = format!("{}/token", app.issuer);
        let proof = key.proof(&dpop_client::claims("POST", &token_url, app.clock.now()));
        let response = http_client()
            .post(app.url("/token"))
            .basic_auth(TV, Some(TV_SECRET))
            .header("DPoP", proof)
            .form(&[
                ("grant_type", GRANT),
                ("device_code", codes["device_code"].as_str().unwrap()),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200);
        let tokens: Value = response.json().await.unwrap();
        assert_eq!(tokens["token_type"], "DPoP", "{tokens}");
        let claims = jwt_claims(tokens["access_token"].as_str().unwrap());
        assert_eq!(claims["cnf"]["jkt"], key.jkt());
    }
}
