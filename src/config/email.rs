//! `[email]`: how Tessera sends mail. The embedded default writes each message as an `.eml`
//! file under `mail_dir` (a developer opens the link; no mail server needed); `smtp` sends it
//! to a relay, always over TLS unless the relay is on this machine. The password is read from
//! a file or a variable, never from config.toml. Each check names its key (`email.smtp_url`).
use std::path::PathBuf;
use std::str::FromStr;

use lettre::Address;
use lettre::message::Mailbox;
use serde::{Deserialize, Serialize};

use super::ConfigError;

/// How a message leaves.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum MailTransport {
    /// Each message written to `mail_dir/<id>.eml`, its path logged.
    #[default]
    File,
    /// Sent to `smtp_url`.
    Smtp,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct EmailConfig {
    #[serde(default)]
    pub transport: MailTransport,
    /// Where the file transport writes messages (0700; each file 0600).
    #[serde(default = "default_mail_dir")]
    pub mail_dir: PathBuf,
    /// The From mailbox (`Name <address>`); by default the product name at
    /// `no-reply@<issuer host>`. Read it through [`super::Config::mail_from`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<String>,
    /// `smtp://host[:587]` (STARTTLS required), `smtps://host[:465]` (TLS from the start), or
    /// `smtp://<loopback>:port?tls=none` (a relay on this machine, no TLS).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub smtp_url: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub smtp_username: Option<String>,
    /// A file holding the SMTP password (one line); or `smtp_password_env`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub smtp_password_file: Option<PathBuf>,
    /// A variable holding the SMTP password (not a `TESSERA_` one); or `smtp_password_file`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub smtp_password_env: Option<String>,
    /// Seconds a message that cannot be sent is retried (waits doubling from 30 s up to an
    /// hour); then it is given up (logged and counted).
    #[serde(default = "default_retry_for")]
    pub retry_for: i64,
}

impl Default for EmailConfig {
    fn default() -> Self {
        Self {
            transport: MailTransport::File,
            mail_dir: default_mail_dir(),
            from: None,
            smtp_url: None,
            smtp_username: None,
            smtp_password_file: None,
            smtp_password_env: None,
            retry_for: default_retry_for(),
        }
    }
}

fn default_mail_dir() -> PathBuf {
    PathBuf::from("data/mail")
}

fn default_retry_for() -> i64 {
    86_400
}

/// How the connection to the relay is protected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SmtpSecurity {
    /// `smtp://`: plain at first, then STARTTLS, which the relay must offer.
    StartTls,
    /// `smtps://`: TLS from the first byte.
    Tls,
    /// `?tls=none` on a loopback host: nothing leaves the machine.
    None,
}

/// `smtp_url`, parsed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SmtpEndpoint {
    pub host: String,
    pub port: u16,
    pub security: SmtpSecurity,
}

/// Where the SMTP password comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SmtpPassword {
    File(PathBuf),
    Env(String),
}

impl EmailConfig {
    /// `smtp_url` parsed and checked; `None` when unset.
    pub fn smtp_endpoint(&self) -> Result<Option<SmtpEndpoint>, ConfigError> {
        self.smtp_url.as_deref().map(parse_smtp_url).transpose()
    }

    /// The configured password source, if any.
    pub fn smtp_password(&self) -> Option<SmtpPassword> {
        match (&self.smtp_password_file, &self.smtp_password_env) {
            (Some(path), _) => Some(SmtpPassword::File(path.clone())),
            (None, Some(name)) => Some(SmtpPassword::Env(name.clone())),
            (None, None) => None,
        }
    }

    pub(super) fn validate(&self) -> Result<(), ConfigError> {
        if let Some(from) = &self.from {
            parse_mailbox(from)?;
        }
        if self.retry_for < 60 {
            return Err(ConfigError::new("email.retry_for", "must be at least 60"));
        }
        let endpoint = self.smtp_endpoint()?;
        if self.transport == MailTransport::Smtp && endpoint.is_none() {
            return Err(ConfigError::new(
                "email.smtp_url",
                "is required with transport = \"smtp\" (e.g. \"smtp://mail.example.com:587\")",
            ));
        }
        if self.transport == MailTransport::File && self.mail_dir.as_os_str().is_empty() {
            return Err(ConfigError::new("email.mail_dir", "must not be empty"));
        }
        self.validate_credentials()
    }

