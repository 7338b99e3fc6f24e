//! Signing (and verifying) rate per algorithm on one core: a typical RFC 9068 access-token
//! claims set signed with Tessera's own `KeySet::sign`, in a loop for SECS seconds (default
//! 3) per algorithm, on this process's one thread. Pinned like the other benchmarks' load
//! generator (`Cores::pin`: every CPU but the first), so the number is one core's.
//!
//! `cargo bench --bench signing`
mod common;

use std::time::Instant;

use common::server::Cores;
use common::stats::{env_secs, unix_now};
use serde_json::json;
use tessera::keys::{KeySet, SigningAlg, material};
use tessera::oauth::tokens::TokenType;

fn main() {
    let cores = Cores::pin();
    let secs = env_secs("SECS", 3.0);
    let now = unix_now();
    let claims = json!({
        "iss": "https://id.example.com",
        "sub": uuid::Uuid::new_v4().to_string(),
        "aud": "https://id.example.com",
        "client_id": "bench",
        "scope": "openid profile email offline_access",
        "exp": now + 900,
        "iat": now,
        "auth_time": now,
        "jti": uuid::Uuid::new_v4().to_string(),
        "sid": uuid::Uuid::new_v4().simple().to_string(),
        "amr": ["pwd", "otp"],
        "acr": "urn:tessera:mfa",
    });
    // Only the load generator's half of the pinning applies: there is no server here.
    let cpu = match &cores.load {
        Some(cpus) => format!("pinned to CPU {cpus}"),
        None => format!("not pinned ({})", cores.note),
    };
    println!(
        "tessera signing benchmark: {:.0} s per algorithm, one thread {cpu}, {} CPUs in all",
        secs.as_secs_f64(),
        cores.total
    );
    println!("alg\tsigned/s\tverified/s\ttoken bytes");
    for alg in SigningAlg::ALL {
        let keys = KeySet::single(material::generate(alg).unwrap(), now).unwrap();
        let sign = || keys.sign(alg, TokenType::Access, &claims, now).unwrap();
        for _ in 0..50 {
            sign();
        }
        let started = Instant::now();
        let mut signed: u64 = 0;
        let mut token = String::new();
        while started.elapsed() < secs {
            token = sign();
            signed += 1;
        }
        let sign_rate = signed as f64 / started.elapsed().as_secs_f64();

        let started = Instant::now();
        let mut verified: u64 = 0;
        while started.elapsed() < secs {
            keys.verify(&token, TokenType::Access).unwrap();
            verified += 1;
        }
        let verify_rate = verified as f64 / started.elapsed().as_secs_f64();
        println!("{alg}\t{sign_rate:.0}\t{verify_rate:.0}\t{}", token.len());
    }
}
