//! "Continue with …" against a real OpenID provider: a second Tessera, with its own issuer,
//! keys and database, is the upstream (`[[upstreams]]` kind `oidc`, id `corp`) of the Tessera
//! under test. Each browser is its own cookie jar (the two servers are different sites).
//! On SQLite and PostgreSQL.
mod common;

use common::federation::*;
use common::*;
use tessera::service::admin;
use tessera::store::users::UserRow;
/// The upstream's ID tokens live a minute, so a test can let one expire within a trip.
const UPSTREAM_ID_TOKEN_TTL: i64 = 60;

/// The upstream Tessera and the one under test.
struct Federation {
    upstream: TestApp,
    tessera: TestApp,
    _secret_dir: tempfile::TempDir,
}

impl Federation {
    /// `upstream_extra` goes into the `[[upstreams]]` block (e.g. `create_users = true`).
    async fn start(backend: Backend, upstream_extra: &str) -> Federation {
        let upstream = TestApp::spawn_with_toml(
            backend,
            &format!(
                "id_token_ttl = {UPSTREAM_ID_TOKEN_TTL}\n{}",
                downstream_client()
            ),
        )
        .await;
        upstream.add_user(CORP_EMAIL, CORP_PASSWORD).await;
        let secret_dir = tempfile::tempdir().unwrap();
        let secret_file = corp_secret_file(&secret_dir);
        let block = corp_upstream(&upstream.issuer, &secret_file, upstream_extra);
        let tessera = TestApp::spawn_with_toml(backend, &block).await;
        Federation {
            upstream,
            tessera,
            _secret_dir: secret_dir,
        }
    }

    /// The app's authorization request at Tessera, up to its sign-in page.
    async fn sign_in_page(&self, browser: &mut Browser) -> Page {
        let start = browser
            .get(&authorize_url("confidential", REDIRECT, &[]))
            .await;
        let page = browser.follow(start).await.expect("the sign-in page");
        assert!(page.body.contains("name=\"password\""), "{}", page.body);
        page
    }

    /// Clicks "Continue with Corp SSO" on `page`: the upstream's authorization URL.
    async fn continue_with_corp(&self, browser: &mut Browser, page: &Page) -> String {
        let href = continue_link(page);
        let off = browser.get(&href).await;
        assert_eq!(off.status, 303, "{}", off.body);
        let to = off.location().unwrap();
        assert!(to.starts_with(&self.upstream.issuer), "{to}");
        to
    }

    /// Signs in as Ada at the upstream: the callback URL it sends the browser back to.
    async fn upstream_sign_in(&self, at_upstream: &mut Browser, authorization_url: &str) -> String {
        let start = at_upstream.get(authorization_url).await;
        let login = at_upstream
            .follow(start)
            .await
            .expect("the upstream's sign-in");
        let back = at_upstream
            .submit_login(&login, CORP_EMAIL, CORP_PASSWORD)
            .await
            .expect_err("sent back to the downstream callback");
        assert!(back.contains("/login/upstream/corp/callback?"), "{back}");
        back
    }

    /// From the app's request to the callback URL the upstream sends the browser back to
    /// (not opened yet).
    async fn callback_url(&self, browser: &mut Browser) -> String {
        let page = self.sign_in_page(browser).await;
        let to_upstream = self.continue_with_corp(browser, &page).await;
        let mut at_upstream = self.upstream.browser();
        self.upstream_sign_in(&mut at_upstream, &to_upstream).await
    }

    /// From the app's request to Tessera's answer to the upstream's callback.
    async fn through_upstream(&self, browser: &mut Browser) -> Page {
        let callback = self.callback_url(browser).await;
        browser.get(&callback).await
    }

    async fn user(&self, email: &str) -> Option<UserRow> {
        self.tessera.store.find_user_by_email(email).await.unwrap()
    }

    async fn identities_of(&self, email: &str) -> Vec<String> {
        let email = admin::UserKey::Email(email);
        admin::devices::list_identities(&self.tessera.state, email)
            .await
            .map(|rows| {
                let line = |i: &admin::devices::IdentityView| {
                    let name = i.account_name.as_deref().unwrap_or("-");
                    format!("{}\t{}\t{name}", i.upstream_id, i.subject)
                };
                rows.iter().map(line).collect()
            })
            .unwrap_or_default()
    }
}

