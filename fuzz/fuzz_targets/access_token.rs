//! JWT access-token verification on arbitrary input: nothing but a token signed by our key
//! may verify, and nothing may panic.
#![no_main]
use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use tessera::keys::{KeySet, material};
use tessera::oauth::access_token::AccessTokenClaims;
use tessera::oauth::tokens::TokenType;

fn keys() -> &'static KeySet {
    static KEYS: OnceLock<KeySet> = OnceLock::new();
    KEYS.get_or_init(|| KeySet::single(material::generate_rsa().expect("key"), 0).expect("set"))
}

fuzz_target!(|data: &[u8]| {
    let Ok(token) = std::str::from_utf8(data) else {
        return;
    };
    let keys = keys();
    if let Ok(claims) = keys.verify(token, TokenType::Access) {
        // Only possible with our private key, which the fuzzer does not have.
        let _ = serde_json::from_value::<AccessTokenClaims>(serde_json::Value::Object(claims));
        panic!("an unsigned input verified");
    }
    let _ = keys.verify(token, TokenType::Id);
});
