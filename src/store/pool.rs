//! The store's connection pool (issue 30): deadpool's, holding sqlx connections.
//!
//! sqlx's own pool pings every connection it takes back (`PoolConnection::return_to_pool`,
//! no setting turns it off): one round trip on the wire per request, and on SQLite one more
//! hand-off to the connection's worker thread. It does so to clear what a request cancelled
//! half-way left on the connection. This pool pings only when there is a reason:
//!
//! - the connection's last lease did not end with its work done (the request was cancelled,
//!   or a statement failed). sqlx's connections finish what a cancelled request left (a
//!   pending `ROLLBACK`, an answer still on its way) before their next statement anyway
//!   (`service::tests::pool_leases` shows it); the ping does it before the lease, and finds a
//!   connection the failure broke, which is replaced instead of failing the next request;
//! - a PostgreSQL connection idle for `PING_IDLE_AFTER` or more: one the database dropped
//!   while it sat idle is caught before a request gets it (HikariCP's rule is 500 ms).
//!
//! PostgreSQL connections older than `MAX_LIFETIME` are closed and replaced, as sqlx did.
use std::ops::{Deref, DerefMut};
use std::time::Duration;

use deadpool::managed::{self, Metrics, PoolError, QueueMode, RecycleError, RecycleResult};
use sqlx::{ConnectOptions as _, Connection};

use super::{StoreError, StoreResult};

/// A pooled PostgreSQL connection idle this long is pinged before a request gets it.
pub(super) const PING_IDLE_AFTER: Duration = Duration::from_secs(1);
/// A PostgreSQL connection is replaced after this long (sqlx's default), so a server-side
/// setting change or a failover reaches every connection eventually.
pub(super) const MAX_LIFETIME: Duration = Duration::from_secs(30 * 60);

/// Connections of one kind (`SqliteConnection` or `PgConnection`); cloning is cheap.
pub struct ConnectionPool<C: Connection> {
    inner: managed::Pool<Manager<C>>,
}

impl<C: Connection> Clone for ConnectionPool<C> {
    fn clone(&self) -> Self {
        Self {
            inner: self.inner.clone(),
        }
    }
}

impl<C: Connection> std::fmt::Debug for ConnectionPool<C> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ConnectionPool")
            .field("status", &self.inner.status())
            .finish()
    }
}

/// When a pooled connection is pinged or replaced.
#[derive(Clone, Copy, Debug)]
pub(super) struct Upkeep {
    /// Ping a connection idle at least this long (`None`: never for idleness).
    pub ping_idle_after: Option<Duration>,
    /// Replace a connection this old (`None`: never; an in-memory SQLite database lives
    /// only as long as its one connection).
    pub max_lifetime: Option<Duration>,
}

struct Manager<C: Connection> {
    options: C::Options,
    upkeep: Upkeep,
}

/// A connection and whether its last lease ended with its work done.
pub struct Pooled<C> {
    connection: C,
    settled: bool,
}

impl<C: Connection> managed::Manager for Manager<C> {
    type Type = Pooled<C>;
    type Error = StoreError;

    async fn create(&self) -> Result<Pooled<C>, StoreError> {
        Ok(Pooled {
            connection: self.options.connect().await?,
            settled: true,
        })
    }

    async fn recycle(
        &self,
        pooled: &mut Pooled<C>,
        metrics: &Metrics,
    ) -> RecycleResult<StoreError> {
        if self
            .upkeep
            .max_lifetime
            .is_some_and(|lifetime| metrics.age() >= lifetime)
        {
            return Err(RecycleError::message("past its lifetime"));
        }
        let idle = self
            .upkeep
            .ping_idle_after
            .is_some_and(|after| metrics.last_used() >= after);
        if !pooled.settled || idle {
            pooled.connection.ping().await?;
            pooled.settled = true;
        }
        Ok(())
    }
}

impl<C: Connection> ConnectionPool<C> {
    /// A pool of at most `size` connections made with `options`, handed out most recently
    /// used first (so under light load the same few stay warm and are not pinged for
    /// idleness). Nothing is connected until the first lease.
    pub(super) fn new(options: C::Options, size: usize, upkeep: Upkeep) -> StoreResult<Self> {
        let inner = managed::Pool::builder(Manager { options, upkeep })
            .max_size(size)
            .queue_mode(QueueMode::Lifo)
            .build()
            .map_err(|error| StoreError::Configuration(Box::new(error)))?;
        Ok(Self { inner })
    }

    /// A connection, waiting in line for one while all are leased; made when none is idle.
    /// No deadline of its own: callers run it within the store's timeout.
    pub async fn acquire(&self) -> StoreResult<Lease<C>> {
        let mut object = self.inner.get().await.map_err(|error| match error {
            PoolError::Backend(error) => error,
            PoolError::Closed => StoreError::PoolClosed,
            PoolError::Timeout(_) | PoolError::NoRuntimeSpecified => StoreError::PoolTimedOut,
            PoolError::PostCreateHook(error) => StoreError::Configuration(Box::new(error)),
        })?;
        object.settled = false;
        Ok(Lease { object })
    }

    /// One round trip on a leased connection (sqlx's ping): whether the database answers.
    pub async fn ping(&self) -> StoreResult<()> {
        let mut lease = self.acquire().await?;
        lease.ping().await?;
        lease.settle(true);
        Ok(())
    }

    /// (leased, idle) connections, for metrics.
    pub fn usage(&self) -> (usize, usize) {
        let status = self.inner.status();
        (
            status.size.saturating_sub(status.available),
            status.available,
        )
    }

    pub fn is_closed(&self) -> bool {
        self.inner.is_closed()
    }

    /// Closes the pool: leases are refused from now on, idle connections are closed
    /// gracefully, and leased ones are closed when they come back.
    pub async fn close(&self) {
        self.inner.close();
        for pooled in self.inner.retain(|_, _| false).removed {
            // Best effort: the server may already be gone.
            let _ = pooled.connection.close().await;
        }
    }
}

/// A connection leased from the pool; it goes back when this is dropped. Until
/// [`Lease::settle`] says its work ended cleanly, it is pinged before its next lease.
pub struct Lease<C: Connection> {
    object: managed::Object<Manager<C>>,
}

impl<C: Connection> Lease<C> {
    /// Marks the connection busy: if the lease ends before [`Lease::settle`], the
    /// connection is pinged before it is leased again.
    pub fn begin_work(&mut self) {
        self.object.settled = false;
    }

    /// Records how the work on this lease ended: cleanly (`true`) or with an error, after
    /// which the connection is pinged before its next lease.
    pub fn settle(&mut self, clean: bool) {
        self.object.settled = clean;
    }
}

impl<C: Connection> Deref for Lease<C> {
    type Target = C;

    fn deref(&self) -> &C {
        &self.object.connection
    }
}

impl<C: Connection> DerefMut for Lease<C> {
    fn deref_mut(&mut self) -> &mut C {
        &mut self.object.connection
    }
}

impl<C: Connection> std::fmt::Debug for Lease<C> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Lease").finish_non_exhaustive()
    }
}
