//! The administrator's use cases behind the CLI: users and client secrets.
use zeroize::Zeroizing;

use super::identities::{self, Change};
use super::sessions;
use crate::audit::AuditLog;
use crate::auth::password_policy::PasswordRules;
use crate::auth::{password, secret};
use crate::store::Store;
use crate::store::passkeys::PasskeyRow;
use crate::store::upstream_identities::UpstreamIdentityRow;
use crate::store::users::{UserRow, normalize_email};

pub type AdminResult<T> = Result<T, Box<dyn std::error::Error>>;

/// Reads one secret from standard input: the first line, without its line ending.
pub fn read_secret_line(input: &mut impl std::io::BufRead) -> AdminResult<Zeroizing<String>> {
    let mut line = Zeroizing::new(String::new());
    input.read_line(&mut line)?;
    let trimmed = line.trim_end_matches(['\n', '\r']);
    Ok(Zeroizing::new(trimmed.to_string()))
}

/// The password policy an administrator's password follows too (NIST SP 800-63B
/// §3.1.1.2): refused with the rule it broke, in English.
fn check_password(rules: &PasswordRules, password: &str, email: &str) -> AdminResult<()> {
    Ok(rules.check(password, email)?)
}

pub fn check_email(email: &str) -> AdminResult<String> {
    let email = normalize_email(email);
    let valid = email.len() <= 254
        && email.split_once('@').is_some_and(|(local, domain)| {
            !local.is_empty() && !domain.is_empty() && !domain.contains('@')
        })
        && !email.chars().any(|c| c.is_whitespace() || c.is_control());
    if valid {
        Ok(email)
    } else {
        Err(format!("{email:?} is not an email address").into())
    }
}

/// Adds a user whose password follows `rules` (`Config::password_rules`).
pub async fn add_user(
    store: &Store,
    rules: &PasswordRules,
    email: &str,
    name: Option<String>,
    email_verified: bool,
    password: Zeroizing<String>,
    now: i64,
) -> AdminResult<String> {
    let email = check_email(email)?;
    check_password(rules, &password, &email)?;
    if store.find_user_by_email(&email).await?.is_some() {
        return Err(format!("a user with email {email} already exists").into());
    }
    let password_hash = password::hash_blocking(password.as_bytes())?;
    let id = uuid::Uuid::new_v4().to_string();
    store
        .insert_user(&UserRow {
            id: id.clone(),
            email,
            name,
            password_hash,
            email_verified,
            disabled: false,
            created_at: now,
            tokens_valid_after: 0,
        })
        .await?;
    Ok(id)
}

/// Sets a new password and signs the user out everywhere: an administrator resets a
/// password when the old one may be known to someone else. The apps in `receivers`
/// ([`super::backchannel::receivers`]) that got tokens through those sessions are sent a
/// back-channel logout by the running server.
pub async fn set_password(
    store: &Store,
    rules: &PasswordRules,
    receivers: &[String],
    email: &str,
    password: Zeroizing<String>,
    now: i64,
) -> AdminResult<()> {
    check_password(rules, &password, &normalize_email(email))?;
    let hash = password::hash_blocking(password.as_bytes())?;
    if !store.set_password_hash(email, &hash, now).await? {
        return Err(format!("no user with email {}", normalize_email(email)).into());
    }
    end_everything(store, receivers, email, now).await
}

/// Disables (or re-enables) a user. Disabling ends their sessions and every token issued to
/// them so far (refresh families and access tokens alike), so re-enabling later brings none
/// of them back; the apps in `receivers` are sent back-channel logouts, as for a password.
pub async fn set_disabled(
    store: &Store,
    receivers: &[String],
    email: &str,
    disabled: bool,
    now: i64,
) -> AdminResult<()> {
    let found = if disabled {
        store.disable_user(email, now).await?
    } else {
        store.enable_user(email).await?
    };
    if !found {
        return Err(format!("no user with email {}", normalize_email(email)).into());
    }
    if disabled {
        end_everything(store, receivers, email, now).await?;
    }
    Ok(())
}

async fn end_everything(
    store: &Store,
    receivers: &[String],
    email: &str,
    now: i64,
) -> AdminResult<()> {
    let Some(user) = store.find_user_by_email(email).await? else {
        return Ok(());
    };
    sessions::end_all_for_user(store, receivers, &user.id, now).await?;
    Ok(())
}

/// Turns off TOTP (the secret, recovery codes, half-done sign-ins and the count of wrong
/// codes) and removes every passkey (a user who lost their devices); how many passkeys there
/// were. The user then signs in with the password alone and may enrol again; sessions stay as
/// they are.
pub async fn reset_mfa(store: &Store, email: &str) -> AdminResult<u64> {
    let user = user_by_email(store, email).await?;
    store.remove_mfa(&user.id).await?;
    let passkeys = store.delete_passkeys_of(&user.id).await?;
    super::throttle::forget_second_factor_attempts(store, &user.id).await?;
    Ok(passkeys)
}

/// The second factors a user has. After an account was taken over, any of them may be the
/// attacker's: a password reset alone leaves them signing in.
#[derive(Debug)]
pub struct SecondFactors {
    pub totp: bool,
    pub passkeys: Vec<PasskeyRow>,
}

impl SecondFactors {
    pub fn is_empty(&self) -> bool {
        !self.totp && self.passkeys.is_empty()
    }
}

