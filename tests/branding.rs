//! `[branding]` on the real router: the product name in titles, header and the TOTP issuer;
//! footer links; the colour stylesheet and its cache rules; the logo route's headers (an SVG
//! opened directly runs no script); and a reload that changes all of it.
mod common;

use std::io::Write;

use common::mfa::{otpauth_uri_on, sign_in_with_password};
use common::*;
use tessera::config::Config;

const BRANDED: &str = r##"
[branding]
product_name = "Acme ID"
primary_color = "#ffd500"
support_url = "https://help.acme.example/"
privacy_url = "https://acme.example/privacy"
terms_url = "https://acme.example/terms?v=2&lang=en"
"##;

const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0";
const SVG: &[u8] = b"<?xml version=\"1.0\"?>\n<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 1 1\"><script>alert(1)</script></svg>";

async fn login_page(app: &TestApp) -> Page {
    let mut browser = app.browser();
    let start = browser
        .get(&authorize_url("confidential", REDIRECT, &[]))
        .await;
    browser.follow(start).await.unwrap()
}

/// The `href` of the page's stylesheet link whose path starts with `path`.
fn linked(page: &Page, path: &str) -> String {
    let marker = format!("href=\"{path}?v=");
    let start = page.body.find(&marker).expect("stylesheet linked") + "href=\"".len();
    let end = page.body[start..].find('"').unwrap() + start;
    page.body[start..end].to_string()
}

fn logo_file(bytes: &[u8]) -> tempfile::NamedTempFile {
    let mut file = tempfile::NamedTempFile::new().unwrap();
    file.write_all(bytes).unwrap();
    file
}

async fn get(app: &TestApp, path: &str) -> reqwest::Response {
    http_client().get(app.url(path)).send().await.unwrap()
}

fn header(response: &reqwest::Response, name: &str) -> String {
    response.headers()[name].to_str().unwrap().to_string()
}

#[tokio::test]
async fn pages_name_the_product_and_link_the_footer() {
    let app = TestApp::spawn_with_toml(Backend::Sqlite, BRANDED).await;
    let page = login_page(&app).await;
    assert_eq!(page.status, 200);
    assert!(
        page.body.contains("<title>Sign in – Acme ID</title>"),
        "{}",
        page.body
    );
    assert!(page.body.contains("<span class=\"product\">Acme ID</span>"));
    assert!(!page.body.contains("Tessera"), "{}", page.body);
    for link in [
        "<a href=\"https://help.acme.example/\">Help</a>",
        "<a href=\"https://acme.example/privacy\">Privacy</a>",
        "<a href=\"https://acme.example/terms?v=2&#38;lang=en\">Terms</a>",
    ] {
        assert!(page.body.contains(link), "{link} in {}", page.body);
    }
    // Error pages are rendered without the handler's state, and branded all the same.
    let error = app.browser().get("/authorize?client_id=nobody").await;
    assert_eq!(error.status, 400);
    assert!(error.body.contains(" – Acme ID</title>"), "{}", error.body);
    assert!(error.body.contains("Help</a>"));
}

#[tokio::test]
async fn without_branding_pages_say_tessera_and_have_no_footer_or_logo() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let page = login_page(&app).await;
    assert!(page.body.contains("<title>Sign in – Tessera</title>"));
    assert!(!page.body.contains("<footer"));
    assert!(!page.body.contains("<img"));
    assert_eq!(get(&app, "/assets/logo").await.status(), 404);
}

#[tokio::test]
async fn the_brand_stylesheet_carries_the_colour_and_a_readable_text_colour() {
    let app = TestApp::spawn_with_toml(Backend::Sqlite, BRANDED).await;
    let page = login_page(&app).await;
    let url = linked(&page, "/assets/brand.css");
    let css = get(&app, &url).await;
    assert_eq!(header(&css, "content-type"), "text/css; charset=utf-8");
    assert_eq!(
        header(&css, "cache-control"),
        "public, max-age=31536000, immutable"
    );
    let css = css.text().await.unwrap();
    assert!(css.contains("--primary: #ffd500;"), "{css}");
    // Yellow is light: near-black button text (WCAG contrast picks it), links darkened.
    assert!(css.contains("--on-primary: #111111;"), "{css}");
    assert!(!css.contains("--link: #ffd500; }\n@media"), "{css}");
    // A URL without the current version is answered, but not for keeps.
    let stale = get(&app, "/assets/brand.css?v=old").await;
    assert_eq!(header(&stale, "cache-control"), "no-cache");
    // The main stylesheet is versioned the same way.
    let main = get(&app, &linked(&page, "/assets/tessera.css")).await;
    assert_eq!(
        header(&main, "cache-control"),
        "public, max-age=31536000, immutable"
    );
    assert!(
        main.text()
            .await
            .unwrap()
            .contains("prefers-color-scheme: dark")
    );
}

