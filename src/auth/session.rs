//! Browser sessions: the cookie holds a 256-bit random id; the database holds only its hash
//! (see `store::sessions`). A new id is issued at every sign-in, so a planted cookie cannot
//! become an authenticated session (session fixation).
use super::secret;

/// The session's public identifier (`sid` in ID tokens, the handle on the account page):
/// a hash of the stored hash, so it can be shown without revealing the lookup key.
pub fn public_id(id_hash: &str) -> String {
    secret::hash(id_hash)
}
