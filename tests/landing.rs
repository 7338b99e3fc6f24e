//! A person who opens the issuer's address lands somewhere useful: `/` leads to the account
//! page through sign-in, and an address with no page answers the branded error page in the
//! person's language (404), not plain text.
mod common;

use common::*;

#[tokio::test]
async fn the_issuers_address_leads_to_the_account_through_sign_in() {
    for backend in Backend::all() {
        let app = TestApp::spawn(backend).await;
        app.add_user(USER_EMAIL, USER_PASSWORD).await;
        let mut browser = app.browser();
        let root = browser.get("/").await;
        assert_eq!(root.status, 303);
        assert_eq!(root.location().as_deref(), Some("/account"));
        let page = browser.follow(root).await.unwrap();
        assert_eq!(page.status, 200);
        assert!(page.body.contains(r#"name="password""#), "{}", page.body);

        let account = browser
            .submit_login(&page, USER_EMAIL, USER_PASSWORD)
            .await
            .unwrap();
        assert!(
            account.body.contains(r#"action="/account/sessions/end""#),
            "{}",
            account.body
        );
        let root = browser.get("/").await;
        let again = browser.follow(root).await.unwrap();
        assert!(
            again.body.contains(r#"action="/account/sessions/end""#),
            "signed in: straight to the account: {}",
            again.body
        );
    }
}

#[tokio::test]
async fn an_address_with_no_page_answers_the_branded_error_page_in_the_persons_language() {
    let branding = "\n[branding]\nproduct_name = \"Acme ID\"\n";
    for backend in Backend::all() {
        let app = TestApp::spawn_with_toml(backend, branding).await;
        for (accept_language, lang, title) in [
            ("en", "en", "Page not found"),
            ("de-DE,de;q=0.9", "de", "Seite nicht gefunden"),
            ("fr", "fr", "Page introuvable"),
        ] {
            let response = http_client()
                .get(app.url("/no/such/page"))
                .header("accept-language", accept_language)
                .send()
                .await
                .unwrap();
            assert_eq!(response.status(), 404);
            let headers = response.headers().clone();
            let content_type = headers["content-type"].to_str().unwrap();
            assert!(content_type.starts_with("text/html"), "{content_type}");
            assert!(headers.contains_key("content-security-policy"));
            let body = response.text().await.unwrap();
            assert!(body.contains(&format!(r#"lang="{lang}""#)), "{body}");
            assert!(
                body.contains(&format!("<title>{title} – Acme ID</title>")),
                "{body}"
            );
        }
        let posted = http_client()
            .post(app.url("/no/such/form"))
            .send()
            .await
            .unwrap();
        assert_eq!(posted.status(), 404);
    }
}
