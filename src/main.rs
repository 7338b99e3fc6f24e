//! The `tessera` command: parses arguments and starts things; the work lives in the library.
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use tessera::clock::{Clock, SystemClock};
use tessera::config::Config;
use tessera::keys::{self, KeyStore};
use tessera::service::admin::{self, AdminResult};
use tessera::store::Store;

#[derive(Parser)]
#[command(
    name = "tessera",
    version,
    about = "A small, standards-exact OpenID Connect provider"
)]
struct Cli {
    /// Configuration file.
    #[arg(
        long,
        global = true,
        env = "TESSERA_CONFIG",
        default_value = "config.toml"
    )]
    config: PathBuf,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the server (migrates the database and creates a signing key on first start).
    Serve,
    /// Apply database migrations and exit.
    Migrate,
    /// Validate the configuration and exit.
    CheckConfig,
    /// Delete expired codes, sessions, refresh tokens and revocations once, and exit.
    Purge,
    /// Manage users.
    #[command(subcommand)]
    User(UserCommand),
    /// Manage signing keys.
    #[command(subcommand)]
    Keys(KeysCommand),
    /// Client helpers.
    #[command(subcommand)]
    Client(ClientCommand),
}

#[derive(Subcommand)]
enum UserCommand {
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
    },
    /// Set a user's password, read from standard input.
    Passwd {
        #[arg(long)]
        email: String,
        #[arg(long, required = true)]
        password_stdin: bool,
    },
    /// Disable a user and end their sessions.
    Disable {
        #[arg(long)]
        email: String,
    },
    /// Re-enable a disabled user.
    Enable {
        #[arg(long)]
        email: String,
    },
    /// Turn off a user's two-step verification (lost authenticator); they may enrol again.
    ResetMfa {
        #[arg(long)]
        email: String,
    },
    /// List users.
    List,
}

#[derive(Subcommand)]
enum KeysCommand {
    /// Generate a new signing key; it signs from the next start, older keys stay published.
    Generate,
    /// List the keys in keys_dir.
    List,
}

#[derive(Subcommand)]
enum ClientCommand {
    /// Read a client secret on standard input and print its argon2id hash for config.toml.
    HashSecret {
        /// Generate a random secret instead, and print both.
        #[arg(long)]
        generate: bool,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    init_tracing();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("error: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

fn init_tracing() {
    let filter = tracing_subscriber::EnvFilter::try_from_env("TESSERA_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,sqlx=warn"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .init();
}

async fn run(cli: Cli) -> AdminResult<()> {
    // Hashing a client secret needs no configuration at all.
    if let Command::Client(ClientCommand::HashSecret { generate }) = cli.command {
        return hash_secret(generate);
    }
    let config = Config::load(&cli.config, std::env::vars())?;
    let now = SystemClock.now();
    match cli.command {
        Command::Serve => tessera::server::serve(config).await,
        Command::CheckConfig => {
            println!(
                "{}: configuration is valid ({} clients)",
                cli.config.display(),
                config.clients.len()
            );
            Ok(())
        }
        Command::Migrate => {
            open_store(&config).await?;
            println!("database is up to date");
            Ok(())
        }
        Command::Purge => {
            let store = open_store(&config).await?;
            let purged = store.purge_expired(now).await?;
            println!(
                "purged {} codes, {} sessions, {} pending sign-ins, {} refresh tokens, {} access-token revocations, {} throttle counters",
                purged.codes,
                purged.sessions,
                purged.pending_sign_ins,
                purged.refresh_tokens,
                purged.revoked_access_tokens,
                purged.throttle_counters
            );
            store.close().await;
            Ok(())
        }
        Command::User(command) => user_command(&config, command, now).await,
        Command::Keys(KeysCommand::Generate) => {
            let kid = keys::generate_key(&config.keys_dir, now)?;
            println!(
                "generated key {kid} in {}; restart to sign with it",
                config.keys_dir.display()
            );
            Ok(())
        }
        Command::Keys(KeysCommand::List) => {
            let store = KeyStore::load(&config.keys_dir)?;
            for key in store.keys() {
                let role = if key.signing { "signing" } else { "published" };
                println!("{}\t{role}\t{}", key.kid, key.file.display());
            }
            Ok(())
        }
        Command::Client(_) => Ok(()),
    }
}

async fn open_store(config: &Config) -> AdminResult<Store> {
    let store = Store::connect(&config.database_url).await?;
    store.migrate().await?;
    Ok(store)
}

async fn user_command(config: &Config, command: UserCommand, now: i64) -> AdminResult<()> {
    let store = open_store(config).await?;
    let stdin = &mut std::io::stdin().lock();
    match command {
        UserCommand::Add {
            email,
            name,
            email_verified,
            password_stdin: _,
        } => {
            let password = admin::read_secret_line(stdin)?;
            let id = admin::add_user(&store, &email, name, email_verified, password, now).await?;
            println!("created user {id}");
        }
        UserCommand::Passwd {
            email,
            password_stdin: _,
        } => {
            let password = admin::read_secret_line(stdin)?;
            admin::set_password(&store, &email, password, now).await?;
            println!("password changed; the user was signed out everywhere");
        }
        UserCommand::Disable { email } => {
            admin::set_disabled(&store, &email, true, now).await?;
            println!("user disabled, signed out and their tokens revoked");
        }
        UserCommand::Enable { email } => {
            admin::set_disabled(&store, &email, false, now).await?;
            println!("user enabled");
        }
        UserCommand::ResetMfa { email } => {
            admin::reset_mfa(&store, &email).await?;
            println!("two-step verification reset: the user signs in with the password alone");
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

fn hash_secret(generate: bool) -> AdminResult<()> {
    if generate {
        let (secret, hash) = admin::generate_client_secret()?;
        println!("client_secret = {secret}");
        println!("client_secret_hash = \"{hash}\"");
    } else {
        let secret = admin::read_secret_line(&mut std::io::stdin().lock())?;
        if secret.is_empty() {
            return Err("no secret on standard input".into());
        }
        println!(
            "{}",
            tessera::auth::password::hash_blocking(secret.as_bytes())?
        );
    }
    Ok(())
}
