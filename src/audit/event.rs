//! What an audit event says: its type, its outcome, whom it concerns, and a small detail that
//! never holds a password, token, code or secret (only names, ids and counts go in).
use serde_json::{Map, Value};

/// Every kind of event the trail records. The names are stable: they are stored, logged as
/// `event=…`, filtered on by `tessera audit --type` and the admin API, and listed in
/// docs/audit.md (a test checks the list).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EventType {
    /// A first factor (password, passkey, upstream, emailed link): success, failure,
    /// throttled, or shed (the password pool was full).
    SignIn,
    /// The second step (TOTP, recovery code, passkey) of a sign-in.
    SecondStep,
    PasskeyAdded,
    PasskeyRemoved,
    TotpEnabled,
    TotpDisabled,
    RecoveryCodesReplaced,
    RecoveryCodeUsed,
    PasswordChanged,
    PasswordResetRequested,
    PasswordSetByLink,
    VerificationSent,
    EmailVerified,
    EmailChangeRequested,
    EmailChanged,
    EmailChangeUndone,
    SignedUp,
    UserInvited,
    AccountDeleted,
    UpstreamIdentityLinked,
    UpstreamIdentityUnlinked,
    /// One session or every session of a user ended; `detail.by` says how.
    SessionEnded,
    ConsentGranted,
    ConsentWithdrawn,
    /// A rotated refresh token came back: its family was revoked.
    RefreshTokenReuse,
    /// An authorization code came back: what it issued was revoked.
    CodeReplayed,
    RefreshTokensRevoked,
    ClientAuthenticationFailed,
    /// A new signing key was prepared (by the schedule or by hand); `detail.sign_at` says
    /// when it starts signing.
    SigningKeyRotated,
    SigningKeyRetired,
    ConfigReloaded,
    UserCreated,
    UserUpdated,
    UserDisabled,
    UserEnabled,
    UserDeleted,
    SecondFactorsReset,
    PasswordSetByAdmin,
    /// A client registered itself at `/register` (RFC 7591).
    ClientRegistered,
    /// A registered client replaced its metadata (RFC 7592 §2.2).
    ClientRegistrationUpdated,
    /// A registration was deleted: by the client, an administrator or the idle purge
    /// (`detail.by`); its refresh tokens and consents went with it.
    ClientRegistrationDeleted,
}

impl EventType {
    pub const ALL: &'static [EventType] = &[
        Self::SignIn,
        Self::SecondStep,
        Self::PasskeyAdded,
        Self::PasskeyRemoved,
        Self::TotpEnabled,
        Self::TotpDisabled,
        Self::RecoveryCodesReplaced,
        Self::RecoveryCodeUsed,
        Self::PasswordChanged,
        Self::PasswordResetRequested,
        Self::PasswordSetByLink,
        Self::VerificationSent,
        Self::EmailVerified,
        Self::EmailChangeRequested,
        Self::EmailChanged,
        Self::EmailChangeUndone,
        Self::SignedUp,
        Self::UserInvited,
        Self::AccountDeleted,
        Self::UpstreamIdentityLinked,
        Self::UpstreamIdentityUnlinked,
        Self::SessionEnded,
        Self::ConsentGranted,
        Self::ConsentWithdrawn,
        Self::RefreshTokenReuse,
        Self::CodeReplayed,
        Self::RefreshTokensRevoked,
        Self::ClientAuthenticationFailed,
        Self::SigningKeyRotated,
        Self::SigningKeyRetired,
        Self::ConfigReloaded,
        Self::UserCreated,
        Self::UserUpdated,
        Self::UserDisabled,
        Self::UserEnabled,
        Self::UserDeleted,
        Self::SecondFactorsReset,
        Self::PasswordSetByAdmin,
        Self::ClientRegistered,
        Self::ClientRegistrationUpdated,
        Self::ClientRegistrationDeleted,
    ];

    pub const fn as_str(self) -> &'static str {
        match self {
            Self::SignIn => "sign_in",
            Self::SecondStep => "second_step",
            Self::PasskeyAdded => "passkey_added",
            Self::PasskeyRemoved => "passkey_removed",
            Self::TotpEnabled => "totp_enabled",
            Self::TotpDisabled => "totp_disabled",
            Self::RecoveryCodesReplaced => "recovery_codes_replaced",
            Self::RecoveryCodeUsed => "recovery_code_used",
            Self::PasswordChanged => "password_changed",
            Self::PasswordResetRequested => "password_reset_requested",
            Self::PasswordSetByLink => "password_set_by_link",
            Self::VerificationSent => "verification_sent",
            Self::EmailVerified => "email_verified",
            Self::EmailChangeRequested => "email_change_requested",
            Self::EmailChanged => "email_changed",
            Self::EmailChangeUndone => "email_change_undone",
            Self::SignedUp => "signed_up",
            Self::UserInvited => "user_invited",
            Self::AccountDeleted => "account_deleted",
            Self::UpstreamIdentityLinked => "upstream_identity_linked",
            Self::UpstreamIdentityUnlinked => "upstream_identity_unlinked",
            Self::SessionEnded => "session_ended",
            Self::ConsentGranted => "consent_granted",
            Self::ConsentWithdrawn => "consent_withdrawn",
            Self::RefreshTokenReuse => "refresh_token_reuse",
            Self::CodeReplayed => "code_replayed",
            Self::RefreshTokensRevoked => "refresh_tokens_revoked",
            Self::ClientAuthenticationFailed => "client_authentication_failed",
            Self::SigningKeyRotated => "signing_key_rotated",
            Self::SigningKeyRetired => "signing_key_retired",
            Self::ConfigReloaded => "config_reloaded",
            Self::UserCreated => "user_created",
            Self::UserUpdated => "user_updated",
            Self::UserDisabled => "user_disabled",
            Self::UserEnabled => "user_enabled",
            Self::UserDeleted => "user_deleted",
            Self::SecondFactorsReset => "second_factors_reset",
            Self::PasswordSetByAdmin => "password_set_by_admin",
            Self::ClientRegistered => "client_registered",
            Self::ClientRegistrationUpdated => "client_registration_updated",
            Self::ClientRegistrationDeleted => "client_registration_deleted",
        }
    }

    /// The type with this stored name.
    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|t| t.as_str() == name)
    }
}