/// As the CLI prints them after a reset: a new password does not stop a passkey or an
/// authenticator app, so each is named for the administrator to check.
impl std::fmt::Display for SecondFactors {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.is_empty() {
            return writeln!(f, "no second factors remain");
        }
        writeln!(
            f,
            "second factors that remain (check each is the user's; remove them with --remove-second-factors, `user reset-mfa` or `user passkeys remove`):"
        )?;
        if self.totp {
            writeln!(f, "totp\ton")?;
        }
        for passkey in &self.passkeys {
            writeln!(f, "passkey\t{}", passkey_line(passkey))?;
        }
        Ok(())
    }
}

/// One passkey as the CLI lists it: ID, name, kind, created, last used.
pub fn passkey_line(passkey: &PasskeyRow) -> String {
    let kind = match passkey.backup_eligible {
        true => "synced",
        false => "device-bound",
    };
    let last_used = passkey
        .last_used_at
        .map_or_else(|| "never used".to_string(), |t| format!("last used {t}"));
    format!(
        "{}\t{}\t{kind}\tcreated {}\t{last_used}",
        passkey.credential_id, passkey.name, passkey.created_at
    )
}

/// After an administrator's password reset or disable (which end every session): removes
/// the user's second factors when `remove` (an account that was taken over), and returns
/// those that remain for the administrator to check.
pub async fn second_factors_after_reset(
    store: &Store,
    email: &str,
    remove: bool,
) -> AdminResult<SecondFactors> {
    if remove {
        reset_mfa(store, email).await?;
    }
    let user = user_by_email(store, email).await?;
    Ok(SecondFactors {
        totp: store.totp_enabled(&user.id).await?,
        passkeys: store.passkeys_of(&user.id).await?,
    })
}

/// A user's passkeys, oldest first.
pub async fn list_passkeys(store: &Store, email: &str) -> AdminResult<Vec<PasskeyRow>> {
    let user = user_by_email(store, email).await?;
    Ok(store.passkeys_of(&user.id).await?)
}

/// Removes one passkey (by the ID `list_passkeys` shows) from a user.
pub async fn remove_passkey(store: &Store, email: &str, id: &str) -> AdminResult<()> {
    let user = user_by_email(store, email).await?;
    if !store.delete_passkey(&user.id, id).await? {
        return Err(format!("{} has no passkey {id}", user.email).into());
    }
    Ok(())
}

/// A user's linked upstream identities, oldest link first.
pub async fn list_identities(store: &Store, email: &str) -> AdminResult<Vec<UpstreamIdentityRow>> {
    let user = user_by_email(store, email).await?;
    Ok(store.list_upstream_identities(&user.id).await?)
}

/// One linked identity as the CLI lists it: upstream, subject, account name, linked, last used.
pub fn identity_line(identity: &UpstreamIdentityRow) -> String {
    format!(
        "{}\t{}\t{}\tlinked {}\tlast used {}",
        identity.upstream_id,
        identity.subject,
        identity.account_name.as_deref().unwrap_or("-"),
        identity.linked_at,
        identity.last_used_at
    )
}

/// Unlinks a user's identities at `upstream_id`, by the rule the account page follows: never
/// the account's last way to sign in (`passkeys_usable`: passkeys count as one here).
pub async fn unlink_identity(
    store: &Store,
    audit: &AuditLog,
    email: &str,
    upstream_id: &str,
    passkeys_usable: bool,
) -> AdminResult<()> {
    let user = user_by_email(store, email).await?;
    match identities::unlink_for(store, audit, &user.id, upstream_id, passkeys_usable).await? {
        Change::Unlinked => Ok(()),
        Change::NotFound => Err(format!("{} has no identity at {upstream_id}", user.email).into()),
        Change::LastWayToSignIn => Err(format!(
            "{upstream_id} is the only way {} can sign in: set a password first (tessera user passwd)",
            user.email
        )
        .into()),
        other => Err(format!("not unlinked: {other:?}").into()),
    }
}

/// Queues a link that confirms the user's address.
pub async fn send_verification(
    state: &crate::state::AppState,
    email: &str,
    now: i64,
) -> AdminResult<()> {
    let user = user_by_email(state.store(), email).await?;
    match super::emailed::verification::send(state, &user, now).await? {
        super::emailed::verification::Sent::TooMany => Err(format!(
            "{} was sent several links in the last hour; try later",
            user.email
        )
        .into()),
        _ => Ok(()),
    }
}

/// Makes an account without a password and queues its owner's invitation.
pub async fn invite(
    state: &crate::state::AppState,
    email: &str,
    name: Option<String>,
    now: i64,
) -> AdminResult<String> {
    let email = check_email(email)?;
    match super::emailed::sign_up::invite(state, &email, name, now).await? {
        super::emailed::sign_up::Invited::Invited { user_id } => Ok(user_id),
        super::emailed::sign_up::Invited::Exists => {
            Err(format!("a user with email {email} already exists").into())
        }
    }
}

async fn user_by_email(store: &Store, email: &str) -> AdminResult<UserRow> {
    match store.find_user_by_email(email).await? {
        Some(user) => Ok(user),
        None => Err(format!("no user with email {}", normalize_email(email)).into()),
    }
}

/// A new client secret (256 random bits) and its argon2id hash for `config.toml`.
pub fn generate_client_secret() -> AdminResult<(String, String)> {
    let secret = secret::generate();
    let hash = password::hash_blocking(secret.as_bytes())?;
    Ok((secret, hash))
}