/// The app's code after `page` (consent allowed, when asked), exchanged: the ID token's claims.
async fn app_claims(app: &TestApp, browser: &mut Browser, page: Page) -> serde_json::Value {
    let code = match browser.follow(page).await {
        Ok(consent) => {
            assert!(consent.body.contains("Allow"), "{}", consent.body);
            browser.allow(&consent).await
        }
        // Consent was remembered: straight back to the app.
        Err(location) => query_of(&location)["code"].clone(),
    };
    let tokens: serde_json::Value = exchange(app, &code).await.json().await.unwrap();
    common::mfa::jwt_claims(tokens["id_token"].as_str().expect("an ID token"))
}

#[tokio::test]
async fn a_first_sign_in_creates_the_account_and_a_returning_user_comes_back_to_it() {
    for backend in Backend::all() {
        let fed = Federation::start(backend, "create_users = true").await;
        let mut browser = fed.tessera.browser();
        let page = fed.through_upstream(&mut browser).await;
        let claims = app_claims(&fed.tessera, &mut browser, page).await;
        assert_eq!(claims["email"], CORP_EMAIL);
        assert_eq!(claims["email_verified"], true);
        assert_eq!(claims["amr"], serde_json::json!(["fed"]));
        assert_eq!(claims["acr"], "urn:tessera:pwd");
        // The app's own request came through whole: its nonce is in the ID token.
        assert_eq!(claims["nonce"], "n-456");
        let user = fed.user(CORP_EMAIL).await.expect("an account was made");
        assert!(user.email_verified);
        assert_eq!(user.name.as_deref(), Some("Ada Lovelace"));
        assert_eq!(
            user.password_hash, "",
            "an upstream account has no password"
        );
        assert_eq!(claims["sub"], user.id);
        assert_eq!(fed.identities_of(CORP_EMAIL).await.len(), 1);

        // Another browser, another day: the same identity leads to the same account.
        let mut again = fed.tessera.browser();
        let page = fed.through_upstream(&mut again).await;
        let claims = app_claims(&fed.tessera, &mut again, page).await;
        assert_eq!(claims["sub"], user.id);
        assert_eq!(fed.identities_of(CORP_EMAIL).await.len(), 1);
    }
}

#[tokio::test]
async fn an_existing_account_with_the_email_is_linked_only_after_its_password() {
    for backend in Backend::all() {
        let fed = Federation::start(backend, "create_users = true").await;
        let existing = fed.tessera.add_user(CORP_EMAIL, USER_PASSWORD).await;
        let mut browser = fed.tessera.browser();
        let page = fed.through_upstream(&mut browser).await;
        // Not signed in, not linked: back to the sign-in page, which says why.
        assert_eq!(page.status, 303);
        assert!(page.location().unwrap().starts_with("/login?"));
        assert!(fed.identities_of(CORP_EMAIL).await.is_empty());
        let login = browser.follow(page).await.unwrap();
        assert!(login.body.contains("already exists"), "{}", login.body);
        assert!(login.body.contains(CORP_EMAIL));
        assert!(!browser.cookies.keys().any(|k| k.contains("session")));

        let after = browser
            .submit_login(&login, CORP_EMAIL, USER_PASSWORD)
            .await
            .expect("the consent page");
        assert!(after.body.contains("Allow"), "{}", after.body);
        assert_eq!(fed.identities_of(CORP_EMAIL).await.len(), 1);
        assert!(!browser.cookies.keys().any(|k| k.contains("link")));

        // From now on the upstream alone signs Ada in, to the account she proved.
        let mut again = fed.tessera.browser();
        let page = fed.through_upstream(&mut again).await;
        let claims = app_claims(&fed.tessera, &mut again, page).await;
        assert_eq!(claims["sub"], existing);
    }
}

#[tokio::test]
async fn a_waiting_link_is_dropped_when_someone_else_signs_in() {
    let fed = Federation::start(Backend::Sqlite, "").await;
    fed.tessera.add_user(CORP_EMAIL, USER_PASSWORD).await;
    fed.tessera.add_user(USER_EMAIL, USER_PASSWORD).await;
    let mut browser = fed.tessera.browser();
    let page = fed.through_upstream(&mut browser).await;
    let login = browser.follow(page).await.unwrap();
    browser
        .submit_login(&login, USER_EMAIL, USER_PASSWORD)
        .await
        .expect("the consent page");
    assert!(fed.identities_of(CORP_EMAIL).await.is_empty());
    assert!(fed.identities_of(USER_EMAIL).await.is_empty());
}

#[tokio::test]
async fn without_create_users_an_unknown_identity_gets_no_account() {
    for backend in Backend::all() {
        let fed = Federation::start(backend, "").await;
        let mut browser = fed.tessera.browser();
        let page = fed.through_upstream(&mut browser).await;
        assert_eq!(page.status, 403);
        assert!(
            page.body.contains("No account here is linked"),
            "{}",
            page.body
        );
        assert!(
            page.body.contains("name=\"password\""),
            "the password form is offered"
        );
        assert!(fed.user(CORP_EMAIL).await.is_none());
    }
}

