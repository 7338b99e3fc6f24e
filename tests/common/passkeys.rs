//! Passkeys over HTTP: Tessera on a `localhost` issuer (an IP address cannot host passkeys),
//! and what a page's script would read from a passkey form and post back.
use super::*;

/// Tessera with the standard test config, its issuer on `localhost` (the listener is the
/// same loopback socket).
pub async fn spawn_on_localhost(backend: Backend) -> TestApp {
    TestApp::spawn_with(backend, on_localhost).await
}

/// The issuer moved from `127.0.0.1` to `localhost`, same port.
pub fn on_localhost(config: &mut Config) {
    config.issuer = config.issuer.replace("127.0.0.1", "localhost");
}

/// A passkey form on a page: where it posts, its ceremony, and the options (JSON) the
/// script hands the browser.
#[derive(Debug)]
pub struct Offer {
    pub action: String,
    pub ceremony: String,
    pub options: String,
}

/// The page's passkey form, if it has one.
pub fn offer_on(page: &Page) -> Option<Offer> {
    let form_at = page.body.find("data-passkey=")?;
    let form_start = page.body[..form_at].rfind("<form")?;
    let form = &page.body[form_start..];
    let attribute = |name: &str| {
        let marker = format!("{name}=\"");
        let start = form.find(&marker)? + marker.len();
        let end = form[start..].find('"')? + start;
        Some(unescape(&form[start..end]))
    };
    Some(Offer {
        action: attribute("action")?,
        ceremony: hidden_in(form, "ceremony"),
        options: attribute("data-options")?,
    })
}

fn hidden_in(form: &str, name: &str) -> String {
    let marker = format!("name=\"{name}\" value=\"");
    let start = form.find(&marker).expect("a hidden field") + marker.len();
    let end = form[start..].find('"').unwrap() + start;
    unescape(&form[start..end])
}

/// HTML attribute text back to what the browser would read.
fn unescape(text: &str) -> String {
    text.replace("&#34;", "\"")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&#x27;", "'")
        .replace("&lt;", "<")
        .replace("&#60;", "<")
        .replace("&gt;", ">")
        .replace("&#62;", ">")
        .replace("&#38;", "&")
        .replace("&amp;", "&")
}

impl Browser {
    /// Posts the authenticator's `answer` to the page's passkey form, as the script does.
    pub async fn submit_passkey(&mut self, page: &Page, offer: &Offer, answer: &str) -> Page {
        let csrf = page.hidden("csrf_token");
        self.post_form(
            &offer.action,
            &[
                ("csrf_token", &csrf),
                ("ceremony", &offer.ceremony),
                ("credential", answer),
            ],
        )
        .await
    }
}
