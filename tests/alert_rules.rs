//! The example Prometheus rules in docs/operations.md, checked with `promtool`: they parse,
//! and the signing-key alerts fire exactly when the gauges Tessera exports say a key is due
//! and none waits. The rules are read from the page itself, so the page cannot drift.
use std::path::Path;
use std::process::Command;

/// The ```yaml block that holds the rule group.
fn documented_rules() -> String {
    let page = std::fs::read_to_string("docs/operations.md").unwrap();
    let start = page
        .find("```yaml\ngroups:")
        .expect("a ```yaml block with the rules in docs/operations.md")
        + "```yaml\n".len();
    let end = page[start..].find("\n```").unwrap() + start;
    page[start..end].to_string()
}

/// The gauges of three instances over 20 minutes (defaults: rotation 30 days, prepublish
/// 1 h, so a next key is due at an age of 2588400 s and the alert allows 5 minutes more):
/// `late` is past due with no next key, `waiting` is past due with a next key counting
/// down, `switched` has just switched keys (no next key, and none due).
const SCENARIOS: &str = r#"
rule_files: [rules.yml]
evaluation_interval: 1m
tests:
  - interval: 1m
    input_series:
      - series: 'tessera_signing_key_age_seconds{job="tessera",instance="late"}'
        values: '2588400+60x20'
      - series: 'tessera_signing_key_next_switch_seconds{job="tessera",instance="late"}'
        values: '0x20'
      - series: 'tessera_signing_key_age_seconds{job="tessera",instance="waiting"}'
        values: '2588400+60x20'
      - series: 'tessera_signing_key_next_switch_seconds{job="tessera",instance="waiting"}'
        values: '3600-60x20'
      - series: 'tessera_signing_key_age_seconds{job="tessera",instance="switched"}'
        values: '0+60x20'
      - series: 'tessera_signing_key_next_switch_seconds{job="tessera",instance="switched"}'
        values: '0x20'
    alert_rule_test:
      - eval_time: 4m
        alertname: TesseraNoNextSigningKey
        exp_alerts: []
      - eval_time: 15m
        alertname: TesseraNoNextSigningKey
        exp_alerts:
          - exp_labels:
              severity: page
              job: tessera
              instance: late
            exp_annotations:
              summary: "No next signing key is waiting on late though one is due"
      - eval_time: 15m
        alertname: TesseraSigningKeyNotRotated
        exp_alerts: []
"#;

fn promtool(dir: &Path, args: &[&str]) -> Option<(bool, String)> {
    let out = Command::new("promtool")
        .current_dir(dir)
        .args(args)
        .output()
        .ok()?;
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    Some((out.status.success(), text))
}

#[test]
fn the_documented_alert_rules_parse_and_the_signing_key_alert_fires_only_when_no_key_waits() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("rules.yml"), documented_rules()).unwrap();
    std::fs::write(dir.path().join("tests.yml"), SCENARIOS).unwrap();
    let Some((ok, out)) = promtool(dir.path(), &["check", "rules", "rules.yml"]) else {
        eprintln!(
            "SKIPPED: promtool is not installed here; .ci/run installs it, so CI checks the rules"
        );
        return;
    };
    assert!(ok, "promtool check rules:\n{out}");
    let (ok, out) = promtool(dir.path(), &["test", "rules", "tests.yml"]).unwrap();
    assert!(ok, "promtool test rules:\n{out}");
}
