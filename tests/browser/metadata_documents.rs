//! A client that names itself by its metadata document's URL (draft-ietf-oauth-client-id-
//! metadata-document): the consent page shows the host that served the document beside the
//! name it claims, says the name is unchecked and where the answer goes, in a narrow dark
//! window too; the app's code then redeems at `/token` with the URL as `client_id`.
use serde_json::json;

use crate::app;
use crate::common::document_server::{DocumentServer, Served};
use crate::common::*;
use crate::driver::{self, Options};
use crate::steps::*;

const SETTINGS: &str =
    "client_id_metadata_documents = true\nclient_id_metadata_allow_loopback = true";

#[tokio::test]
async fn metadata_document_client_consent_shows_its_host() {
    let options = Options {
        width: 320,
        ..Options::default()
    };
    let Some(mut browser) = driver::launch("metadata_document_consent", options).await else {
        return;
    };
    let (tessera, relying) = app::tessera_and_app(Backend::Sqlite, SETTINGS).await;
    let site = DocumentServer::spawn().await;
    let client_id = site.url("/oauth/client.json");
    site.serve(
        "/oauth/client.json",
        Served::json(&json!({
            "client_id": client_id,
            "client_name": "Agent Tool",
            "redirect_uris": [relying.redirect_uri()],
            "token_endpoint_auth_method": "none",
        })),
    );
    let redirect_uri = relying.redirect_uri();
    browser
        .goto(&tessera.url(&authorize_url(&client_id, &redirect_uri, &[])))
        .await;
    check(&browser, "sign-in for a metadata-document client").await;
    enter_password(&mut browser, USER_PASSWORD).await;
    check(&browser, "consent of a metadata-document client").await;
    assert!(browser.html().await.contains("Agent Tool"));
    assert_eq!(
        browser.text(".client-host strong").await,
        "127.0.0.1",
        "the host that served the document"
    );
    assert!(
        browser
            .text("main")
            .await
            .contains("Your answer is sent to 127.0.0.1")
    );
    browser.click("button[value=allow]").await;
    wait_for_url(&browser, &redirect_uri).await;
    let code = relying.last_response()["code"].clone();
    let response = token_request(
        &tessera,
        None,
        &[
            ("grant_type", "authorization_code"),
            ("client_id", &client_id),
            ("code", &code),
            ("redirect_uri", &redirect_uri),
            ("code_verifier", VERIFIER),
        ],
    )
    .await;
    assert_eq!(response.status(), 200);
    browser.close().await;
}
