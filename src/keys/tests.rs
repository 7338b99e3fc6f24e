use super::*;

fn loaded_as(alg: SigningAlg, generation: i64, sign_at: i64) -> LoadedKey {
    let key = material::generate(alg).unwrap();
    let times = KeyTimes {
        generation,
        publish_at: sign_at - 60,
        sign_at,
        retire_at: None,
        retired_at: None,
    };
    LoadedKey::new(
        key.kid,
        alg,
        times,
        0,
        key.public_jwk,
        Some(&key.private_pem),
    )
    .unwrap()
}

fn loaded(generation: i64, sign_at: i64) -> LoadedKey {
    loaded_as(SigningAlg::Rs256, generation, sign_at)
}

fn header_of(token: &str) -> Value {
    let header = token.split('.').next().unwrap();
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(header).unwrap()).unwrap()
}

/// `token` with its header replaced by `header` (signature untouched).
fn with_header(token: &str, header: &Value) -> String {
    let parts: Vec<&str> = token.split('.').collect();
    let header = URL_SAFE_NO_PAD.encode(header.to_string());
    format!("{header}.{}.{}", parts[1], parts[2])
}

#[test]
fn signed_tokens_verify_and_tampering_is_detected_for_every_algorithm() {
    for alg in SigningAlg::ALL {
        let set = KeySet::new(vec![loaded_as(alg, 1, 0)], 5);
        let mut claims = Map::new();
        claims.insert("sub".into(), json!("u1"));
        let token = set.sign(alg, TokenType::Access, &claims, 5).unwrap();
        assert_eq!(header_of(&token)["alg"], alg.as_str());
        assert_eq!(set.verify(&token, TokenType::Access).unwrap()["sub"], "u1");
        assert!(set.verify(&token, TokenType::Id).is_err(), "{alg}");
        let mut parts: Vec<&str> = token.split('.').collect();
        let forged = URL_SAFE_NO_PAD.encode(br#"{"sub":"admin"}"#);
        parts[1] = &forged;
        assert!(
            set.verify(&parts.join("."), TokenType::Access).is_err(),
            "{alg}"
        );
    }
}

#[test]
fn the_signer_follows_the_clock_and_the_jwks_publishes_ahead() {
    let (old, new) = (loaded(1, 0), loaded(2, 100));
    let (old_kid, new_kid) = (old.kid.clone(), new.kid.clone());
    let set = KeySet::new(vec![old, new], 50);
    let rs256 = SigningAlg::Rs256;
    assert_eq!(set.current(rs256, 99).unwrap().kid, old_kid);
    assert_eq!(set.current(rs256, 100).unwrap().kid, new_kid);
    assert!(set.jwks(50).contains(&new_kid), "published before it signs");
    assert!(!set.jwks(50).contains("\"d\""));
    let token = set
        .sign(rs256, TokenType::Access, &json!({"sub": "x"}), 100)
        .unwrap();
    assert!(set.verify(&token, TokenType::Access).is_ok());
}

#[test]
fn each_algorithm_has_its_own_current_key_and_rotates_alone() {
    // RS256 generation 1 signs; ES256 generations 1 (signing) and 2 (from 100); EdDSA 1.
    let keys = vec![
        loaded_as(SigningAlg::Rs256, 1, 0),
        loaded_as(SigningAlg::Es256, 1, 0),
        loaded_as(SigningAlg::Es256, 2, 100),
        loaded_as(SigningAlg::EdDsa, 1, 0),
    ];
    let kids: Vec<String> = keys.iter().map(|k| k.kid.clone()).collect();
    let set = KeySet::new(keys, 50);
    let current = |alg, now| set.current(alg, now).unwrap().kid.clone();
    assert_eq!(current(SigningAlg::Es256, 99), kids[1]);
    assert_eq!(current(SigningAlg::Es256, 100), kids[2]);
    for now in [50, 100] {
        assert_eq!(current(SigningAlg::Rs256, now), kids[0], "RS256 untouched");
        assert_eq!(current(SigningAlg::EdDsa, now), kids[3], "EdDSA untouched");
    }
    let states: Vec<KeyState> = set.keys_at(100).map(|(_, s)| s).collect();
    assert_eq!(
        states,
        [
            KeyState::Current,
            KeyState::Previous,
            KeyState::Current,
            KeyState::Current
        ]
    );
    assert_eq!(set.signing(100).count(), 3);
    assert_eq!(set.next_switch(50), Some(100));

    let jwks: Value = serde_json::from_str(&set.jwks(50)).unwrap();
    let published: Vec<(&str, &str, &str)> = jwks["keys"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| {
            (
                k["alg"].as_str().unwrap(),
                k["kty"].as_str().unwrap(),
                k["kid"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        published,
        [
            ("RS256", "RSA", kids[0].as_str()),
            ("ES256", "EC", kids[1].as_str()),
            ("ES256", "EC", kids[2].as_str()),
            ("EdDSA", "OKP", kids[3].as_str()),
        ]
    );
}

#[test]
fn an_algorithm_without_a_current_key_does_not_sign_with_another() {
    let set = KeySet::new(vec![loaded(1, 0), loaded_as(SigningAlg::Es256, 1, 100)], 50);
    let claims = json!({"sub": "x"});
    assert!(matches!(
        set.sign(SigningAlg::Es256, TokenType::Id, &claims, 50),
        Err(KeyError::NoSigningKey)
    ));
    assert!(matches!(
        set.sign(SigningAlg::EdDsa, TokenType::Id, &claims, 50),
        Err(KeyError::NoSigningKey)
    ));
    assert!(
        set.sign(SigningAlg::Es256, TokenType::Id, &claims, 100)
            .is_ok()
    );
}

#[test]
fn a_token_cannot_choose_the_algorithm_its_key_is_checked_with() {
    let (rsa, ec, ed) = (
        loaded(1, 0),
        loaded_as(SigningAlg::Es256, 1, 0),
        loaded_as(SigningAlg::EdDsa, 1, 0),
    );
    let (ec_kid, ed_kid) = (ec.kid.clone(), ed.kid.clone());
    let set = KeySet::new(vec![rsa, ec, ed], 5);
    let claims = json!({"sub": "x"});

    // An ES256 token whose header is rewritten to say RS256: the EC key's verifier refuses.
    let es = set
        .sign(SigningAlg::Es256, TokenType::Id, &claims, 5)
        .unwrap();
    let mut header = header_of(&es);
    header["alg"] = json!("RS256");
    assert!(
        set.verify(&with_header(&es, &header), TokenType::Id)
            .is_err()
    );

    // An RS256 token (a valid RSA signature) that names the EC or Ed25519 kid: refused, the
    // key's own algorithm decides, and the RSA signature is not checked with the RSA key.
    let rs = set
        .sign(SigningAlg::Rs256, TokenType::Id, &claims, 5)
        .unwrap();
    for kid in [&ec_kid, &ed_kid] {
        let mut header = header_of(&rs);
        header["kid"] = json!(kid);
        assert_eq!(
            set.signed_by(&with_header(&rs, &header)),
            SignedBy::KnownKey
        );
        assert!(
            set.verify(&with_header(&rs, &header), TokenType::Id)
                .is_err()
        );
    }

    // `none` and HMAC with a public key as the secret (RFC 8725 §2.1) get nowhere either.
    for alg in ["none", "HS256"] {
        let mut header = header_of(&rs);
        header["alg"] = json!(alg);
        assert!(
            set.verify(&with_header(&rs, &header), TokenType::Id)
                .is_err()
        );
    }
}

#[test]
fn a_stored_jwk_that_names_another_algorithm_than_its_row_is_refused() {
    let key = material::generate(SigningAlg::Es256).unwrap();
    let times = KeyTimes {
        generation: 1,
        publish_at: 0,
        sign_at: 0,
        retire_at: None,
        retired_at: None,
    };
    let loaded = LoadedKey::new(key.kid, SigningAlg::Rs256, times, 0, key.public_jwk, None);
    assert!(matches!(loaded, Err(KeyError::BadKey(_))));
}
