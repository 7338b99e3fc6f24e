//! `tessera user`: add, change, disable and list users, and their passkeys and linked
//! upstream identities. The work is `service::admin`, the same functions the admin API
//! calls; this parses, runs them on a state of its own, and reports.
use std::sync::Arc;

use clap::Subcommand;
use tessera::config::Config;
use tessera::service::admin::access::{self, SecondFactors};
use tessera::service::admin::users::{self, FirstCredential, NewUser, UserQuery};
use tessera::service::admin::{self, AdminResult, UserKey, devices, mail};
use tessera::store::passkeys::PasskeyRow;

use crate::open_store;

/// The state the commands work on: the settings, the database and the audit trail, with no
/// signing keys. Mail is sealed under the master key, so a command that queues mail finds
/// it (or, on SQLite, makes it) first; the running server's mail worker sends it.
async fn command_state(config: &Config, mails: bool, now: i64) -> AdminResult<tessera::AppState> {
    let (config, store) = if mails {
        let (config, store, _) = tessera::startup::open_with_master_key(config.clone()).await?;
        (config, store)
    } else {
        (config.clone(), open_store(config).await?)
    };
    let keys = tessera::keys::KeySet::new(Vec::new(), now);
    let clock = Arc::new(tessera::clock::SystemClock);
    Ok(tessera::AppState::new(config, store, keys, clock))
}

#[derive(Subcommand)]
pub enum UserCommand {
    /// Create a user; the password is read from standard input.
    Add {
        #[arg(long)]
        email: String,
        #[arg(long)]
        name: Option<String>,
        /// Mark the email address as verified (the `email_verified` claim).
        #[arg(long)]
        email_verified: bool,
        /// Read the password from the first line of standard input (required).
        #[arg(long, required = true)]
        password_stdin: bool,
        /// Mail the user a link that confirms their address (the `[email]` transport; a
        /// running server sends it).
        #[arg(long, conflicts_with = "email_verified")]
        send_verification: bool,
    },
    /// Make an account without a password and mail its owner a link to set one (7 days).
    Invite {
        #[arg(long)]
        email: String,
        #[arg(long)]
        name: Option<String>,
    },
    /// Set a user's password, read from standard input; ends every session and lists the
    /// second factors that remain.
    Passwd {
        #[arg(long)]
        email: String,
        #[arg(long, required = true)]
        password_stdin: bool,
        /// Also turn off TOTP and remove every passkey (the account was taken over: any of
        /// them may be the attacker's).
        #[arg(long)]
        remove_second_factors: bool,
    },
    /// Disable a user and end their sessions; lists the second factors that remain.
    Disable {
        #[arg(long)]
        email: String,
        /// Also turn off TOTP and remove every passkey.
        #[arg(long)]
        remove_second_factors: bool,
    },
    /// Re-enable a disabled user.
    Enable {
        #[arg(long)]
        email: String,
    },
    /// Turn off a user's two-step verification and remove their passkeys (lost devices);
    /// they may set both up again.
    ResetMfa {
        #[arg(long)]
        email: String,
    },
    /// A user's passkeys.
    Passkeys {
        #[command(subcommand)]
        command: PasskeysCommand,
    },
    /// A user's linked upstream identities ("Continue with GitHub").
    Identities {
        #[command(subcommand)]
        command: IdentitiesCommand,
    },
    /// List users.
    List,
}

#[derive(Subcommand)]
pub enum IdentitiesCommand {
    /// List the user's linked identities: upstream, subject, account name, linked, last used.
    List {
        #[arg(long)]
        email: String,
    },
    /// Unlink the user's identity at one upstream (refused when it is their only way to sign
    /// in).
    Unlink {
        #[arg(long)]
        email: String,
        /// The upstream's `id` in config.toml.
        #[arg(long)]
        upstream: String,
    },
}

#[derive(Subcommand)]
pub enum PasskeysCommand {
    /// List the user's passkeys: ID, name, kind, created, last used.
    List {
        #[arg(long)]
        email: String,
    },
    /// Remove one passkey from the user (a lost device).
    Remove {
        #[arg(long)]
        email: String,
        /// The passkey's ID as `list` shows it (base64url; may begin with `-`).
        #[arg(long, allow_hyphen_values = true)]
        id: String,
    },
}

impl UserCommand {
    fn mails(&self) -> bool {
        matches!(
            self,
            Self::Invite { .. }
                | Self::Add {
                    send_verification: true,
                    ..
                }
        )
    }
}

pub async fn user_command(config: &Config, command: UserCommand, now: i64) -> AdminResult<()> {
    let state = command_state(config, command.mails(), now).await?;
    let done = run(&state, command, now).await;
    state.audit().flush().await;
    state.store().close().await;
    done
}

