//! Abuse resistance: sign-in and client-authentication throttling shared across instances,
//! trusted-proxy handling, load shedding when the argon2 queue is full, headers, CORS.
mod common;

use common::*;
use serde_json::Value;

const TOO_MANY: &str = "Too many attempts. Try again in";

async fn login_page(browser: &mut Browser) -> Page {
    let start = browser
        .get(&authorize_url("confidential", REDIRECT, &[]))
        .await;
    browser.follow(start).await.unwrap()
}

/// One sign-in attempt, from `forwarded_for` when given.
async fn attempt(
    browser: &mut Browser,
    email: &str,
    password: &str,
    forwarded_for: Option<&str>,
) -> Page {
    let page = login_page(browser).await;
    let csrf = page.hidden("csrf_token");
    let body = url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs([
            ("csrf_token", csrf.as_str()),
            ("email", email),
            ("password", password),
        ])
        .finish();
    let cookies = browser
        .cookies
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join("; ");
    let mut request = browser
        .client
        .post(format!("{}{}", browser.origin(), page.form_action()))
        .header("cookie", cookies)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(body);
    if let Some(ip) = forwarded_for {
        request = request.header("x-forwarded-for", ip);
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    Page {
        status,
        headers,
        body: response.text().await.unwrap(),
    }
}

#[tokio::test]
async fn five_failures_lock_the_account_for_everyone_and_the_right_password_too() {
    for backend in Backend::all() {
        let app = TestApp::spawn(backend).await;
        app.add_user(USER_EMAIL, USER_PASSWORD).await;
        let mut browser = app.browser();
        for _ in 0..5 {
            let page = attempt(&mut browser, USER_EMAIL, "wrong", None).await;
            assert!(page.body.contains("The email or password is incorrect."));
        }
        let locked = attempt(&mut browser, USER_EMAIL, USER_PASSWORD, None).await;
        assert_eq!(locked.status, 429);
        assert!(locked.body.contains(TOO_MANY), "{}", locked.body);
        assert!(locked.headers.contains_key("retry-after"));

        // The same words for an account that does not exist, once it is locked too.
        for _ in 0..5 {
            attempt(&mut browser, "ghost@example.com", "wrong", None).await;
        }
        let ghost = attempt(&mut browser, "ghost@example.com", "wrong", None).await;
        assert_eq!(ghost.status, 429);
        assert!(ghost.body.contains(TOO_MANY));

        // The window passes.
        app.clock.advance(900);
        let page = attempt(&mut browser, USER_EMAIL, USER_PASSWORD, None).await;
        assert_eq!(
            page.status, 303,
            "signed in after the window: {}",
            page.body
        );
    }
}

#[tokio::test]
async fn success_resets_the_account_counter() {
    for backend in Backend::all() {
        let app = TestApp::spawn(backend).await;
        app.add_user(USER_EMAIL, USER_PASSWORD).await;
        let mut browser = app.browser();
        for _ in 0..4 {
            attempt(&mut browser, USER_EMAIL, "wrong", None).await;
        }
        assert_eq!(
            attempt(&mut browser, USER_EMAIL, USER_PASSWORD, None)
                .await
                .status,
            303
        );
        let mut other = app.browser();
        for _ in 0..4 {
            let page = attempt(&mut other, USER_EMAIL, "wrong", None).await;
            assert_ne!(page.status, 429, "counter was reset by the success");
        }
    }
}

#[tokio::test]
async fn the_lock_is_shared_by_two_instances_on_one_database() {
    for backend in Backend::all() {
        let first = TestApp::spawn(backend).await;
        first.add_user(USER_EMAIL, USER_PASSWORD).await;
        let second = first.second_instance(|_| {}).await;
        let mut on_first = first.browser();
        let mut on_second = second.browser();
        for i in 0..5 {
            let browser = if i % 2 == 0 {
                &mut on_first
            } else {
                &mut on_second
            };
            attempt(browser, USER_EMAIL, "wrong", None).await;
        }
        assert_eq!(
            attempt(&mut on_second, USER_EMAIL, USER_PASSWORD, None)
                .await
                .status,
            429
        );
        assert_eq!(
            attempt(&mut on_first, USER_EMAIL, USER_PASSWORD, None)
                .await
                .status,
            429
        );
    }
}

#[tokio::test]
async fn per_address_limit_stops_spraying_many_accounts() {
    for backend in Backend::all() {
        let app = TestApp::spawn_with(backend, |c| c.login_max_failures_per_ip = 6).await;
        app.add_user(USER_EMAIL, USER_PASSWORD).await;
        let mut browser = app.browser();
        for i in 0..6 {
            let page = attempt(&mut browser, &format!("user{i}@example.com"), "wrong", None).await;
            assert_ne!(page.status, 429);
        }
        // Even a correct password from this address waits now.
        assert_eq!(
            attempt(&mut browser, USER_EMAIL, USER_PASSWORD, None)
                .await
                .status,
            429
        );
    }
}

#[tokio::test]
async fn forwarded_for_is_ignored_unless_the_peer_is_a_trusted_proxy() {
    // Untrusted (the default): a client cannot dodge the per-address limit by inventing addresses.
    for backend in Backend::all() {
        let app = TestApp::spawn_with(backend, |c| c.login_max_failures_per_ip = 3).await;
        let mut browser = app.browser();
        for i in 0..3 {
            attempt(
                &mut browser,
                &format!("u{i}@example.com"),
                "x",
                Some(&format!("198.51.100.{i}")),
            )
            .await;
        }
        let page = attempt(&mut browser, "z@example.com", "x", Some("203.0.113.77")).await;
        assert_eq!(
            page.status, 429,
            "X-Forwarded-For must not be believed by default"
        );

        // Trusted proxy (loopback here): each forwarded client is counted on its own.
        let app = TestApp::spawn_with(backend, |c| {
            c.login_max_failures_per_ip = 3;
            c.trusted_proxies = vec!["127.0.0.1/32".parse().unwrap()];
        })
        .await;
        let mut browser = app.browser();
        for i in 0..3 {
            attempt(
                &mut browser,
                &format!("u{i}@example.com"),
                "x",
                Some("198.51.100.1"),
            )
            .await;
        }
        let blocked = attempt(&mut browser, "z@example.com", "x", Some("198.51.100.1")).await;
        assert_eq!(blocked.status, 429);
        let other_client = attempt(&mut browser, "z@example.com", "x", Some("198.51.100.2")).await;
        assert_ne!(other_client.status, 429);
        // A forged left-most entry does not help: the proxy's right-most entry is the client.
        let forged = attempt(
            &mut browser,
            "z@example.com",
            "x",
            Some("10.9.9.9, 198.51.100.1"),
        )
        .await;
        assert_eq!(forged.status, 429);
    }
}

#[tokio::test]
async fn client_authentication_failures_are_throttled() {
    for backend in Backend::all() {
        let app = TestApp::spawn_with(backend, |c| c.client_max_auth_failures = 10).await;
        let fields = [
            ("grant_type", "authorization_code"),
            ("code", "x"),
            ("redirect_uri", REDIRECT),
            ("code_verifier", VERIFIER),
        ];
        // Per client+address: a fifth of the limit.
        for _ in 0..2 {
            let response = token_request(&app, Some(("confidential", "wrong")), &fields).await;
            assert_eq!(response.status(), 401);
        }
        let response =
            token_request(&app, Some(("confidential", CONFIDENTIAL_SECRET)), &fields).await;
        assert_eq!(
            response.status(),
            429,
            "even the right secret waits out the window"
        );
        assert!(response.headers().contains_key("retry-after"));
        app.clock.advance(900);
        let response =
            token_request(&app, Some(("confidential", CONFIDENTIAL_SECRET)), &fields).await;
        let body: Value = response.json().await.unwrap();
        assert_eq!(
            body["error"], "invalid_grant",
            "authenticated again: {body}"
        );
    }
}

#[tokio::test]
async fn a_full_hash_queue_answers_503_with_retry_after() {
    for backend in Backend::all() {
        let app = TestApp::spawn_with(backend, |c| {
            c.password_hash_concurrency = 1;
            c.password_hash_queue = 1;
            c.login_max_failures_per_ip = 1000;
            c.login_max_failures_per_account = 1000;
        })
        .await;
        let mut browser = app.browser();
        let page = login_page(&mut browser).await;
        let csrf = page.hidden("csrf_token");
        let cookies = browser
            .cookies
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ");
        let url = format!("{}{}", browser.origin(), page.form_action());
        let mut flood = tokio::task::JoinSet::new();
        for i in 0..24 {
            let (url, cookies, csrf) = (url.clone(), cookies.clone(), csrf.clone());
            flood.spawn(async move {
                let response = reqwest::Client::new()
                    .post(url)
                    .header("cookie", cookies)
                    .form(&[
                        ("csrf_token", csrf.as_str()),
                        ("email", &format!("f{i}@example.com")),
                        ("password", "x"),
                    ])
                    .send()
                    .await
                    .unwrap();
                (
                    response.status().as_u16(),
                    response.headers().contains_key("retry-after"),
                )
            });
        }
        let results = flood.join_all().await;
        let shed: Vec<_> = results.iter().filter(|(s, _)| *s == 503).collect();
        assert!(!shed.is_empty(), "{results:?}");
        assert!(shed.iter().all(|(_, retry)| *retry));
        assert!(
            results.iter().all(|(s, _)| *s == 503 || *s == 200),
            "{results:?}"
        );
        // The server is fine afterwards.
        assert_eq!(app.state.passwords().in_flight(), 0);
    }
}

#[tokio::test]
async fn every_page_carries_the_security_headers_and_no_cors() {
    for backend in Backend::all() {
        let app = TestApp::spawn(backend).await;
        app.add_user(USER_EMAIL, USER_PASSWORD).await;
        let mut browser = app.browser();
        let login = login_page(&mut browser).await;
        let consent = browser
            .submit_login(&login, USER_EMAIL, USER_PASSWORD)
            .await
            .unwrap();
        let account = browser.get("/account").await;
        let logout = browser.get("/logout").await;
        let error = browser.get("/authorize?client_id=nobody").await;
        for (name, page) in [
            ("login", &login),
            ("consent", &consent),
            ("account", &account),
            ("logout", &logout),
            ("error", &error),
        ] {
            let csp = page.header("content-security-policy").unwrap_or_default();
            assert!(
                csp.contains("frame-ancestors 'none'") && csp.contains("default-src 'none'"),
                "{name}: {csp}"
            );
            assert_eq!(
                page.header("x-frame-options").as_deref(),
                Some("DENY"),
                "{name}"
            );
            assert_eq!(
                page.header("x-content-type-options").as_deref(),
                Some("nosniff"),
                "{name}"
            );
            assert_eq!(
                page.header("referrer-policy").as_deref(),
                Some("no-referrer"),
                "{name}"
            );
            assert!(
                page.header("access-control-allow-origin").is_none(),
                "{name}"
            );
            assert!(
                page.header("strict-transport-security").is_none(),
                "{name}: no HSTS on http"
            );
        }
    }
}

#[tokio::test]
async fn hsts_on_an_https_issuer() {
    for backend in Backend::all() {
        let app =
            TestApp::spawn_with(backend, |c| c.issuer = "https://id.example.com".into()).await;
        let response = reqwest::get(app.url("/healthz")).await.unwrap();
        assert_eq!(
            response.headers()["strict-transport-security"],
            "max-age=31536000"
        );
    }
}

async fn preflight(app: &TestApp, path: &str, origin: &str) -> reqwest::Response {
    reqwest::Client::new()
        .request(reqwest::Method::OPTIONS, app.url(path))
        .header("origin", origin)
        .header("access-control-request-method", "POST")
        .header(
            "access-control-request-headers",
            "authorization, content-type",
        )
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn cors_is_allowed_per_route_and_origin() {
    let spa = "https://spa.example.com";
    for backend in Backend::all() {
        let app = TestApp::spawn_with(backend, |c| c.cors_allowed_origins = vec![spa.into()]).await;
        // Discovery and JWKS: any origin, no credentials.
        for path in ["/.well-known/openid-configuration", "/jwks.json"] {
            let response = reqwest::Client::new()
                .get(app.url(path))
                .header("origin", "https://anyone.example")
                .send()
                .await
                .unwrap();
            assert_eq!(
                response.headers()["access-control-allow-origin"],
                "*",
                "{path}"
            );
            assert!(
                !response
                    .headers()
                    .contains_key("access-control-allow-credentials")
            );
        }
        // Token, PAR and userinfo: only the configured origin.
        for path in ["/token", "/par", "/userinfo"] {
            let allowed = preflight(&app, path, spa).await;
            assert_eq!(
                allowed.headers()["access-control-allow-origin"],
                spa,
                "{path}"
            );
            assert!(
                !allowed
                    .headers()
                    .contains_key("access-control-allow-credentials")
            );
            let refused = preflight(&app, path, "https://evil.example").await;
            assert!(
                !refused
                    .headers()
                    .contains_key("access-control-allow-origin"),
                "{path}"
            );
        }
        // Authorization, login, revocation, introspection: never.
        for path in ["/authorize", "/login", "/revoke", "/introspect"] {
            let response = preflight(&app, path, spa).await;
            assert!(
                !response
                    .headers()
                    .contains_key("access-control-allow-origin"),
                "{path}"
            );
        }
    }
}

#[tokio::test]
async fn duplicated_parameters_and_wrong_content_types_everywhere() {
    for backend in Backend::all() {
        let app = TestApp::spawn(backend).await;
        for path in ["/token", "/revoke", "/introspect"] {
            let response = reqwest::Client::new()
                .post(app.url(path))
                .basic_auth("confidential", Some(CONFIDENTIAL_SECRET))
                .header("content-type", "text/plain")
                .body("token=x")
                .send()
                .await
                .unwrap();
            assert_eq!(response.status(), 400, "{path}");
            let response = client_post(
                &app,
                path,
                ("confidential", CONFIDENTIAL_SECRET),
                &[
                    ("token", "a"),
                    ("token", "b"),
                    ("grant_type", "authorization_code"),
                ],
            )
            .await;
            assert_eq!(response.status(), 400, "{path}");
            let body: Value = response.json().await.unwrap();
            assert_eq!(body["error"], "invalid_request", "{path}");
        }
        // Oversized bodies are refused on every route.
        for path in ["/token", "/login", "/authorize", "/userinfo", "/logout"] {
            let response = reqwest::Client::new()
                .post(app.url(path))
                .header("content-type", "application/x-www-form-urlencoded")
                .body(format!("x={}", "a".repeat(64 * 1024)))
                .send()
                .await
                .unwrap();
            assert_eq!(response.status(), 413, "{path}");
        }
    }
}

#[tokio::test]
async fn a_request_flood_from_one_address_is_answered_429_with_retry_after() {
    for backend in Backend::all() {
        let app = TestApp::spawn_with(backend, |c| {
            c.trusted_proxies = vec!["127.0.0.1/32".parse().unwrap()];
            c.rate_limit_per_second = 1;
            c.rate_limit_burst = 5;
        })
        .await;
        // Redirects are not followed: the sign-in page counts in a bucket of its own.
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap();
        let from = |address: &'static str| {
            http.get(app.url(&authorize_url("confidential", REDIRECT, &[])))
                .header("x-forwarded-for", address)
        };
        let mut statuses = Vec::new();
        for _ in 0..10 {
            statuses.push(from("203.0.113.7").send().await.unwrap());
        }
        let limited: Vec<_> = statuses.iter().filter(|r| r.status() == 429).collect();
        assert!(
            limited.len() >= 4,
            "{:?}",
            statuses.iter().map(|r| r.status()).collect::<Vec<_>>()
        );
        assert!(limited[0].headers().contains_key("retry-after"));
        // Another address, and the machine itself, are not held back by that one.
        assert_ne!(from("203.0.113.8").send().await.unwrap().status(), 429);
        let local = http.get(app.url(&authorize_url("confidential", REDIRECT, &[])));
        for _ in 0..10 {
            assert_ne!(
                local.try_clone().unwrap().send().await.unwrap().status(),
                429
            );
        }
        // The sign-in pages count in a bucket of their own; discovery is not limited.
        let page = http
            .get(app.url("/login"))
            .header("x-forwarded-for", "203.0.113.7");
        assert_ne!(page.send().await.unwrap().status(), 429);
    }
}

/// With passkeys on, every sign-in page view stores a ceremony: a flood of views from one
/// address is cut off after the burst, so it cannot become a flood of database writes.
#[tokio::test]
async fn a_flood_of_sign_in_page_views_stores_at_most_a_burst_of_ceremonies() {
    for backend in Backend::all() {
        let app = TestApp::spawn_with(backend, |c| {
            common::passkeys::on_localhost(c);
            c.trusted_proxies = vec!["127.0.0.1/32".parse().unwrap()];
            c.rate_limit_per_second = 1;
            c.rate_limit_burst = 5;
        })
        .await;
        let http = reqwest::Client::new();
        let mut statuses = Vec::new();
        for _ in 0..30 {
            let view = http
                .get(app.url("/login"))
                .header("x-forwarded-for", "203.0.113.9");
            statuses.push(view.send().await.unwrap().status().as_u16());
        }
        let shown = statuses.iter().filter(|s| **s == 200).count();
        assert!(shown <= 7, "{statuses:?}");
        assert!(statuses.contains(&429), "{statuses:?}");
        let stored = ceremonies(&app).await;
        assert_eq!(
            stored, shown as i64,
            "one ceremony per page shown, none per 429"
        );
        // The machine itself (and the sign-in it serves) is never held back.
        let local = http.get(app.url("/login")).send().await.unwrap();
        assert_eq!(local.status(), 200);
    }
}

async fn ceremonies(app: &TestApp) -> i64 {
    count_rows(&app.store, "select count(*) from webauthn_ceremonies").await
}
