//! `tessera client list|show|delete`: the clients of `config.toml` and those registered at
//! `/register` (RFC 7591). Configured clients are shown only (they change in the file);
//! a registered one may be deleted, with its refresh tokens and consents.
use std::sync::Arc;

use clap::Subcommand;
use tessera::config::Config;
use tessera::oauth::client::Client;
use tessera::service::admin::AdminResult;
use tessera::service::client_registration;

use crate::open_store;

#[derive(Subcommand)]
pub enum RegistryCommand {
    /// List the clients: those in config.toml, then those registered at /register.
    List,
    /// Show one client's settings (never a secret or its hash).
    Show { client_id: String },
    /// Delete a registered client (its refresh tokens are revoked, its consents removed).
    /// A client in config.toml is removed from the file instead.
    Delete { client_id: String },
}

async fn command_state(config: &Config, now: i64) -> AdminResult<tessera::AppState> {
    let store = open_store(config).await?;
    let keys = tessera::keys::KeySet::new(Vec::new(), now);
    let clock = Arc::new(tessera::clock::SystemClock);
    Ok(tessera::AppState::new(config.clone(), store, keys, clock))
}

pub async fn client_command(
    config: &Config,
    command: RegistryCommand,
    now: i64,
) -> AdminResult<()> {
    let state = command_state(config, now).await?;
    match command {
        RegistryCommand::List => {
            println!("CLIENT_ID\tORIGIN\tAUTH_METHOD\tNAME");
            for client in config.clients() {
                println!("{}", line(&client, "config"));
            }
            for (row, client) in client_registration::list(&state).await? {
                match client {
                    Some(client) => println!("{}", line(&client, "registered")),
                    None => println!(
                        "{}\tregistered\t(refused by the current policy)\t",
                        row.client_id
                    ),
                }
            }
        }
        RegistryCommand::Show { client_id } => show(&state, &client_id).await?,
        RegistryCommand::Delete { client_id } => {
            if state.is_configured_client(&client_id) {
                return Err(format!(
                    "{client_id} is configured in config.toml: remove it from the file and reload"
                )
                .into());
            }
            if !client_registration::forget(&state, &client_id, "admin", now).await? {
                return Err(format!("no registered client {client_id}").into());
            }
            println!("deleted {client_id}");
        }
    }
    state.store().close().await;
    Ok(())
}

fn line(client: &Client, origin: &str) -> String {
    format!(
        "{}\t{origin}\t{}\t{}",
        client.id,
        client.auth_method.as_str(),
        client.name
    )
}

async fn show(state: &tessera::AppState, client_id: &str) -> AdminResult<()> {
    if let Some(client) = state.client(client_id) {
        print_client(client, "config", None);
        return Ok(());
    }
    let rows = client_registration::list(state).await?;
    let Some((row, client)) = rows.into_iter().find(|(row, _)| row.client_id == client_id) else {
        return Err(format!("no client {client_id}").into());
    };
    let times = format!(
        "registered at {} (unix), last used at {}",
        row.created_at, row.last_used_at
    );
    match client {
        Some(client) => print_client(&client, "registered", Some(&times)),
        None => println!(
            "client_id: {client_id}\norigin: registered (refused by the current policy)\n{times}\nmetadata: {}",
            row.metadata
        ),
    }
    Ok(())
}

fn print_client(client: &Client, origin: &str, times: Option<&str>) {
    println!("client_id: {}", client.id);
    println!("client_name: {}", client.name);
    println!("origin: {origin}");
    println!(
        "token_endpoint_auth_method: {}",
        client.auth_method.as_str()
    );
    let grants: Vec<&str> = client.grant_types.iter().map(|g| g.as_str()).collect();
    println!("grant_types: {}", grants.join(" "));
    println!("redirect_uris: {}", client.redirect_uris.join(" "));
    println!("scopes: {}", client.allowed_scopes.join(" "));
    let apis: Vec<&str> = client
        .resources
        .iter()
        .map(|r| r.identifier.as_str())
        .collect();
    println!("resources: {}", apis.join(" "));
    println!("skip_consent: {}", client.skip_consent);
    if let Some(times) = times {
        println!("{times}");
    }
}
