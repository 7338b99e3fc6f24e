//! Values parsed into their real types while the file is read, so nothing downstream parses
//! them again (and no later error can be dropped): proxy networks and the sealing key.
use std::net::IpAddr;

use serde::de::Error as _;
use serde::{Deserialize, Deserializer, Serializer};

use super::ConfigError;
use crate::auth::master_key::MasterKey;
use crate::auth::sealing::SealingKey;
use crate::i18n::Locale;

/// `trusted_proxies`: CIDRs, or single addresses taken as their /32 or /128.
pub fn proxy_nets<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<ipnet::IpNet>, D::Error> {
    let texts = Vec::<String>::deserialize(d)?;
    texts
        .iter()
        .map(|text| {
            parse_net(text).ok_or_else(|| {
                D::Error::custom(format!(
                    "{text:?} must be an address or CIDR such as 10.0.0.0/8"
                ))
            })
        })
        .collect()
}

pub fn parse_net(text: &str) -> Option<ipnet::IpNet> {
    text.parse::<ipnet::IpNet>()
        .ok()
        .or_else(|| text.parse::<IpAddr>().ok().map(ipnet::IpNet::from))
}

/// A base64 AES-256 key.
pub fn sealing_key<'de, D: Deserializer<'de>>(d: D) -> Result<Option<SealingKey>, D::Error> {
    let Some(text) = Option::<String>::deserialize(d)?.map(zeroize::Zeroizing::new) else {
        return Ok(None);
    };
    SealingKey::from_base64(&text)
        .map(Some)
        .map_err(D::Error::custom)
}

/// The master key, base64.
pub fn master_key<'de, D: Deserializer<'de>>(d: D) -> Result<Option<MasterKey>, D::Error> {
    let Some(text) = Option::<String>::deserialize(d)?.map(zeroize::Zeroizing::new) else {
        return Ok(None);
    };
    MasterKey::from_base64(&text)
        .map(Some)
        .map_err(D::Error::custom)
}

/// `default_locale`: one of the supported language tags, exactly (no region: the setting
/// names a catalogue, not a preference to negotiate).
pub fn locale<'de, D: Deserializer<'de>>(d: D) -> Result<Locale, D::Error> {
    let tag = String::deserialize(d)?;
    Locale::ALL
        .into_iter()
        .find(|locale| locale.as_str() == tag)
        .ok_or_else(|| {
            let supported: Vec<&str> = Locale::ALL.iter().map(|l| l.as_str()).collect();
            D::Error::custom(format!(
                "{tag:?} is not a supported language; use one of {}",
                supported.join(", ")
            ))
        })
}

pub fn locale_tag<S: Serializer>(locale: &Locale, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(locale.as_str())
}

/// Key material never leaves as text, even where the schema is serialised.
pub fn redacted<T, S: Serializer>(_: &Option<T>, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str("(redacted)")
}

/// A TOML syntax error: it names a line, not a key.
pub fn toml_error(e: &impl std::fmt::Display) -> ConfigError {
    ConfigError::new("(file)", e.to_string().trim().replace('\n', " "))
}

/// A type error at `path` (serde's `a.b[1]`, or `.` for the top level). A missing key is
/// reported by the table that should hold it, so its name is appended.
pub fn located_error(path: &str, message: &str) -> ConfigError {
    let message = message.trim().replace('\n', " ");
    let parent = path.strip_prefix('.').unwrap_or(path);
    let marker = "missing field `";
    let missing = message.find(marker).and_then(|start| {
        let rest = message.get(start + marker.len()..)?;
        rest.get(..rest.find('`')?).map(str::to_string)
    });
    let key = match (missing, parent.is_empty()) {
        (Some(name), true) => name,
        (Some(name), false) => format!("{parent}.{name}"),
        (None, true) => "(file)".to_string(),
        (None, false) => parent.to_string(),
    };
    ConfigError::new(key, message)
}
