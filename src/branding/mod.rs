//! How Tessera's pages look for this deployment: the product name, the logo, the colours and
//! the footer links of `[branding]`, resolved once per (re)load into what the page frame
//! (`templates/base.html`) and the asset routes need. The colour arithmetic is in
//! `contrast` and `palette`; reading and recognising the logo in `logo`.
use std::sync::{Arc, LazyLock};

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sha2::{Digest, Sha256};

use crate::routes;

pub mod contrast;
pub mod logo;
pub mod palette;

use contrast::Rgb;
use logo::Logo;
use palette::{DEFAULT_PRIMARY, Palette};

/// What `[branding]` asks for, in the terms of this module (the configuration builds it:
/// `BrandingConfig::look`), so that `config` depends on `branding` and not the other way.
#[derive(Debug, Clone)]
pub struct Look {
    pub product_name: String,
    pub logo: Option<Logo>,
    pub primary_color: Option<Rgb>,
    pub support_url: Option<String>,
    pub privacy_url: Option<String>,
    pub terms_url: Option<String>,
}

impl Look {
    /// Tessera's own look.
    pub fn standard() -> Self {
        Self {
            product_name: "Tessera".into(),
            logo: None,
            primary_color: None,
            support_url: None,
            privacy_url: None,
            terms_url: None,
        }
    }
}

/// Tessera's own stylesheet, built into the binary.
pub const STYLESHEET: &str = include_str!("../../assets/tessera.css");

/// The stylesheet's version, computed once: it changes only with the binary.
pub fn stylesheet_version() -> &'static str {
    static VERSION: LazyLock<String> = LazyLock::new(|| version_of(STYLESHEET.as_bytes()));
    &VERSION
}

/// A short digest of an asset's content. URLs carry it (`?v=`), so an asset may be cached
/// for a year: a reload that changes it changes the URL the pages use.
pub fn version_of(bytes: &[u8]) -> String {
    let digest = Sha256::digest(bytes);
    URL_SAFE_NO_PAD.encode(digest.get(..12).unwrap_or_default())
}

/// One link in the page footer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FooterLink {
    /// The message id of its label (`footer-help`, …): the page shows it in its language.
    pub label: &'static str,
    pub url: String,
}

/// The logo as served: its content, and the URL the pages link it by.
#[derive(Debug)]
pub struct ServedLogo {
    pub logo: Logo,
    /// The content's version, computed once rather than per request.
    pub version: String,
    /// `/assets/logo?v=…`.
    pub url: String,
}

/// The branding every page frame shows. Built from the settings, so a reload replaces it.
#[derive(Debug)]
pub struct Branding {
    pub product_name: String,
    pub logo: Option<ServedLogo>,
    /// `/assets/tessera.css?v=…`.
    pub stylesheet_url: String,
    /// The generated colour stylesheet and its version.
    pub brand_css: String,
    pub brand_css_version: String,
    /// `/assets/brand.css?v=…`.
    pub brand_css_url: String,
    /// Help, Privacy, Terms: those configured, in that order; no footer when empty.
    pub footer_links: Vec<FooterLink>,
}

impl Branding {
    pub fn new(config: &Look) -> Self {
        let palette = Palette::from_primary(config.primary_color.unwrap_or(DEFAULT_PRIMARY));
        let brand_css = palette.stylesheet();
        let brand_css_version = version_of(brand_css.as_bytes());
        let logo = config.logo.clone().map(|logo| {
            let version = version_of(&logo.bytes);
            let url = format!("{}?v={version}", routes::LOGO);
            ServedLogo { logo, version, url }
        });
        let footer_links = [
            ("footer-help", &config.support_url),
            ("footer-privacy", &config.privacy_url),
            ("footer-terms", &config.terms_url),
        ]
        .into_iter()
        .filter_map(|(label, url)| url.clone().map(|url| FooterLink { label, url }))
        .collect();
        Self {
            product_name: config.product_name.clone(),
            logo,
            stylesheet_url: format!("{}?v={}", routes::STYLESHEET, stylesheet_version()),
            brand_css_url: format!("{}?v={brand_css_version}", routes::BRAND_STYLESHEET),
            brand_css,
            brand_css_version,
            footer_links,
        }
    }

    /// Tessera's own look: for pages rendered outside a request (tests, early errors).
    pub fn standard() -> Arc<Self> {
        static STANDARD: LazyLock<Arc<Branding>> =
            LazyLock::new(|| Arc::new(Branding::new(&Look::standard())));
        STANDARD.clone()
    }
}

#[cfg(test)]
mod tests;
