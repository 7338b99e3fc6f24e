//! The metadata of a client nobody configured (RFC 7591 §2), as it arrives, and why it can
//! be refused (RFC 7591 §3.2.2).
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// Client metadata as RFC 7591 §2 (and OIDC Dynamic Client Registration §2) name it. Fields
/// Tessera does not know are ignored (§2); those it knows but refuses are read to say so.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
pub struct ClientMetadata {
    /// Set in a metadata document (it must equal the document's URL); ignored in a
    /// registration request, whose client_id Tessera chooses.
    #[serde(default, skip_serializing)]
    pub client_id: Option<String>,
    #[serde(default)]
    pub redirect_uris: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token_endpoint_auth_method: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub grant_types: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub response_types: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_uri: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub logo_uri: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scope: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contacts: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tos_uri: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub policy_uri: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub jwks_uri: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub jwks: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub software_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub software_version: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub post_logout_redirect_uris: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id_token_signed_response_alg: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token_endpoint_auth_signing_alg: Option<String>,
    /// RFC 9449 §5.2.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dpop_bound_access_tokens: Option<bool>,
    /// Tessera's own setting for first-party clients: read only to refuse it.
    #[serde(default, skip_serializing)]
    pub skip_consent: Option<bool>,
}

/// Why metadata cannot be a client (RFC 7591 §3.2.2): `code` is the RFC's error code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MetadataError {
    pub code: &'static str,
    pub description: String,
}

impl MetadataError {
    pub fn invalid_redirect_uri(description: impl Into<String>) -> Self {
        Self {
            code: "invalid_redirect_uri",
            description: description.into(),
        }
    }

    pub fn invalid_client_metadata(description: impl Into<String>) -> Self {
        Self {
            code: "invalid_client_metadata",
            description: description.into(),
        }
    }
}

impl std::fmt::Display for MetadataError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.code, self.description)
    }
}
