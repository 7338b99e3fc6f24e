//! Persistence: plain async functions over one sqlx pool, SQLite or PostgreSQL. SQL is written
//! once in the common dialect (`$1` placeholders work on both); one file per table group.
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use sqlx::postgres::{PgConnectOptions, PgConnection};
use sqlx::sqlite::{SqliteConnectOptions, SqliteConnection, SqliteJournalMode, SqliteSynchronous};

use outage::Outage;
use pool::{ConnectionPool, Upkeep};

pub mod audit_events;
pub mod client_assertions;
pub mod code_redemption;
pub mod codes;
pub mod consents;
pub mod device_codes;
pub mod directory;
pub mod dpop_proofs;
pub mod email_links;
pub mod held;
pub mod mail_outbox;
pub mod mfa;
mod outage;
pub mod outbox;
pub mod outbox_lease;
pub mod passkeys;
pub mod password_attempt;
pub mod pending_sign_ins;
pub mod pool;
pub mod purge;
pub mod pushed_requests;
pub mod refresh_rotation;
pub mod refresh_tokens;
pub mod registered_clients;
pub mod revocations;
pub mod session_facts;
pub mod sessions;
pub mod signing_keys;
pub mod throttle;
pub mod upstream_identities;
pub mod upstream_requests;
pub mod users;

pub use sqlx::Error as StoreError;
pub type StoreResult<T> = Result<T, StoreError>;

/// A stored value that does not parse (a scope or method list written by something else,
/// or damaged): an error to report, never silently an empty value.
pub(crate) fn corrupt(
    column: &str,
    error: impl std::error::Error + Send + Sync + 'static,
) -> StoreError {
    StoreError::ColumnDecode {
        index: column.to_string(),
        source: Box::new(error),
    }
}

/// A SQLite URL naming a database in memory (`sqlite::memory:`, `?mode=memory`): no file.
fn is_in_memory(database_url: &str) -> bool {
    let (database, query) = database_url.split_once('?').unwrap_or((database_url, ""));
    database.ends_with(":memory:")
        || url::form_urlencoded::parse(query.as_bytes())
            .any(|(key, value)| key == "mode" && value == "memory")
}

static SQLITE_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("migrations/sqlite");
static POSTGRES_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("migrations/postgres");

#[derive(Clone, Debug)]
pub enum Db {
    Sqlite(ConnectionPool<SqliteConnection>),
    Postgres(ConnectionPool<PgConnection>),
}

/// The database handle shared by every request; cloning is cheap.
#[derive(Clone, Debug)]
pub struct Store {
    db: Db,
    /// The longest any one database call may take, waiting for a connection included.
    timeout: Duration,
    /// PostgreSQL: fails calls at once while the database is known to be away.
    outage: Option<Arc<Outage>>,
}

/// How long a database call may take unless the configuration says otherwise.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(5);

/// How many PostgreSQL connections one instance keeps at most.
const POSTGRES_CONNECTIONS: usize = 16;

/// Runs the same body on a connection leased from whichever pool this store holds
/// (`$connection` is a `&mut SqliteConnection` or a `&mut PgConnection`), within the store's
/// timeout, waiting for the connection included (past it the call fails as `PoolTimedOut`:
/// the database is treated as unavailable, the request is answered 503 instead of hanging).
/// The body is compiled once per backend, so each gets its own statically typed query. A
/// body that fails, or is cancelled, leaves the connection to be pinged before its next use.
macro_rules! on_pool {
    ($store:expr, |$connection:ident| $body:expr) => {
        match $store.db() {
            $crate::store::Db::Sqlite(pool) => {
                $crate::store::on_lease!($store, pool, |$connection: sqlx::SqliteConnection| $body)
            }
            $crate::store::Db::Postgres(pool) => {
                $crate::store::on_lease!($store, pool, |$connection: sqlx::PgConnection| $body)
            }
        }
    };
}

