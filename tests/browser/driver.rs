//! Headless Chromium driven through chromedriver (WebDriver, with fantoccini). Every test gets
//! its own chromedriver and browser profile; both are killed with their process group when the
//! test ends, passed or panicked, so no browser outlives the test binary.
//!
//! Chromium's own log is read after every page: a console error or a Content-Security-Policy
//! violation (Chromium logs those as SEVERE, source "security") fails the test.
use std::net::TcpListener;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use base64::Engine;
use fantoccini::elements::Element;
use fantoccini::wd::{Capabilities, WebDriverCompatibleCommand};
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{Value, json};
use tokio::sync::{Semaphore, SemaphorePermit};

/// Browsers at once in one test binary: CI has two cores, and each Chromium wants one.
static BROWSERS: Semaphore = Semaphore::const_new(2);

/// Set by `.ci/run`: a missing browser fails instead of skipping, so CI never skips.
const REQUIRE: &str = "REQUIRE_BROWSER_TESTS";

/// WebDriver's key codes (WebDriver §17.4.2).
pub const TAB: &str = "\u{E004}";
pub const ENTER: &str = "\u{E007}";

#[derive(Debug, Clone)]
pub struct Options {
    pub javascript: bool,
    pub width: u32,
    pub height: u32,
    /// What the browser sends as `Accept-Language`.
    pub accept_language: &'static str,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            javascript: true,
            width: 1024,
            height: 900,
            accept_language: "en-US,en",
        }
    }
}

/// Chromium and chromedriver: `CHROMIUM` / `CHROMEDRIVER`, else Debian's paths.
fn binaries() -> Option<(PathBuf, PathBuf)> {
    let pick = |var: &str, default: &str| {
        let path = std::env::var_os(var).map_or_else(|| PathBuf::from(default), PathBuf::from);
        path.exists().then_some(path)
    };
    Some((
        pick("CHROMIUM", "/usr/bin/chromium")?,
        pick("CHROMEDRIVER", "/usr/bin/chromedriver")?,
    ))
}

/// A chromedriver process in a process group of its own (Chromium joins it).
struct Driver {
    child: Child,
    port: u16,
}

impl Driver {
    fn start(chromedriver: &Path) -> Driver {
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free port")
            .port();
        let child = Command::new(chromedriver)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .process_group(0)
            .spawn()
            .expect("chromedriver starts");
        Driver { child, port }
    }

    fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        // The whole group: chromedriver and every Chromium process it started.
        let group = format!("-{}", self.child.id());
        let _ = Command::new("kill").args(["-KILL", "--", &group]).status();
        let _ = self.child.wait();
    }
}

/// One browser window on Tessera's pages.
pub struct Browser {
    client: Client,
    pub options: Options,
    /// Where it has been, for failure messages.
    pub visited: Vec<String>,
    _driver: Driver,
    _permit: SemaphorePermit<'static>,
}

/// A browser, or `None` (said loudly) when Chromium is not installed here.
pub async fn launch(test: &str, options: Options) -> Option<Browser> {
    let Some((chromium, chromedriver)) = binaries() else {
        assert!(
            std::env::var_os(REQUIRE).is_none(),
            "{REQUIRE} is set but chromium/chromedriver are missing (apt-get install chromium chromium-driver)"
        );
        eprintln!(
            "SKIPPED browser test `{test}`: /usr/bin/chromium or /usr/bin/chromedriver not found \
             (apt-get install chromium chromium-driver; .ci/run installs them)"
        );
        return None;
    };
    let permit = BROWSERS.acquire().await.expect("semaphore open");
    let driver = Driver::start(&chromedriver);
    let mut args = vec![
        "--headless=new".to_string(),
        "--no-sandbox".into(),
        "--disable-gpu".into(),
        "--disable-dev-shm-usage".into(),
        "--no-first-run".into(),
        format!("--window-size={},{}", options.width, options.height),
    ];
    if !options.javascript {
        args.push("--blink-settings=scriptEnabled=false".into());
    }
    let mut capabilities = Capabilities::new();
    capabilities.insert("browserName".into(), json!("chrome"));
    capabilities.insert("goog:loggingPrefs".into(), json!({ "browser": "ALL" }));
    capabilities.insert(
        "goog:chromeOptions".into(),
        json!({
            "binary": chromium,
            "args": args,
            "prefs": { "intl.accept_languages": options.accept_language },
        }),
    );
    let client = connect(&driver, capabilities).await;
    let browser = Browser {
        client,
        options,
        visited: Vec::new(),
        _driver: driver,
        _permit: permit,
    };
    // The exact viewport, whatever the smallest window the platform allows.
    let metrics = json!({
        "width": browser.options.width,
        "height": browser.options.height,
        "deviceScaleFactor": 1,
        // Not "mobile": a phone would widen its layout viewport to hide an overflow, which
        // is the very thing the narrow tests look for.
        "mobile": false,
    });
    browser
        .devtools("Emulation.setDeviceMetricsOverride", metrics)
        .await;
    Some(browser)
}

