//! Links sent by email, end to end: each message is read from a real SMTP server the test
//! runs on loopback (`common::smtp_sink`), and its link is opened as a person would. Forgot
//! and reset password, the same answer for an unknown address, links from the issuer only,
//! single use, expiry, the second step after a reset, verification, sign-up, invitation and
//! email change with undo. On SQLite and PostgreSQL.
mod common;

use std::time::Duration;

use common::mfa;
use common::smtp_sink::{Received, SmtpSink};
use common::*;
use tessera::server::spawn_mail_worker;

const NEW_PASSWORD: &str = "a brand new passphrase";

/// Tessera mailing through a sink, with its mail worker running.
struct Mailing {
    app: TestApp,
    sink: SmtpSink,
    worker: tokio::task::JoinHandle<()>,
}

impl Drop for Mailing {
    fn drop(&mut self) {
        self.worker.abort();
    }
}

impl Mailing {
    async fn start(backend: Backend, extra: &str) -> Mailing {
        let sink = SmtpSink::start().await;
        let toml = format!(
            "{extra}\n[email]\ntransport = \"smtp\"\nsmtp_url = \"{}\"\n",
            sink.url()
        );
        let app = TestApp::spawn_with_toml(backend, &toml).await;
        let worker = spawn_mail_worker(&app.state);
        Mailing { app, sink, worker }
    }

    /// The `n`-th message (1-based), once it has arrived.
    async fn mail(&self, n: usize) -> Received {
        let received = self.sink.wait_for(n, Duration::from_secs(10)).await;
        received[n - 1].clone()
    }

    /// Posts "forgot password" for `email` from a fresh browser.
    async fn forgot(&self, email: &str) -> Page {
        let mut browser = self.app.browser();
        let form = browser.get("/password/forgot").await;
        let csrf = form.hidden("csrf_token");
        browser
            .post_form(
                "/password/forgot",
                &[("csrf_token", &csrf), ("email", email)],
            )
            .await
    }
}

/// The first link to the issuer in a message's text part.
fn link_in(mail: &Received, issuer: &str) -> String {
    let text = decoded(mail);
    let start = text
        .find(issuer)
        .unwrap_or_else(|| panic!("no link to {issuer} in {text}"));
    text[start..]
        .split(|c: char| c.is_whitespace() || c == '"' || c == '<' || c == '>')
        .next()
        .unwrap()
        .to_string()
}

/// The message's text part, transfer encoding undone.
fn decoded(mail: &Received) -> String {
    let parsed = mailparse::parse_mail(&mail.data).unwrap();
    let part = parsed
        .subparts
        .iter()
        .find(|p| p.ctype.mimetype == "text/plain")
        .unwrap_or(&parsed);
    part.get_body().unwrap()
}

/// Opens an emailed link: the token moves to a cookie, and the page comes back without it.
async fn open_link(browser: &mut Browser, link: &str) -> Page {
    let traded = browser.get(link).await;
    assert_eq!(traded.status, 303, "{}", traded.body);
    let to = traded.location().unwrap();
    assert!(!to.contains("token"), "the token leaves the URL: {to}");
    let page = browser.get(&to).await;
    assert_eq!(
        page.header("referrer-policy").as_deref(),
        Some("no-referrer")
    );
    page
}

async fn choose_password(browser: &mut Browser, page: &Page, password: &str, again: &str) -> Page {
    let csrf = page.hidden("csrf_token");
    browser
        .post_form(
            &page.form_action(),
            &[
                ("csrf_token", &csrf),
                ("password", password),
                ("confirmation", again),
            ],
        )
        .await
}

async fn password_works(app: &TestApp, email: &str, password: &str) -> bool {
    let mut browser = app.browser();
    let login = browser.get("/login").await;
    match browser.submit_login(&login, email, password).await {
        Ok(page) => !page.body.contains("incorrect"),
        Err(_) => true,
    }
}

