//! `[email]`: the file transport by default, TLS to any relay not on this machine, one
//! password source and never the password itself, a From that is a mailbox; each refusal
//! names its key.
use super::*;

fn refused(toml: &str) -> ConfigError {
    Config::from_toml(toml).expect_err("config should be refused")
}

fn email(lines: &str) -> String {
    format!("issuer = \"https://id.example.com\"\n[email]\n{lines}\n")
}

#[test]
fn the_default_writes_files_and_sends_from_the_product_at_the_issuer_host() {
    let config = Config::from_toml(&email("")).unwrap();
    assert_eq!(config.email.transport, MailTransport::File);
    assert_eq!(config.email.mail_dir, std::path::Path::new("data/mail"));
    assert_eq!(config.email.retry_for, 86_400);
    assert_eq!(
        config.mail_from().to_string(),
        "Tessera <no-reply@id.example.com>"
    );
    // An IP address is no mail domain: the default falls back to localhost.
    let local = Config::from_toml("").unwrap();
    assert_eq!(
        local.mail_from().to_string(),
        "Tessera <no-reply@localhost>"
    );
}

#[test]
fn from_must_be_a_mailbox() {
    let ok = Config::from_toml(&email("from = \"Acme ID <id@acme.example>\"")).unwrap();
    assert_eq!(ok.mail_from().to_string(), "Acme ID <id@acme.example>");
    for bad in ["not an address", "Acme <>", "a@b@c", ""] {
        let err = refused(&email(&format!("from = {bad:?}")));
        assert_eq!(err.key, "email.from", "{bad}");
    }
}

#[test]
fn smtp_needs_a_url_with_tls_unless_the_relay_is_on_this_machine() {
    let starttls = Config::from_toml(&email(
        "transport = \"smtp\"\nsmtp_url = \"smtp://mail.example.com\"",
    ))
    .unwrap();
    let endpoint = starttls.email.smtp_endpoint().unwrap().unwrap();
    assert_eq!(endpoint.security, SmtpSecurity::StartTls);
    assert_eq!(
        (endpoint.host.as_str(), endpoint.port),
        ("mail.example.com", 587)
    );

    let tls = Config::from_toml(&email(
        "transport = \"smtp\"\nsmtp_url = \"smtps://mail.example.com\"",
    ))
    .unwrap();
    let endpoint = tls.email.smtp_endpoint().unwrap().unwrap();
    assert_eq!((endpoint.security, endpoint.port), (SmtpSecurity::Tls, 465));

    for loopback in ["127.0.0.1:2525", "localhost:25", "[::1]:2525"] {
        let plain = Config::from_toml(&email(&format!(
            "transport = \"smtp\"\nsmtp_url = \"smtp://{loopback}?tls=none\""
        )))
        .unwrap();
        let endpoint = plain.email.smtp_endpoint().unwrap().unwrap();
        assert_eq!(endpoint.security, SmtpSecurity::None, "{loopback}");
    }

    for bad in [
        "smtp://mail.example.com?tls=none",
        "smtp://10.0.0.5:25?tls=none",
        "http://mail.example.com",
        "smtp://user:pw@mail.example.com",
        "smtp://mail.example.com?tls=opportunistic",
        "smtp://mail.example.com/path",
        "not a url",
    ] {
        let err = refused(&email(&format!(
            "transport = \"smtp\"\nsmtp_url = \"{bad}\""
        )));
        assert_eq!(err.key, "email.smtp_url", "{bad}");
    }
    let missing = refused(&email("transport = \"smtp\""));
    assert_eq!(missing.key, "email.smtp_url");
}

#[test]
fn exactly_one_password_source_and_only_with_a_username() {
    let smtp = "transport = \"smtp\"\nsmtp_url = \"smtps://mail.example.com\"\n";
    let file = Config::from_toml(&email(&format!(
        "{smtp}smtp_username = \"tessera\"\nsmtp_password_file = \"/etc/tessera/smtp.secret\""
    )))
    .unwrap();
    assert_eq!(
        file.email.smtp_password(),
        Some(SmtpPassword::File("/etc/tessera/smtp.secret".into()))
    );
    let env = Config::from_toml(&email(&format!(
        "{smtp}smtp_username = \"tessera\"\nsmtp_password_env = \"SMTP_PASSWORD\""
    )))
    .unwrap();
    assert_eq!(
        env.email.smtp_password(),
        Some(SmtpPassword::Env("SMTP_PASSWORD".into()))
    );

    let both = refused(&email(&format!(
        "{smtp}smtp_username = \"t\"\nsmtp_password_file = \"/s\"\nsmtp_password_env = \"SMTP_PASSWORD\""
    )));
    assert_eq!(both.key, "email.smtp_password_env");
    let none = refused(&email(&format!("{smtp}smtp_username = \"t\"")));
    assert_eq!(none.key, "email.smtp_password_file");
    let no_user = refused(&email(&format!(
        "{smtp}smtp_password_env = \"SMTP_PASSWORD\""
    )));
    assert_eq!(no_user.key, "email.smtp_username");
    let ours = refused(&email(&format!(
        "{smtp}smtp_username = \"t\"\nsmtp_password_env = \"TESSERA_SMTP\""
    )));
    assert_eq!(ours.key, "email.smtp_password_env");
    // The password itself has no key: it cannot be written in the file.
    let inline = refused(&email(&format!("{smtp}smtp_password = \"hunter2\"")));
    assert!(inline.key.starts_with("email"), "{inline}");
}

#[test]
fn a_reload_may_change_email() {
    let running = Config::from_toml(&email("")).unwrap();
    let file = Config::from_toml(&email(
        "transport = \"smtp\"\nsmtp_url = \"smtps://mail.example.com\"\nfrom = \"Acme <id@acme.example>\"",
    ))
    .unwrap();
    let (applied, ignored) = running.reloaded(file, None);
    assert!(ignored.is_empty(), "{ignored:?}");
    assert_eq!(applied.email.transport, MailTransport::Smtp);
    assert_eq!(applied.mail_from().to_string(), "Acme <id@acme.example>");
}
