//! Mail as a component: what a message says (`MailKind`), composed in the recipient's
//! language and branded (`compose`), sealed and written to the durable outbox (`queue`),
//! then sent by the mail worker (`deliver`) through the configured transport (`transport`:
//! `.eml` files or SMTP), retried with the schedule every outbox shares until it goes or
//! `email.retry_for` has passed. Every link in a message is built by the caller from the
//! issuer only, never from a request's `Host` or `X-Forwarded-*` (password-reset poisoning).
mod compose;
pub mod deliver;
mod queue;
mod transport;

pub use queue::queue;

/// What a message says. Every link is built by the caller from the issuer only (never from a
/// request's Host).
#[derive(Clone)]
pub enum MailKind {
    /// Confirm this address: the link sets email_verified (valid 24 h).
    VerifyEmail { link: String },
    /// "Forgot password": the link lets the user choose a new password (valid 30 minutes,
    /// single use).
    ResetPassword { link: String },
    /// Your password was changed (after a reset or a change); `reset_link` is for "this was
    /// not me".
    PasswordChanged { reset_link: String },
    /// Someone tried to sign up with this address, which already has an account.
    SignUpExists {
        sign_in_link: String,
        reset_link: String,
    },
    /// You were invited: the link lets you set your password (valid 7 days).
    Invite { link: String },
    /// Sent to the NEW address of an email change: the link confirms it (valid 24 h).
    EmailChangeConfirm { link: String },
    /// Sent to the OLD address when the email was changed: `undo_link` puts it back (valid
    /// 72 h).
    EmailChangeNotice {
        new_email: String,
        undo_link: String,
    },
    /// The account was deleted.
    AccountDeleted,
}

impl MailKind {
    /// The kind's name, for metrics and the log (never its links).
    pub fn name(&self) -> &'static str {
        match self {
            Self::VerifyEmail { .. } => "verify_email",
            Self::ResetPassword { .. } => "reset_password",
            Self::PasswordChanged { .. } => "password_changed",
            Self::SignUpExists { .. } => "sign_up_exists",
            Self::Invite { .. } => "invite",
            Self::EmailChangeConfirm { .. } => "email_change_confirm",
            Self::EmailChangeNotice { .. } => "email_change_notice",
            Self::AccountDeleted => "account_deleted",
        }
    }
}

/// The links are one-time secrets: `Debug` names the kind only.
impl std::fmt::Debug for MailKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}(links redacted)", self.name())
    }
}

/// One message to one person.
#[derive(Debug, Clone)]
pub struct Mail {
    pub to: String,
    pub locale: crate::i18n::Locale,
    pub kind: MailKind,
}

#[cfg(test)]
mod tests;
