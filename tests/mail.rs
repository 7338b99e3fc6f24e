//! Mail as a component, over real SMTP (a sink on loopback) and real files, on SQLite and
//! PostgreSQL: a queued message arrives with the headers of an automatic message, in its
//! recipient's language, its link in both parts; an SMTP outage delays mail and loses none;
//! a process that dies with mail queued loses none either; the outbox holds no link in
//! clear; the file transport writes a private `.eml`; a message that cannot be sent within
//! `email.retry_for` is given up.
mod common;

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use common::process::database_url;
use common::smtp_sink::SmtpSink;
use common::{Backend, START, mfa};
use mailparse::{MailHeaderMap, ParsedMail};
use tessera::AppState;
use tessera::clock::ManualClock;
use tessera::config::Config;
use tessera::i18n::Locale;
use tessera::keys::KeySet;
use tessera::server::{send_due_mail, spawn_mail_worker};
use tessera::service::mail::{self, Mail, MailKind};
use tessera::store::Store;

const ISSUER: &str = "https://id.example.com";
const LINK: &str = "https://id.example.com/password/reset?token=one-time-SECRET-link-0123456789";
const RECIPIENT: &str = "ada@example.com";

/// A Tessera instance on `url` with `[email]` set to `email`, without a listener: mail needs
/// none.
async fn instance(url: &str, email: &str, clock: &ManualClock) -> AppState {
    let text = format!(
        "issuer = \"{ISSUER}\"\nmaster_key = \"{}\"\n[email]\n{email}\n",
        mfa::MASTER_KEY
    );
    let config = Config::from_toml(&text).unwrap();
    let store = Store::connect(url).await.unwrap();
    store.migrate().await.unwrap();
    AppState::new(
        config,
        store,
        KeySet::new(Vec::new(), START),
        Arc::new(clock.clone()),
    )
}

fn smtp(sink: &SmtpSink) -> String {
    format!("transport = \"smtp\"\nsmtp_url = \"{}\"", sink.url())
}

fn reset_mail(locale: Locale) -> Mail {
    Mail {
        to: RECIPIENT.into(),
        locale,
        kind: MailKind::ResetPassword { link: LINK.into() },
    }
}

fn header(mail: &ParsedMail<'_>, name: &str) -> String {
    mail.headers.get_first_value(name).unwrap_or_default()
}

/// The decoded text and HTML parts of a `multipart/alternative` message.
fn parts(mail: &ParsedMail<'_>) -> (String, String) {
    assert_eq!(mail.ctype.mimetype, "multipart/alternative");
    let part = |kind: &str| {
        mail.subparts
            .iter()
            .find(|p| p.ctype.mimetype == kind)
            .unwrap_or_else(|| panic!("no {kind} part"))
            .get_body()
            .unwrap()
    };
    (part("text/plain"), part("text/html"))
}

