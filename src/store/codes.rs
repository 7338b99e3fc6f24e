//! Authorization codes, keyed by the SHA-256 of the code. A code is read, checked by the
//! protocol core, and only then redeemed: one transaction that marks it used (only if it is
//! still unused and bound to the presenting client), records the tokens it produced, and
//! stores the refresh-token family. A replay therefore always finds what to revoke.
use super::held::{Held, on_held};
use super::users::{JoinedUserRow, UserRow, joined_user_columns};
use super::{Store, StoreResult, corrupt, on_pool};
use crate::oauth::amr::Amr;
use crate::oauth::grants::IssuedCode;
use crate::oauth::resource::ResourceIds;
use crate::oauth::scope::Scopes;

#[derive(Debug, Clone)]
pub struct NewCode<'a> {
    pub code_hash: &'a str,
    pub client_id: &'a str,
    pub user_id: &'a str,
    pub session_id_hash: &'a str,
    pub redirect_uri: &'a str,
    pub scope: &'a Scopes,
    /// The APIs named with `resource`.
    pub resources: &'a ResourceIds,
    pub nonce: Option<&'a str>,
    pub code_challenge: &'a str,
    pub auth_time: i64,
    pub amr: &'a Amr,
    pub created_at: i64,
    pub expires_at: i64,
    /// RFC 9449 §10: the DPoP key the code may only be exchanged with.
    pub dpop_jkt: Option<&'a str>,
}

#[derive(sqlx::FromRow)]
struct CodeRow {
    client_id: String,
    user_id: String,
    session_id_hash: String,
    redirect_uri: String,
    scope: String,
    resources: String,
    nonce: Option<String>,
    code_challenge: String,
    auth_time: i64,
    amr: String,
    expires_at: i64,
    consumed: bool,
    session_active: bool,
    dpop_jkt: Option<String>,
    #[sqlx(flatten)]
    user: JoinedUserRow,
}

impl CodeRow {
    /// The code, and its user if the join found one.
    fn split(self) -> Result<(IssuedCode, Option<UserRow>), sqlx::Error> {
        let row = self;
        let code = IssuedCode {
            scope: row.scope.parse().map_err(|e| corrupt("scope", e))?,
            resources: ResourceIds::parse(&row.resources),
            amr: row.amr.parse().map_err(|e| corrupt("amr", e))?,
            client_id: row.client_id,
            user_id: row.user_id,
            session_id_hash: row.session_id_hash,
            redirect_uri: row.redirect_uri,
            nonce: row.nonce,
            code_challenge: Some(row.code_challenge),
            auth_time: row.auth_time,
            expires_at: row.expires_at,
            consumed: row.consumed,
            session_active: row.session_active,
            dpop_jkt: row.dpop_jkt,
        };
        Ok((code, row.user.into_user()))
    }
}

/// A code being redeemed: which, by whom, from which session, with the `sid` its ID token
/// carries.
#[derive(Debug, Clone, Copy)]
pub struct Redemption<'a> {
    pub code_hash: &'a str,
    pub client_id: &'a str,
    pub session_id_hash: &'a str,
    pub sid: &'a str,
    pub now: i64,
}

/// How a redemption went.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Redeemed {
    Redeemed,
    /// A concurrent exchange of the same code won: this one is a replay.
    AlreadyUsed,
    /// The code's session ended after the code was read: no tokens for it.
    SessionEnded,
}

/// The tokens issued for a code.
#[derive(Debug, Clone)]
pub struct CodeTokens {
    pub access_token_jti: String,
    pub access_token_expires_at: i64,
    pub refresh_family_id: Option<String>,
}

impl Held<'_> {
    pub async fn insert_code(&mut self, code: &NewCode<'_>) -> StoreResult<()> {
        on_held!(self, |connection| {
            sqlx::query(
                "insert into authorization_codes (code_hash, client_id, user_id, session_id_hash, redirect_uri,
                    scope, nonce, code_challenge, auth_time, amr, created_at, expires_at, resources, dpop_jkt)
                 values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)",
            )
            .bind(code.code_hash)
            .bind(code.client_id)
            .bind(code.user_id)
            .bind(code.session_id_hash)
            .bind(code.redirect_uri)
            .bind(code.scope.to_string())
            .bind(code.nonce)
            .bind(code.code_challenge)
            .bind(code.auth_time)
            .bind(code.amr.to_string())
            .bind(code.created_at)
            .bind(code.expires_at)
            .bind(code.resources.to_string())
            .bind(code.dpop_jkt)
            .execute(&mut *connection)
            .await
            .map(|_| ())
        })
    }

    /// The code with this hash as [`Store::find_code`] reads it, with its user unless the
    /// user is disabled (or gone), in one round trip.
    pub async fn find_code_with_user(
        &mut self,
        code_hash: &str,
        now: i64,
    ) -> StoreResult<Option<(IssuedCode, Option<UserRow>)>> {
        let row: Option<CodeRow> = on_held!(self, |connection| {
            sqlx::query_as(concat!(
                "select c.client_id, c.user_id, c.session_id_hash, c.redirect_uri, c.scope, c.resources, c.nonce,
                        c.code_challenge, c.auth_time, c.amr, c.expires_at, c.dpop_jkt,
                        c.consumed_at is not null as consumed,
                        s.id_hash is not null as session_active, ",
                joined_user_columns!(),
                " from authorization_codes c
                 left join sessions s on s.id_hash = c.session_id_hash
                     and s.expires_at > $2 and s.idle_expires_at > $2
                 left join users u on u.id = c.user_id and not u.disabled
                 where c.code_hash = $1"
            ))
            .bind(code_hash)
            .bind(now)
            .fetch_optional(&mut *connection)
            .await
        })?;
        row.map(CodeRow::split).transpose()
    }
}

impl Store {
    pub async fn insert_code(&self, code: &NewCode<'_>) -> StoreResult<()> {
        self.hold().await?.insert_code(code).await
    }

    /// The code with this hash, whether it was used already, and whether the browser
    /// session it came from is still live at `now`.
    pub async fn find_code(&self, code_hash: &str, now: i64) -> StoreResult<Option<IssuedCode>> {
        let found = self
            .hold()
            .await?
            .find_code_with_user(code_hash, now)
            .await?;
        Ok(found.map(|(code, _)| code))
    }

    /// The tokens a used code produced.
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
