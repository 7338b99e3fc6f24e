//! Signing keys: RSA-2048 PEM files in `keys_dir`, one per key. Every key is published in the
//! JWKS; the key whose file name sorts last (names start with the creation time) signs.
//! `kid` is the RFC 7638 JWK thumbprint, so it is derived from the key and never collides.
use std::collections::HashMap;
use std::fmt;
use std::io::Write;
use std::path::{Path, PathBuf};

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use josekit::jwk::Jwk;
use josekit::jwk::alg::rsa::RsaKeyPair;
use josekit::jws::alg::rsassa::{RsassaJwsSigner, RsassaJwsVerifier};
use josekit::jws::{JwsHeader, RS256};
use josekit::jwt::{self, JwtPayload};
use serde::Serialize;
use serde_json::{Map, Value, json};
use sha2::{Digest, Sha256};

use crate::oauth::tokens::TokenType;

const KEY_BITS: u32 = 2048;

#[derive(Debug)]
pub enum KeyError {
    Io(PathBuf, std::io::Error),
    BadKey(PathBuf, String),
    NoKeys(PathBuf),
    Jose(String),
}

impl fmt::Display for KeyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Io(path, e) => write!(f, "{}: {e}", path.display()),
            Self::BadKey(path, e) => {
                write!(f, "{}: not an RSA private key in PEM: {e}", path.display())
            }
            Self::NoKeys(dir) => write!(
                f,
                "no signing keys in {} (run `tessera keys generate`)",
                dir.display()
            ),
            Self::Jose(e) => write!(f, "signing failed: {e}"),
        }
    }
}

impl std::error::Error for KeyError {}

/// One key as listed by `tessera keys list`.
#[derive(Debug, Clone)]
pub struct KeyInfo {
    pub kid: String,
    pub file: PathBuf,
    pub signing: bool,
}

/// The loaded keys: one signer, a verifier per published key, and the JWKS document.
pub struct KeyStore {
    signer: RsassaJwsSigner,
    signing_kid: String,
    verifiers: HashMap<String, RsassaJwsVerifier>,
    jwks: Value,
    keys: Vec<KeyInfo>,
}

impl fmt::Debug for KeyStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("KeyStore")
            .field("signing_kid", &self.signing_kid)
            .field("keys", &self.keys.len())
            .finish_non_exhaustive()
    }
}

impl KeyStore {
    /// Loads every `*.pem` in `dir`.
    pub fn load(dir: &Path) -> Result<Self, KeyError> {
        let files = pem_files(dir)?;
        let mut verifiers = HashMap::new();
        let mut published = Vec::new();
        let mut keys = Vec::new();
        let mut last = None;
        for file in &files {
            let pem = std::fs::read(file).map_err(|e| KeyError::Io(file.clone(), e))?;
            let pair = RsaKeyPair::from_pem(&pem)
                .map_err(|e| KeyError::BadKey(file.clone(), e.to_string()))?;
            let public = pair.to_jwk_public_key();
            let kid = thumbprint(&public)
                .ok_or_else(|| KeyError::BadKey(file.clone(), "no modulus".into()))?;
            let mut verifier = RS256
                .verifier_from_jwk(&public)
                .map_err(|e| KeyError::BadKey(file.clone(), e.to_string()))?;
            verifier.set_key_id(kid.clone());
            verifiers.insert(kid.clone(), verifier);
            published.push(json!({
                "kty": "RSA",
                "use": "sig",
                "alg": "RS256",
                "kid": kid,
                "n": public.parameter("n"),
                "e": public.parameter("e"),
            }));
            keys.push(KeyInfo {
                kid: kid.clone(),
                file: file.clone(),
                signing: false,
            });
            last = Some((pem, kid));
        }
        let (pem, signing_kid) = last.ok_or_else(|| KeyError::NoKeys(dir.to_path_buf()))?;
        let mut signer = RS256
            .signer_from_pem(&pem)
            .map_err(|e| KeyError::BadKey(dir.to_path_buf(), e.to_string()))?;
        signer.set_key_id(signing_kid.clone());
        if let Some(info) = keys.last_mut() {
            info.signing = true;
        }
        Ok(Self {
            signer,
            signing_kid,
            verifiers,
            jwks: json!({ "keys": published }),
            keys,
        })
    }

    /// The JWK Set document: public parts only.
    pub fn jwks(&self) -> &Value {
        &self.jwks
    }

    pub fn signing_kid(&self) -> &str {
        &self.signing_kid
    }

    pub fn keys(&self) -> &[KeyInfo] {
        &self.keys
    }

    /// Signs `claims` as a JWT with RS256 and the current `kid`; the kind of token goes in
    /// the `typ` header.
    pub fn sign(&self, typ: TokenType, claims: &impl Serialize) -> Result<String, KeyError> {
        let mut header = JwsHeader::new();
        header.set_token_type(typ.as_str());
        header.set_key_id(self.signing_kid.clone());
        let claims = match serde_json::to_value(claims) {
            Ok(Value::Object(map)) => map,
            Ok(_) => return Err(KeyError::Jose("claims must be a JSON object".into())),
            Err(e) => return Err(KeyError::Jose(e.to_string())),
        };
        let payload = JwtPayload::from_map(claims).map_err(|e| KeyError::Jose(e.to_string()))?;
        jwt::encode_with_signer(&payload, &header, &self.signer)
            .map_err(|e| KeyError::Jose(e.to_string()))
    }

