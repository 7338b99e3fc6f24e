//! Queuing a message: composed now (in the recipient's language, with today's branding),
//! sealed under the mail key bound to its id, and written to the outbox before anyone is
//! told it went. The worker is woken; sending is its job, so a slow or absent mail server
//! never holds up a request.
use std::str::FromStr;

use lettre::message::Mailbox;

use super::Mail;
use super::compose::{self, Sender};
use crate::branding::palette::DEFAULT_PRIMARY;
use crate::observe;
use crate::service::error::{Error, Internal, Result};
use crate::state::AppState;

/// Composes (subject, text, HTML, headers, in `mail.locale`, branded), seals and queues it,
/// and wakes the worker.
pub async fn queue(state: &AppState, mail: Mail, now: i64) -> Result<()> {
    let sealer = state
        .mail_sealer()
        .ok_or_else(|| failed("no master key to seal the outbox with"))?;
    let to = Mailbox::from_str(mail.to.trim())
        .map_err(|_| failed("the recipient is not a mail address"))?;
    let config = state.config();
    let host = url::Url::parse(state.issuer())
        .ok()
        .and_then(|u| u.host_str().map(str::to_string))
        .unwrap_or_else(|| "localhost".to_string());
    let sender = Sender {
        product_name: &config.branding.product_name,
        primary_color: config.branding.primary_color.unwrap_or(DEFAULT_PRIMARY),
        from: config.mail_from(),
        host: &host,
    };
    let id = uuid::Uuid::new_v4().to_string();
    let message = compose::message(&mail, to.clone(), &sender, &id, now).map_err(failed)?;
    let sealed = sealer
        .seal(&message.formatted(), &id)
        .map_err(|e| Error::Internal(Internal::Sealing(e)))?;
    state
        .store()
        .queue_mail(&id, to.email.as_ref(), &sealed, now)
        .await?;
    observe::mail_queued(mail.kind.name());
    tracing::info!(mail_id = %id, kind = mail.kind.name(), "mail queued");
    state.ring_mail();
    Ok(())
}

fn failed(why: impl Into<String>) -> Error {
    Error::Internal(Internal::Mail(why.into()))
}
