//! One pooled connection held for the few statements of one request (issue 30): the hot
//! paths read, let the protocol core decide, and write on the same connection, so a request
//! costs one acquire — and one of sqlx's release pings, which it sends for every connection
//! it takes back — instead of one per statement. On SQLite that is also one hand-off fewer to
//! sqlx's worker thread per statement.
//!
//! Hold a connection only across work measured in microseconds: never across signing, an
//! HTTP call or another store call. SQLite's pool has one connection, so a request holding it
//! that asked the store for another would wait for itself until the store's timeout.
use sqlx::{PgConnection, SqliteConnection};

use super::pool::Lease;
use super::{Db, Store, StoreResult};

/// A connection taken from the store's pool; it goes back when this is dropped.
pub struct Held<'s> {
    pub(super) store: &'s Store,
    pub(super) connection: HeldConnection,
}

pub(super) enum HeldConnection {
    Sqlite(Lease<SqliteConnection>),
    Postgres(Lease<PgConnection>),
}

impl std::fmt::Debug for Held<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Held").finish_non_exhaustive()
    }
}

/// Runs the same body on whichever connection `held` holds (`$connection` is a
/// `&mut SqliteConnection` or a `&mut PgConnection`), within the store's timeout, as
/// `on_pool!` does for a body that takes its own connection; a body that fails or is
/// cancelled leaves the connection to be pinged before its next lease.
macro_rules! on_held {
    ($held:expr, |$connection:ident| $body:expr) => {{
        let held: &mut $crate::store::held::Held<'_> = $held;
        let store = held.store;
        match &mut held.connection {
            $crate::store::held::HeldConnection::Sqlite(lease) => {
                store
                    .timed(async {
                        $crate::store::on_leased!(lease, |$connection: sqlx::SqliteConnection| {
                            $body
                        })
                    })
                    .await
            }
            $crate::store::held::HeldConnection::Postgres(lease) => {
                store
                    .timed(async {
                        $crate::store::on_leased!(lease, |$connection: sqlx::PgConnection| $body)
                    })
                    .await
            }
        }
    }};
}
pub(crate) use on_held;

impl Store {
    /// A connection for one request's statements, waited for within the store's timeout.
    pub async fn hold(&self) -> StoreResult<Held<'_>> {
        let connection = match self.db() {
            Db::Sqlite(pool) => HeldConnection::Sqlite(self.timed(pool.acquire()).await?),
            Db::Postgres(pool) => HeldConnection::Postgres(self.timed(pool.acquire()).await?),
        };
        Ok(Held {
            store: self,
            connection,
        })
    }
}

impl Held<'_> {
    /// Marks the connection busy, for a body that does not run through `on_held!`: unless
    /// [`Held::settle`] follows, it is pinged before its next lease.
    pub(super) fn begin_work(&mut self) {
        match &mut self.connection {
            HeldConnection::Sqlite(lease) => lease.begin_work(),
            HeldConnection::Postgres(lease) => lease.begin_work(),
        }
    }

    /// The work since [`Held::begin_work`] ended cleanly.
    pub(super) fn settle(&mut self) {
        match &mut self.connection {
            HeldConnection::Sqlite(lease) => lease.settle(true),
            HeldConnection::Postgres(lease) => lease.settle(true),
        }
    }

    /// Whether this is a PostgreSQL connection (whose statements may fold writes into one
    /// statement with data-modifying `WITH`, which SQLite does not have).
    pub(super) fn is_postgres(&self) -> bool {
        matches!(self.connection, HeldConnection::Postgres(_))
    }
}
