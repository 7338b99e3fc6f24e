//! axe-core, the accessibility engine, run inside the page. The pinned copy in `fixtures/`
//! (axe-core 4.14.1 from npm, MPL-2.0, unmodified; sha256 in fixtures/README.md) is injected
//! through WebDriver, which the page's CSP does not apply to.
use serde_json::Value;

use crate::driver::Browser;

const AXE: &str = include_str!("fixtures/axe-4.14.1.min.js");

/// Runs every axe rule on the page and fails on any serious or critical violation; lesser
/// findings are printed.
pub async fn assert_accessible(browser: &Browser, page: &str) {
    let injected = format!("{AXE}\nreturn typeof axe;");
    assert_eq!(browser.script(&injected).await, "object", "axe loads");
    let violations = browser
        .script_async(
            "const done = arguments[arguments.length - 1];
             axe.run(document, { resultTypes: ['violations'] })
               .then(r => done(r.violations.map(v => ({
                   id: v.id, impact: v.impact, help: v.help,
                   nodes: v.nodes.map(n => n.target.join(' ') + ': ' + n.failureSummary) }))))
               .catch(e => done([{ id: 'axe-failed', impact: 'critical', help: String(e), nodes: [] }]));",
        )
        .await;
    let mut blocking = Vec::new();
    for violation in violations.as_array().into_iter().flatten() {
        let line = describe(violation);
        match violation["impact"].as_str() {
            Some("serious" | "critical") => blocking.push(line),
            _ => eprintln!("axe ({page}, not blocking): {line}"),
        }
    }
    assert!(
        blocking.is_empty(),
        "{page}: axe found serious or critical violations:\n{}",
        blocking.join("\n")
    );
}

fn describe(violation: &Value) -> String {
    let nodes: Vec<&str> = violation["nodes"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .collect();
    format!(
        "{} ({}): {} at {}",
        violation["id"],
        violation["impact"],
        violation["help"],
        nodes.join("; ")
    )
}
