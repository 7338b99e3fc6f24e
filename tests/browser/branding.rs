//! Branded pages in a real browser: a pale primary colour (its button text and link colours
//! derived for contrast), an SVG logo and footer links, in both colour schemes at 320 px.
//! axe finds no contrast problem, nothing scrolls sideways, the logo loads under the pages'
//! CSP, and an error page carries the branding too.
use std::io::Write;

use crate::app;
use crate::common::*;
use crate::driver::{self, Options};
use crate::steps::check;

const LOGO: &[u8] = b"<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 120 30\" width=\"120\" height=\"30\"><rect width=\"120\" height=\"30\" fill=\"#ffd500\"/></svg>";

#[tokio::test]
async fn branded_pages_pass_axe_in_both_schemes_at_320_px() {
    let mut logo = tempfile::NamedTempFile::new().unwrap();
    logo.write_all(LOGO).unwrap();
    let branding = format!(
        "\n[branding]\nproduct_name = \"Acme Identity\"\nprimary_color = \"#ffd500\"\nlogo_file = {:?}\nsupport_url = \"https://help.acme.example/\"\nprivacy_url = \"https://acme.example/privacy\"\nterms_url = \"https://acme.example/terms\"\n",
        logo.path()
    );
    for scheme in ["light", "dark"] {
        let options = Options {
            width: 320,
            height: 640,
            ..Options::default()
        };
        let Some(mut browser) = driver::launch(&format!("branded_{scheme}"), options).await else {
            return;
        };
        browser.color_scheme(scheme).await;
        let (tessera, app) = app::tessera_and_app(Backend::Sqlite, &branding).await;
        let request = app::start_sign_in(&tessera, &app, &[]).await;
        browser.goto(&request.url).await;
        check(&browser, &format!("branded sign-in, {scheme}")).await;
        let title = browser.script("return document.title").await;
        assert_eq!(title, "Sign in – Acme Identity");
        let logo_loaded = browser
            .script("const i = document.querySelector('img.logo'); return i.complete && i.naturalWidth > 0")
            .await;
        assert_eq!(
            logo_loaded, true,
            "{scheme}: the logo loads under the page CSP"
        );
        assert!(
            browser
                .has("footer a[href='https://acme.example/privacy']")
                .await
        );

        browser
            .goto(&tessera.url("/authorize?client_id=no-such-app"))
            .await;
        check(&browser, &format!("branded error page, {scheme}")).await;
        assert!(browser.html().await.contains("Acme Identity"));
        browser.close().await;
    }
}
