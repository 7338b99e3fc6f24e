//! What applications see and demand: amr/acr in tokens (checked by the openidconnect client),
//! require_mfa and acr_values forcing the TOTP step or enrolment, allow_enrolment = false,
//! step-up of a password-only session, and no way around the second factor via consent.
mod common;

use common::mfa::*;
use common::*;
use openidconnect::core::{
    CoreAuthenticationFlow, CoreClient, CoreIdTokenClaims, CoreProviderMetadata, CoreTokenResponse,
};
use openidconnect::{
    AuthenticationContextClass, AuthorizationCode, ClientId, ClientSecret, CsrfToken, IssuerUrl,
    Nonce, OAuth2TokenResponse, PkceCodeChallenge, RedirectUrl, TokenResponse,
};

fn at(unix: i64) -> chrono::DateTime<chrono::Utc> {
    chrono::DateTime::from_timestamp(unix, 0).unwrap()
}

/// Signs in through the openidconnect client; `second_factor` answers the TOTP step when the
/// flow shows it. Returns the validated ID token claims and the raw access token.
async fn sign_in_with_openidconnect(
    app: &TestApp,
    second_factor: Option<&str>,
) -> (CoreIdTokenClaims, String) {
    let http = http_client();
    let metadata =
        CoreProviderMetadata::discover_async(IssuerUrl::new(app.issuer.clone()).unwrap(), &http)
            .await
            .unwrap();
    let advertised: Vec<String> = metadata
        .acr_values_supported()
        .unwrap()
        .iter()
        .map(|a| a.to_string())
        .collect();
    assert_eq!(advertised, vec!["urn:tessera:mfa", "urn:tessera:pwd"]);
    let client = CoreClient::from_provider_metadata(
        metadata,
        ClientId::new("confidential".into()),
        Some(ClientSecret::new(CONFIDENTIAL_SECRET.into())),
    )
    .set_redirect_uri(RedirectUrl::new(REDIRECT.into()).unwrap());
    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    let (auth_url, _state, nonce) = client
        .authorize_url(
            CoreAuthenticationFlow::AuthorizationCode,
            CsrfToken::new_random,
            Nonce::new_random,
        )
        .set_pkce_challenge(challenge)
        .url();
    let mut browser = app.browser();
    let start = browser.get(auth_url.as_str()).await;
    let login = browser.follow(start).await.unwrap();
    let page = browser
        .submit_login(&login, USER_EMAIL, USER_PASSWORD)
        .await
        .unwrap();
    let location = match second_factor {
        Some(code) => {
            assert!(is_totp_page(&page), "{}", page.body);
            let passed = submit_code(&mut browser, &page, code).await;
            // Consent was given while enrolling: straight back to the app.
            browser.follow(passed).await.unwrap_err()
        }
        None => {
            assert!(!is_totp_page(&page));
            let back = browser.submit_consent(&page, "allow").await;
            back.location().unwrap()
        }
    };
    let code = query_of(&location)["code"].clone();
    let tokens: CoreTokenResponse = client
        .exchange_code(AuthorizationCode::new(code))
        .unwrap()
        .set_pkce_verifier(verifier)
        .request_async(&http)
        .await
        .unwrap();
    let now = app.clock_now();
    let id_verifier = client.id_token_verifier().set_time_fn(move || at(now + 1));
    let claims = tokens
        .id_token()
        .unwrap()
        .claims(&id_verifier, &nonce)
        .expect("a valid ID token")
        .clone();
    (claims, tokens.access_token().secret().clone())
}

fn amr_of(claims: &CoreIdTokenClaims) -> Vec<String> {
    claims
        .auth_method_refs()
        .unwrap()
        .iter()
        .map(|a| a.to_string())
        .collect()
}

#[tokio::test]
async fn openidconnect_client_sees_amr_and_acr_of_the_methods_used() {
    for backend in Backend::all() {
        // Password only.
        let app = TestApp::spawn(backend).await;
        app.add_user(USER_EMAIL, USER_PASSWORD).await;
        let (claims, access_token) = sign_in_with_openidconnect(&app, None).await;
        assert_eq!(amr_of(&claims), vec!["pwd"]);
        assert_eq!(
            claims.auth_context_ref(),
            Some(&AuthenticationContextClass::new("urn:tessera:pwd".into()))
        );
        let access = jwt_claims(&access_token);
        assert_eq!(access["acr"], "urn:tessera:pwd");
        assert_eq!(access["amr"], serde_json::json!(["pwd"]));

        // Password and TOTP.
        let app = TestApp::spawn(backend).await;
        let enrolment = enrolled_user(&app).await;
        let code = code_at(&enrolment.secret, app.clock_now());
        let (claims, access_token) = sign_in_with_openidconnect(&app, Some(&code)).await;
        assert_eq!(amr_of(&claims), vec!["pwd", "otp"]);
        assert_eq!(
            claims.auth_context_ref(),
            Some(&AuthenticationContextClass::new("urn:tessera:mfa".into()))
        );
        assert_eq!(claims.auth_time().unwrap().timestamp(), app.clock_now());
        let access = jwt_claims(&access_token);
        assert_eq!(access["acr"], "urn:tessera:mfa");
        assert_eq!(access["amr"], serde_json::json!(["pwd", "otp"]));
        // Introspection reports them too.
        let answer = introspect(&app, &access_token).await;
        assert_eq!(answer["active"], true);
        assert_eq!(answer["acr"], "urn:tessera:mfa");
        assert_eq!(answer["amr"], serde_json::json!(["pwd", "otp"]));
    }
}