#[tokio::test]
async fn a_queued_message_arrives_over_smtp_in_the_recipients_language() {
    for backend in Backend::all() {
        let dir = tempfile::tempdir().unwrap();
        let sink = SmtpSink::start().await;
        let clock = ManualClock::starting_at(START);
        let url = database_url(backend, dir.path()).await;
        let state = instance(&url, &smtp(&sink), &clock).await;

        mail::queue(&state, reset_mail(Locale::De), START)
            .await
            .unwrap();
        assert_eq!(send_due_mail(&state).await.unwrap(), 1);

        let received = sink.wait_for(1, Duration::from_secs(5)).await;
        assert_eq!(received[0].mail_from, "no-reply@id.example.com");
        assert_eq!(received[0].rcpt_to, vec![RECIPIENT.to_string()]);
        let parsed = mailparse::parse_mail(&received[0].data).unwrap();
        assert_eq!(header(&parsed, "From"), "Tessera <no-reply@id.example.com>");
        assert_eq!(header(&parsed, "To"), RECIPIENT);
        assert_eq!(
            header(&parsed, "Subject"),
            "Wählen Sie ein neues Passwort für Tessera"
        );
        assert_eq!(header(&parsed, "Auto-Submitted"), "auto-generated");
        let message_id = header(&parsed, "Message-ID");
        assert!(
            message_id.starts_with('<') && message_id.ends_with("@id.example.com>"),
            "{message_id}"
        );
        let date = mailparse::dateparse(&header(&parsed, "Date")).unwrap();
        assert_eq!(date, START);
        let (text, html) = parts(&parsed);
        assert!(text.contains(LINK), "{text}");
        assert!(text.contains("Passwort"), "{text}");
        assert!(html.contains(&format!("href=\"{LINK}\"")), "{html}");
        assert!(
            state.store().list_mail().await.unwrap().is_empty(),
            "{backend:?}: sent mail leaves"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_worker_sends_at_once_when_mail_is_queued() {
    let dir = tempfile::tempdir().unwrap();
    let sink = SmtpSink::start().await;
    let clock = ManualClock::starting_at(START);
    let url = database_url(Backend::Sqlite, dir.path()).await;
    let state = instance(&url, &smtp(&sink), &clock).await;
    let worker = spawn_mail_worker(&state);
    // Let the worker take its first look (nothing due) and wait for its bell.
    tokio::time::sleep(Duration::from_millis(200)).await;
    mail::queue(&state, reset_mail(Locale::En), START)
        .await
        .unwrap();
    // Well before the worker's next poll: the queue rang.
    let received = sink.wait_for(1, Duration::from_secs(3)).await;
    let parsed = mailparse::parse_mail(&received[0].data).unwrap();
    assert_eq!(
        header(&parsed, "Subject"),
        "Choose a new password for Tessera"
    );
    worker.abort();
}

#[tokio::test]
async fn an_smtp_outage_delays_mail_and_loses_none() {
    for backend in Backend::all() {
        let dir = tempfile::tempdir().unwrap();
        let sink = SmtpSink::start().await;
        sink.stop().await;
        let clock = ManualClock::starting_at(START);
        let url = database_url(backend, dir.path()).await;
        let state = instance(&url, &smtp(&sink), &clock).await;
        mail::queue(&state, reset_mail(Locale::Fr), START)
            .await
            .unwrap();

        assert_eq!(send_due_mail(&state).await.unwrap(), 1);
        let rows = state.store().list_mail().await.unwrap();
        assert_eq!(rows.len(), 1, "{backend:?}: kept while the relay is down");
        assert_eq!(rows[0].attempts, 1);
        assert_eq!(
            rows[0].next_attempt_at,
            START + 30,
            "the first wait is 30 s"
        );
        assert!(rows[0].last_error.as_deref().unwrap().contains("SMTP"));
        assert!(rows[0].given_up_at.is_none());
        // Not due yet: nothing is tried before the backoff has passed.
        clock.advance(29);
        assert_eq!(send_due_mail(&state).await.unwrap(), 0);

        sink.restart().await;
        clock.advance(1);
        assert_eq!(send_due_mail(&state).await.unwrap(), 1);
        let received = sink.wait_for(1, Duration::from_secs(5)).await;
        let parsed = mailparse::parse_mail(&received[0].data).unwrap();
        assert_eq!(
            header(&parsed, "Subject"),
            "Choisissez un nouveau mot de passe pour Tessera"
        );
        assert!(state.store().list_mail().await.unwrap().is_empty());
        assert_eq!(sink.received().len(), 1, "sent once");
    }
}

#[tokio::test]
async fn mail_queued_by_a_process_that_died_is_sent_by_the_next_one() {
    for backend in Backend::all() {
        let dir = tempfile::tempdir().unwrap();
        let sink = SmtpSink::start().await;
        let clock = ManualClock::starting_at(START);
        let url = database_url(backend, dir.path()).await;
        let first = instance(&url, &smtp(&sink), &clock).await;
        mail::queue(&first, reset_mail(Locale::En), START)
            .await
            .unwrap();
        // As kill -9: nothing sent, nothing flushed beyond the committed row.
        first.store().close().await;
        drop(first);

        let next = instance(&url, &smtp(&sink), &clock).await;
        assert_eq!(send_due_mail(&next).await.unwrap(), 1);
        let received = sink.wait_for(1, Duration::from_secs(5)).await;
        let parsed = mailparse::parse_mail(&received[0].data).unwrap();
        assert!(parts(&parsed).0.contains(LINK), "{backend:?}");
    }
}

#[tokio::test]
async fn the_outbox_holds_the_message_sealed() {
    for backend in Backend::all() {
        let dir = tempfile::tempdir().unwrap();
        let clock = ManualClock::starting_at(START);
        let url = database_url(backend, dir.path()).await;
        let state = instance(&url, "", &clock).await;
        mail::queue(&state, reset_mail(Locale::En), START)
            .await
            .unwrap();
        let rows = state.store().list_mail().await.unwrap();
        assert_eq!(rows.len(), 1);
        let row = &rows[0];
        assert_eq!(row.recipient, RECIPIENT);
        assert!(row.sealed_message.starts_with("v1:"));
        for clear in [
            "one-time-SECRET",
            "token=",
            "Choose a new password",
            "Subject",
        ] {
            assert!(
                !row.sealed_message.contains(clear),
                "{backend:?}: {clear} in clear"
            );
        }
        // Sealed under the mail key of the master key, bound to its row.
        use tessera::auth::master_key::{MasterKey, Purpose};
        let master = MasterKey::from_base64(mfa::MASTER_KEY).unwrap();
        let key = master.derive(Purpose::MailOutbox);
        let opened = key.open(&row.sealed_message, &row.id).unwrap();
        let parsed = mailparse::parse_mail(&opened).unwrap();
        assert!(parts(&parsed).0.contains(LINK));
        assert!(key.open(&row.sealed_message, "another-row").is_err());
        assert!(
            master
                .derive(Purpose::TotpSecrets)
                .open(&row.sealed_message, &row.id)
                .is_err()
        );
    }
}

#[tokio::test]
async fn the_file_transport_writes_a_private_eml() {
    let dir = tempfile::tempdir().unwrap();
    let mail_dir = dir.path().join("data").join("mail");
    let clock = ManualClock::starting_at(START);
    let url = database_url(Backend::Sqlite, dir.path()).await;
    let state = instance(&url, &format!("mail_dir = {:?}", mail_dir), &clock).await;
    mail::queue(&state, reset_mail(Locale::En), START)
        .await
        .unwrap();
    let id = state.store().list_mail().await.unwrap()[0].id.clone();
    assert_eq!(send_due_mail(&state).await.unwrap(), 1);

    let files: Vec<_> = std::fs::read_dir(&mail_dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(files, vec![mail_dir.join(format!("{id}.eml"))]);
    let raw = std::fs::read(&files[0]).unwrap();
    let parsed = mailparse::parse_mail(&raw).unwrap();
    assert_eq!(header(&parsed, "To"), RECIPIENT);
    let (text, html) = parts(&parsed);
    assert!(text.contains(LINK) && html.contains(LINK));
    assert_private(&mail_dir, &files[0]);
    assert!(state.store().list_mail().await.unwrap().is_empty());
}

#[cfg(unix)]
fn assert_private(dir: &Path, file: &Path) {
    use std::os::unix::fs::PermissionsExt;
    let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(dir), 0o700);
    assert_eq!(mode(file), 0o600);
}

#[cfg(not(unix))]
fn assert_private(_: &Path, _: &Path) {}

#[tokio::test]
async fn a_message_not_sent_within_retry_for_is_given_up() {
    for backend in Backend::all() {
        let dir = tempfile::tempdir().unwrap();
        let sink = SmtpSink::start().await;
        sink.stop().await;
        let clock = ManualClock::starting_at(START);
        let url = database_url(backend, dir.path()).await;
        let state = instance(&url, &format!("{}\nretry_for = 60", smtp(&sink)), &clock).await;
        mail::queue(&state, reset_mail(Locale::En), START)
            .await
            .unwrap();

        // Attempts at 0 s, 30 s (the wait doubles: next at 90 s, cut to the deadline) and 60 s.
        for _ in 0..2 {
            assert_eq!(send_due_mail(&state).await.unwrap(), 1);
            clock.advance(30);
        }
        assert_eq!(
            state.store().list_mail().await.unwrap()[0].next_attempt_at,
            START + 60
        );
        assert_eq!(send_due_mail(&state).await.unwrap(), 1);
        let rows = state.store().list_mail().await.unwrap();
        assert_eq!(rows[0].given_up_at, Some(START + 60), "{backend:?}");
        assert_eq!(rows[0].attempts, 3);
        let stats = state.store().mail_outbox_stats().await.unwrap();
        assert_eq!((stats.pending, stats.given_up), (0, 1));

        // Given up means no more attempts, even with the relay back.
        sink.restart().await;
        clock.advance(3600);
        assert_eq!(send_due_mail(&state).await.unwrap(), 0);
        assert!(sink.received().is_empty());
        // Kept a week for operators, then purged.
        clock.advance(7 * 24 * 3600);
        let now = START + 60 + 3600 + 7 * 24 * 3600;
        state.store().purge_expired(now, &[]).await.unwrap();
        assert!(state.store().list_mail().await.unwrap().is_empty());
    }
}
