//! `tessera user`: add, change, disable and list users, and their passkeys and linked
//! upstream identities. The work is `service::admin`; this parses and reports.
use clap::Subcommand;
use tessera::audit::AuditLog;
use tessera::config::Config;
use tessera::oauth::backchannel;
use tessera::service::admin::{self, AdminResult};
use tessera::store::Store;

use crate::open_store;

/// What queueing mail needs (the settings and the master key that seals the outbox); the
/// running server's mail worker sends it.
async fn mail_state(config: &Config, store: Store, now: i64) -> AdminResult<tessera::AppState> {
    let (config, _, _) = tessera::startup::open_with_master_key(config.clone()).await?;
    let keys = tessera::keys::KeySet::new(Vec::new(), now);
    let clock = std::sync::Arc::new(tessera::clock::SystemClock);
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

pub async fn user_command(config: &Config, command: UserCommand, now: i64) -> AdminResult<()> {
    let store = open_store(config).await?;
    let audit = AuditLog::new(
        store.clone(),
        std::sync::Arc::new(tessera::clock::SystemClock),
    );
    let done = run(config, command, &store, &audit, now).await;
    audit.flush().await;
    done
}

async fn run(
    config: &Config,
    command: UserCommand,
    store: &Store,
    audit: &AuditLog,
    now: i64,
) -> AdminResult<()> {
    // Ending a user's sessions queues back-channel logouts; the running server delivers them.
    let receivers = backchannel::receivers(&config.clients());
    let stdin = &mut std::io::stdin().lock();
    let rules = config.password_rules();
    match command {
        UserCommand::Add {
            email,
            name,
            email_verified,
            password_stdin: _,
            send_verification,
        } => {
            let password = admin::read_secret_line(stdin)?;
            let id = admin::add_user(store, &rules, &email, name, email_verified, password, now);
            let id = id.await?;
            println!("created user {id}");
            if send_verification {
                let state = mail_state(config, store.clone(), now).await?;
                admin::send_verification(&state, &email, now).await?;
                state.audit().flush().await;
                println!("verification link queued for {email}");
            }
        }
        UserCommand::Invite { email, name } => {
            let state = mail_state(config, store.clone(), now).await?;
            let id = admin::invite(&state, &email, name, now).await?;
            state.audit().flush().await;
            println!("created user {id} and queued an invitation to {email}");
        }
        UserCommand::Passwd {
            email,
            password_stdin: _,
            remove_second_factors,
        } => {
            let password = admin::read_secret_line(stdin)?;
            admin::set_password(store, &rules, &receivers, &email, password, now).await?;
            println!("password changed; the user was signed out everywhere");
            let left = admin::second_factors_after_reset(store, &email, remove_second_factors);
            print!("{}", left.await?);
        }
        UserCommand::Disable {
            email,
            remove_second_factors,
        } => {
            admin::set_disabled(store, &receivers, &email, true, now).await?;
            println!("user disabled, signed out and their tokens revoked");
            let left = admin::second_factors_after_reset(store, &email, remove_second_factors);
            print!("{}", left.await?);
        }
        UserCommand::Enable { email } => {
            admin::set_disabled(store, &receivers, &email, false, now).await?;
            println!("user enabled");
        }
        UserCommand::ResetMfa { email } => {
            let passkeys = admin::reset_mfa(store, &email).await?;
            println!(
                "two-step verification reset and {passkeys} passkey(s) removed: the user signs in with the password alone"
            );
        }
        UserCommand::Passkeys { command } => passkeys_command(store, command).await?,
        UserCommand::Identities { command } => {
            identities_command(config, store, audit, command).await?
        }
        UserCommand::List => {
            for user in store.list_users().await? {
                let status = if user.disabled { "disabled" } else { "active" };
                println!(
                    "{}\t{}\t{status}\t{}",
                    user.id,
                    user.email,
                    user.name.unwrap_or_default()
                );
            }
        }
    }
    store.close().await;
    Ok(())
}

async fn passkeys_command(store: &Store, command: PasskeysCommand) -> AdminResult<()> {
    match command {
        PasskeysCommand::List { email } => {
            for passkey in admin::list_passkeys(store, &email).await? {
                println!("{}", admin::passkey_line(&passkey));
            }
        }
        PasskeysCommand::Remove { email, id } => {
            admin::remove_passkey(store, &email, &id).await?;
            println!("passkey removed");
        }
    }
    Ok(())
}

async fn identities_command(
    config: &Config,
    store: &Store,
    audit: &AuditLog,
    command: IdentitiesCommand,
) -> AdminResult<()> {
    match command {
        IdentitiesCommand::List { email } => {
            for identity in admin::list_identities(store, &email).await? {
                println!("{}", admin::identity_line(&identity));
            }
        }
        IdentitiesCommand::Unlink { email, upstream } => {
            let passkeys_usable = tessera::auth::passkey::relying_party(
                &config.issuer,
                config.webauthn_rp_id.as_deref(),
                &config.branding.product_name,
            )
            .is_ok();
            admin::unlink_identity(store, audit, &email, &upstream, passkeys_usable).await?;
            println!("identity at {upstream} unlinked");
        }
    }
    Ok(())
}
