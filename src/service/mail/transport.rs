//! How a composed message leaves: written to `mail_dir/<id>.eml` (the file transport: a
//! developer opens it), or handed to the SMTP relay of `email.smtp_url` (TLS unless the relay
//! is on this machine, each step bounded by a timeout). Built from the settings at each
//! attempt, so `tessera reload` changes the transport for the next message.
use std::path::PathBuf;
use std::time::Duration;

use lettre::address::Envelope;
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Tls, TlsParameters};
use lettre::transport::smtp::extension::ClientId;
use lettre::{Address, AsyncSmtpTransport, AsyncTransport, Tokio1Executor};
use zeroize::Zeroizing;

use crate::config::{Config, MailTransport, SmtpPassword, SmtpSecurity};
use crate::private_files;

/// How long any one SMTP step may take (connect, each command, the data).
const SMTP_TIMEOUT: Duration = Duration::from_secs(10);

/// Sends `raw` (the whole message) to `recipient`; the error says what went wrong without
/// the message.
pub(super) async fn send(
    config: &Config,
    id: &str,
    recipient: &str,
    raw: &[u8],
) -> Result<(), String> {
    match config.email.transport {
        MailTransport::File => write_file(config.email.mail_dir.clone(), id, raw.to_vec()).await,
        MailTransport::Smtp => send_smtp(config, recipient, raw).await,
    }
}

async fn write_file(dir: PathBuf, id: &str, raw: Vec<u8>) -> Result<(), String> {
    // The id is a UUID Tessera made: it names no other folder.
    let path = dir.join(format!("{id}.eml"));
    let written = path.clone();
    let result = tokio::task::spawn_blocking(move || {
        private_files::create_private_dir_all(&dir)?;
        match private_files::write_private_file(&written, &raw) {
            // Written by an attempt whose end was not recorded (a crash): it is there.
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
            other => other,
        }
    })
    .await
    .map_err(|e| format!("the file writer stopped: {e}"))?;
    result.map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    tracing::info!(path = %path.display(), "mail written to a file (email.transport = \"file\")");
    Ok(())
}

async fn send_smtp(config: &Config, recipient: &str, raw: &[u8]) -> Result<(), String> {
    let endpoint = config
        .email
        .smtp_endpoint()
        .map_err(|e| e.to_string())?
        .ok_or("email.smtp_url is not set")?;
    // The certificate is checked against the relay's host name (webpki roots).
    let parameters = || TlsParameters::new(endpoint.host.clone()).map_err(|e| format!("TLS: {e}"));
    let tls = match endpoint.security {
        SmtpSecurity::Tls => Tls::Wrapper(parameters()?),
        SmtpSecurity::StartTls => Tls::Required(parameters()?),
        SmtpSecurity::None => Tls::None,
    };
    let hello = url::Url::parse(&config.issuer)
        .ok()
        .and_then(|u| u.domain().map(str::to_string))
        .unwrap_or_else(|| "localhost".to_string());
    let mut builder = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(&endpoint.host)
        .port(endpoint.port)
        .tls(tls)
        .timeout(Some(SMTP_TIMEOUT))
        .hello_name(ClientId::Domain(hello));
    if let Some(username) = &config.email.smtp_username {
        let password = read_password(config.email.smtp_password())?;
        builder = builder.credentials(Credentials::new(username.clone(), password.to_string()));
    }
    let from = config.mail_from().email;
    let to: Address = recipient
        .parse()
        .map_err(|_| "the recipient is not a mail address".to_string())?;
    let envelope = Envelope::new(Some(from), vec![to]).map_err(|e| format!("envelope: {e}"))?;
    let transport = builder.build();
    // The whole exchange is bounded too, not only each step.
    let sent = tokio::time::timeout(SMTP_TIMEOUT * 3, transport.send_raw(&envelope, raw)).await;
    match sent {
        Ok(Ok(_)) => Ok(()),
        Ok(Err(e)) => Err(format!("SMTP: {e}")),
        Err(_) => Err(format!(
            "SMTP: no answer within {} s",
            (SMTP_TIMEOUT * 3).as_secs()
        )),
    }
}

/// The password, read at each attempt so a rotated file is picked up.
fn read_password(source: Option<SmtpPassword>) -> Result<Zeroizing<String>, String> {
    let value = match source {
        Some(SmtpPassword::File(path)) => std::fs::read_to_string(&path).map_err(|e| {
            format!(
                "cannot read email.smtp_password_file {}: {e}",
                path.display()
            )
        })?,
        Some(SmtpPassword::Env(name)) => std::env::var(&name)
            .map_err(|_| format!("email.smtp_password_env: {name} is not set"))?,
        None => return Err("email.smtp_username is set without a password".to_string()),
    };
    let value = Zeroizing::new(value);
    Ok(Zeroizing::new(
        value.trim_end_matches(['\r', '\n']).to_string(),
    ))
}
