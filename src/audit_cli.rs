//! `tessera audit`: the audit trail for an operator at a shell, newest first, filtered by
//! user, type, client and time; as lines to read or as JSON lines for a script. The reading
//! is `audit::query`, which the admin API uses too.
use std::collections::HashMap;

use clap::Args;
use tessera::audit::{self, AuditQuery, EventType, QueryError};
use tessera::config::Config;
use tessera::service::admin::AdminResult;
use tessera::store::Store;
use tessera::store::audit_events::AuditRow;

use crate::open_store;

#[derive(Args)]
pub struct AuditArgs {
    /// Only events of the user with this (current) email address.
    #[arg(long)]
    email: Option<String>,
    /// Only events of this type (`sign_in`, `password_changed`, … as docs/audit.md lists).
    #[arg(long = "type", value_parser = parse_type)]
    event_type: Option<EventType>,
    /// Only events of this client (app).
    #[arg(long)]
    client: Option<String>,
    /// Only events since then: an age (`90s`, `30m`, `24h`, `7d`) or unix seconds.
    #[arg(long)]
    since: Option<String>,
    /// At most this many events (default 100; at most 500).
    #[arg(long, default_value_t = 100)]
    limit: u32,
    /// One JSON object per line instead of text.
    #[arg(long)]
    json: bool,
}

fn parse_type(name: &str) -> Result<EventType, String> {
    EventType::parse(name).ok_or_else(|| {
        let known: Vec<&str> = EventType::ALL.iter().map(|t| t.as_str()).collect();
        format!("unknown event type; one of: {}", known.join(", "))
    })
}

/// Unix seconds from an age before `now` (`24h`) or a time in unix seconds.
pub fn parse_since(text: &str, now: i64) -> Result<i64, String> {
    let unit = |c: char| match c {
        's' => Some(1),
        'm' => Some(60),
        'h' => Some(3600),
        'd' => Some(86_400),
        _ => None,
    };
    let invalid = || format!("--since {text:?}: give an age like 30m, 24h or 7d, or unix seconds");
    let last = text.chars().last();
    match last
        .and_then(unit)
        .zip(last.and_then(|c| text.strip_suffix(c)))
    {
        Some((seconds, count)) => {
            let count: i64 = count.parse().map_err(|_| invalid())?;
            count
                .checked_mul(seconds)
                .filter(|age| *age >= 0)
                .map(|age| now - age)
                .ok_or_else(invalid)
        }
        None => text.parse().map_err(|_| invalid()),
    }
}

pub async fn audit_command(config: &Config, args: AuditArgs, now: i64) -> AdminResult<()> {
    let store = open_store(config).await?;
    let since = args
        .since
        .as_deref()
        .map(|s| parse_since(s, now))
        .transpose()?;
    let query = AuditQuery {
        email: args.email,
        client_id: args.client,
        event_type: args.event_type,
        since,
        limit: args.limit.clamp(1, audit::MAX_PAGE),
        ..AuditQuery::default()
    };
    let page = audit::query(&store, &query).await.map_err(|e| match e {
        QueryError::BadCursor => "bad cursor".to_string(),
        QueryError::Failed(e) => e.to_string(),
    })?;
    let emails = emails_of(&store, &page.events).await?;
    for event in &page.events {
        let email = event.user_id.as_ref().and_then(|id| emails.get(id));
        if args.json {
            println!("{}", json_line(event, email.map(String::as_str)));
        } else {
            println!("{}", text_line(event, email.map(String::as_str)));
        }
    }
    store.close().await;
    Ok(())
}

/// The current address of each user the events name (a deleted user has none).
async fn emails_of(store: &Store, events: &[AuditRow]) -> AdminResult<HashMap<String, String>> {
    let mut emails = HashMap::new();
    for user_id in events.iter().filter_map(|e| e.user_id.as_ref()) {
        if !emails.contains_key(user_id)
            && let Some(user) = store.find_user(user_id).await?
        {
            emails.insert(user_id.clone(), user.email);
        }
    }
    Ok(emails)
}

fn time_of(at: i64) -> String {
    chrono::DateTime::from_timestamp(at, 0).map_or_else(|| at.to_string(), |t| t.to_rfc3339())
}

fn json_line(event: &AuditRow, email: Option<&str>) -> serde_json::Value {
    let detail: serde_json::Value =
        serde_json::from_str(&event.detail).unwrap_or(serde_json::Value::Null);
    serde_json::json!({
        "id": event.id,
        "time": time_of(event.at),
        "type": event.event_type,
        "outcome": event.outcome,
        "user_id": event.user_id,
        "email": email,
        "client_id": event.client_id,
        "actor": event.actor,
        "actor_id": event.actor_id,
        "address": event.address,
        "user_agent": event.user_agent,
        "detail": detail,
    })
}

fn text_line(event: &AuditRow, email: Option<&str>) -> String {
    let who = email.or(event.user_id.as_deref()).unwrap_or("-");
    let actor = match &event.actor_id {
        Some(id) if event.actor != "user" => format!("{}:{id}", event.actor),
        _ => event.actor.clone(),
    };
    format!(
        "{}  {:<28} {:<9} user={who} client={} actor={actor} address={} {}",
        time_of(event.at),
        event.event_type,
        event.outcome,
        event.client_id.as_deref().unwrap_or("-"),
        event.address.as_deref().unwrap_or("-"),
        event.detail,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn since_takes_ages_and_times() {
        assert_eq!(parse_since("24h", 100_000), Ok(100_000 - 86_400));
        assert_eq!(parse_since("30m", 10_000), Ok(10_000 - 1_800));
        assert_eq!(parse_since("7d", 1_000_000), Ok(1_000_000 - 604_800));
        assert_eq!(parse_since("1700000000", 5), Ok(1_700_000_000));
        for bad in ["", "h", "-5h", "1.5h", "yesterday", "99999999999999999999d"] {
            assert!(parse_since(bad, 100).is_err(), "{bad}");
        }
    }
}
