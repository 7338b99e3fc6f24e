//! Outbound HTTP to URLs Tessera did not get from its own configuration: the guard every
//! such request goes through (`guard`, `address`), and what is fetched that way — client
//! metadata documents (`metadata_document`) with their cache lifetimes (`freshness`).
//! Below the services and beside `auth`: no database, no state, no HTTP server.
pub mod address;
pub mod freshness;
pub mod guard;
pub mod metadata_document;

pub use guard::{FetchError, Fetched, Guard};
pub use metadata_document::{Document, DocumentCache, fetch_metadata_document};
