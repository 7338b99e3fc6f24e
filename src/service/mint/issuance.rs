//! Who and what the tokens of one token response are for, and the key they are bound to.
use crate::oauth::amr::Amr;
use crate::oauth::client::Client;
use crate::oauth::resource::Resource;
use crate::oauth::scope::Scopes;
use crate::store::users::UserRow;

/// The client, the user and the session the tokens are issued in, what the user granted,
/// the API this access token is for, and how the user signed in.
pub struct Issuance<'a> {
    pub client: &'a Client,
    pub user: &'a UserRow,
    /// Everything granted: OpenID Connect scopes and the scopes of the grant's APIs.
    pub scope: &'a Scopes,
    /// The API this access token is for; `None`: Tessera's userinfo endpoint.
    pub audience: Option<&'a Resource>,
    pub auth_time: i64,
    pub amr: &'a Amr,
    pub nonce: Option<&'a str>,
    pub session_id_hash: &'a str,
    /// The thumbprint of the DPoP key the request proved (RFC 9449 §5): the access token is
    /// bound to it, and a public client's refresh token too.
    pub dpop_jkt: Option<&'a str>,
}
