//! Clients that name themselves by the https URL of their metadata document
//! (draft-ietf-oauth-client-id-metadata-document-02, `client_id_metadata_documents = true`):
//! the URL checked (§3) and its host against the operator's lists, the document fetched
//! through the SSRF guard or taken from this instance's cache (§5.2), its `client_id` the URL
//! exactly and no shared secret in it (§4), then the same policy as a registered client
//! (`oauth::client_metadata`). Only a usable document is cached, so a refused one is fetched
//! again at the next request.
use serde_json::Value;

use crate::oauth::client::{Client, ClientOrigin};
use crate::oauth::client_id_url;
use crate::oauth::client_metadata::{self, ClientMetadata, MetadataError};
use crate::outbound::fetch_metadata_document;
use crate::state::AppState;

/// Whether `client_id` is one this server would look up as a metadata document URL.
pub fn applies(state: &AppState, client_id: &str) -> bool {
    state.config().client_id_metadata_documents && client_id_url::looks_like_url(client_id)
}

/// The client the document at `client_id` describes, or why it cannot be one.
pub async fn admit(state: &AppState, client_id: &str, now: i64) -> Result<Client, MetadataError> {
    let config = state.config();
    let url = client_id_url::parse(client_id, config.client_id_metadata_allow_loopback)
        .map_err(refused)?;
    let host = url.host_str().unwrap_or_default();
    let (allow, deny) = (
        &config.client_id_metadata_hosts_allow,
        &config.client_id_metadata_hosts_deny,
    );
    if !client_id_url::host_permitted(host, allow, deny) {
        return Err(refused("client ids from this host are not accepted here"));
    }
    let cache = state.client_metadata();
    if let Some(json) = cache.fresh(client_id, now) {
        return client_from(state, &json, client_id);
    }
    let unusable = |why: String| {
        tracing::info!(client_id, error = %why, "a client metadata document could not be used");
        refused(format!("its metadata document could not be fetched: {why}"))
    };
    let _slot = cache
        .fetch_slot()
        .await
        .map_err(|e| unusable(e.to_string()))?;
    // Another request may have fetched it while this one waited for a turn.
    if let Some(json) = cache.fresh(client_id, now) {
        return client_from(state, &json, client_id);
    }
    let guard = state.outbound().map_err(|e| unusable(e.to_string()))?;
    let document = fetch_metadata_document(guard, &url, now)
        .await
        .map_err(|e| unusable(e.to_string()))?;
    let client = client_from(state, &document.json, client_id).inspect_err(|why| {
        tracing::info!(client_id, error = %why, "a client metadata document was refused");
    })?;
    cache.insert(client_id, document, now);
    Ok(client)
}

/// The `logo_uri` of a metadata-document client, when it is an https URL whose cached
/// document is still fresh (it is, during the request that admitted the client).
pub fn logo_uri(state: &AppState, client: &Client, now: i64) -> Option<String> {
    if client.origin != ClientOrigin::MetadataDocument {
        return None;
    }
    let json = state.client_metadata().fresh(&client.id, now)?;
    let logo = url::Url::parse(json.get("logo_uri")?.as_str()?).ok()?;
    (logo.scheme() == "https" && logo.host_str().is_some()).then(|| logo.to_string())
}

/// §4: the document names itself (the same string as the URL), carries no shared secret, and
/// describes a client the dynamic client policy accepts.
fn client_from(state: &AppState, json: &Value, client_id: &str) -> Result<Client, MetadataError> {
    if json.get("client_id").and_then(Value::as_str) != Some(client_id) {
        return Err(refused(
            "the client_id in its metadata document is not the document's URL",
        ));
    }
    if json.get("client_secret").is_some() || json.get("client_secret_expires_at").is_some() {
        return Err(refused(
            "a metadata document must not carry a client_secret",
        ));
    }
    let meta: ClientMetadata = serde_json::from_value(json.clone())
        .map_err(|_| refused("its metadata document has a field of the wrong type"))?;
    let policy = state.dynamic_client_policy();
    client_metadata::to_client(&meta, client_id, ClientOrigin::MetadataDocument, policy)
}

fn refused(description: impl Into<String>) -> MetadataError {
    MetadataError {
        code: "invalid_client",
        description: description.into(),
    }
}
