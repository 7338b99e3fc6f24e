//! OpenID Connect Back-Channel Logout 1.0 through the real router, on SQLite and PostgreSQL:
//! every way a session ends reaches the app as a logout token it can verify with the JWKS;
//! an app that is down gets it once it is back; hanging, huge and redirecting endpoints hold
//! up neither the user's sign-out nor the other apps.
mod common;

use std::time::{Duration, Instant};

use common::relying_party::{
    Behaviour, RelyingParty, claims_of, reserved_port, url_on, verify_like_an_app,
};
use common::*;
use serde_json::Value;
use tessera::clock::Clock;
use tessera::config::Config;
use zeroize::Zeroizing;

const WITHIN: Duration = Duration::from_secs(10);

/// Short waits, so retries happen within a test.
fn quick(config: &mut Config) {
    config.backchannel_logout_poll_interval = 1;
    config.backchannel_logout_initial_backoff = 1;
    config.backchannel_logout_timeout = 2;
}

/// Tessera whose `confidential` client registers `uri`, with its outbox worker running.
async fn app_telling(backend: Backend, uri: &str) -> TestApp {
    let uri = uri.to_string();
    let app = TestApp::spawn_with(backend, |c| {
        quick(c);
        c.clients[0].backchannel_logout_uri = Some(uri);
    })
    .await;
    tessera::server::spawn_outbox_worker(&app.state);
    app.add_user(USER_EMAIL, USER_PASSWORD).await;
    app
}

/// The one logout token `rp` received, checked as the app would, about the session the
/// ID token came from.
async fn verified_logout(app: &TestApp, rp: &RelyingParty, id_token: &str) {
    let received = rp.wait_for(1, WITHIN).await;
    assert_eq!(received.len(), 1);
    let now = app.clock.now();
    let claims = verify_like_an_app(
        &app.base,
        &app.issuer,
        "confidential",
        &received[0].token,
        now,
    )
    .await;
    let id = claims_of(id_token);
    assert_eq!(claims["sid"], id["sid"], "the sid of the app's ID token");
    assert_eq!(claims["sub"], id["sub"]);
}

/// The account page's handle of the browser's own session.
async fn own_session_handle(browser: &mut Browser) -> (String, String) {
    let page = browser.get("/account").await;
    let at = page.body.find("(this browser)").unwrap();
    let after = &page.body[at..];
    let key = "name=\"session\" value=\"";
    let start = after.find(key).unwrap() + key.len();
    let handle = after[start..start + after[start..].find('"').unwrap()].to_string();
    (handle, page.hidden("csrf_token"))
}

#[tokio::test]
async fn rp_initiated_logout_tells_the_app_and_revokes_its_refresh_token() {
    for backend in Backend::all() {
        let rp = RelyingParty::start(Behaviour::Accept).await;
        let app = app_telling(backend, &rp.url).await;
        let mut browser = app.browser();
        let tokens = offline_tokens(&app, &mut browser).await;
        let id_token = tokens["id_token"].as_str().unwrap();
        let started = Instant::now();
        let query = format!("/logout?id_token_hint={id_token}");
        assert_eq!(browser.get(&query).await.status, 200, "signed out");
        verified_logout(&app, &rp, id_token).await;
        eprintln!(
            "{backend:?}: logout token arrived {:?} after the logout request",
            rp.received()[0].at - started
        );
        let refreshed = refresh(&app, tokens["refresh_token"].as_str().unwrap(), None).await;
        assert_eq!(refreshed.status(), 400, "revoked, whatever the delivery");
    }
}

#[tokio::test]
async fn signing_out_on_the_account_page_tells_the_app() {
    for backend in Backend::all() {
        let rp = RelyingParty::start(Behaviour::Accept).await;
        let app = app_telling(backend, &rp.url).await;
        let mut browser = app.browser();
        let tokens = offline_tokens(&app, &mut browser).await;
        let (handle, csrf) = own_session_handle(&mut browser).await;
        let done = browser
            .post_form(
                "/account/sessions/end",
                &[("csrf_token", &csrf), ("session", &handle)],
            )
            .await;
        assert_eq!(done.status, 303);
        verified_logout(&app, &rp, tokens["id_token"].as_str().unwrap()).await;
    }
}