#[tokio::test]
async fn a_require_mfa_client_sends_an_unenrolled_user_to_enrolment_then_on() {
    for backend in Backend::all() {
        let app = TestApp::spawn(backend).await;
        app.add_user(USER_EMAIL, USER_PASSWORD).await;
        let mut browser = app.browser();
        let start = browser
            .get(&authorize_url(MFA_CLIENT, MFA_REDIRECT, &[]))
            .await;
        let login = browser.follow(start).await.unwrap();
        let login_post = browser
            .post_form(
                &login.form_action(),
                &[
                    ("csrf_token", &login.hidden("csrf_token")),
                    ("email", USER_EMAIL),
                    ("password", USER_PASSWORD),
                ],
            )
            .await;
        let to_enrolment = login_post.location().unwrap();
        assert!(to_enrolment.starts_with("/account/mfa?"), "{to_enrolment}");
        let page = browser.get(&to_enrolment).await;
        assert!(
            page.body
                .contains("<strong>Bank</strong> requires two-step verification")
        );

        let query = &to_enrolment["/account/mfa".len()..];
        let enrolment = enrol_with_query(&app, &mut browser, query).await;
        let continue_link = enrolment
            .page
            .body
            .split("id=\"continue\" href=\"")
            .nth(1)
            .unwrap()
            .split('"')
            .next()
            .unwrap()
            .replace("&#38;", "&")
            .replace("&amp;", "&");
        assert!(continue_link.starts_with("/authorize?"), "{continue_link}");
        assert!(enrolment.page.body.contains("Continue to Bank"));

        // Enrolling proved the authenticator in this session: on to consent, no second code.
        let next = browser.get(&continue_link).await;
        let consent = browser.follow(next).await.unwrap();
        assert!(consent.body.contains("Allow"), "{}", consent.body);
        let back = browser.submit_consent(&consent, "allow").await;
        let location = back.location().unwrap();
        assert!(location.starts_with(MFA_REDIRECT), "{location}");
        let code = query_of(&location)["code"].clone();
        let response = token_request(
            &app,
            Some((MFA_CLIENT, CONFIDENTIAL_SECRET)),
            &[
                ("grant_type", "authorization_code"),
                ("code", &code),
                ("redirect_uri", MFA_REDIRECT),
                ("code_verifier", VERIFIER),
            ],
        )
        .await;
        let tokens: serde_json::Value = response.json().await.unwrap();
        let id = jwt_claims(tokens["id_token"].as_str().unwrap());
        assert_eq!(id["amr"], serde_json::json!(["pwd", "otp"]));
        assert_eq!(id["acr"], "urn:tessera:mfa");
    }
}

#[tokio::test]
async fn a_client_without_enrolment_denies_users_who_have_no_second_factor() {
    for backend in Backend::all() {
        let app = TestApp::spawn(backend).await;
        app.add_user(USER_EMAIL, USER_PASSWORD).await;
        let mut browser = app.browser();
        let start = browser
            .get(&authorize_url(STRICT_CLIENT, STRICT_REDIRECT, &[]))
            .await;
        let login = browser.follow(start).await.unwrap();
        let sent_to = browser
            .submit_login(&login, USER_EMAIL, USER_PASSWORD)
            .await
            .unwrap_err();
        assert!(sent_to.starts_with(STRICT_REDIRECT), "{sent_to}");
        let params = query_of(&sent_to);
        assert_eq!(params["error"], "access_denied");
        assert_eq!(params["state"], "st-123");
        assert!(!params.contains_key("code"));
    }
}

#[tokio::test]
async fn acr_values_naming_the_mfa_class_demand_the_second_factor() {
    for backend in Backend::all() {
        let app = TestApp::spawn(backend).await;
        app.add_user(USER_EMAIL, USER_PASSWORD).await;
        let mut browser = app.browser();
        sign_in_with_password(&app, &mut browser).await;
        // The same session, but this request demands MFA: enrolment, not a code.
        let demand = browser
            .get(&authorize_url(
                "confidential",
                REDIRECT,
                &[("acr_values", "urn:tessera:mfa")],
            ))
            .await;
        assert!(
            demand.location().unwrap().starts_with("/account/mfa?"),
            "{:?}",
            demand.location()
        );
        // prompt=none cannot show enrolment.
        let silent = browser
            .get(&authorize_url(
                "confidential",
                REDIRECT,
                &[("acr_values", "urn:tessera:mfa"), ("prompt", "none")],
            ))
            .await;
        assert_eq!(
            query_of(&silent.location().unwrap())["error"],
            "interaction_required"
        );
        // Asking for the password class alone changes nothing.
        let plain = browser
            .get(&authorize_url(
                "confidential",
                REDIRECT,
                &[("acr_values", "urn:tessera:pwd")],
            ))
            .await;
        assert!(plain.location().unwrap().starts_with(REDIRECT));
    }
}

