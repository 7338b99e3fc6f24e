//! Pushed authorization requests (RFC 9126): stored by `/par`, claimed once by the first
//! `/authorize` that names them (bound to their client, before their `request_uri` expires),
//! read again by the sign-in pages through the claim's handle, and consumed when the request
//! ends. Keys are SHA-256 hashes of the secrets; the request's parameters never hold the
//! client's credentials.
use super::{Store, StoreResult, on_pool};

/// A request as `/par` stores it.
#[derive(Debug)]
pub struct NewPushedRequest<'a> {
    pub reference_hash: &'a str,
    pub client_id: &'a str,
    /// The pushed parameters, form-encoded.
    pub params: &'a str,
    pub created_at: i64,
    pub expires_at: i64,
}

/// The claim a first `/authorize` makes on a pushed request.
#[derive(Debug)]
pub struct Claim<'a> {
    pub reference_hash: &'a str,
    pub client_id: &'a str,
    pub handle_hash: &'a str,
    pub now: i64,
    /// Until when the sign-in may go on under the handle.
    pub until: i64,
}

impl Store {
    pub async fn insert_pushed_request(&self, request: &NewPushedRequest<'_>) -> StoreResult<()> {
        on_pool!(self, |pool| {
            sqlx::query(
                "insert into pushed_authorization_requests (reference_hash, client_id, params, created_at, expires_at)
                 values ($1, $2, $3, $4, $5)",
            )
            .bind(request.reference_hash)
            .bind(request.client_id)
            .bind(request.params)
            .bind(request.created_at)
            .bind(request.expires_at)
            .execute(pool)
            .await
            .map(|_| ())
        })
    }

    /// Claims the request: only its own client's, unexpired and never claimed, in one
    /// statement, so of two instances claiming at once one wins. Another client's attempt
    /// leaves it for its owner. Returns the pushed parameters.
    pub async fn claim_pushed_request(&self, claim: &Claim<'_>) -> StoreResult<Option<String>> {
        on_pool!(self, |pool| {
            sqlx::query_scalar(
                "update pushed_authorization_requests
                 set claimed_at = $4, handle_hash = $3, expires_at = $5
                 where reference_hash = $1 and client_id = $2 and claimed_at is null and expires_at > $4
                 returning params",
            )
            .bind(claim.reference_hash)
            .bind(claim.client_id)
            .bind(claim.handle_hash)
            .bind(claim.now)
            .bind(claim.until)
            .fetch_optional(pool)
            .await
        })
    }

    /// The parameters of a claimed request that has not ended, if the handle is its client's.
    pub async fn find_claimed_request(
        &self,
        handle_hash: &str,
        client_id: &str,
        now: i64,
    ) -> StoreResult<Option<String>> {
        on_pool!(self, |pool| {
            sqlx::query_scalar(
                "select params from pushed_authorization_requests
                 where handle_hash = $1 and client_id = $2 and consumed_at is null and expires_at > $3",
            )
            .bind(handle_hash)
            .bind(client_id)
            .bind(now)
            .fetch_optional(pool)
            .await
        })
    }

    /// Replaces a claimed request's parameters (a sign-in made for it satisfied its
    /// `prompt=login` and `max_age`), unless it has ended.
    pub async fn update_claimed_request(&self, handle_hash: &str, params: &str) -> StoreResult<()> {
        on_pool!(self, |pool| {
            sqlx::query(
                "update pushed_authorization_requests set params = $2
                 where handle_hash = $1 and consumed_at is null",
            )
            .bind(handle_hash)
            .bind(params)
            .execute(pool)
            .await
            .map(|_| ())
        })
    }

    /// Ends a claimed request, once: false when it had ended already (a concurrent answer).
    pub async fn consume_pushed_request(&self, handle_hash: &str, now: i64) -> StoreResult<bool> {
        on_pool!(self, |pool| {
            sqlx::query(
                "update pushed_authorization_requests set consumed_at = $2
                 where handle_hash = $1 and consumed_at is null",
            )
            .bind(handle_hash)
            .bind(now)
            .execute(pool)
            .await
            .map(|r| r.rows_affected() == 1)
        })
    }
}
