//! Spec-driven fuzzing of the admin API: schemathesis (from PyPI, installed by `.ci/run`
//! into `.ci/venv`) reads the OpenAPI document a real `tessera serve` publishes on its
//! `admin_listen`, and sends every operation generated requests, valid and invalid, with an
//! admin client's token. No answer may be a server error, and every answer must fit the
//! schema the document gives for its status, nor may schema-violating data be accepted.
//! Bounded: a fixed seed, a few examples per operation, two workers (ADMIN_FUZZ_SEED and
//! ADMIN_FUZZ_EXAMPLES explore further).
//!
//! Where schemathesis is missing the test says SKIPPED loudly and passes, unless
//! REQUIRE_SCHEMATHESIS=1 (set in `.ci/run`), where it fails.
mod common;

use std::path::PathBuf;
use std::process::Command;
use std::time::Duration;

use common::admin::{ADMIN, ADMIN_API, ADMIN_SECRET};
use common::process::{free_port, start_instance};
use common::*;

/// `.ci/venv/bin/st`, or `st` on the PATH.
fn schemathesis() -> Option<PathBuf> {
    let venv = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(".ci/venv/bin/st");
    if venv.exists() {
        return Some(venv);
    }
    let on_path = Command::new("st").arg("--version").output();
    on_path
        .is_ok_and(|o| o.status.success())
        .then(|| PathBuf::from("st"))
}

#[tokio::test]
async fn schemathesis_finds_no_server_error_and_no_answer_off_the_schema() {
    let Some(st) = schemathesis() else {
        let required = std::env::var("REQUIRE_SCHEMATHESIS").is_ok_and(|v| v == "1");
        assert!(
            !required,
            "schemathesis is required (REQUIRE_SCHEMATHESIS=1) but neither .ci/venv/bin/st nor st is there: run .ci/run, or python3 -m venv .ci/venv && .ci/venv/bin/pip install schemathesis"
        );
        eprintln!(
            "\n\n*** SKIPPED admin_api_fuzz: schemathesis is not installed (.ci/run installs it into .ci/venv) ***\n\n"
        );
        return;
    };
    for backend in Backend::all() {
        let admin_port = free_port();
        let extra = format!(
            "admin_listen = \"127.0.0.1:{admin_port}\"\n\n[[clients]]\nclient_id = \"{ADMIN}\"\nclient_secret_hash = \"{}\"\ngrant_types = [\"client_credentials\"]\nresources = [\"{ADMIN_API}\"]\nscopes = [\"admin:read\", \"admin:write\"]\n",
            hashed(ADMIN_SECRET)
        );
        let instance = start_instance(backend, &extra).await;
        let server = &instance.server;
        let token = reqwest::Client::new()
            .post(server.url("/token"))
            .basic_auth(ADMIN, Some(ADMIN_SECRET))
            .form(&[
                ("grant_type", "client_credentials"),
                ("resource", ADMIN_API),
                ("scope", "admin:read admin:write"),
            ])
            .send()
            .await
            .unwrap();
        let token: serde_json::Value = token.json().await.unwrap();
        let token = token["access_token"].as_str().expect("an admin token");
        let main = reqwest::get(server.url("/admin/api/openapi.json"))
            .await
            .unwrap();
        assert_eq!(main.status(), 404, "the API is on admin_listen only");

        let examples = std::env::var("ADMIN_FUZZ_EXAMPLES").unwrap_or_else(|_| "50".into());
        let seed = std::env::var("ADMIN_FUZZ_SEED").unwrap_or_else(|_| "26".into());
        let document = format!("http://127.0.0.1:{admin_port}/admin/api/openapi.json");
        let report = instance.dir.path().join("schemathesis");
        let mut command = Command::new(&st);
        command
            .args(["run", &document])
            .args(["--header", &format!("Authorization: Bearer {token}")])
            .args(["--checks", "not_a_server_error,response_schema_conformance,status_code_conformance,content_type_conformance,response_headers_conformance,negative_data_rejection"])
            .args(["--phases", "examples,coverage,fuzzing,stateful"])
            .args(["--max-examples", &examples, "--seed", &seed, "--workers", "2"])
            .args(["--request-timeout", "10", "--wait-for-schema", "10"])
            .args(["--exclude-operation-id", "retire_key"])
            .args(["--no-color", "--report", "junit"])
            .arg("--report-dir")
            .arg(&report)
            .env("SCHEMATHESIS_HOOKS", "")
            .current_dir(instance.dir.path());
        let run = tokio::task::spawn_blocking(move || command.output());
        let output = tokio::time::timeout(Duration::from_secs(240), run)
            .await
            .expect("schemathesis finished within four minutes")
            .unwrap()
            .unwrap();
        let stdout = String::from_utf8_lossy(&output.stdout);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(
            output.status.success(),
            "{backend:?}: schemathesis found problems:\n{stdout}\n{stderr}\nserver log:\n{}",
            server.log_text()
        );
        println!(
            "{backend:?}: {}",
            stdout.lines().rev().take(12).collect::<Vec<_>>().join("\n")
        );
    }
}
