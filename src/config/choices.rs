//! Settings that are one of a few words: how key files and log lines are treated.
use serde::{Deserialize, Serialize};

/// What a key file readable by its group or by other users gets.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum KeyFilePermissions {
    /// A warning in the log; the key is used (existing installations keep starting).
    #[default]
    Warn,
    /// No start until the file is made private (`chmod 600`).
    Refuse,
}

/// How log lines are written.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    #[default]
    Text,
    Json,
}
