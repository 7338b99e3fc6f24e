//! The HTTP surface: axum adapters that extract a request, call a service and map its
//! outcome to a response. Nothing here decides anything the protocol or a service should,
//! and nothing here touches the database: handlers reach it only through a service.
//!
//! Four rooms: `api/` answers clients and APIs in JSON (token, revocation, introspection,
//! userinfo, discovery); `pages/` answers browsers in HTML (sign-in, second step, consent,
//! account, logout); `admin/` is the admin API (JSON and problem documents, its OpenAPI
//! document); the root holds what all use: the router and its middleware, errors, form
//! parsing, the page headers (`html`) and the page language (`locale`).
mod admin;
mod api;
mod audit_origin;
mod client_ip;
mod error;
mod form;
mod html;
mod locale;
mod middleware;
mod page_routes;
mod pages;
mod rate_limit;
mod respond;
mod router;

pub use admin::{document as admin_api_document, problem_types as admin_problem_types};
pub use error::HttpError;
pub use router::{admin_app, app};
