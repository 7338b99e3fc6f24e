//! The identities users have at upstream providers, keyed by (upstream id, issuer, stable
//! subject), and the links waiting for an existing account's owner to prove who they are.
use super::{Store, StoreResult, on_pool};

/// One identity at an upstream provider, linked to one user.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct UpstreamIdentityRow {
    pub upstream_id: String,
    pub issuer: String,
    pub subject: String,
    pub user_id: String,
    pub account_name: Option<String>,
    pub linked_at: i64,
    pub last_used_at: i64,
}

/// An upstream identity whose email matched an existing account, waiting behind a cookie
/// (its hash is the id) for that account's owner to sign in.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct PendingLinkRow {
    pub id_hash: String,
    pub user_id: String,
    pub upstream_id: String,
    pub issuer: String,
    pub subject: String,
    pub account_name: Option<String>,
    pub created_at: i64,
    pub expires_at: i64,
}

/// The key of an identity: what never changes at the upstream.
#[derive(Debug, Clone, Copy)]
pub struct IdentityKey<'a> {
    pub upstream_id: &'a str,
    pub issuer: &'a str,
    pub subject: &'a str,
}

/// How a link attempt ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Linked {
    /// Linked now (or it already was, to this very user).
    Linked,
    /// The identity belongs to another user: nothing changed.
    ToAnotherUser,
}

impl Store {
    /// The identity with this key, if linked, and marks it used at `now`.
    pub async fn use_upstream_identity(
        &self,
        key: IdentityKey<'_>,
        now: i64,
    ) -> StoreResult<Option<UpstreamIdentityRow>> {
        on_pool!(self, |pool| {
            sqlx::query_as(
                "update upstream_identities set last_used_at = $1
                 where upstream_id = $2 and issuer = $3 and subject = $4
                 returning upstream_id, issuer, subject, user_id, account_name, linked_at, last_used_at",
            )
            .bind(now)
            .bind(key.upstream_id)
            .bind(key.issuer)
            .bind(key.subject)
            .fetch_optional(pool)
            .await
        })
    }

    /// Links the identity to `user_id`, unless another user holds it. One statement, so two
    /// racing links cannot both win.
    pub async fn link_upstream_identity(
        &self,
        key: IdentityKey<'_>,
        user_id: &str,
        account_name: Option<&str>,
        now: i64,
    ) -> StoreResult<Linked> {
        let holder: Option<String> = on_pool!(self, |pool| {
            sqlx::query_scalar(
                "insert into upstream_identities (upstream_id, issuer, subject, user_id, account_name, linked_at, last_used_at)
                 values ($1, $2, $3, $4, $5, $6, $6)
                 on conflict (upstream_id, issuer, subject) do update set account_name = excluded.account_name
                 returning user_id",
            )
            .bind(key.upstream_id)
            .bind(key.issuer)
            .bind(key.subject)
            .bind(user_id)
            .bind(account_name)
            .bind(now)
            .fetch_optional(pool)
            .await
        })?;
        Ok(match holder.as_deref() == Some(user_id) {
            true => Linked::Linked,
            false => Linked::ToAnotherUser,
        })
    }

    /// The user's linked identities, oldest link first.
    pub async fn list_upstream_identities(
        &self,
        user_id: &str,
    ) -> StoreResult<Vec<UpstreamIdentityRow>> {
        on_pool!(self, |pool| {
            sqlx::query_as(
                "select upstream_id, issuer, subject, user_id, account_name, linked_at, last_used_at
                 from upstream_identities where user_id = $1 order by linked_at, upstream_id, subject",
            )
            .bind(user_id)
            .fetch_all(pool)
            .await
        })
    }

    /// Unlinks every identity of `user_id` at `upstream_id`; the number removed.
    pub async fn unlink_upstream_identities(
        &self,
        user_id: &str,
        upstream_id: &str,
    ) -> StoreResult<u64> {
        on_pool!(self, |pool| {
            sqlx::query("delete from upstream_identities where user_id = $1 and upstream_id = $2")
                .bind(user_id)
                .bind(upstream_id)
                .execute(pool)
                .await
                .map(|r| r.rows_affected())
        })
    }

    /// Keeps a link waiting for its account's owner, and clears out those that expired.
    pub async fn insert_pending_link(&self, link: &PendingLinkRow) -> StoreResult<()> {
        on_pool!(self, |pool| {
            sqlx::query("delete from upstream_pending_links where expires_at <= $1")
                .bind(link.created_at)
                .execute(&mut *pool)
                .await?;
            sqlx::query(
                "insert into upstream_pending_links (id_hash, user_id, upstream_id, issuer, subject, account_name, created_at, expires_at)
                 values ($1, $2, $3, $4, $5, $6, $7, $8)",
            )
            .bind(&link.id_hash)
            .bind(&link.user_id)
            .bind(&link.upstream_id)
            .bind(&link.issuer)
            .bind(&link.subject)
            .bind(&link.account_name)
            .bind(link.created_at)
            .bind(link.expires_at)
            .execute(pool)
            .await
            .map(|_| ())
        })
    }

    /// The link waiting behind a cookie, if it has not expired.
    pub async fn find_pending_link(
        &self,
        id_hash: &str,
        now: i64,
    ) -> StoreResult<Option<PendingLinkRow>> {
        on_pool!(self, |pool| {
            sqlx::query_as(
                "select id_hash, user_id, upstream_id, issuer, subject, account_name, created_at, expires_at
                 from upstream_pending_links where id_hash = $1 and expires_at > $2",
            )
            .bind(id_hash)
            .bind(now)
            .fetch_optional(pool)
            .await
        })
    }

    /// Takes the waiting link (once, even if two tabs race), if it has not expired.
    pub async fn take_pending_link(
        &self,
        id_hash: &str,
        now: i64,
    ) -> StoreResult<Option<PendingLinkRow>> {
        on_pool!(self, |pool| {
            sqlx::query_as(
                "delete from upstream_pending_links where id_hash = $1 and expires_at > $2
                 returning id_hash, user_id, upstream_id, issuer, subject, account_name, created_at, expires_at",
            )
            .bind(id_hash)
            .bind(now)
            .fetch_optional(pool)
            .await
        })
    }
}