#[tokio::test]
async fn a_callback_counts_once_and_only_in_the_browser_that_started_it() {
    for backend in Backend::all() {
        let fed = Federation::start(backend, "create_users = true").await;
        let mut browser = fed.tessera.browser();
        let callback = fed.callback_url(&mut browser).await;

        // Another browser (an attacker's link to the victim): no trip cookie, nothing done.
        let elsewhere = fed.tessera.browser().get(&callback).await;
        assert_eq!(elsewhere.status, 400, "{}", elsewhere.body);
        // An invented state in the right browser: refused too.
        let (base, query) = callback.split_once('?').unwrap();
        let invented = query
            .split('&')
            .map(|pair| match pair.starts_with("state=") {
                true => "state=invented".to_string(),
                false => pair.to_string(),
            })
            .collect::<Vec<_>>()
            .join("&");
        let mut copy = fed.tessera.browser();
        copy.cookies = browser.cookies.clone();
        assert_eq!(copy.get(&format!("{base}?{invented}")).await.status, 400);
        assert!(fed.user(CORP_EMAIL).await.is_none());

        let first = browser.get(&callback).await;
        assert_eq!(first.status, 303, "{}", first.body);
        assert!(fed.user(CORP_EMAIL).await.is_some());
        // The same callback again, even with the cookie back: the trip is spent.
        let mut replay = fed.tessera.browser();
        replay.cookies = copy.cookies.clone();
        assert_eq!(replay.get(&callback).await.status, 400);
    }
}

#[tokio::test]
async fn a_response_naming_another_issuer_is_refused_mix_up() {
    for backend in Backend::all() {
        let fed = Federation::start(backend, "create_users = true").await;
        let mut browser = fed.tessera.browser();
        let callback = fed.callback_url(&mut browser).await;
        let iss = format!("iss={}", urlencode(&fed.upstream.issuer));
        assert!(callback.contains(&iss), "RFC 9207 iss is sent: {callback}");
        let forged = callback.replace(&iss, "iss=https%3A%2F%2Fattacker.example");
        let page = browser.get(&forged).await;
        assert_eq!(page.status, 403, "{}", page.body);
        assert!(page.body.contains("did not work"), "{}", page.body);
        assert!(fed.user(CORP_EMAIL).await.is_none());
    }
}

#[tokio::test]
async fn an_expired_id_token_is_refused() {
    let fed = Federation::start(Backend::Sqlite, "create_users = true").await;
    let mut browser = fed.tessera.browser();
    let callback = fed.callback_url(&mut browser).await;
    // The trip lives ten minutes; the upstream's ID token one.
    fed.tessera.clock.advance(UPSTREAM_ID_TOKEN_TTL + 120);
    let page = browser.get(&callback).await;
    assert_eq!(page.status, 403, "{}", page.body);
    assert!(fed.user(CORP_EMAIL).await.is_none());
}

#[tokio::test]
async fn access_denied_at_the_upstream_ends_on_the_password_form() {
    for backend in Backend::all() {
        let fed = Federation::start(backend, "create_users = true").await;
        let mut browser = fed.tessera.browser();
        let page = fed.sign_in_page(&mut browser).await;
        let to_upstream = fed.continue_with_corp(&mut browser, &page).await;
        // The upstream answers as it does when the user says no (RFC 6749 §4.1.2.1).
        let state = query_of(&to_upstream)["state"].clone();
        let denied = format!(
            "/login/upstream/corp/callback?error=access_denied&state={}&iss={}",
            urlencode(&state),
            urlencode(&fed.upstream.issuer)
        );
        let page = browser.get(&denied).await;
        assert_eq!(page.status, 403, "{}", page.body);
        assert!(page.body.contains("was cancelled"), "{}", page.body);
        assert!(page.body.contains("name=\"password\""));
        assert!(fed.user(CORP_EMAIL).await.is_none());
    }
}