/// How the event ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Success,
    /// A wrong credential, a refused request.
    Failure,
    /// Refused before it was looked at: a limit was full.
    Throttled,
    /// Refused because the server was saturated (the password pool's queue was full).
    Shed,
}

impl Outcome {
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Success => "success",
            Self::Failure => "failure",
            Self::Throttled => "throttled",
            Self::Shed => "shed",
        }
    }
}

/// One event, built where it happens and handed to [`super::AuditLog::record`].
#[derive(Debug, Clone, PartialEq)]
pub struct AuditEvent {
    pub event_type: EventType,
    pub outcome: Outcome,
    pub user_id: Option<String>,
    pub client_id: Option<String>,
    pub detail: Map<String, Value>,
}

impl AuditEvent {
    pub fn new(event_type: EventType, outcome: Outcome) -> Self {
        Self {
            event_type,
            outcome,
            user_id: None,
            client_id: None,
            detail: Map::new(),
        }
    }

    pub fn success(event_type: EventType) -> Self {
        Self::new(event_type, Outcome::Success)
    }

    pub fn failure(event_type: EventType) -> Self {
        Self::new(event_type, Outcome::Failure)
    }

    /// The user the event concerns.
    pub fn user(mut self, user_id: impl Into<String>) -> Self {
        self.user_id = Some(user_id.into());
        self
    }

    /// The client (app) the event concerns.
    pub fn client(mut self, client_id: impl Into<String>) -> Self {
        self.client_id = Some(client_id.into());
        self
    }

    /// One field of the detail: a method's name, an id, a count. Never a secret.
    pub fn detail(mut self, key: &'static str, value: impl Into<Value>) -> Self {
        self.detail.insert(key.to_string(), value.into());
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_type_has_a_distinct_name_that_parses_back() {
        let mut names: Vec<&str> = EventType::ALL.iter().map(|t| t.as_str()).collect();
        for t in EventType::ALL {
            assert_eq!(EventType::parse(t.as_str()), Some(*t));
        }
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), EventType::ALL.len());
        assert_eq!(EventType::parse("nope"), None);
    }

    #[test]
    fn docs_audit_md_lists_every_type() {
        let docs = include_str!("../../docs/audit.md");
        for t in EventType::ALL {
            assert!(
                docs.contains(&format!("`{}`", t.as_str())),
                "{} is not in docs/audit.md",
                t.as_str()
            );
        }
    }
}
