//! Tessera: an OpenID Connect provider. `app(state)` builds the whole HTTP surface;
//! `main.rs` only parses the command line and starts things.
#![forbid(unsafe_code)]
#![deny(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

pub mod audit;
pub mod auth;
pub mod branding;
pub mod clock;
pub mod config;
pub mod http;
pub mod i18n;
pub mod keys;
pub mod logging;
pub mod oauth;
pub mod observe;
pub mod outbound;
pub mod private_files;
pub mod retry;
pub mod routes;
pub mod server;
pub mod service;
pub mod startup;
pub mod state;
pub mod store;
pub mod upstream;

pub use http::app;
pub use state::AppState;