#[tokio::test]
async fn forgot_password_end_to_end() {
    for backend in Backend::all() {
        let m = Mailing::start(backend, "").await;
        m.app.add_user(USER_EMAIL, USER_PASSWORD).await;
        let answer = m.forgot(USER_EMAIL).await;
        assert_eq!(answer.status, 200);
        assert!(answer.body.contains("If an account has this address"));

        let mail = m.mail(1).await;
        assert_eq!(mail.rcpt_to, vec![USER_EMAIL.to_string()]);
        let link = link_in(&mail, &m.app.issuer);
        assert!(link.starts_with(&format!("{}/password/reset?token=", m.app.issuer)));

        let mut browser = m.app.browser();
        let page = open_link(&mut browser, &link).await;
        assert_eq!(page.status, 200, "{}", page.body);
        // Refusals leave the link working.
        let mismatch = choose_password(&mut browser, &page, NEW_PASSWORD, "something else").await;
        assert_eq!(mismatch.status, 422);
        let short = choose_password(&mut browser, &mismatch, "short", "short").await;
        assert_eq!(short.status, 422, "{}", short.body);
        let done = choose_password(&mut browser, &short, NEW_PASSWORD, NEW_PASSWORD).await;
        assert_eq!(done.status, 303, "{}", done.body);
        assert_eq!(done.location().as_deref(), Some("/account"));
        assert!(mfa::has_session_cookie(&browser));

        assert!(password_works(&m.app, USER_EMAIL, NEW_PASSWORD).await);
        assert!(!password_works(&m.app, USER_EMAIL, USER_PASSWORD).await);
        // The mailbox hears of it.
        let notice = m.mail(2).await;
        assert!(decoded(&notice).contains("changed"), "{}", decoded(&notice));

        // Used once.
        let mut again = m.app.browser();
        let page = open_link(&mut again, &link).await;
        assert_eq!(page.status, 410, "{}", page.body);
    }
}

#[tokio::test]
async fn an_unknown_address_gets_the_same_answer_and_no_mail() {
    let m = Mailing::start(Backend::Sqlite, "").await;
    m.app.add_user(USER_EMAIL, USER_PASSWORD).await;
    let unknown = m.forgot("nobody@example.com").await;
    let known = m.forgot(USER_EMAIL).await;
    assert_eq!(unknown.status, known.status);
    assert_eq!(unknown.body, known.body);
    // Only the known address got mail.
    let mail = m.mail(1).await;
    assert_eq!(mail.rcpt_to, vec![USER_EMAIL.to_string()]);
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(m.sink.received().len(), 1);
}

#[tokio::test]
async fn the_answer_takes_as_long_whether_or_not_the_account_exists() {
    // Addresses vary through a trusted proxy, so the per-address limit is not reached.
    let m = Mailing::start(Backend::Sqlite, "trusted_proxies = [\"127.0.0.1/32\"]").await;
    m.app.add_user(USER_EMAIL, USER_PASSWORD).await;
    let client = reqwest::Client::new();
    let mut timings: [Vec<f64>; 2] = [Vec::new(), Vec::new()];
    for round in 0..24 {
        let (which, email) = match round % 2 {
            0 => (0, USER_EMAIL),
            _ => (1, "nobody@example.com"),
        };
        let mut browser = m.app.browser();
        let form = browser.get("/password/forgot").await;
        let csrf = form.hidden("csrf_token");
        let body = format!("csrf_token={csrf}&email={}", email.replace('@', "%40"));
        let started = std::time::Instant::now();
        let response = client
            .post(m.app.url("/password/forgot"))
            .header("content-type", "application/x-www-form-urlencoded")
            .header("cookie", format!("tessera_csrf={csrf}"))
            .header("x-forwarded-for", format!("10.0.{round}.1"))
            .body(body)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200);
        timings[which].push(started.elapsed().as_secs_f64() * 1000.0);
    }
    let median = |v: &mut Vec<f64>| {
        v.sort_by(f64::total_cmp);
        v[v.len() / 2]
    };
    let (known, unknown) = (median(&mut timings[0]), median(&mut timings[1]));
    // The lookup, the link and the mail happen after the answer: what is left is the same
    // work for both. A difference as large as an argon2 hash or a mail would be tens of ms.
    assert!(
        (known - unknown).abs() < 5.0,
        "median {known:.2} ms for a known address, {unknown:.2} ms for an unknown one"
    );
}