#[tokio::test]
async fn a_user_with_totp_still_does_the_second_step() {
    let fed = Federation::start(Backend::Sqlite, "").await;
    fed.tessera.add_user(CORP_EMAIL, USER_PASSWORD).await;
    // Link the identity (password proof), then turn TOTP on for the account.
    let mut browser = fed.tessera.browser();
    let page = fed.through_upstream(&mut browser).await;
    let login = browser.follow(page).await.unwrap();
    browser
        .submit_login(&login, CORP_EMAIL, USER_PASSWORD)
        .await
        .unwrap();
    let secret = common::mfa::enrol(&fed.tessera, &mut browser).await.secret;
    fed.tessera.clock.advance(common::mfa::STEP);

    let mut again = fed.tessera.browser();
    let page = fed.through_upstream(&mut again).await;
    assert_eq!(page.status, 303);
    assert!(
        page.location().unwrap().starts_with("/login/totp"),
        "{:?}",
        page.location()
    );
    assert!(!again.cookies.keys().any(|k| k.contains("session")));
    let second_step = again.follow(page).await.unwrap();
    let now = fed.tessera.clock_now();
    let code = common::mfa::code_at(&secret, now);
    let after = common::mfa::submit_code(&mut again, &second_step, &code).await;
    let claims = app_claims(&fed.tessera, &mut again, after).await;
    assert_eq!(claims["amr"], serde_json::json!(["fed", "otp"]));
    assert_eq!(claims["acr"], "urn:tessera:mfa");
}

#[tokio::test]
async fn a_disabled_account_and_a_domain_not_allowed_are_refused() {
    let fed = Federation::start(
        Backend::Sqlite,
        "create_users = true\nallowed_email_domains = [\"other.example\"]",
    )
    .await;
    let page = fed.through_upstream(&mut fed.tessera.browser()).await;
    assert_eq!(page.status, 403);
    assert!(
        page.body.contains("not one this service accepts"),
        "{}",
        page.body
    );
    assert!(fed.user(CORP_EMAIL).await.is_none());

    let fed = Federation::start(Backend::Sqlite, "create_users = true").await;
    fed.through_upstream(&mut fed.tessera.browser()).await;
    let corp = admin::UserKey::Email(CORP_EMAIL);
    admin::access::set_disabled(&fed.tessera.state, corp, true, START)
        .await
        .unwrap();
    let page = fed.through_upstream(&mut fed.tessera.browser()).await;
    assert_eq!(page.status, 403);
    assert!(page.body.contains("disabled"), "{}", page.body);
}

#[tokio::test]
async fn the_callback_finishes_on_another_instance() {
    if postgres_url().is_none() {
        eprintln!("SKIPPED: several instances need PostgreSQL (TESSERA_TEST_POSTGRES_URL)");
        return;
    }
    let fed = Federation::start(Backend::Postgres, "create_users = true").await;
    let config = fed.tessera.state.config().clone();
    let other = fed.tessera.second_instance(|c| *c = config).await;
    let mut browser = fed.tessera.browser();
    let callback = fed.callback_url(&mut browser).await;
    // The load balancer sends the callback to the other instance.
    let path = callback.split_once("/login/").map(|(_, p)| p).unwrap();
    let mut there = other.browser();
    there.cookies = browser.cookies.clone();
    let page = there.get(&format!("/login/{path}")).await;
    assert_eq!(page.status, 303, "{}", page.body);
    assert!(page.location().unwrap().starts_with("/consent?"));
    assert!(fed.user(CORP_EMAIL).await.is_some());
}

#[tokio::test]
async fn unlinking_never_removes_the_last_way_to_sign_in() {
    for backend in Backend::all() {
        let fed = Federation::start(backend, "create_users = true").await;
        let mut browser = fed.tessera.browser();
        let page = fed.through_upstream(&mut browser).await;
        browser.follow(page).await.unwrap();
        // An account made by the upstream has no password: its identity is its only way in.
        let identities = browser.get("/account/identities").await;
        assert_eq!(identities.status, 200, "{}", identities.body);
        assert!(identities.body.contains("Corp SSO"));
        let csrf = identities.hidden("csrf_token");
        let refused = browser
            .post_form(
                "/account/identities/unlink",
                &[("csrf_token", &csrf), ("upstream", "corp")],
            )
            .await;
        assert_eq!(refused.status, 409, "{}", refused.body);
        assert!(refused.body.contains("only way you can sign in"));
        assert_eq!(fed.identities_of(CORP_EMAIL).await.len(), 1);
        // The CLI keeps the same rule.
        let corp = admin::UserKey::Email(CORP_EMAIL);
        let state = &fed.tessera.state;
        let cli = admin::devices::unlink_identity(state, corp, "corp").await;
        assert!(cli.unwrap_err().to_string().contains("only way"));

        // With a password set, the identity may go.
        let password = zeroize::Zeroizing::new(USER_PASSWORD.into());
        admin::access::set_password(state, corp, password, START)
            .await
            .unwrap();
        admin::devices::unlink_identity(state, corp, "corp")
            .await
            .unwrap();
        assert!(fed.identities_of(CORP_EMAIL).await.is_empty());
    }
}