    fn validate_credentials(&self) -> Result<(), ConfigError> {
        match (&self.smtp_password_file, &self.smtp_password_env) {
            (Some(_), Some(_)) => {
                return Err(ConfigError::new(
                    "email.smtp_password_env",
                    "set smtp_password_file or smtp_password_env, not both",
                ));
            }
            (Some(path), None) if path.as_os_str().is_empty() => {
                return Err(ConfigError::new(
                    "email.smtp_password_file",
                    "must not be empty",
                ));
            }
            (None, Some(name)) => {
                super::upstreams::check_env_name("email.smtp_password_env", name)?;
            }
            _ => {}
        }
        let has_password = self.smtp_password().is_some();
        match (&self.smtp_username, has_password) {
            (Some(name), _) if name.trim().is_empty() || name.chars().any(char::is_control) => {
                Err(ConfigError::new("email.smtp_username", "must not be empty"))
            }
            (Some(_), false) => Err(ConfigError::new(
                "email.smtp_password_file",
                "smtp_username needs a password: set smtp_password_file or smtp_password_env (the password itself never goes in config.toml)",
            )),
            (None, true) => Err(ConfigError::new(
                "email.smtp_username",
                "is required when a password is set",
            )),
            _ => Ok(()),
        }
    }
}

/// Parses an RFC 5322 mailbox (`Name <address>` or a bare address).
pub(super) fn parse_mailbox(text: &str) -> Result<Mailbox, ConfigError> {
    Mailbox::from_str(text.trim()).map_err(|e| {
        ConfigError::new(
            "email.from",
            format!("must be a mailbox such as \"Tessera <no-reply@example.com>\": {e}"),
        )
    })
}

/// The default From: the product name at `no-reply@` the issuer's host (`localhost` when the
/// issuer is an IP address, which is not a mail domain).
pub(super) fn default_from(product_name: &str, issuer: &str) -> Mailbox {
    let host = url::Url::parse(issuer)
        .ok()
        .and_then(|u| u.domain().map(str::to_string))
        .unwrap_or_else(|| "localhost".to_string());
    // "no-reply@localhost" is a valid address: the fallback needs no check.
    let address = Address::new("no-reply", &host)
        .unwrap_or_else(|_| Address::new_dangerous("no-reply", "localhost"));
    Mailbox::new(Some(product_name.to_string()), address)
}

/// `127.0.0.1` (any of 127/8), `[::1]` or `localhost`. The URL parser leaves an IPv4
/// address of a scheme it does not know (`smtp:`) as text, so it is parsed here.
fn is_loopback(host: &str) -> bool {
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    match bare.parse::<std::net::IpAddr>() {
        Ok(ip) => ip.is_loopback(),
        Err(_) => bare.eq_ignore_ascii_case("localhost"),
    }
}

fn parse_smtp_url(text: &str) -> Result<SmtpEndpoint, ConfigError> {
    let key = "email.smtp_url";
    let url = url::Url::parse(text).map_err(|e| {
        ConfigError::new(
            key,
            format!("must be smtp://host[:port] or smtps://host[:port]: {e}"),
        )
    })?;
    let Some(host) = url.host_str().filter(|h| !h.is_empty()) else {
        return Err(ConfigError::new(key, "must name a host"));
    };
    if !url.username().is_empty() || url.password().is_some() {
        return Err(ConfigError::new(
            key,
            "must not contain credentials: use smtp_username and smtp_password_file",
        ));
    }
    if !matches!(url.path(), "" | "/") || url.fragment().is_some() {
        return Err(ConfigError::new(key, "must be scheme://host[:port] only"));
    }
    let plain = match url.query() {
        None => false,
        Some("tls=none") => true,
        Some(_) => {
            return Err(ConfigError::new(
                key,
                "the only query allowed is ?tls=none (a relay on a loopback host)",
            ));
        }
    };
    let security = match (url.scheme(), plain) {
        ("smtps", false) => SmtpSecurity::Tls,
        ("smtp", false) => SmtpSecurity::StartTls,
        ("smtp", true) if is_loopback(host) => SmtpSecurity::None,
        ("smtp", true) => {
            return Err(ConfigError::new(
                key,
                "plain SMTP (tls=none) is allowed only to a loopback host (127.0.0.1, [::1], localhost): passwords and one-time links would cross the network in the clear",
            ));
        }
        _ => {
            return Err(ConfigError::new(
                key,
                "must start with smtp:// (STARTTLS required) or smtps:// (TLS from the start)",
            ));
        }
    };
    let default_port = if security == SmtpSecurity::Tls {
        465
    } else {
        587
    };
    Ok(SmtpEndpoint {
        host: host
            .trim_start_matches('[')
            .trim_end_matches(']')
            .to_string(),
        port: url.port().unwrap_or(default_port),
        security,
    })
}