#[tokio::test]
async fn a_forged_host_still_gets_links_to_the_issuer() {
    let m = Mailing::start(Backend::Sqlite, "").await;
    m.app.add_user(USER_EMAIL, USER_PASSWORD).await;
    let mut browser = m.app.browser();
    let form = browser.get("/password/forgot").await;
    let csrf = form.hidden("csrf_token");
    let response = reqwest::Client::new()
        .post(m.app.url("/password/forgot"))
        .header("host", "evil.example")
        .header("x-forwarded-host", "evil.example")
        .header("x-forwarded-proto", "https")
        .header("content-type", "application/x-www-form-urlencoded")
        .header("cookie", format!("tessera_csrf={csrf}"))
        .body(format!("csrf_token={csrf}&email=ada%40example.com"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let mail = m.mail(1).await;
    let text = decoded(&mail);
    assert!(!text.contains("evil.example"), "{text}");
    assert!(link_in(&mail, &m.app.issuer).starts_with(&m.app.issuer));
}

#[tokio::test]
async fn a_reset_link_dies_when_expired_replaced_or_the_password_changes() {
    let m = Mailing::start(Backend::Sqlite, "").await;
    m.app.add_user(USER_EMAIL, USER_PASSWORD).await;
    m.forgot(USER_EMAIL).await;
    let first = link_in(&m.mail(1).await, &m.app.issuer);
    m.forgot(USER_EMAIL).await;
    let second = link_in(&m.mail(2).await, &m.app.issuer);
    let page = open_link(&mut m.app.browser(), &first).await;
    assert_eq!(page.status, 410, "a newer link replaces it");
    // An administrator's password change ends it too.
    let ada = tessera::service::admin::UserKey::Email(USER_EMAIL);
    let password = zeroize::Zeroizing::new("an administrator's choice".into());
    tessera::service::admin::access::set_password(&m.app.state, ada, password, START)
        .await
        .unwrap();
    let page = open_link(&mut m.app.browser(), &second).await;
    assert_eq!(page.status, 410, "a password change ends it");
    // And thirty minutes end the next.
    m.forgot(USER_EMAIL).await;
    let third = link_in(&m.mail(3).await, &m.app.issuer);
    m.app.clock.advance(30 * 60 + 1);
    let page = open_link(&mut m.app.browser(), &third).await;
    assert_eq!(page.status, 410, "expired");
}

#[tokio::test]
async fn a_reset_still_asks_for_the_second_factor() {
    let m = Mailing::start(Backend::Sqlite, "").await;
    mfa::enrolled_user(&m.app).await;
    m.forgot(USER_EMAIL).await;
    let link = link_in(&m.mail(1).await, &m.app.issuer);
    let mut browser = m.app.browser();
    let page = open_link(&mut browser, &link).await;
    let done = choose_password(&mut browser, &page, NEW_PASSWORD, NEW_PASSWORD).await;
    assert_eq!(done.status, 303, "{}", done.body);
    assert!(
        done.location().unwrap().starts_with("/login/totp"),
        "{:?}",
        done.location()
    );
    assert!(
        !mfa::has_session_cookie(&browser),
        "no session before the second step"
    );
}

#[tokio::test]
async fn the_address_is_confirmed_through_its_link() {
    for backend in Backend::all() {
        let m = Mailing::start(backend, "").await;
        use tessera::service::admin::users::{FirstCredential, NewUser, create};
        let new = NewUser {
            email: USER_EMAIL.into(),
            name: None,
            email_verified: false,
            credential: FirstCredential::Password(zeroize::Zeroizing::new(USER_PASSWORD.into())),
        };
        create(&m.app.state, new, START).await.unwrap();
        let mut browser = m.app.browser();
        let login = browser.get("/login").await;
        browser
            .submit_login(&login, USER_EMAIL, USER_PASSWORD)
            .await
            .unwrap();
        let page = browser.get("/account/email").await;
        assert!(page.body.contains("not confirmed"), "{}", page.body);
        let csrf = page.hidden("csrf_token");
        let sent = browser
            .post_form("/account/email/verify", &[("csrf_token", &csrf)])
            .await;
        assert_eq!(
            sent.location().as_deref(),
            Some("/account/email?done=verification")
        );
        let link = link_in(&m.mail(1).await, &m.app.issuer);
        assert!(link.contains("/email/verify?token="));
        // A scanner's GET spends nothing; the page's button does.
        let page = open_link(&mut m.app.browser(), &link).await;
        assert_eq!(page.status, 200);
        let page = open_link(&mut browser, &link).await;
        let csrf = page.hidden("csrf_token");
        let done = browser
            .post_form("/email/verify", &[("csrf_token", &csrf)])
            .await;
        assert_eq!(done.status, 200, "{}", done.body);
        let user = m
            .app
            .store
            .find_user_by_email(USER_EMAIL)
            .await
            .unwrap()
            .unwrap();
        assert!(user.email_verified);
    }
}

#[tokio::test]
async fn an_open_sign_up_makes_the_account_when_its_address_is_confirmed() {
    for backend in Backend::all() {
        let m = Mailing::start(backend, "registration = \"open\"").await;
        let mut browser = m.app.browser();
        let login = browser.get("/login").await;
        assert!(login.body.contains("href=\"/signup\""));
        let form = browser.get("/signup").await;
        let csrf = form.hidden("csrf_token");
        let fields = [
            ("csrf_token", csrf.as_str()),
            ("email", "grace@example.com"),
            ("name", "Grace Hopper"),
            ("password", NEW_PASSWORD),
            ("confirmation", NEW_PASSWORD),
        ];
        let answer = browser.post_form("/signup", &fields).await;
        assert_eq!(answer.status, 200, "{}", answer.body);
        assert!(
            m.app
                .store
                .find_user_by_email("grace@example.com")
                .await
                .unwrap()
                .is_none(),
            "no account before the address is confirmed"
        );
        let link = link_in(&m.mail(1).await, &m.app.issuer);
        let page = open_link(&mut browser, &link).await;
        let csrf = page.hidden("csrf_token");
        let done = browser
            .post_form("/signup/confirm", &[("csrf_token", &csrf)])
            .await;
        assert_eq!(done.status, 200, "{}", done.body);
        let user = m
            .app
            .store
            .find_user_by_email("grace@example.com")
            .await
            .unwrap()
            .unwrap();
        assert!(user.email_verified);
        assert_eq!(user.name.as_deref(), Some("Grace Hopper"));
        assert!(password_works(&m.app, "grace@example.com", NEW_PASSWORD).await);

        // The same answer for a taken address; its owner is told instead.
        let second = browser.post_form("/signup", &fields).await;
        assert_eq!(second.status, 200);
        assert_eq!(second.body, answer.body);
        let told = decoded(&m.mail(2).await);
        assert!(told.contains("already has one"), "{told}");
    }
}

#[tokio::test]
async fn sign_up_is_closed_by_default_and_limited_to_its_domains() {
    let m = Mailing::start(Backend::Sqlite, "").await;
    assert_eq!(m.app.browser().get("/signup").await.status, 404);
    let m = Mailing::start(
        Backend::Sqlite,
        "registration = \"open\"\nregistration_email_domains = [\"example.com\"]",
    )
    .await;
    let mut browser = m.app.browser();
    let form = browser.get("/signup").await;
    let csrf = form.hidden("csrf_token");
    let refused = browser
        .post_form(
            "/signup",
            &[
                ("csrf_token", &csrf),
                ("email", "mallory@elsewhere.example"),
                ("password", NEW_PASSWORD),
                ("confirmation", NEW_PASSWORD),
            ],
        )
        .await;
    assert_eq!(refused.status, 422);
    assert!(
        refused
            .body
            .contains("not open for addresses of this domain")
    );
}

#[tokio::test]
async fn an_invitation_sets_the_first_password() {
    let m = Mailing::start(Backend::Sqlite, "registration = \"invite\"").await;
    use tessera::service::admin::users::{FirstCredential, NewUser, create};
    let new = NewUser {
        email: "grace@example.com".into(),
        name: None,
        email_verified: false,
        credential: FirstCredential::Invitation,
    };
    let id = create(&m.app.state, new, START).await.unwrap().id;
    let link = link_in(&m.mail(1).await, &m.app.issuer);
    assert!(link.contains("/invitation?token="));
    let mut browser = m.app.browser();
    let page = open_link(&mut browser, &link).await;
    let done = choose_password(&mut browser, &page, NEW_PASSWORD, NEW_PASSWORD).await;
    assert_eq!(done.status, 303, "{}", done.body);
    let user = m
        .app
        .store
        .find_user_by_email("grace@example.com")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(user.id, id);
    assert!(user.email_verified);
    assert!(password_works(&m.app, "grace@example.com", NEW_PASSWORD).await);
}

#[tokio::test]
async fn an_email_change_is_confirmed_by_the_new_address_and_undone_by_the_old() {
    for backend in Backend::all() {
        let m = Mailing::start(backend, "").await;
        m.app.add_user(USER_EMAIL, USER_PASSWORD).await;
        let mut browser = m.app.browser();
        let login = browser.get("/login").await;
        browser
            .submit_login(&login, USER_EMAIL, USER_PASSWORD)
            .await
            .unwrap();
        let page = browser.get("/account/email").await;
        let csrf = page.hidden("csrf_token");
        let asked = browser
            .post_form(
                "/account/email",
                &[("csrf_token", &csrf), ("email", "ada@new.example")],
            )
            .await;
        assert_eq!(
            asked.location().as_deref(),
            Some("/account/email?done=change")
        );
        let to_new = m.mail(1).await;
        assert_eq!(to_new.rcpt_to, vec!["ada@new.example".to_string()]);
        assert!(
            m.app
                .store
                .find_user_by_email(USER_EMAIL)
                .await
                .unwrap()
                .is_some()
        );

        let page = open_link(&mut browser, &link_in(&to_new, &m.app.issuer)).await;
        let csrf = page.hidden("csrf_token");
        let done = browser
            .post_form("/email/change", &[("csrf_token", &csrf)])
            .await;
        assert_eq!(done.status, 200, "{}", done.body);
        assert!(
            m.app
                .store
                .find_user_by_email("ada@new.example")
                .await
                .unwrap()
                .is_some()
        );

        // The old address is told, and can put itself back (signing out everywhere).
        let to_old = m.mail(2).await;
        assert_eq!(to_old.rcpt_to, vec![USER_EMAIL.to_string()]);
        let mut owner = m.app.browser();
        let page = open_link(&mut owner, &link_in(&to_old, &m.app.issuer)).await;
        let csrf = page.hidden("csrf_token");
        let undone = owner
            .post_form("/email/undo", &[("csrf_token", &csrf)])
            .await;
        assert_eq!(undone.status, 200, "{}", undone.body);
        assert!(
            m.app
                .store
                .find_user_by_email(USER_EMAIL)
                .await
                .unwrap()
                .is_some()
        );
        let account = browser.get("/account").await;
        assert_eq!(account.status, 303, "the changer's session ended");
    }
}

/// The embedded default: `serve` with no mail server writes each message under `data/mail/`
/// (relative to where it runs), and a developer can open the link in it.
#[tokio::test]
async fn the_default_transport_writes_a_file_whose_link_works() {
    let instance = common::process::start_instance(Backend::Sqlite, "").await;
    let base = instance.server.base.clone();
    let mut browser = Browser::new(&base);
    let form = browser.get("/password/forgot").await;
    let csrf = form.hidden("csrf_token");
    let answer = browser
        .post_form(
            "/password/forgot",
            &[("csrf_token", &csrf), ("email", USER_EMAIL)],
        )
        .await;
    assert_eq!(answer.status, 200);
    let mail_dir = instance.dir.path().join("data/mail");
    let mut file = None;
    for _ in 0..200 {
        file = std::fs::read_dir(&mail_dir).ok().and_then(|entries| {
            entries
                .flatten()
                .map(|entry| entry.path())
                .find(|path| path.extension().is_some_and(|e| e == "eml"))
        });
        if file.is_some() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let file = file.expect("a .eml file in data/mail");
    let received = Received {
        mail_from: String::new(),
        rcpt_to: Vec::new(),
        data: std::fs::read(&file).unwrap(),
    };
    let name = file.file_name().unwrap().to_string_lossy().into_owned();
    instance.server.wait_for_log(&name).await;
    let link = link_in(&received, &base);
    let page = open_link(&mut Browser::new(&base), &link).await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(page.body.contains("Choose a new password"));
}

/// "kill -9 with mail queued": `serve` queues a reset while the mail server is down, dies
/// without a word, and the next `serve` on the same database sends it once the mail server is
/// back (the first retry comes 30 s after the failed attempt).
#[tokio::test]
async fn mail_queued_when_the_server_is_killed_is_sent_after_restart() {
    let sink = SmtpSink::start().await;
    sink.stop().await;
    let extra = format!(
        "\n[email]\ntransport = \"smtp\"\nsmtp_url = \"{}\"\n",
        sink.url()
    );
    let mut instance = common::process::start_instance(Backend::Sqlite, &extra).await;
    let base = instance.server.base.clone();
    let mut browser = Browser::new(&base);
    let form = browser.get("/password/forgot").await;
    let csrf = form.hidden("csrf_token");
    let answer = browser
        .post_form(
            "/password/forgot",
            &[("csrf_token", &csrf), ("email", USER_EMAIL)],
        )
        .await;
    assert_eq!(answer.status, 200);
    instance.server.wait_for_log("will try again").await;
    instance.server.child.kill().unwrap();
    instance.server.child.wait().unwrap();

    sink.restart().await;
    let restarted =
        common::process::Server::start(instance.dir.path(), &instance.config, &base, "restarted")
            .await;
    let mail = sink.wait_for(1, Duration::from_secs(60)).await;
    assert_eq!(mail[0].rcpt_to, vec![USER_EMAIL.to_string()]);
    assert!(link_in(&mail[0], &base).contains("/password/reset?token="));
    drop(restarted);
}