/// `on_pool!` for one backend: leases a connection from `$pool` and runs the body on it.
macro_rules! on_lease {
    ($store:expr, $pool:expr, |$connection:ident: $kind:ty| $body:expr) => {
        $store
            .timed(async {
                let mut lease = $pool.acquire().await?;
                $crate::store::on_leased!(lease, |$connection: $kind| $body)
            })
            .await
    };
}

/// Runs the body on the connection of `$lease` (a `Lease` or a `&mut Lease`), marked busy
/// until the body ends well: a body that fails, or is cancelled, leaves the connection to be
/// pinged before its next lease.
macro_rules! on_leased {
    ($lease:ident, |$connection:ident: $kind:ty| $body:expr) => {{
        $lease.begin_work();
        let $connection: &mut $kind = &mut *$lease;
        let result = async {
            // Bodies begin transactions on their connection.
            #[allow(unused_imports)]
            use sqlx::Connection as _;
            $body
        }
        .await;
        $lease.settle(result.is_ok());
        result
    }};
}
pub(crate) use on_lease;
pub(crate) use on_leased;
pub(crate) use on_pool;

impl Store {
    /// Connects to `database_url` with calls bounded by [`DEFAULT_TIMEOUT`].
    pub async fn connect(database_url: &str) -> StoreResult<Self> {
        Self::connect_within(database_url, DEFAULT_TIMEOUT).await
    }