async fn run(state: &tessera::AppState, command: UserCommand, now: i64) -> AdminResult<()> {
    let stdin = &mut std::io::stdin().lock();
    match command {
        UserCommand::Add {
            email,
            name,
            email_verified,
            password_stdin: _,
            send_verification,
        } => {
            let new = NewUser {
                email: email.clone(),
                name,
                email_verified,
                credential: FirstCredential::Password(admin::read_secret_line(stdin)?),
            };
            let user = users::create(state, new, now).await?;
            println!("created user {}", user.id);
            if send_verification {
                mail::send_verification(state, UserKey::Id(&user.id), now).await?;
                println!("verification link queued for {}", user.email);
            }
        }
        UserCommand::Invite { email, name } => {
            let new = NewUser {
                email,
                name,
                email_verified: false,
                credential: FirstCredential::Invitation,
            };
            let user = users::create(state, new, now).await?;
            println!(
                "created user {} and queued an invitation to {}",
                user.id, user.email
            );
        }
        UserCommand::Passwd {
            email,
            password_stdin: _,
            remove_second_factors,
        } => {
            let password = admin::read_secret_line(stdin)?;
            access::set_password(state, UserKey::Email(&email), password, now).await?;
            println!("password changed; the user was signed out everywhere");
            let left = second_factors_after(state, &email, remove_second_factors).await?;
            print!("{}", Remaining(&left));
        }
        UserCommand::Disable {
            email,
            remove_second_factors,
        } => {
            access::set_disabled(state, UserKey::Email(&email), true, now).await?;
            println!("user disabled, signed out and their tokens revoked");
            let left = second_factors_after(state, &email, remove_second_factors).await?;
            print!("{}", Remaining(&left));
        }
        UserCommand::Enable { email } => {
            access::set_disabled(state, UserKey::Email(&email), false, now).await?;
            println!("user enabled");
        }
        UserCommand::ResetMfa { email } => {
            let removed = access::reset_second_factors(state, UserKey::Email(&email)).await?;
            println!(
                "two-step verification reset and {} passkey(s) removed: the user signs in with the password alone",
                removed.passkeys
            );
        }
        UserCommand::Passkeys { command } => passkeys_command(state, command).await?,
        UserCommand::Identities { command } => identities_command(state, command).await?,
        UserCommand::List => list_users(state).await?,
    }
    Ok(())
}

/// Every user, a page at a time, in the order they were made.
async fn list_users(state: &tessera::AppState) -> AdminResult<()> {
    let mut query = UserQuery {
        limit: users::MAX_PAGE,
        ..UserQuery::default()
    };
    loop {
        let page = users::list(state, &query).await?;
        for user in &page.users {
            let status = if user.disabled { "disabled" } else { "active" };
            let name = user.name.as_deref().unwrap_or_default();
            println!("{}\t{}\t{status}\t{name}", user.id, user.email);
        }
        match page.next_cursor {
            Some(cursor) => query.cursor = Some(cursor),
            None => return Ok(()),
        }
    }
}

/// After a password reset or a disable (which end every session): the user's second factors
/// removed when `remove` (an account that was taken over), and those that remain.
async fn second_factors_after(
    state: &tessera::AppState,
    email: &str,
    remove: bool,
) -> AdminResult<SecondFactors> {
    if remove {
        access::reset_second_factors(state, UserKey::Email(email)).await?;
    }
    Ok(access::second_factors(state, UserKey::Email(email)).await?)
}

/// The second factors that remain, as printed after a reset: a new password does not stop a
/// passkey or an authenticator app, so each is named for the administrator to check.
struct Remaining<'a>(&'a SecondFactors);

impl std::fmt::Display for Remaining<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let factors = self.0;
        if factors.is_empty() {
            return writeln!(f, "no second factors remain");
        }
        writeln!(
            f,
            "second factors that remain (check each is the user's; remove them with --remove-second-factors, `user reset-mfa` or `user passkeys remove`):"
        )?;
        if factors.totp {
            writeln!(f, "totp\ton")?;
        }
        for passkey in &factors.passkeys {
            writeln!(f, "passkey\t{}", passkey_line(passkey))?;
        }
        Ok(())
    }
}

/// One passkey as the CLI lists it: ID, name, kind, created, last used.
fn passkey_line(passkey: &PasskeyRow) -> String {
    passkey_fields(
        &passkey.credential_id,
        &passkey.name,
        passkey.backup_eligible,
        passkey.created_at,
        passkey.last_used_at,
    )
}

fn passkey_fields(id: &str, name: &str, synced: bool, created: i64, used: Option<i64>) -> String {
    let kind = if synced { "synced" } else { "device-bound" };
    let last_used = used.map_or_else(|| "never used".to_string(), |t| format!("last used {t}"));
    format!("{id}\t{name}\t{kind}\tcreated {created}\t{last_used}")
}

async fn passkeys_command(state: &tessera::AppState, command: PasskeysCommand) -> AdminResult<()> {
    match command {
        PasskeysCommand::List { email } => {
            for passkey in devices::list_passkeys(state, UserKey::Email(&email)).await? {
                let (id, name) = (&passkey.id, &passkey.name);
                let line = passkey_fields(
                    id,
                    name,
                    passkey.synced,
                    passkey.created_at,
                    passkey.last_used_at,
                );
                println!("{line}");
            }
        }
        PasskeysCommand::Remove { email, id } => {
            devices::remove_passkey(state, UserKey::Email(&email), &id).await?;
            println!("passkey removed");
        }
    }
    Ok(())
}

async fn identities_command(
    state: &tessera::AppState,
    command: IdentitiesCommand,
) -> AdminResult<()> {
    match command {
        IdentitiesCommand::List { email } => {
            for identity in devices::list_identities(state, UserKey::Email(&email)).await? {
                println!(
                    "{}\t{}\t{}\tlinked {}\tlast used {}",
                    identity.upstream_id,
                    identity.subject,
                    identity.account_name.as_deref().unwrap_or("-"),
                    identity.linked_at,
                    identity.last_used_at
                );
            }
        }
        IdentitiesCommand::Unlink { email, upstream } => {
            devices::unlink_identity(state, UserKey::Email(&email), &upstream).await?;
            println!("identity at {upstream} unlinked");
        }
    }
    Ok(())
}
