//! Authorization codes, keyed by the SHA-256 of the code. Consuming is one atomic
//! `update … where consumed_at is null returning …`, so two racing exchanges cannot both win.
use super::{Store, StoreResult, on_pool};
use crate::oauth::grants::IssuedCode;

#[derive(Debug, Clone)]
pub struct NewCode<'a> {
    pub code_hash: &'a str,
    pub client_id: &'a str,
    pub user_id: &'a str,
    pub session_id_hash: &'a str,
    pub redirect_uri: &'a str,
    pub scope: &'a str,
    pub nonce: Option<&'a str>,
    pub code_challenge: &'a str,
    pub auth_time: i64,
    pub amr: &'a str,
    pub created_at: i64,
    pub expires_at: i64,
}

#[derive(sqlx::FromRow)]
struct CodeRow {
    client_id: String,
    user_id: String,
    session_id_hash: String,
    redirect_uri: String,
    scope: String,
    nonce: Option<String>,
    code_challenge: String,
    auth_time: i64,
    amr: String,
    expires_at: i64,
}

/// The tokens issued for a code.
#[derive(Debug, Clone)]
pub struct CodeTokens {
    pub access_token_jti: String,
    pub access_token_expires_at: i64,
    pub refresh_family_id: Option<String>,
}

/// What consuming a code found.
#[derive(Debug)]
pub enum Consumed {
    /// First use: the code is now spent and this is what it was issued for.
    Fresh(Box<IssuedCode>),
    /// The code was already used: a replay.
    AlreadyUsed,
    NotFound,
}

impl Store {
    pub async fn insert_code(&self, code: &NewCode<'_>) -> StoreResult<()> {
        on_pool!(self, |pool| {
            sqlx::query(
                "insert into authorization_codes (code_hash, client_id, user_id, session_id_hash, redirect_uri,
                    scope, nonce, code_challenge, auth_time, amr, created_at, expires_at)
                 values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
            )
            .bind(code.code_hash)
            .bind(code.client_id)
            .bind(code.user_id)
            .bind(code.session_id_hash)
            .bind(code.redirect_uri)
            .bind(code.scope)
            .bind(code.nonce)
            .bind(code.code_challenge)
            .bind(code.auth_time)
            .bind(code.amr)
            .bind(code.created_at)
            .bind(code.expires_at)
            .execute(pool)
            .await
            .map(|_| ())
        })
    }

    /// Marks the code used and returns it, atomically; tells a replay from an unknown code.
    pub async fn consume_code(&self, code_hash: &str, now: i64) -> StoreResult<Consumed> {
        let row: Option<CodeRow> = on_pool!(self, |pool| {
            sqlx::query_as(
                "update authorization_codes set consumed_at = $1
                 where code_hash = $2 and consumed_at is null
                 returning client_id, user_id, session_id_hash, redirect_uri, scope, nonce, code_challenge, auth_time, amr, expires_at",
            )
            .bind(now)
            .bind(code_hash)
            .fetch_optional(pool)
            .await
        })?;
        if let Some(row) = row {
            return Ok(Consumed::Fresh(Box::new(IssuedCode {
                client_id: row.client_id,
                user_id: row.user_id,
                session_id_hash: row.session_id_hash,
                redirect_uri: row.redirect_uri,
                scope: row.scope,
                nonce: row.nonce,
                code_challenge: Some(row.code_challenge),
                auth_time: row.auth_time,
                amr: row.amr,
                expires_at: row.expires_at,
            })));
        }
        let seen: i64 = on_pool!(self, |pool| {
            sqlx::query_scalar("select count(*) from authorization_codes where code_hash = $1")
                .bind(code_hash)
                .fetch_one(pool)
                .await
        })?;
        Ok(if seen > 0 {
            Consumed::AlreadyUsed
        } else {
            Consumed::NotFound
        })
    }

    /// Remembers which tokens a code produced, so a replay can revoke them.
    pub async fn record_code_tokens(
        &self,
        code_hash: &str,
        tokens: &CodeTokens,
    ) -> StoreResult<()> {
        on_pool!(self, |pool| {
            sqlx::query(
                "update authorization_codes set access_token_jti = $1, access_token_expires_at = $2, refresh_family_id = $3
                 where code_hash = $4",
            )
            .bind(&tokens.access_token_jti)
            .bind(tokens.access_token_expires_at)
            .bind(&tokens.refresh_family_id)
            .bind(code_hash)
            .execute(pool)
            .await
            .map(|_| ())
        })
    }

    /// The tokens a (consumed) code produced, if its first exchange got that far.
    pub async fn find_code_tokens(&self, code_hash: &str) -> StoreResult<Option<CodeTokens>> {
        let row: Option<(Option<String>, Option<i64>, Option<String>)> = on_pool!(self, |pool| {
            sqlx::query_as(
                "select access_token_jti, access_token_expires_at, refresh_family_id
                 from authorization_codes where code_hash = $1",
            )
            .bind(code_hash)
            .fetch_optional(pool)
            .await
        })?;
        Ok(row.and_then(|(jti, expires_at, family)| {
            Some(CodeTokens {
                access_token_jti: jti?,
                access_token_expires_at: expires_at?,
                refresh_family_id: family,
            })
        }))
    }
}