#[tokio::test]
async fn disabling_the_user_or_resetting_the_password_tells_the_app() {
    for backend in Backend::all() {
        for action in ["disable", "passwd"] {
            let rp = RelyingParty::start(Behaviour::Accept).await;
            let app = app_telling(backend, &rp.url).await;
            let tokens = offline_tokens(&app, &mut app.browser()).await;
            let (state, now) = (&app.state, app.clock.now());
            let ada = tessera::service::admin::UserKey::Email(USER_EMAIL);
            use tessera::service::admin::access::{set_disabled, set_password};
            match action {
                "disable" => {
                    set_disabled(state, ada, true, now).await.unwrap();
                }
                _ => {
                    let password = Zeroizing::new("another long password".to_string());
                    set_password(state, ada, password, now).await.unwrap()
                }
            }
            verified_logout(&app, &rp, tokens["id_token"].as_str().unwrap()).await;
        }
    }
}

#[tokio::test]
async fn an_expired_session_tells_the_app_when_the_purge_ends_it() {
    for backend in Backend::all() {
        let rp = RelyingParty::start(Behaviour::Accept).await;
        let app = app_telling(backend, &rp.url).await;
        let tokens = offline_tokens(&app, &mut app.browser()).await;
        app.clock.advance(app.state.config().session_idle_ttl);
        let purged = app
            .store
            .purge_expired(app.clock.now(), app.state.backchannel_receivers())
            .await
            .unwrap();
        assert_eq!((purged.sessions, purged.logouts_queued), (1, 1));
        verified_logout(&app, &rp, tokens["id_token"].as_str().unwrap()).await;
    }
}

#[tokio::test]
async fn an_app_that_is_down_gets_the_logout_once_it_is_back() {
    for backend in Backend::all() {
        let port = reserved_port();
        let app = app_telling(backend, &url_on(port.port)).await;
        let mut browser = app.browser();
        let tokens = offline_tokens(&app, &mut browser).await;
        let id_token = tokens["id_token"].as_str().unwrap();
        browser
            .get(&format!("/logout?id_token_hint={id_token}"))
            .await;
        // Two attempts fail while nothing listens (the second after the 1 s backoff).
        for attempts in [1, 2] {
            wait_for_attempts(&app, attempts).await;
            app.clock.advance(1);
        }
        let rp = RelyingParty::start_on(port, Behaviour::Accept).await;
        app.clock.advance(2);
        verified_logout(&app, &rp, id_token).await;
        // The worker deletes the row once it has read the app's answer, a moment after the
        // app has the token.
        let deadline = Instant::now() + WITHIN;
        while !app.store.list_logouts().await.unwrap().is_empty() && Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        assert!(app.store.list_logouts().await.unwrap().is_empty());
    }
}