#[tokio::test]
async fn a_signed_in_user_links_an_identity_from_the_account_page() {
    for backend in Backend::all() {
        let fed = Federation::start(backend, "").await;
        fed.tessera.add_user(USER_EMAIL, USER_PASSWORD).await;
        let mut browser = fed.tessera.browser();
        let login = browser.get("/login").await;
        browser
            .submit_login(&login, USER_EMAIL, USER_PASSWORD)
            .await
            .unwrap();
        let page = browser.get("/account/identities").await;
        assert_eq!(page.status, 200, "{}", page.body);
        let csp = page.header("content-security-policy").unwrap();
        assert!(csp.contains(&fed.upstream.issuer), "{csp}");
        let csrf = page.hidden("csrf_token");
        let off = browser
            .post_form(
                "/account/identities/link",
                &[("csrf_token", &csrf), ("upstream", "corp")],
            )
            .await;
        assert_eq!(off.status, 303, "{}", off.body);
        let callback = fed
            .upstream_sign_in(&mut fed.upstream.browser(), &off.location().unwrap())
            .await;
        let back = browser.get(&callback).await;
        assert_eq!(
            back.location().as_deref(),
            Some("/account/identities?done=linked")
        );
        // Linked to Ada's account, whatever the upstream's email says.
        assert_eq!(fed.identities_of(USER_EMAIL).await.len(), 1);
        let page = browser.follow(back).await.unwrap();
        assert!(page.body.contains("The account is linked."));
    }
}

fn urlencode(value: &str) -> String {
    url::form_urlencoded::byte_serialize(value.as_bytes()).collect()
}

#[tokio::test]
async fn an_upstream_that_is_not_configured_has_no_button_no_start_and_no_callback() {
    let fed = Federation::start(Backend::Sqlite, "").await;
    let mut browser = fed.tessera.browser();
    let start = browser.get("/login/upstream/nope").await;
    assert_eq!(start.status, 404, "{}", start.body);
    let callback = browser
        .get("/login/upstream/nope/callback?code=c&state=s")
        .await;
    assert_eq!(callback.status, 400, "{}", callback.body);
    assert!(callback.body.contains("expired or was already used"));
}

#[tokio::test]
async fn an_upstream_trusted_for_mfa_that_did_mfa_is_the_second_step() {
    let fed = Federation::start(Backend::Sqlite, "trusted_for_mfa = true").await;
    // Ada's account here has TOTP, and Corp SSO linked (after her password).
    fed.tessera.add_user(CORP_EMAIL, USER_PASSWORD).await;
    let mut browser = fed.tessera.browser();
    let page = fed.through_upstream(&mut browser).await;
    let login = browser.follow(page).await.unwrap();
    browser
        .submit_login(&login, CORP_EMAIL, USER_PASSWORD)
        .await
        .unwrap();
    common::mfa::enrol(&fed.tessera, &mut browser).await;
    fed.tessera.clock.advance(common::mfa::STEP);
    // Ada turns TOTP on at the upstream too: its ID tokens then say pwd otp.
    let mut at_upstream = fed.upstream.browser();
    let login = at_upstream.get("/login").await;
    at_upstream
        .submit_login(&login, CORP_EMAIL, CORP_PASSWORD)
        .await
        .unwrap();
    let upstream_secret = common::mfa::enrol(&fed.upstream, &mut at_upstream)
        .await
        .secret;
    fed.upstream.clock.advance(common::mfa::STEP);

    let mut again = fed.tessera.browser();
    let page = fed.sign_in_page(&mut again).await;
    let to_upstream = fed.continue_with_corp(&mut again, &page).await;
    let mut at_upstream = fed.upstream.browser();
    let start = at_upstream.get(&to_upstream).await;
    let login = at_upstream.follow(start).await.unwrap();
    let totp = at_upstream
        .submit_login(&login, CORP_EMAIL, CORP_PASSWORD)
        .await
        .unwrap();
    let code = common::mfa::code_at(&upstream_secret, fed.upstream.clock_now());
    let back = common::mfa::submit_code(&mut at_upstream, &totp, &code).await;
    let callback = at_upstream.follow(back).await.expect_err("back to Tessera");
    let page = again.get(&callback).await;
    // No second step here: the trusted upstream's MFA counts.
    assert!(
        page.location().unwrap().starts_with("/consent?"),
        "{:?}",
        page.location()
    );
    let claims = app_claims(&fed.tessera, &mut again, page).await;
    assert_eq!(claims["amr"], serde_json::json!(["fed", "mfa"]));
    assert_eq!(claims["acr"], "urn:tessera:mfa");
}