    /// Connects to `database_url`, every call bounded by `timeout` (`database_timeout`),
    /// waiting for a pooled connection included: the pool is given the same bound, so a call
    /// never gives up waiting for a connection before its own time is up. SQLite files are
    /// created on first use, 0600 (and their folder 0700), whatever the umask: they hold every
    /// user's data.
    pub async fn connect_within(database_url: &str, timeout: Duration) -> StoreResult<Self> {
        if database_url.starts_with("sqlite:") {
            let options = SqliteConnectOptions::from_str(database_url)?
                .create_if_missing(true)
                .journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Normal)
                .foreign_keys(true)
                .busy_timeout(Duration::from_secs(5));
            if !is_in_memory(database_url) {
                crate::private_files::create_private_file_if_missing(options.get_filename())
                    .map_err(StoreError::Io)?;
            }
            // One connection: SQLite has one writer anyway, and with more connections a
            // writer that finds the lock taken sleeps in SQLite's busy handler (1–100 ms
            // steps) while the lock frees in microseconds. Queueing in sqlx's FIFO instead cut
            // refresh p99 from 7× to 1.8× p50 (docs/performance.md).
            // No ping for idleness: an in-process database has no connection to lose, and
            // each ping is one more hand-off to sqlx's SQLite worker thread. Never replaced
            // for age: an in-memory database lives only as long as its connection.
            let upkeep = Upkeep {
                ping_idle_after: None,
                max_lifetime: None,
            };
            let pool = ConnectionPool::new(options, 1, upkeep)?;
            let store = Self {
                db: Db::Sqlite(pool),
                timeout,
                outage: None,
            };
            // Open (and create) the database now, so a bad path fails at start.
            store.ping().await?;
            Ok(store)
        } else {
            let options = PgConnectOptions::from_str(database_url)?;
            Self::connect_postgres(options, timeout).await
        }
    }

    /// Connects to PostgreSQL with explicit options (tests use a schema per test), every call
    /// and every wait for a pooled connection bounded by `timeout`.
    pub async fn connect_postgres(
        options: PgConnectOptions,
        timeout: Duration,
    ) -> StoreResult<Self> {
        // A connection used within the last second is not pinged before a request gets it:
        // under load none is, and one the database dropped while it sat idle is still caught.
        let upkeep = Upkeep {
            ping_idle_after: Some(pool::PING_IDLE_AFTER),
            max_lifetime: Some(pool::MAX_LIFETIME),
        };
        let pool = ConnectionPool::new(options.clone(), POSTGRES_CONNECTIONS, upkeep)?;
        // Connect now, so a wrong address or password fails at start (outside the outage
        // guard: there is no outage to remember before the first connection).
        match tokio::time::timeout(timeout, pool.ping()).await {
            Ok(connected) => connected?,
            Err(_) => return Err(StoreError::PoolTimedOut),
        }
        Ok(Self {
            outage: Some(Outage::new(pool.clone(), &options)),
            db: Db::Postgres(pool),
            timeout,
        })
    }

    pub fn db(&self) -> &Db {
        &self.db
    }

    /// `work`, or `PoolTimedOut` once the store's timeout has passed (or, on PostgreSQL, an
    /// I/O error at once while the database is known to be away: see `outage`).
    pub(crate) async fn timed<T>(
        &self,
        work: impl Future<Output = StoreResult<T>>,
    ) -> StoreResult<T> {
        if let Some(outage) = &self.outage {
            return outage.run(self.timeout, work).await;
        }
        match tokio::time::timeout(self.timeout, work).await {
            Ok(result) => result,
            Err(_) => Err(StoreError::PoolTimedOut),
        }
    }

    /// Applies the embedded migrations for this backend.
    pub async fn migrate(&self) -> Result<(), sqlx::migrate::MigrateError> {
        match &self.db {
            Db::Sqlite(pool) => SQLITE_MIGRATIONS.run(&mut *pool.acquire().await?).await,
            Db::Postgres(pool) => POSTGRES_MIGRATIONS.run(&mut *pool.acquire().await?).await,
        }
    }

    /// Applies the embedded migrations numbered below `version` only: a database as an earlier
    /// version left it, to test what a later migration does to its rows.
    #[cfg(test)]
    pub(crate) async fn migrate_before(
        &self,
        version: i64,
    ) -> Result<(), sqlx::migrate::MigrateError> {
        let before = |all: &sqlx::migrate::Migrator| sqlx::migrate::Migrator {
            migrations: all
                .iter()
                .filter(|m| m.version < version)
                .cloned()
                .collect::<Vec<_>>()
                .into(),
            ..sqlx::migrate::Migrator::DEFAULT
        };
        match &self.db {
            Db::Sqlite(pool) => {
                before(&SQLITE_MIGRATIONS)
                    .run(&mut *pool.acquire().await?)
                    .await
            }
            Db::Postgres(pool) => {
                before(&POSTGRES_MIGRATIONS)
                    .run(&mut *pool.acquire().await?)
                    .await
            }
        }
    }

    /// Connections (in use, idle) in the pool, for metrics.
    pub fn pool_stats(&self) -> (u32, u32) {
        let (in_use, idle) = match self.db() {
            Db::Sqlite(pool) => pool.usage(),
            Db::Postgres(pool) => pool.usage(),
        };
        let count = |n: usize| u32::try_from(n).unwrap_or(u32::MAX);
        (count(in_use), count(idle))
    }

    /// A cheap round trip for readiness checks.
    pub async fn ping(&self) -> StoreResult<()> {
        on_pool!(self, |pool| sqlx::query("select 1")
            .execute(pool)
            .await
            .map(|_| ()))
    }

    pub async fn close(&self) {
        match self.db() {
            Db::Sqlite(pool) => pool.close().await,
            Db::Postgres(pool) => pool.close().await,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn in_memory_databases_get_no_file() {
        assert!(is_in_memory("sqlite::memory:"));
        assert!(is_in_memory("sqlite://:memory:"));
        assert!(is_in_memory("sqlite:file:t1?mode=memory&cache=shared"));
        assert!(!is_in_memory("sqlite://data/tessera.db"));
        assert!(!is_in_memory("sqlite://data/tessera.db?mode=rwc"));
    }

    #[test]
    fn migration_versions_are_in_lockstep() {
        let versions = |m: &sqlx::migrate::Migrator| {
            m.iter()
                .map(|m| (m.version, m.description.to_string()))
                .collect::<Vec<_>>()
        };
        assert_eq!(versions(&SQLITE_MIGRATIONS), versions(&POSTGRES_MIGRATIONS));
        assert!(SQLITE_MIGRATIONS.iter().next().is_some());
    }
}
