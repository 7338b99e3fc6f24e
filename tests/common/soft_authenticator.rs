//! A software passkey authenticator, as a browser and a platform authenticator would answer
//! the options the server sends: ES256 credentials, `none` attestation, user verification,
//! and a signature counter. Tests change its answers to play an attacker (another origin, a
//! cloned key, another user's credential).
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use p256::ecdsa::signature::Signer;
use p256::ecdsa::{Signature, SigningKey};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

/// Authenticator data flags (WebAuthn §6.1).
const USER_PRESENT: u8 = 0x01;
const USER_VERIFIED: u8 = 0x04;
pub const BACKUP_ELIGIBLE: u8 = 0x08;
const BACKUP_STATE: u8 = 0x10;
const ATTESTED_DATA: u8 = 0x40;

#[derive(Clone)]
pub struct SoftCredential {
    pub id: Vec<u8>,
    key: SigningKey,
    pub user_handle: Vec<u8>,
    pub counter: u32,
    pub synced: bool,
}

#[derive(Clone)]
pub struct SoftAuthenticator {
    /// The origin the browser reports in clientDataJSON.
    pub origin: String,
    /// Synced passkeys (backup eligible and backed up) rather than device-bound ones.
    pub synced: bool,
    pub credentials: Vec<SoftCredential>,
    /// The credential ID the next registration uses (random when unset): lets a test
    /// present a credential ID that is registered already.
    pub next_id: Option<Vec<u8>>,
    /// Flags every assertion adds (a credential that has since become backup eligible).
    pub assertion_flags: u8,
}

impl SoftAuthenticator {
    pub fn new(origin: &str) -> Self {
        Self {
            origin: origin.to_string(),
            synced: false,
            credentials: Vec::new(),
            next_id: None,
            assertion_flags: 0,
        }
    }

    /// Registers a new credential for the options of a registration (the server's JSON) and
    /// returns the browser's answer as JSON.
    pub fn register(&mut self, options: &str) -> String {
        let options: Value = serde_json::from_str(options).unwrap();
        let public_key = &options["publicKey"];
        let rp_id = public_key["rp"]["id"].as_str().unwrap();
        let mut secret = [0u8; 32];
        rand::fill(&mut secret);
        let credential = SoftCredential {
            id: self.next_id.take().unwrap_or_else(|| {
                let mut id = vec![0u8; 32];
                rand::fill(id.as_mut_slice());
                id
            }),
            key: SigningKey::from_slice(&secret).unwrap(),
            user_handle: B64
                .decode(public_key["user"]["id"].as_str().unwrap())
                .unwrap(),
            counter: 1,
            synced: self.synced,
        };
        let client_data = self.client_data("webauthn.create", public_key);
        let mut auth_data = self.auth_data(rp_id, &credential, ATTESTED_DATA);
        auth_data.extend_from_slice(&[0u8; 16]); // AAGUID: none given
        auth_data.extend_from_slice(&(credential.id.len() as u16).to_be_bytes());
        auth_data.extend_from_slice(&credential.id);
        auth_data.extend_from_slice(&cose_key(&credential.key));
        let answer = json!({
            "id": B64.encode(&credential.id),
            "rawId": B64.encode(&credential.id),
            "type": "public-key",
            "response": {
                "attestationObject": B64.encode(none_attestation(&auth_data)),
                "clientDataJSON": B64.encode(client_data),
                "transports": ["internal"],
            },
            "clientExtensionResults": { "credProps": { "rk": true } },
        });
        self.credentials.push(credential);
        answer.to_string()
    }

    /// Signs in with the first credential the options allow (any, for a usernameless
    /// sign-in) and returns the browser's answer as JSON.
    pub fn assert(&mut self, options: &str) -> String {
        let options: Value = serde_json::from_str(options).unwrap();
        let public_key = &options["publicKey"];
        let allowed: Vec<Vec<u8>> = public_key["allowCredentials"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|c| B64.decode(c["id"].as_str()?).ok())
            .collect();
        let index = self
            .credentials
            .iter()
            .position(|c| allowed.is_empty() || allowed.contains(&c.id))
            .expect("a credential the options allow");
        self.credentials[index].counter += 1;
        let credential = self.credentials[index].clone();
        let rp_id = public_key["rpId"].as_str().unwrap();
        let client_data = self.client_data("webauthn.get", public_key);
        let auth_data = self.auth_data(rp_id, &credential, self.assertion_flags);
        let mut signed = auth_data.clone();
        signed.extend_from_slice(&Sha256::digest(&client_data));
        let signature: Signature = credential.key.sign(&signed);
        json!({
            "id": B64.encode(&credential.id),
            "rawId": B64.encode(&credential.id),
            "type": "public-key",
            "response": {
                "authenticatorData": B64.encode(&auth_data),
                "clientDataJSON": B64.encode(client_data),
                "signature": B64.encode(signature.to_der().as_bytes()),
                "userHandle": B64.encode(&credential.user_handle),
            },
            "clientExtensionResults": {},
        })
        .to_string()
    }

    fn client_data(&self, kind: &str, public_key: &Value) -> Vec<u8> {
        let challenge = public_key["challenge"].as_str().unwrap();
        json!({ "type": kind, "challenge": challenge, "origin": self.origin, "crossOrigin": false })
            .to_string()
            .into_bytes()
    }

    fn auth_data(&self, rp_id: &str, credential: &SoftCredential, extra_flags: u8) -> Vec<u8> {
        let mut flags = USER_PRESENT | USER_VERIFIED | extra_flags;
        if credential.synced {
            flags |= BACKUP_ELIGIBLE | BACKUP_STATE;
        }
        let mut data = Sha256::digest(rp_id.as_bytes()).to_vec();
        data.push(flags);
        data.extend_from_slice(&credential.counter.to_be_bytes());
        data
    }
}

/// The credential's public key as a COSE_Key: EC2, ES256, P-256, x, y (RFC 9053).
fn cose_key(key: &SigningKey) -> Vec<u8> {
    let point = key.verifying_key().to_sec1_point(false);
    let bytes = point.as_bytes();
    let (x, y) = (&bytes[1..33], &bytes[33..65]);
    let mut cose = vec![0xA5, 0x01, 0x02, 0x03, 0x26, 0x20, 0x01, 0x21, 0x58, 0x20];
    cose.extend_from_slice(x);
    cose.extend_from_slice(&[0x22, 0x58, 0x20]);
    cose.extend_from_slice(y);
    cose
}

/// `{"fmt": "none", "attStmt": {}, "authData": …}` in CBOR.
fn none_attestation(auth_data: &[u8]) -> Vec<u8> {
    let mut cbor = vec![0xA3];
    cbor.push(0x63);
    cbor.extend_from_slice(b"fmt");
    cbor.push(0x64);
    cbor.extend_from_slice(b"none");
    cbor.push(0x67);
    cbor.extend_from_slice(b"attStmt");
    cbor.push(0xA0);
    cbor.push(0x68);
    cbor.extend_from_slice(b"authData");
    let length = auth_data.len() as u16;
    match u8::try_from(length) {
        Ok(short) => cbor.extend_from_slice(&[0x58, short]),
        Err(_) => {
            cbor.push(0x59);
            cbor.extend_from_slice(&length.to_be_bytes());
        }
    }
    cbor.extend_from_slice(auth_data);
    cbor
}