fn session_cookie(browser: &Browser) -> String {
    browser
        .cookies
        .iter()
        .find(|(name, _)| name.ends_with("tessera_session"))
        .map(|(_, value)| value.clone())
        .unwrap()
}

#[tokio::test]
async fn a_password_only_session_is_stepped_up_not_trusted() {
    for backend in Backend::all() {
        let app = TestApp::spawn(backend).await;
        app.add_user(USER_EMAIL, USER_PASSWORD).await;
        // This browser signs in before the user turns two-step verification on elsewhere.
        let mut old = app.browser();
        let code = sign_in_with_password(&app, &mut old).await;
        let tokens: serde_json::Value = exchange(&app, &code).await.json().await.unwrap();
        assert_eq!(
            jwt_claims(tokens["id_token"].as_str().unwrap())["acr"],
            "urn:tessera:pwd"
        );
        let old_session = session_cookie(&old);

        let mut elsewhere = app.browser();
        sign_in_with_password(&app, &mut elsewhere).await;
        let enrolment = enrol(&app, &mut elsewhere).await;
        app.clock.advance(10 * 60);

        // The old session is not trusted for anything now, whatever the client.
        for (client, redirect) in [("confidential", REDIRECT), (MFA_CLIENT, MFA_REDIRECT)] {
            let silent = old
                .get(&authorize_url(client, redirect, &[("prompt", "none")]))
                .await;
            assert_eq!(
                query_of(&silent.location().unwrap())["error"],
                "interaction_required"
            );
            let step_up = old.get(&authorize_url(client, redirect, &[])).await;
            assert!(
                step_up.location().unwrap().starts_with("/login/totp?"),
                "{:?}",
                step_up.location()
            );
        }
        let start = old.get(&authorize_url("confidential", REDIRECT, &[])).await;
        let page = old.follow(start).await.unwrap();
        assert!(is_totp_page(&page));
        let wrong = submit_code(
            &mut old,
            &page,
            &wrong_code(&enrolment.secret, app.clock_now()),
        )
        .await;
        assert!(wrong.body.contains("not valid"));
        assert_eq!(
            session_cookie(&old),
            old_session,
            "nothing changes on a wrong code"
        );

        let passed = submit_code(
            &mut old,
            &page,
            &code_at(&enrolment.secret, app.clock_now()),
        )
        .await;
        let location = passed.location().unwrap();
        assert!(
            location.starts_with(REDIRECT),
            "consent was remembered: {location}"
        );
        let stepped_up = session_cookie(&old);
        assert_ne!(stepped_up, old_session, "a fresh session id");
        let old_hash = tessera::auth::secret::hash(&old_session);
        assert!(
            app.store
                .find_active_session(&old_hash, app.clock_now(), 3600)
                .await
                .unwrap()
                .is_none(),
            "the password-only session is gone"
        );
        let tokens: serde_json::Value = exchange(&app, &query_of(&location)["code"])
            .await
            .json()
            .await
            .unwrap();
        let id = jwt_claims(tokens["id_token"].as_str().unwrap());
        assert_eq!(id["amr"], serde_json::json!(["pwd", "otp"]));
        assert_eq!(id["acr"], "urn:tessera:mfa");
        assert_eq!(
            id["auth_time"],
            app.clock_now() - 10 * 60,
            "auth_time stays the time the password was entered: a step-up adds otp, nothing more"
        );

        // The stepped-up session is reused for the demanding client without another code.
        let reuse = old.get(&authorize_url(MFA_CLIENT, MFA_REDIRECT, &[])).await;
        assert!(reuse.location().unwrap().starts_with("/consent?"));
    }
}

#[tokio::test]
async fn the_consent_form_cannot_skip_the_second_factor() {
    for backend in Backend::all() {
        let app = TestApp::spawn(backend).await;
        app.add_user(USER_EMAIL, USER_PASSWORD).await;
        let mut old = app.browser();
        // Leave this browser on the consent page of a client it has not approved yet.
        let start = old.get(&authorize_url(MFA_CLIENT, MFA_REDIRECT, &[])).await;
        let login = old.follow(start).await.unwrap();
        let csrf = login.hidden("csrf_token");
        old.post_form(
            &login.form_action(),
            &[
                ("csrf_token", &csrf),
                ("email", USER_EMAIL),
                ("password", USER_PASSWORD),
            ],
        )
        .await;
        let consent_url =
            authorize_url("confidential", REDIRECT, &[]).replace("/authorize?", "/consent?");
        let consent_page = old.get(&consent_url).await;
        assert!(consent_page.body.contains("Allow"));

        let mut elsewhere = app.browser();
        sign_in_with_password(&app, &mut elsewhere).await;
        enrol(&app, &mut elsewhere).await;

        // Posting the consent form straight away must not issue a code to a session that
        // only passed the password step.
        let answer = old.submit_consent(&consent_page, "allow").await;
        let location = answer.location().unwrap();
        assert!(location.starts_with("/login/totp?"), "{location}");
    }
}
