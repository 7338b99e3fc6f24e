//! The `tessera keys` commands as an operator runs them, on each backend: what they print,
//! and what they refuse.
mod common;

use std::path::Path;

use common::Backend;
use common::process::{cli, config_text, database_url, free_port};

/// A configuration on a fresh database, in a fresh folder; no server runs.
async fn set_up(backend: Backend) -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let url = database_url(backend, dir.path()).await;
    let config = dir.path().join("config.toml");
    let text = config_text(free_port(), &url, dir.path(), "");
    std::fs::write(&config, text).unwrap();
    (dir, config)
}

fn keys(dir: &Path, config: &Path, args: &[&str]) -> (bool, String, String) {
    let args: Vec<&str> = ["keys"].iter().chain(args).copied().collect();
    cli(dir, config, &args, None)
}

#[tokio::test]
async fn the_first_keys_command_on_sqlite_says_it_created_the_master_key_and_where() {
    for backend in Backend::all() {
        let (dir, config) = set_up(backend).await;
        let file = dir.path().join("keys/master.key");
        let (ok, out, err) = keys(dir.path(), &config, &["list"]);
        assert!(ok, "{err}");
        if backend == Backend::Postgres {
            // The configuration gives the key: nothing is made, nothing is said.
            assert!(!file.exists() && !err.contains("master key"), "{err}");
            continue;
        }
        let created: Vec<&str> = err
            .lines()
            .filter(|l| l.contains("created the master key"))
            .collect();
        assert_eq!(created.len(), 1, "one line on stderr: {err}");
        assert!(created[0].contains(&file.display().to_string()), "{err}");
        let key = std::fs::read_to_string(&file).unwrap();
        assert!(!out.contains(key.trim()) && !err.contains(key.trim()));
        let (ok, _, err) = keys(dir.path(), &config, &["list"]);
        assert!(ok && !err.contains("created"), "only the first time: {err}");
    }
}

/// The kid of the key `keys list` shows in `state`.
fn kid_in_state(dir: &Path, config: &Path, state: &str) -> String {
    let (ok, out, err) = keys(dir, config, &["list"]);
    assert!(ok, "{err}");
    out.lines()
        .find(|line| line.split('\t').nth(2) == Some(state))
        .and_then(|line| line.split('\t').next())
        .unwrap_or_else(|| panic!("no {state} key in:\n{out}"))
        .to_string()
}

#[tokio::test]
async fn retiring_a_key_twice_says_it_is_already_retired() {
    for backend in Backend::all() {
        let (dir, config) = set_up(backend).await;
        let (dir, config) = (dir.path(), config.as_path());
        for _ in 0..2 {
            let (ok, _, err) = keys(dir, config, &["rotate", "--now"]);
            assert!(ok, "{err}");
        }
        let previous = kid_in_state(dir, config, "previous");
        let (ok, out, err) = keys(dir, config, &["retire", &previous]);
        assert!(ok && out.contains("retired"), "{out}{err}");
        let (ok, out, err) = keys(dir, config, &["retire", &previous]);
        assert!(ok, "the key is retired, as asked: {err}");
        assert!(
            out.contains(&format!("key {previous} is already retired")),
            "{out}"
        );
        let (ok, _, err) = keys(dir, config, &["retire", "no-such-kid"]);
        assert!(!ok && err.contains("no key no-such-kid"), "{err}");
    }
}

#[tokio::test]
async fn the_signing_key_is_retired_only_when_a_newer_published_key_takes_over() {
    for backend in Backend::all() {
        let (dir, config) = set_up(backend).await;
        let (dir, config) = (dir.path(), config.as_path());
        let rotate = |args: &[&str]| {
            let (ok, _, err) = keys(dir, config, args);
            assert!(ok, "{err}");
        };
        rotate(&["rotate", "--now"]);
        rotate(&["rotate", "--now"]);
        let current = kid_in_state(dir, config, "current");
        // An older key is still published; it must not take signing back.
        let (ok, _, err) = keys(dir, config, &["retire", &current]);
        assert!(!ok, "refused");
        assert!(
            err.contains("signing now") && err.contains("tessera keys rotate --now"),
            "{err}"
        );
        assert_eq!(kid_in_state(dir, config, "current"), current);

        rotate(&["rotate"]);
        let next = kid_in_state(dir, config, "next");
        let (ok, out, err) = keys(dir, config, &["retire", &current]);
        assert!(ok, "{err}");
        assert!(out.contains(&format!("{next} signs in its place")), "{out}");
        assert!(err.contains("warning"), "published just now: {err}");
        assert_eq!(kid_in_state(dir, config, "current"), next);
    }
}

/// The `keys list` lines of `alg`'s keys, as (kid, state).
fn keys_of(dir: &Path, config: &Path, alg: &str) -> Vec<(String, String)> {
    let (ok, out, err) = keys(dir, config, &["list"]);
    assert!(ok, "{err}");
    out.lines()
        .map(|line| line.split('\t').collect::<Vec<_>>())
        .filter(|fields| fields.get(1) == Some(&alg))
        .map(|fields| (fields[0].to_string(), fields[2].to_string()))
        .collect()
}

#[tokio::test]
async fn rotate_makes_a_key_of_every_configured_algorithm_or_of_the_one_asked_for() {
    for backend in Backend::all() {
        let dir = tempfile::tempdir().unwrap();
        let url = database_url(backend, dir.path()).await;
        let config = dir.path().join("config.toml");
        let algs = "signing_algs = [\"RS256\", \"ES256\"]";
        std::fs::write(&config, config_text(free_port(), &url, dir.path(), algs)).unwrap();
        let (dir, config) = (dir.path(), config.as_path());

        let (ok, out, err) = keys(dir, config, &["rotate", "--now"]);
        assert!(ok, "{err}");
        assert!(
            out.contains("for RS256") && out.contains("for ES256"),
            "{out}"
        );
        let (ok, out, err) = keys(dir, config, &["rotate", "--now", "--alg", "ES256"]);
        assert!(ok, "{err}");
        assert!(
            out.contains("for ES256") && !out.contains("for RS256"),
            "{out}"
        );
        assert_eq!(keys_of(dir, config, "RS256").len(), 1);
        assert_eq!(keys_of(dir, config, "ES256").len(), 2);
        assert!(keys_of(dir, config, "EdDSA").is_empty());

        for refused in ["EdDSA", "es256"] {
            let (ok, _, err) = keys(dir, config, &["rotate", "--alg", refused]);
            assert!(!ok, "{refused} refused");
            assert!(err.contains(refused), "{err}");
        }

        // The guard is per algorithm: a newer ES256 key is no successor for the RS256 key.
        let rs256 = keys_of(dir, config, "RS256").remove(0);
        assert_eq!(rs256.1, "current");
        let (ok, _, err) = keys(dir, config, &["retire", &rs256.0]);
        assert!(!ok && err.contains("signing now"), "{err}");
        let es256 = keys_of(dir, config, "ES256");
        let previous = es256.iter().find(|(_, state)| state == "previous").unwrap();
        let (ok, out, err) = keys(dir, config, &["retire", &previous.0]);
        assert!(ok && out.contains("retired"), "{out}{err}");
    }
}