/// chromedriver takes a moment to listen: retry for up to ten seconds.
async fn connect(driver: &Driver, capabilities: Capabilities) -> Client {
    let mut last = String::new();
    for _ in 0..100 {
        let connector = hyper_util::client::legacy::connect::HttpConnector::new();
        match ClientBuilder::new(connector)
            .capabilities(capabilities.clone())
            .connect(&driver.url())
            .await
        {
            Ok(client) => return client,
            Err(e) => last = e.to_string(),
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("chromedriver did not start a session: {last}");
}

/// A chromedriver command outside fantoccini's set: the browser log, Chrome DevTools.
#[derive(Debug)]
struct Extension {
    path: &'static str,
    body: Value,
}

impl WebDriverCompatibleCommand for Extension {
    fn endpoint(
        &self,
        base_url: &url::Url,
        session_id: Option<&str>,
    ) -> Result<url::Url, url::ParseError> {
        let session = session_id.unwrap_or_default();
        base_url.join(&format!("session/{session}/{}", self.path))
    }

    fn method_and_body(&self, _: &url::Url) -> (axum::http::Method, Option<String>) {
        (axum::http::Method::POST, Some(self.body.to_string()))
    }
}

/// Chromium logs a page answered 4xx/5xx as a failed load. An error page's status is meant,
/// so that entry is not a problem; a failed stylesheet or image still is (its own URL, not a
/// page's, comes first in the message).
fn is_document_status(entry: &Value) -> bool {
    let message = entry["message"].as_str().unwrap_or_default();
    let url = message.split(' ').next().unwrap_or_default();
    entry["source"] == "network"
        && message.contains("the server responded with a status of")
        && !url.contains("/assets/")
}

impl Browser {
    pub async fn goto(&mut self, url: &str) {
        self.client.goto(url).await.expect("navigation");
        self.visited.push(url.to_string());
    }

    pub async fn url(&self) -> String {
        self.client
            .current_url()
            .await
            .expect("current url")
            .to_string()
    }

    pub async fn find(&self, css: &str) -> Element {
        self.client
            .wait()
            .at_most(Duration::from_secs(10))
            .for_element(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("no `{css}` on {}: {e}", self.visited.join(" → ")))
    }

    pub async fn has(&self, css: &str) -> bool {
        self.client.find(Locator::Css(css)).await.is_ok()
    }

    pub async fn text(&self, css: &str) -> String {
        self.find(css).await.text().await.expect("element text")
    }

    pub async fn attribute(&self, css: &str, name: &str) -> Option<String> {
        self.find(css)
            .await
            .attr(name)
            .await
            .expect("element attribute")
    }

    pub async fn fill(&self, css: &str, value: &str) {
        let field = self.find(css).await;
        field.clear().await.expect("clear field");
        field.send_keys(value).await.expect("type into field");
    }

    /// Clicks something that leads to another page, and waits for that page.
    pub async fn click(&mut self, css: &str) {
        let target = self.find(css).await;
        self.mark_page().await;
        target.click().await.expect("click");
        self.wait_for_next_page(css).await;
    }

    /// Keys typed into whatever has focus, as a keyboard user would (no page change awaited).
    pub async fn keys(&mut self, keys: &str) {
        let focused = self.client.active_element().await.expect("focused element");
        focused.send_keys(keys).await.expect("keys");
    }

    /// Keys that submit a form: waits for the next page.
    pub async fn keys_to_next_page(&mut self, keys: &str) {
        self.mark_page().await;
        self.keys(keys).await;
        self.wait_for_next_page(keys).await;
    }

    /// Marks the current document, so the next one can be told apart from it.
    async fn mark_page(&self) {
        self.script("document.documentElement.dataset.seen = '1'")
            .await;
    }

    async fn wait_for_next_page(&mut self, action: &str) {
        for _ in 0..200 {
            let loaded = self
                .script("return document.readyState === 'complete' && !document.documentElement.dataset.seen")
                .await;
            if loaded == true {
                self.visited.push(self.url().await);
                return;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!(
            "`{action}` led to no new page after {}",
            self.visited.join(" → ")
        );
    }

    /// `id`, or the tag and name of what has focus.
    pub async fn focused(&self) -> String {
        self.script("const e = document.activeElement; return e.id || (e.tagName + ':' + (e.name || e.textContent.trim()));")
            .await
            .as_str()
            .unwrap_or_default()
            .to_string()
    }

    pub async fn html(&self) -> String {
        self.client.source().await.expect("page source")
    }

    /// Runs a script (WebDriver scripts are not subject to the page's CSP, and run even with
    /// the page's JavaScript turned off).
    pub async fn script(&self, source: &str) -> Value {
        self.client
            .execute(source, vec![])
            .await
            .expect("script runs")
    }

    /// Runs a script that calls its last argument when done (WebDriver's async script).
    pub async fn script_async(&self, source: &str) -> Value {
        self.client
            .execute_async(source, vec![])
            .await
            .expect("async script runs")
    }

    /// The console errors and CSP violations since the last call.
    pub async fn problems(&self) -> Vec<String> {
        let log = self
            .client
            .issue_cmd(Extension {
                path: "se/log",
                body: json!({ "type": "browser" }),
            })
            .await
            .expect("browser log");
        log.as_array()
            .into_iter()
            .flatten()
            .filter(|entry| entry["level"] == "SEVERE")
            .filter(|entry| !is_document_status(entry))
            .map(|entry| format!("[{}] {}", entry["source"], entry["message"]))
            .collect()
    }

    /// Fails the test on any console error or CSP violation so far.
    pub async fn assert_no_problems(&self, page: &str) {
        let problems = self.problems().await;
        assert!(
            problems.is_empty(),
            "{page}: the browser reported problems:\n{}",
            problems.join("\n")
        );
    }

    /// A Chrome DevTools command through chromedriver.
    pub async fn devtools(&self, command: &str, params: Value) -> Value {
        self.client
            .issue_cmd(Extension {
                path: "goog/cdp/execute",
                body: json!({ "cmd": command, "params": params }),
            })
            .await
            .unwrap_or_else(|e| panic!("{command}: {e}"))
    }

    /// A virtual platform authenticator (W3C WebAuthn §11, WebDriver extension): CTAP2,
    /// discoverable credentials, user verification that always succeeds. It lives as long
    /// as this window.
    pub async fn add_virtual_authenticator(&self) -> Value {
        self.client
            .issue_cmd(Extension {
                path: "webauthn/authenticator",
                body: json!({
                    "protocol": "ctap2",
                    "transport": "internal",
                    "hasResidentKey": true,
                    "hasUserVerification": true,
                    "isUserVerified": true,
                    "isUserConsenting": true,
                }),
            })
            .await
            .expect("a virtual authenticator")
    }

    /// `prefers-color-scheme` as the pages see it.
    pub async fn color_scheme(&self, scheme: &str) {
        let features = json!([{ "name": "prefers-color-scheme", "value": scheme }]);
        self.devtools(
            "Emulation.setEmulatedMedia",
            json!({ "features": features }),
        )
        .await;
    }

    /// The whole page as PNG, beyond the window's height.
    pub async fn screenshot(&self, path: &Path) {
        let shot = self
            .devtools(
                "Page.captureScreenshot",
                json!({ "format": "png", "captureBeyondViewport": true }),
            )
            .await;
        let data = shot["data"].as_str().expect("screenshot data");
        let png = base64::engine::general_purpose::STANDARD
            .decode(data)
            .expect("base64 screenshot");
        std::fs::write(path, png).expect("write screenshot");
    }

    /// How far the page is wider than the window (0: no sideways scrolling).
    pub async fn horizontal_overflow(&self) -> i64 {
        self.script(
            "return document.documentElement.scrollWidth - document.documentElement.clientWidth",
        )
        .await
        .as_i64()
        .unwrap_or(i64::MAX)
    }

    pub async fn close(self) {
        let _ = self.client.close().await;
    }
}
