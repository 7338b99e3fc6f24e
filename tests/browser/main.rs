//! Tessera's pages in a real browser: headless Chromium through chromedriver. Every page a
//! flow passes is checked on arrival (`steps::check`): no console error, no CSP violation, no
//! serious or critical axe-core finding, and no sideways scrolling at the window's width.
//!
//! Without Chromium installed the tests say so and pass (a developer machine); `.ci/run`
//! installs it and sets `REQUIRE_BROWSER_TESTS`, so CI never skips them.
#[path = "../common/mod.rs"]
mod common;

mod app;
mod axe;
mod driver;
mod steps;

mod account;
mod account_security;
mod branding;
mod device;
mod emailed;
mod languages;
mod metadata_documents;
mod passkeys;
mod screenshots;
mod sign_in;
mod upstreams;