    /// Verifies a JWT's signature with the published key its `kid` names. Only RS256 is
    /// accepted (the verifier enforces `alg`), and `typ` must be the expected kind, so an ID
    /// token cannot pass as an access token.
    pub fn verify(
        &self,
        token: &str,
        expected: TokenType,
    ) -> Result<Map<String, Value>, &'static str> {
        let (payload, header) = jwt::decode_with_verifier_selector(token, |header| {
            Ok(header
                .key_id()
                .and_then(|kid| self.verifiers.get(kid))
                .map(|v| v as &dyn josekit::jws::JwsVerifier))
        })
        .map_err(|_| "the token signature is invalid")?;
        if header.token_type() != Some(expected.as_str()) {
            return Err("the token has the wrong type");
        }
        Ok(payload.claims_set().clone())
    }
}

/// RFC 7638 thumbprint of an RSA public JWK: SHA-256 over `{"e","kty","n"}` in that order.
fn thumbprint(public: &Jwk) -> Option<String> {
    let e = public.parameter("e")?.as_str()?;
    let n = public.parameter("n")?.as_str()?;
    let canonical = format!(r#"{{"e":"{e}","kty":"RSA","n":"{n}"}}"#);
    Some(URL_SAFE_NO_PAD.encode(Sha256::digest(canonical.as_bytes())))
}

fn pem_files(dir: &Path) -> Result<Vec<PathBuf>, KeyError> {
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(KeyError::Io(dir.to_path_buf(), e)),
    };
    let mut files: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .map(|entry| entry.path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "pem"))
        .collect();
    files.sort();
    Ok(files)
}

/// Generates a new RSA-2048 key in `dir` (mode 0600). It becomes the signing key.
pub fn generate_key(dir: &Path, now: i64) -> Result<String, KeyError> {
    if !dir.exists() {
        std::fs::create_dir_all(dir).map_err(|e| KeyError::Io(dir.to_path_buf(), e))?;
        // A folder we create holds only private keys: owner access only.
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))
                .map_err(|e| KeyError::Io(dir.to_path_buf(), e))?;
        }
    }
    let pair = RsaKeyPair::generate(KEY_BITS).map_err(|e| KeyError::Jose(e.to_string()))?;
    let kid =
        thumbprint(&pair.to_jwk_public_key()).ok_or_else(|| KeyError::Jose("no modulus".into()))?;
    // The creation time first, so names sort by age and the newest signs.
    let path = dir.join(format!("{now:012}-{kid}.pem"));
    write_private(&path, &pair.to_pem_private_key())?;
    Ok(kid)
}

/// Generates a key only when `dir` has none (first start).
pub fn ensure_key(dir: &Path, now: i64) -> Result<Option<String>, KeyError> {
    if pem_files(dir)?.is_empty() {
        generate_key(dir, now).map(Some)
    } else {
        Ok(None)
    }
}

fn write_private(path: &Path, pem: &[u8]) -> Result<(), KeyError> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options
        .open(path)
        .map_err(|e| KeyError::Io(path.to_path_buf(), e))?;
    file.write_all(pem)
        .map_err(|e| KeyError::Io(path.to_path_buf(), e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_keys_publish_only_public_parts_and_the_newest_signs() {
        let parent = tempfile::tempdir().unwrap();
        let dir = &parent.path().join("keys");
        assert!(KeyStore::load(dir).is_err());
        let first = ensure_key(dir, 100).unwrap().unwrap();
        assert!(ensure_key(dir, 101).unwrap().is_none());
        let second = generate_key(dir, 200).unwrap();
        let store = KeyStore::load(dir).unwrap();
        assert_eq!(store.signing_kid(), second);
        let jwks = store.jwks().to_string();
        assert!(jwks.contains(&first) && jwks.contains(&second));
        for private in ["\"d\"", "\"p\"", "\"q\"", "\"dp\"", "\"dq\"", "\"qi\""] {
            assert!(!jwks.contains(private), "{private} leaked");
        }
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let file = &store.keys()[0].file;
            assert_eq!(
                std::fs::metadata(file).unwrap().permissions().mode() & 0o777,
                0o600
            );
        }
    }

    #[test]
    fn signed_tokens_verify_and_tampering_is_detected() {
        let dir = tempfile::tempdir().unwrap();
        generate_key(dir.path(), 1).unwrap();
        let store = KeyStore::load(dir.path()).unwrap();
        let mut claims = Map::new();
        claims.insert("sub".into(), json!("u1"));
        let token = store.sign(TokenType::Access, &claims).unwrap();
        assert_eq!(
            store.verify(&token, TokenType::Access).unwrap()["sub"],
            "u1"
        );
        assert!(store.verify(&token, TokenType::Id).is_err());
        let mut parts: Vec<&str> = token.split('.').collect();
        let forged = URL_SAFE_NO_PAD.encode(br#"{"sub":"admin"}"#);
        parts[1] = &forged;
        assert!(store.verify(&parts.join("."), TokenType::Access).is_err());
    }
}
