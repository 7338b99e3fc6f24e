//! "Continue with GitHub" through Tessera's pages, against an in-test GitHub that speaks
//! GitHub's documented OAuth endpoints and REST API on loopback (`common::fake_github`),
//! reached through `web_url` and `api_url` as GitHub Enterprise would be. On SQLite and
//! PostgreSQL.
mod common;

use common::fake_github::{FakeEmail, FakeGithub, FakeUser};
use common::federation::continue_link;
use common::*;

const GITHUB_SECRET: &str = "github-client-secret";

struct WithGithub {
    github: FakeGithub,
    tessera: TestApp,
    _secret_dir: tempfile::TempDir,
}

impl WithGithub {
    async fn start(backend: Backend) -> WithGithub {
        let github = FakeGithub::spawn("Iv1.tessera", GITHUB_SECRET).await;
        let secret_dir = tempfile::tempdir().unwrap();
        let secret_file = secret_dir.path().join("github.secret");
        std::fs::write(&secret_file, GITHUB_SECRET).unwrap();
        let tessera = TestApp::spawn_with_toml(
            backend,
            &format!(
                r#"
[[upstreams]]
id = "github"
kind = "github"
display_name = "GitHub"
client_id = "Iv1.tessera"
client_secret_file = "{file}"
web_url = "{web}"
api_url = "{api}"
create_users = true
"#,
                file = secret_file.display(),
                web = github.web_url(),
                api = github.api_url(),
            ),
        )
        .await;
        WithGithub {
            github,
            tessera,
            _secret_dir: secret_dir,
        }
    }

    /// The app's request, "Continue with GitHub", GitHub's (approving) answer, and Tessera's
    /// answer to the callback.
    async fn sign_in(&self) -> (Browser, Page) {
        let mut browser = self.tessera.browser();
        let start = browser
            .get(&authorize_url("confidential", REDIRECT, &[]))
            .await;
        let login = browser.follow(start).await.unwrap();
        assert!(
            login.body.contains("Continue with GitHub"),
            "{}",
            login.body
        );
        let href = continue_link(&login);
        let to_github = browser.get(&href).await.location().unwrap();
        assert!(to_github.starts_with(&self.github.web_url()), "{to_github}");
        let back = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap()
            .get(&to_github)
            .send()
            .await
            .unwrap();
        let callback = back.headers()["location"].to_str().unwrap().to_string();
        let page = browser.get(&callback).await;
        (browser, page)
    }

    async fn account(&self, email: &str) -> Option<tessera::store::users::UserRow> {
        self.tessera.store.find_user_by_email(email).await.unwrap()
    }
}

#[tokio::test]
async fn a_github_sign_in_makes_the_account_from_the_verified_primary_address() {
    for backend in Backend::all() {
        let gh = WithGithub::start(backend).await;
        let (mut browser, page) = gh.sign_in().await;
        assert_eq!(page.status, 303, "{}", page.body);
        let consent = browser.follow(page).await.expect("the consent page");
        let code = browser.allow(&consent).await;
        let tokens: serde_json::Value = exchange(&gh.tessera, &code).await.json().await.unwrap();
        let claims = common::mfa::jwt_claims(tokens["id_token"].as_str().unwrap());
        assert_eq!(claims["email"], "octocat@example.com");
        assert_eq!(claims["amr"], serde_json::json!(["fed"]));
        let user = gh.account("octocat@example.com").await.unwrap();
        assert_eq!(user.name.as_deref(), Some("The Octocat"));
        let email = tessera::service::admin::UserKey::Email(&user.email);
        let lines = tessera::service::admin::devices::list_identities(&gh.tessera.state, email)
            .await
            .unwrap();
        // Keyed by GitHub's numeric id, showing the login.
        assert_eq!(lines[0].subject, "583231");
        assert_eq!(lines[0].account_name.as_deref(), Some("octocat"));
    }
}

#[tokio::test]
async fn a_renamed_login_with_the_same_id_is_the_same_account() {
    let gh = WithGithub::start(Backend::Sqlite).await;
    gh.sign_in().await;
    let first = gh.account("octocat@example.com").await.unwrap();
    gh.github.set_user(FakeUser {
        login: "octocat-renamed".into(),
        ..FakeUser::octocat()
    });
    let (_, page) = gh.sign_in().await;
    assert_eq!(page.status, 303, "{}", page.body);
    assert!(page.location().unwrap().starts_with("/consent?"));
    let users = gh.tessera.store.list_users().await.unwrap();
    assert_eq!(users.len(), 1, "no second account");
    assert_eq!(users[0].id, first.id);
}

#[tokio::test]
async fn an_unverified_primary_address_makes_no_account() {
    for backend in Backend::all() {
        let gh = WithGithub::start(backend).await;
        gh.github.set_user(FakeUser {
            emails: vec![FakeEmail::new("octocat@example.com", true, false)],
            ..FakeUser::octocat()
        });
        let (_, page) = gh.sign_in().await;
        assert_eq!(page.status, 403, "{}", page.body);
        assert!(
            page.body.contains("did not confirm an email address"),
            "{}",
            page.body
        );
        assert!(gh.account("octocat@example.com").await.is_none());
    }
}

#[tokio::test]
async fn a_verified_address_that_is_not_the_primary_one_is_not_used() {
    let gh = WithGithub::start(Backend::Sqlite).await;
    gh.github.set_user(FakeUser {
        emails: vec![
            FakeEmail::new("octocat@example.com", true, false),
            FakeEmail::new("victim@example.org", false, true),
        ],
        ..FakeUser::octocat()
    });
    let (_, page) = gh.sign_in().await;
    assert_eq!(page.status, 403, "{}", page.body);
    assert!(gh.account("victim@example.org").await.is_none());
    assert!(gh.account("octocat@example.com").await.is_none());
}

#[tokio::test]
async fn a_github_api_error_ends_on_the_password_form_and_changes_nothing() {
    for backend in Backend::all() {
        let gh = WithGithub::start(backend).await;
        gh.github.fail_api(true);
        let (_, page) = gh.sign_in().await;
        assert_eq!(page.status, 502, "{}", page.body);
        assert!(page.body.contains("cannot be reached"), "{}", page.body);
        assert!(page.body.contains("name=\"password\""));
        assert!(gh.tessera.store.list_users().await.unwrap().is_empty());
    }
}

#[tokio::test]
async fn declining_at_github_says_so_and_offers_the_password() {
    let gh = WithGithub::start(Backend::Sqlite).await;
    gh.github.deny(true);
    let (_, page) = gh.sign_in().await;
    assert_eq!(page.status, 403, "{}", page.body);
    assert!(page.body.contains("was cancelled"), "{}", page.body);
}
