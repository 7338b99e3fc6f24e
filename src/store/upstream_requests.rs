//! Trips to an upstream provider and back: each keyed by the hash of its `state`, claimed
//! once by deleting it.
use super::{Store, StoreResult, on_pool};

/// A trip to an upstream, as the callback needs it.
#[derive(Clone, sqlx::FromRow)]
pub struct UpstreamRequestRow {
    pub state_hash: String,
    pub upstream_id: String,
    /// The OIDC nonce sent with the request.
    pub nonce: String,
    /// The PKCE verifier of the request's S256 challenge.
    pub pkce_verifier: String,
    /// Where the sign-in continues: the authorization request's query, or empty for the
    /// account page.
    pub continuation: String,
    /// A link started from the account page: the user it links to.
    pub link_user_id: Option<String>,
    pub created_at: i64,
    pub expires_at: i64,
}

/// The nonce and verifier are of no use without the upstream's code, but they are still
/// never logged.
impl std::fmt::Debug for UpstreamRequestRow {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("UpstreamRequestRow")
            .field("upstream_id", &self.upstream_id)
            .field("link_user_id", &self.link_user_id)
            .field("expires_at", &self.expires_at)
            .finish_non_exhaustive()
    }
}

impl Store {
    /// Records a trip to an upstream, and clears out those that expired.
    pub async fn insert_upstream_request(&self, request: &UpstreamRequestRow) -> StoreResult<()> {
        on_pool!(self, |pool| {
            sqlx::query("delete from upstream_requests where expires_at <= $1")
                .bind(request.created_at)
                .execute(&mut *pool)
                .await?;
            sqlx::query(
                "insert into upstream_requests (state_hash, upstream_id, nonce, pkce_verifier, continuation, link_user_id, created_at, expires_at)
                 values ($1, $2, $3, $4, $5, $6, $7, $8)",
            )
            .bind(&request.state_hash)
            .bind(&request.upstream_id)
            .bind(&request.nonce)
            .bind(&request.pkce_verifier)
            .bind(&request.continuation)
            .bind(&request.link_user_id)
            .bind(request.created_at)
            .bind(request.expires_at)
            .execute(pool)
            .await
            .map(|_| ())
        })
    }

    /// Whether an unexpired trip with this state exists: a read, so a flood of invented
    /// states costs no write.
    pub async fn upstream_request_exists(&self, state_hash: &str, now: i64) -> StoreResult<bool> {
        on_pool!(self, |pool| {
            sqlx::query_scalar::<_, i64>(
                "select count(*) from upstream_requests where state_hash = $1 and expires_at > $2",
            )
            .bind(state_hash)
            .bind(now)
            .fetch_one(pool)
            .await
            .map(|n| n > 0)
        })
    }

    /// Claims the trip with this state (once: a replayed callback finds nothing), if unexpired.
    pub async fn take_upstream_request(
        &self,
        state_hash: &str,
        now: i64,
    ) -> StoreResult<Option<UpstreamRequestRow>> {
        on_pool!(self, |pool| {
            sqlx::query_as(
                "delete from upstream_requests where state_hash = $1 and expires_at > $2
                 returning state_hash, upstream_id, nonce, pkce_verifier, continuation, link_user_id, created_at, expires_at",
            )
            .bind(state_hash)
            .bind(now)
            .fetch_optional(pool)
            .await
        })
    }
}
