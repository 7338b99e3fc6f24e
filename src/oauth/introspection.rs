//! Token introspection (RFC 7662) as the protocol sees it: who may ask (§2.1) and the answer
//! (§2.2, with RFC 9449 §6.2's `cnf` and `token_type` `DPoP` for a DPoP-bound token). Which
//! tokens each caller sees is the service's (`service::introspect`).
use serde::Serialize;

use super::access_token::{Act, Audience};
use super::amr::Amr;
use super::client::Client;
use super::dpop::Confirmation;
use super::resource::Resource;
use super::scope::Scopes;

/// The RFC 7662 §2.2 answer. Inactive is `active: false` and nothing else.
#[derive(Debug, Default, Serialize)]
pub struct Introspection {
    pub active: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub token_type: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scope: Option<Scopes>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub client_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sub: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub aud: Option<Audience>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub iss: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub iat: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub exp: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub jti: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub auth_time: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub acr: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub amr: Option<Amr>,
    /// RFC 9449 §6.2: the key a DPoP-bound access token is bound to, for the resource server
    /// to compare with the proof it received.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cnf: Option<Confirmation>,
    /// RFC 8693 §4.1: who acts for the subject, on a token made by a token exchange.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub act: Option<Act>,
}

/// Who is asking.
#[derive(Debug, Clone, Copy)]
pub enum Caller<'a> {
    Client(&'a Client),
    Api(&'a Resource),
}
