//! `[branding]`: the product name, logo, primary colour and footer links of the pages. All
//! optional; each check names its key (`branding.primary_color`, …). The logo file is read
//! with the rest of the file, at start and on every reload, so a bad logo is refused like
//! any other bad value and a replaced one is picked up by `tessera reload`.
use std::path::PathBuf;

use serde::de::Error as _;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::ConfigError;
use crate::branding::Look;
use crate::branding::contrast::Rgb;
use crate::branding::logo::Logo;

const MAX_PRODUCT_NAME_CHARS: usize = 60;

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct BrandingConfig {
    /// What the pages call the product ("Sign in – {product_name}"); also the authenticator
    /// apps' issuer label unless `mfa_issuer_name` is set.
    #[serde(default = "default_product_name")]
    pub product_name: String,
    /// A PNG or SVG file (≤ 256 KiB) shown in the page header.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub logo_file: Option<PathBuf>,
    /// `#rgb` or `#rrggbb`: buttons, links and the focus ring.
    #[serde(
        default,
        deserialize_with = "hex_color",
        serialize_with = "hex_color_text",
        skip_serializing_if = "Option::is_none"
    )]
    pub primary_color: Option<Rgb>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub support_url: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub privacy_url: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub terms_url: Option<String>,
    /// `logo_file`'s content, read by [`BrandingConfig::read_logo`].
    #[serde(skip)]
    pub logo: Option<Logo>,
}

impl Default for BrandingConfig {
    fn default() -> Self {
        Self {
            product_name: default_product_name(),
            logo_file: None,
            primary_color: None,
            support_url: None,
            privacy_url: None,
            terms_url: None,
            logo: None,
        }
    }
}

impl BrandingConfig {
    /// What the pages need of it.
    pub fn look(&self) -> Look {
        Look {
            product_name: self.product_name.clone(),
            logo: self.logo.clone(),
            primary_color: self.primary_color,
            support_url: self.support_url.clone(),
            privacy_url: self.privacy_url.clone(),
            terms_url: self.terms_url.clone(),
        }
    }
}

fn default_product_name() -> String {
    "Tessera".into()
}

fn hex_color<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Rgb>, D::Error> {
    let text = String::deserialize(d)?;
    Rgb::parse_hex(&text).map(Some).ok_or_else(|| {
        D::Error::custom(format!(
            "{text:?} is not a colour Tessera accepts: write it as hex, #rgb or #rrggbb (e.g. \"#2b5fd9\")"
        ))
    })
}

fn hex_color_text<S: Serializer>(color: &Option<Rgb>, s: S) -> Result<S::Ok, S::Error> {
    match color {
        Some(rgb) => s.serialize_str(&rgb.to_hex()),
        None => s.serialize_none(),
    }
}

impl BrandingConfig {
    /// `explicit_mfa_issuer`: `mfa_issuer_name` is set, so the product name need not fit
    /// the otpauth issuer's rules.
    pub(super) fn validate(&self, explicit_mfa_issuer: bool) -> Result<(), ConfigError> {
        self.validate_product_name(explicit_mfa_issuer)?;
        for (key, url) in [
            ("branding.support_url", &self.support_url),
            ("branding.privacy_url", &self.privacy_url),
            ("branding.terms_url", &self.terms_url),
        ] {
            if let Some(url) = url {
                validate_link(key, url)?;
            }
        }
        Ok(())
    }

    fn validate_product_name(&self, explicit_mfa_issuer: bool) -> Result<(), ConfigError> {
        let name = &self.product_name;
        let key = "branding.product_name";
        if name.trim().is_empty() {
            return Err(ConfigError::new(key, "must not be empty"));
        }
        if name.chars().count() > MAX_PRODUCT_NAME_CHARS {
            return Err(ConfigError::new(
                key,
                format!("must be at most {MAX_PRODUCT_NAME_CHARS} characters"),
            ));
        }
        if name.chars().any(char::is_control) {
            return Err(ConfigError::new(key, "must not contain control characters"));
        }
        // The otpauth URI separates issuer and account with a colon (Key Uri Format).
        if !explicit_mfa_issuer && name.contains(':') {
            return Err(ConfigError::new(
                key,
                "contains a colon, which the authenticator-app issuer label cannot hold; set mfa_issuer_name explicitly, or drop the colon",
            ));
        }
        Ok(())
    }

    /// Reads `logo_file` into `logo` (or clears it when no file is configured).
    pub(super) fn read_logo(&mut self) -> Result<(), ConfigError> {
        self.logo = match &self.logo_file {
            Some(path) => {
                Some(Logo::read(path).map_err(|e| ConfigError::new("branding.logo_file", e))?)
            }
            None => None,
        };
        Ok(())
    }
}

/// Footer links go on every page: absolute http(s) only, never `javascript:` or relative.
fn validate_link(key: &str, text: &str) -> Result<(), ConfigError> {
    let parsed = url::Url::parse(text)
        .map_err(|e| ConfigError::new(key, format!("must be an absolute http(s) URL: {e}")))?;
    if !matches!(parsed.scheme(), "https" | "http") || parsed.host_str().is_none() {
        return Err(ConfigError::new(
            key,
            "must be an absolute http:// or https:// URL",
        ));
    }
    if !parsed.username().is_empty() || parsed.password().is_some() {
        return Err(ConfigError::new(key, "must not contain credentials"));
    }
    Ok(())
}
