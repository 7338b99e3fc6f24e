//! The `tessera` command: parses arguments and starts things; the work lives in the library.
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use tessera::audit::origin::{self, Origin};
use tessera::clock::{Clock, SystemClock};
use tessera::config::Config;
use tessera::keys::SigningAlg;
use tessera::oauth::backchannel;
use tessera::service::admin::{self, AdminResult};
use tessera::startup;
use tessera::store::Store;
use tessera::upstream::Upstreams;

mod audit_cli;
mod client_cli;
mod keys_cli;
mod user_cli;

use user_cli::UserCommand;

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
    /// Run the server (migrates the database; on first start makes the master key and a
    /// signing key).
    Serve,
    /// Tell the running server (through its pid file) to re-read the configuration.
    Reload,
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
    /// Read the audit trail, newest first (docs/audit.md).
    Audit(audit_cli::AuditArgs),
}

#[derive(Subcommand)]
enum KeysCommand {
    /// Prepare the next signing key of every algorithm in signing_algs: published now,
    /// signing after key_prepublish.
    Rotate {
        /// Sign with it immediately (a suspected compromise). Apps whose cached JWKS lacks
        /// it cannot verify new tokens until they fetch the JWKS again.
        #[arg(long)]
        now: bool,
        /// Rotate this algorithm's key only (RS256, PS256, ES256 or EdDSA).
        #[arg(long)]
        alg: Option<SigningAlg>,
    },
    /// List the keys: kid, algorithm, state and times.
    List,
    /// Take a key out of the JWKS and out of signing now (emergency).
    Retire {
        /// The key's `kid` as `keys list` shows it. A kid is base64url and may begin with
        /// `-` (one in 64 does), so it is never read as an option.
        #[arg(allow_hyphen_values = true)]
        kid: String,
    },
    /// Bring an existing private key (PEM) in as the next signing key: RSA of 2048 bits or
    /// more (RS256), RSASSA-PSS with SHA-256 of 2048 bits or more (PS256), EC P-256 (ES256)
    /// or Ed25519 (EdDSA). Anything else is refused.
    Import {
        file: PathBuf,
        /// Sign with it immediately.
        #[arg(long)]
        now: bool,
    },
}

#[derive(Subcommand)]
enum ClientCommand {
    /// Read a client secret on standard input and print its argon2id hash for config.toml.
    HashSecret {
        /// Generate a random secret instead, and print both.
        #[arg(long)]
        generate: bool,
    },
    #[command(flatten)]
    Registry(client_cli::RegistryCommand),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
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

async fn run(cli: Cli) -> AdminResult<()> {
    // Hashing a client secret needs no configuration at all.
    if let Command::Client(ClientCommand::HashSecret { generate }) = cli.command {
        return hash_secret(generate);
    }
    let config = Config::load(&cli.config, std::env::vars())?;
    tessera::logging::init(config.log_format);
    let now = SystemClock.now();
    match cli.command {
        Command::Serve => tessera::server::serve(&cli.config, config).await,
        Command::Reload => reload(&config),
        Command::CheckConfig => check_config(&cli.config, &config, now).await,
        Command::Migrate => {
            open_store(&config).await?;
            println!("database is up to date");
            Ok(())
        }
        Command::Purge => {
            let store = open_store(&config).await?;
            let receivers = backchannel::receivers(&config.clients());
            let purged = store.purge_expired(now, &receivers).await?;
            let audit_events = store
                .purge_audit_events(now - config.audit_retention)
                .await?;
            let registered = store
                .purge_idle_registered_clients(now - config.dynamic_client_idle_expiry)
                .await?;
            println!(
                "purged {} codes, {} sessions ({} back-channel logouts queued), {} pending sign-ins, {} refresh tokens, {} access-token revocations, {} client-assertion jtis, {} DPoP proof jtis, {} throttle counters, {} audit events past audit_retention, {} registered clients unused for dynamic_client_idle_expiry",
                purged.codes,
                purged.sessions,
                purged.logouts_queued,
                purged.pending_sign_ins,
                purged.refresh_tokens,
                purged.revoked_access_tokens,
                purged.client_assertions,
                purged.dpop_proofs,
                purged.throttle_counters,
                audit_events,
                registered
            );
            store.close().await;
            Ok(())
        }
        // What an operator does here is the CLI's in the audit trail.
        Command::User(command) => {
            origin::within(Origin::cli(), user_cli::user_command(&config, command, now)).await
        }
        Command::Keys(command) => {
            origin::within(Origin::cli(), keys_cli::keys_command(config, command, now)).await
        }
        Command::Audit(args) => audit_cli::audit_command(&config, args, now).await,
        Command::Client(ClientCommand::Registry(command)) => {
            let run = client_cli::client_command(&config, command, now);
            origin::within(Origin::cli(), run).await
        }
        Command::Client(ClientCommand::HashSecret { .. }) => Ok(()),
    }
}

/// The file is valid (it loaded); then every upstream must resolve: its secret readable, its
/// discovery document and JWKS fetched. A failing upstream is named, and fails the check.
async fn check_config(path: &std::path::Path, config: &Config, now: i64) -> AdminResult<()> {
    println!(
        "{}: configuration is valid ({} clients)",
        path.display(),
        config.clients.len()
    );
    let upstreams = Upstreams::new(&config.issuer, &config.upstreams);
    let mut failed = Vec::new();
    for (id, result) in upstreams.check_all(now).await {
        match result {
            Ok(()) => println!("upstream {id}: ok"),
            Err(e) => {
                println!("upstream {id}: {e}");
                failed.push(id);
            }
        }
    }
    if failed.is_empty() {
        Ok(())
    } else {
        Err(format!("upstream(s) that do not resolve: {}", failed.join(", ")).into())
    }
}

async fn open_store(config: &Config) -> AdminResult<Store> {
    Ok(startup::open_store(config).await?)
}

/// Validates the file first (a broken one would be refused by the server anyway), then
/// signals the server named by the pid file.
fn reload(config: &Config) -> AdminResult<()> {
    let pid = tessera::server::pid_file::signal_reload(&config.pid_file)?;
    println!("configuration is valid; sent SIGHUP to process {pid} (its log says what changed)");
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_kid_that_begins_with_a_hyphen_is_a_kid_not_an_option() {
        let kid = "-uk8940F8pOz2TkwlcRTPxicx-dQd18_yDslDXBvYS0";
        let cli =
            Cli::try_parse_from(["tessera", "keys", "retire", kid]).map_err(|e| e.to_string());
        match cli.map(|c| c.command) {
            Ok(Command::Keys(KeysCommand::Retire { kid: parsed })) => assert_eq!(parsed, kid),
            Ok(_) => panic!("parsed as another command"),
            Err(e) => panic!("refused: {e}"),
        }
    }
}
