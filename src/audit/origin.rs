//! Where the work of the current task came from: the address and browser of the request it
//! serves, and who acts (an admin client, the CLI). HTTP middleware sets it for each request
//! (`http::audit_origin`), the CLI for its command; events recorded inside read it, so no
//! service needs an HTTP type or an extra parameter to say where a request came from. Work
//! with no origin (a background task) is the system's.
use std::future::Future;
use std::net::IpAddr;

/// The longest user agent kept: enough to tell the browser and system apart.
pub const USER_AGENT_MAX: usize = 200;

/// Who did it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Actor {
    /// A person in a browser (or an app on their behalf): the event's user, if any.
    User,
    /// A client calling the admin API with this client id.
    AdminClient(String),
    /// An operator at the command line.
    Cli,
    /// Tessera itself: a timer, a purge, a worker.
    System,
}

impl Actor {
    pub const fn kind(&self) -> &'static str {
        match self {
            Self::User => "user",
            Self::AdminClient(_) => "admin_client",
            Self::Cli => "cli",
            Self::System => "system",
        }
    }
}

/// The request (or command) the current task serves.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Origin {
    pub actor: Actor,
    pub address: Option<IpAddr>,
    /// Truncated to [`USER_AGENT_MAX`] characters.
    pub user_agent: Option<String>,
}

impl Origin {
    /// A browser's (or an app's) request.
    pub fn request(address: IpAddr, user_agent: Option<&str>) -> Self {
        Self {
            actor: Actor::User,
            address: Some(address),
            user_agent: user_agent.map(truncate_user_agent),
        }
    }

    /// A command typed at the CLI.
    pub fn cli() -> Self {
        Self {
            actor: Actor::Cli,
            address: None,
            user_agent: None,
        }
    }

    /// The same request, acted on by an admin client.
    pub fn by_admin_client(self, client_id: &str) -> Self {
        Self {
            actor: Actor::AdminClient(client_id.to_string()),
            ..self
        }
    }
}

fn truncate_user_agent(agent: &str) -> String {
    agent.chars().take(USER_AGENT_MAX).collect()
}

tokio::task_local! {
    static ORIGIN: Origin;
}

/// Runs `work` with `origin` as its origin.
pub async fn within<F: Future>(origin: Origin, work: F) -> F::Output {
    ORIGIN.scope(origin, work).await
}

/// The current task's origin; `None` outside any request or command (the system).
pub fn current() -> Option<Origin> {
    ORIGIN.try_with(Origin::clone).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn the_origin_is_seen_inside_its_scope_only() {
        assert_eq!(current(), None);
        let origin = Origin::request("192.0.2.7".parse().unwrap(), Some(&"x".repeat(500)));
        let seen = within(origin.clone(), async { current() }).await;
        assert_eq!(seen, Some(origin));
        assert_eq!(seen.unwrap().user_agent.unwrap().len(), USER_AGENT_MAX);
        assert_eq!(current(), None);
    }
}
