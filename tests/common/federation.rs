//! What the tests of upstream providers share: the upstream Tessera's client for the Tessera
//! under test, the `[[upstreams]]` block pointing at it, and the "Continue with …" link.
use super::{Page, hashed};

/// Ada's account at the upstream Tessera.
pub const CORP_EMAIL: &str = "ada@corp.example";
pub const CORP_PASSWORD: &str = "upstream horse battery";
pub const CORP_SECRET: &str = "corp-client-secret";

/// The upstream Tessera's registration of the Tessera under test (client `downstream`): any
/// loopback port's callback of upstream `corp` (RFC 8252), no consent asked.
pub fn downstream_client() -> String {
    format!(
        r#"
[[clients]]
client_id = "downstream"
client_name = "Downstream Tessera"
client_secret_hash = "{hash}"
redirect_uris = ["http://127.0.0.1/login/upstream/corp/callback"]
scopes = ["openid", "email", "profile"]
skip_consent = true
"#,
        hash = hashed(CORP_SECRET),
    )
}

/// The `[[upstreams]]` block of the Tessera under test for the upstream at `issuer`, its
/// secret in `secret_file`, plus `extra` keys (e.g. `create_users = true`).
pub fn corp_upstream(issuer: &str, secret_file: &std::path::Path, extra: &str) -> String {
    format!(
        r#"
[[upstreams]]
id = "corp"
kind = "oidc"
display_name = "Corp SSO"
client_id = "downstream"
client_secret_file = "{file}"
issuer = "{issuer}"
{extra}
"#,
        file = secret_file.display(),
    )
}

/// Writes the client secret where `corp_upstream` reads it.
pub fn corp_secret_file(dir: &tempfile::TempDir) -> std::path::PathBuf {
    let file = dir.path().join("corp.secret");
    std::fs::write(&file, format!("{CORP_SECRET}\n")).unwrap();
    file
}

/// The address of the first "Continue with …" link on a sign-in page.
pub fn continue_link(page: &Page) -> String {
    let marker = "class=\"button secondary\" href=\"";
    let start = page.body.find(marker).expect("a Continue with … link") + marker.len();
    let end = page.body[start..].find('"').unwrap() + start;
    page.body[start..end]
        .replace("&amp;", "&")
        .replace("&#38;", "&")
}
