//! The layering rules of docs/architecture.md, checked on the source: the protocol core and
//! the services import no HTTP framework, the core touches no database or clock, the store
//! knows nothing above it, handlers reach the database only through a service, no module
//! imports its way back to itself, and no file grows into two jobs.
use std::path::{Path, PathBuf};

#[path = "architecture/imports.rs"]
mod imports;

/// (layer folder, what it must not mention, why)
const RULES: &[(&str, &[&str], &str)] = &[
    (
        "src/oauth",
        &[
            "axum",
            "sqlx",
            "tokio",
            "crate::store",
            "crate::service",
            "crate::http",
            "crate::state",
            "SystemTime",
        ],
        "the protocol core is pure: parsed requests, records and `now` in, decisions out",
    ),
    (
        "src/service",
        &["axum", "crate::http", "tower", "askama"],
        "services return domain outcomes, never HTTP responses",
    ),
    (
        "src/http",
        &["crate::store", "sqlx"],
        "handlers reach the database only through a service, and see its views, never rows",
    ),
    (
        "src/auth",
        &[
            "axum",
            "crate::http",
            "crate::service",
            "crate::store",
            "sqlx",
        ],
        "auth holds pure helpers (passwords, TOTP, sealing, CSRF, throttle rules)",
    ),
    (
        "src/store",
        &["axum", "crate::http", "crate::service", "crate::state"],
        "the store is the lowest floor: SQL and typed records only",
    ),
    (
        "src/i18n",
        &[
            "axum",
            "askama",
            "sqlx",
            "tokio",
            "crate::http",
            "crate::service",
            "crate::store",
            "crate::state",
            "crate::config",
        ],
        "the languages are pure: catalogues, lookup and negotiation over values passed in",
    ),
    (
        "src/config",
        &[
            "axum",
            "crate::http",
            "crate::service",
            "crate::store",
            "sqlx",
        ],
        "configuration is parsed and validated without touching the database",
    ),
    (
        "src/upstream",
        &[
            "axum",
            "sqlx",
            "crate::store",
            "crate::service",
            "crate::http",
            "crate::state",
        ],
        "the upstream client talks to providers; what a sign-in does with the answer is the service's",
    ),
    (
        "src/outbound",
        &[
            "axum",
            "sqlx",
            "crate::store",
            "crate::service",
            "crate::http",
            "crate::state",
        ],
        "the SSRF guard fetches; what a fetched document means is the service's",
    ),
    (
        "src/branding",
        &[
            "axum",
            "crate::http",
            "crate::service",
            "crate::state",
            "sqlx",
        ],
        "branding resolves colours and the logo; the http floor serves them",
    ),
];

/// Files may not grow past this many lines (tests excepted): past it, a file holds two jobs.
const MAX_FILE_LINES: usize = 400;

fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files.extend(rust_files(&path));
        } else if path.extension().is_some_and(|e| e == "rs") {
            files.push(path);
        }
    }
    files
}

/// The code of a file without its comments, so documentation may name other layers.
fn code_of(path: &Path) -> String {
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .filter(|line| !line.trim_start().starts_with("//"))
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn each_layer_imports_only_the_layers_below_it() {
    let mut violations = Vec::new();
    for (layer, forbidden, why) in RULES {
        for file in rust_files(Path::new(layer)) {
            let code = code_of(&file);
            for word in *forbidden {
                if code.contains(word) {
                    violations.push(format!("{} mentions `{word}`: {why}", file.display()));
                }
            }
        }
    }
    assert!(violations.is_empty(), "\n{}", violations.join("\n"));
}

/// SQL lives in `store/` (STYLE habit 6): a use case that matches on a database error has a
/// statement's job. The services' own tests may open a database to set a scene.
#[test]
fn the_use_cases_hold_no_sql() {
    let mentions: Vec<String> = rust_files(Path::new("src/service"))
        .into_iter()
        .filter(|file| !file.components().any(|c| c.as_os_str() == "tests"))
        .filter(|file| code_of(file).contains("sqlx"))
        .map(|file| format!("{} mentions `sqlx`", file.display()))
        .collect();
    assert!(mentions.is_empty(), "\n{}", mentions.join("\n"));
}

#[test]
fn no_source_file_holds_two_jobs() {
    let too_long: Vec<String> = rust_files(Path::new("src"))
        .into_iter()
        .filter(|file| !file.components().any(|c| c.as_os_str() == "tests"))
        .filter(|file| !file.ends_with("tests.rs"))
        .filter_map(|file| {
            let lines = std::fs::read_to_string(&file).unwrap().lines().count();
            (lines > MAX_FILE_LINES).then(|| format!("{} has {lines} lines", file.display()))
        })
        .collect();
    assert!(too_long.is_empty(), "\n{}", too_long.join("\n"));
}

/// Circles between layers (as `layers.py` draws them) and between files (as `farm-studio
/// look` does): each is two jobs that cannot be changed apart.
#[test]
fn no_module_imports_its_way_back_to_itself() {
    let graph = imports::Graph::of(Path::new("src"));
    let show = |circles: Vec<Vec<imports::Module>>| -> Vec<String> {
        circles
            .into_iter()
            .map(|circle| {
                let names: Vec<String> = circle.iter().map(|m| m.join("::")).collect();
                names.join(" <-> ")
            })
            .collect()
    };
    let between_layers = show(graph.top_level().circles());
    assert!(
        between_layers.is_empty(),
        "layers import each other:\n{}",
        between_layers.join("\n")
    );
    let between_files = show(graph.circles());
    assert!(
        between_files.is_empty(),
        "files import each other in a circle:\n{}",
        between_files.join("\n")
    );
}