async fn wait_for_attempts(app: &TestApp, attempts: i64) {
    let deadline = Instant::now() + WITHIN;
    loop {
        let rows = app.store.list_logouts().await.unwrap();
        let claimed = app.store.outbox_stats().await.unwrap();
        if rows.first().is_some_and(|r| r.attempts >= attempts) && claimed.pending == 1 {
            // Give the failed attempt time to be recorded as such.
            tokio::time::sleep(Duration::from_millis(200)).await;
            return;
        }
        assert!(Instant::now() < deadline, "no attempt {attempts}: {rows:?}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// Signs `browser` in to `client_id` and exchanges the code with its registered method.
async fn tokens_for(app: &TestApp, browser: &mut Browser, client_id: &str) -> Value {
    let redirect = match client_id {
        "confidential" => REDIRECT,
        "public" => PUBLIC_REDIRECT,
        "first-party" => "https://first.example.com/cb",
        _ => "https://post.example.com/cb",
    };
    let code = obtain_code(app, browser, client_id, redirect).await;
    let mut fields = vec![
        ("grant_type", "authorization_code"),
        ("code", code.as_str()),
        ("redirect_uri", redirect),
        ("code_verifier", VERIFIER),
    ];
    let basic = match client_id {
        "confidential" | "first-party" => Some((client_id, CONFIDENTIAL_SECRET)),
        "public" => {
            fields.push(("client_id", "public"));
            None
        }
        _ => {
            fields.extend([("client_id", "post-client"), ("client_secret", POST_SECRET)]);
            None
        }
    };
    let response = token_request(app, basic, &fields).await;
    assert_eq!(response.status(), 200, "{client_id}");
    response.json().await.unwrap()
}

#[tokio::test]
async fn hanging_huge_and_redirecting_endpoints_hold_up_neither_the_sign_out_nor_other_apps() {
    for backend in Backend::all() {
        let trap = RelyingParty::start(Behaviour::Accept).await;
        let hanging = RelyingParty::start(Behaviour::Hang).await;
        let huge = RelyingParty::start(Behaviour::HugeBody).await;
        let redirecting = RelyingParty::start(Behaviour::Redirect(trap.port)).await;
        let good = RelyingParty::start(Behaviour::Accept).await;
        let uris = [&hanging.url, &huge.url, &redirecting.url, &good.url].map(|u| Some(u.clone()));
        let app = TestApp::spawn_with(backend, |c| {
            quick(c);
            for (client, uri) in c.clients.iter_mut().zip(uris) {
                client.backchannel_logout_uri = uri;
            }
        })
        .await;
        tessera::server::spawn_outbox_worker(&app.state);
        app.add_user(USER_EMAIL, USER_PASSWORD).await;
        let mut browser = app.browser();
        // confidential → hangs, post-client → huge body, public → redirects, first-party → good.
        let mut id_tokens = Vec::new();
        for client_id in ["confidential", "post-client", "public", "first-party"] {
            id_tokens.push(tokens_for(&app, &mut browser, client_id).await["id_token"].clone());
        }
        let (handle, csrf) = own_session_handle(&mut browser).await;
        let started = Instant::now();
        let done = browser
            .post_form(
                "/account/sessions/end",
                &[("csrf_token", &csrf), ("session", &handle)],
            )
            .await;
        let sign_out_took = started.elapsed();
        assert_eq!(done.status, 303);
        assert!(
            sign_out_took < Duration::from_secs(1),
            "sign-out took {sign_out_took:?}"
        );

        let received = good.wait_for(1, Duration::from_secs(2)).await;
        let delivered_after = received[0].at - started;
        assert!(
            hanging.hits() == 1 && hanging.received().len() == 1,
            "still hanging"
        );
        let claims = verify_like_an_app(
            &app.base,
            &app.issuer,
            "first-party",
            &received[0].token,
            app.clock.now(),
        )
        .await;
        assert_eq!(
            claims["sid"],
            claims_of(id_tokens[3].as_str().unwrap())["sid"]
        );
        huge.wait_for(1, WITHIN).await;
        redirecting.wait_for(1, WITHIN).await;

        // After the 2 s timeout, the hanging and redirecting apps wait for a retry; the huge
        // body was a 200 and is done. The redirect was never followed.
        tokio::time::sleep(Duration::from_millis(2500)).await;
        let left: Vec<String> = app
            .store
            .list_logouts()
            .await
            .unwrap()
            .into_iter()
            .map(|r| r.client_id)
            .collect();
        let mut left = left;
        left.sort();
        assert_eq!(left, ["confidential", "public"], "{backend:?}");
        assert_eq!(trap.hits(), 0, "the redirect was followed");
        eprintln!(
            "{backend:?}: sign-out answered in {sign_out_took:?}; the good app had its token {delivered_after:?} after the sign-out began, while another hung"
        );
    }
}
