//! The registry: unknown ids, buttons in config order, and an upstream that failed to
//! resolve tried again after a while (so one that was down at start comes back).
use crate::config::Config;
use crate::upstream::{RETRY_AFTER, UpstreamError, UpstreamKind, Upstreams};

fn config(secret_file: &std::path::Path) -> Config {
    Config::from_toml(&format!(
        "issuer = \"https://id.example.com\"\n[[upstreams]]\nid = \"github\"\nkind = \"github\"\ndisplay_name = \"GitHub\"\nclient_id = \"Iv1.abc\"\nclient_secret_file = \"{}\"\n[[upstreams]]\nid = \"ghe\"\nkind = \"github\"\ndisplay_name = \"Acme GitHub\"\nclient_id = \"Iv1.def\"\nclient_secret_file = \"{}\"\nweb_url = \"https://ghe.example\"\napi_url = \"https://ghe.example/api/v3\"\n",
        secret_file.display(),
        secret_file.display()
    ))
    .unwrap()
}

#[tokio::test]
async fn buttons_follow_the_config_and_unknown_ids_are_named_as_such() {
    let dir = tempfile::tempdir().unwrap();
    let config = config(&dir.path().join("secret"));
    let upstreams = Upstreams::new(&config.issuer, &config.upstreams);
    let buttons = upstreams.buttons();
    let ids: Vec<_> = buttons.iter().map(|b| b.id.as_str()).collect();
    assert_eq!(ids, ["github", "ghe"]);
    assert_eq!(buttons[1].display_name, "Acme GitHub");
    assert_eq!(buttons[0].kind, UpstreamKind::Github);
    assert!(matches!(
        upstreams.get("gitlab", 0).await,
        Err(UpstreamError::UnknownUpstream)
    ));
}

#[tokio::test]
async fn a_failed_upstream_is_tried_again_after_a_while() {
    let dir = tempfile::tempdir().unwrap();
    let secret = dir.path().join("secret");
    let config = config(&secret);
    let upstreams = Upstreams::new(&config.issuer, &config.upstreams);
    let now = 1_800_000_000;
    let checked = upstreams.check_all(now).await;
    assert_eq!(checked.len(), 2);
    for (id, result) in &checked {
        let error = result.as_ref().unwrap_err().to_string();
        assert!(
            error.contains(id.as_str()) && error.contains("client_secret_file"),
            "{error}"
        );
    }
    std::fs::write(&secret, "s3cret").unwrap();
    // Within the pause the failure stands, without a look at the file...
    let early = upstreams.get("github", now + RETRY_AFTER - 1).await;
    assert!(matches!(early, Err(UpstreamError::Unavailable(_))));
    // ...after it, the upstream resolves and stays resolved.
    let upstream = upstreams.get("github", now + RETRY_AFTER).await.unwrap();
    assert_eq!(upstream.id(), "github");
    std::fs::remove_file(&secret).unwrap();
    assert!(upstreams.get("github", now + 1000).await.is_ok());
}