#[tokio::test]
async fn a_png_logo_is_served_as_png_and_shown_with_the_product_name() {
    let file = logo_file(PNG);
    let toml = format!("{BRANDED}logo_file = {:?}\n", file.path());
    let app = TestApp::spawn_with_toml(Backend::Sqlite, &toml).await;
    let page = login_page(&app).await;
    assert!(
        page.body
            .contains("<img class=\"logo\" src=\"/assets/logo?v="),
        "{}",
        page.body
    );
    assert!(page.body.contains("alt=\"Acme ID\">"));
    let logo = get(&app, "/assets/logo").await;
    assert_eq!(logo.status(), 200);
    assert_eq!(header(&logo, "content-type"), "image/png");
    assert_eq!(header(&logo, "x-content-type-options"), "nosniff");
    assert_eq!(header(&logo, "cache-control"), "no-cache");
    assert_eq!(&logo.bytes().await.unwrap()[..], PNG);
}

#[tokio::test]
async fn an_svg_logo_opened_directly_cannot_run_script() {
    // Named .png: the content, not the name, decides the type.
    let file = tempfile::Builder::new().suffix(".png").tempfile().unwrap();
    std::fs::write(file.path(), SVG).unwrap();
    let toml = format!("\n[branding]\nlogo_file = {:?}\n", file.path());
    let app = TestApp::spawn_with_toml(Backend::Sqlite, &toml).await;
    let logo = get(&app, "/assets/logo").await;
    assert_eq!(header(&logo, "content-type"), "image/svg+xml");
    assert_eq!(header(&logo, "x-content-type-options"), "nosniff");
    let csp = header(&logo, "content-security-policy");
    assert_eq!(
        csp,
        "default-src 'none'; style-src 'unsafe-inline'; sandbox"
    );
}

#[tokio::test]
async fn the_authenticator_issuer_follows_the_product_name() {
    let app = TestApp::spawn_with_toml(Backend::Sqlite, BRANDED).await;
    app.add_user(USER_EMAIL, USER_PASSWORD).await;
    let mut browser = app.browser();
    sign_in_with_password(&app, &mut browser).await;
    let page = browser.get("/account/mfa").await;
    let uri = otpauth_uri_on(&page);
    assert!(uri.contains("/totp/Acme%20ID:ada%40example.com?"), "{uri}");
    assert!(uri.ends_with("&issuer=Acme%20ID"), "{uri}");
}

#[tokio::test]
async fn a_reload_changes_name_colour_links_and_logo() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let before = login_page(&app).await;
    let old_css = linked(&before, "/assets/brand.css");

    let file = logo_file(PNG);
    let text = format!(
        "{}{BRANDED}logo_file = {:?}\n",
        base_config(&app.issuer),
        file.path()
    );
    let (applied, ignored) = app
        .state
        .config()
        .reloaded(Config::from_toml(&text).unwrap(), None);
    // (The test server's own keys_dir and master key differ from the file's: not ours.)
    assert!(!ignored.contains(&"branding"), "{ignored:?}");
    app.state.replace_settings(applied);

    let after = login_page(&app).await;
    assert!(after.body.contains("<title>Sign in – Acme ID</title>"));
    assert!(after.body.contains("Privacy</a>"));
    assert!(after.body.contains("src=\"/assets/logo?v="));
    let new_css = linked(&after, "/assets/brand.css");
    assert_ne!(old_css, new_css, "a new colour gets a new URL");
    // A browser still holding the old page fetches the new colours, uncached.
    let stale = get(&app, &old_css).await;
    assert_eq!(header(&stale, "cache-control"), "no-cache");
    assert!(stale.text().await.unwrap().contains("#ffd500"));
    assert_eq!(get(&app, "/assets/logo").await.status(), 200);
}
