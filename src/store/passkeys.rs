//! Passkeys: each user's WebAuthn user handle, the registered credentials, and ceremonies in
//! progress. A ceremony is taken (deleted) by the one request that finishes it, so a
//! challenge answers once, on whichever instance the browser reaches.
use super::{Store, StoreResult, on_pool};

/// A registered passkey.
#[derive(Clone, sqlx::FromRow)]
pub struct PasskeyRow {
    /// base64url of the credential ID.
    pub credential_id: String,
    pub user_id: String,
    /// The user's own name for it ("Laptop").
    pub name: String,
    /// The crate's serialised credential: public key, signature counter, backup flags.
    pub passkey: String,
    /// Backup eligible (as the authenticator last said): a synced passkey rather than one
    /// bound to a device. Unattested, so it is shown to the user, never asserted in `amr`.
    pub backup_eligible: bool,
    /// The highest signature counter seen (0: the authenticator keeps none). Only ever
    /// raised, by a compare in `passkey_used`.
    pub sign_count: i64,
    pub created_at: i64,
    pub last_used_at: Option<i64>,
}

impl std::fmt::Debug for PasskeyRow {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PasskeyRow")
            .field("credential_id", &self.credential_id)
            .field("user_id", &self.user_id)
            .finish_non_exhaustive()
    }
}

/// A passkey as a sign-in just used it (see `Store::passkey_used`).
#[derive(Debug, Clone, Copy)]
pub struct PasskeyUse<'a> {
    pub credential_id: &'a str,
    /// The crate's serialised credential after the sign-in.
    pub passkey: &'a str,
    pub sign_count: i64,
    pub backup_eligible: bool,
    pub now: i64,
}

/// A ceremony taken for finishing.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct CeremonyRow {
    /// The user a registration or second-step ceremony is for; none for a usernameless
    /// sign-in.
    pub user_id: Option<String>,
    /// The crate's serialised ceremony state (holds the challenge).
    pub state: String,
    pub expires_at: i64,
}

const PASSKEY_COLUMNS: &str = "credential_id, user_id, name, passkey, backup_eligible, sign_count,
     created_at, last_used_at";

/// Whether the user whose id is `$user` (a placeholder or a column) has a second factor: TOTP
/// turned on, or a passkey. The store's one notion of it, for every statement that asks.
macro_rules! has_second_factor {
    ($user:literal) => {
        concat!(
            "(exists (select 1 from totp_credentials where user_id = ",
            $user,
            " and enabled) or exists (select 1 from passkey_credentials where user_id = ",
            $user,
            "))"
        )
    };
}
pub(super) use has_second_factor;

impl Store {
    /// The user's WebAuthn user handle, made from `candidate` on first use.
    pub async fn passkey_user_handle(&self, user_id: &str, candidate: &str) -> StoreResult<String> {
        on_pool!(self, |pool| {
            sqlx::query(
                "insert into passkey_user_handles (user_id, handle) values ($1, $2)
                 on conflict (user_id) do nothing",
            )
            .bind(user_id)
            .bind(candidate)
            .execute(&mut *pool)
            .await?;
            sqlx::query_scalar("select handle from passkey_user_handles where user_id = $1")
                .bind(user_id)
                .fetch_one(pool)
                .await
        })
    }

    /// The user a WebAuthn user handle belongs to.
    pub async fn user_of_passkey_handle(&self, handle: &str) -> StoreResult<Option<String>> {
        on_pool!(self, |pool| {
            sqlx::query_scalar("select user_id from passkey_user_handles where handle = $1")
                .bind(handle)
                .fetch_optional(pool)
                .await
        })
    }

    /// Whether the sign-in needs a second step: TOTP is on, or the user has a passkey. One
    /// statement, so a password sign-in costs no extra round trip.
    pub async fn has_second_factor(&self, user_id: &str) -> StoreResult<bool> {
        on_pool!(self, |pool| {
            sqlx::query_scalar(concat!("select ", has_second_factor!("$1")))
                .bind(user_id)
                .fetch_one(pool)
                .await
        })
    }

    /// Stores a new passkey; `false` when its credential ID is registered already (to anyone).
    pub async fn insert_passkey(&self, row: &PasskeyRow) -> StoreResult<bool> {
        on_pool!(self, |pool| {
            sqlx::query(
                "insert into passkey_credentials
                   (credential_id, user_id, name, passkey, backup_eligible, sign_count, created_at,
                    last_used_at)
                 values ($1, $2, $3, $4, $5, $6, $7, $8)
                 on conflict (credential_id) do nothing",
            )
            .bind(&row.credential_id)
            .bind(&row.user_id)
            .bind(&row.name)
            .bind(&row.passkey)
            .bind(row.backup_eligible)
            .bind(row.sign_count)
            .bind(row.created_at)
            .bind(row.last_used_at)
            .execute(pool)
            .await
            .map(|r| r.rows_affected() == 1)
        })
    }

    /// A user's passkeys, oldest first.
    pub async fn passkeys_of(&self, user_id: &str) -> StoreResult<Vec<PasskeyRow>> {
        let sql = format!(
            "select {PASSKEY_COLUMNS} from passkey_credentials where user_id = $1
             order by created_at, credential_id"
        );
        on_pool!(self, |pool| {
            sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str()))
                .bind(user_id)
                .fetch_all(pool)
                .await
        })
    }

    pub async fn find_passkey(&self, credential_id: &str) -> StoreResult<Option<PasskeyRow>> {
        let sql =
            format!("select {PASSKEY_COLUMNS} from passkey_credentials where credential_id = $1");
        on_pool!(self, |pool| {
            sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str()))
                .bind(credential_id)
                .fetch_optional(pool)
                .await
        })
    }

    /// After a sign-in with the passkey: its credential as updated (counter and backup
    /// flags), its counter, its backup eligibility, and when it was used. Written only if
    /// `sign_count` is above the stored one (or both are 0: an authenticator that keeps no
    /// counter), compared in the statement itself: of two sign-ins racing, or a clone racing
    /// the original, the one with the lower counter writes nothing and gets `false` — the
    /// counter did not go up from the one stored now, the sign of a cloned authenticator.
    pub async fn passkey_used(&self, used: &PasskeyUse<'_>) -> StoreResult<bool> {
        on_pool!(self, |pool| {
            sqlx::query(
                "update passkey_credentials
                 set passkey = $2, sign_count = $3, backup_eligible = $4, last_used_at = $5
                 where credential_id = $1
                   and (sign_count < $3 or (sign_count = 0 and $3 = 0))",
            )
            .bind(used.credential_id)
            .bind(used.passkey)
            .bind(used.sign_count)
            .bind(used.backup_eligible)
            .bind(used.now)
            .execute(pool)
            .await
            .map(|r| r.rows_affected() == 1)
        })
    }

    /// Renames one of the user's passkeys; `false` when the user has no such passkey.
    pub async fn rename_passkey(
        &self,
        user_id: &str,
        credential_id: &str,
        name: &str,
    ) -> StoreResult<bool> {
        on_pool!(self, |pool| {
            sqlx::query(
                "update passkey_credentials set name = $3 where user_id = $1 and credential_id = $2",
            )
            .bind(user_id)
            .bind(credential_id)
            .bind(name)
            .execute(pool)
            .await
            .map(|r| r.rows_affected() == 1)
        })
    }

    /// Removes one of the user's passkeys; `false` when the user has no such passkey.
    pub async fn delete_passkey(&self, user_id: &str, credential_id: &str) -> StoreResult<bool> {
        on_pool!(self, |pool| {
            sqlx::query("delete from passkey_credentials where user_id = $1 and credential_id = $2")
                .bind(user_id)
                .bind(credential_id)
                .execute(pool)
                .await
                .map(|r| r.rows_affected() == 1)
        })
    }

    /// Removes all of a user's passkeys (an administrator's reset); how many there were.
    pub async fn delete_passkeys_of(&self, user_id: &str) -> StoreResult<u64> {
        on_pool!(self, |pool| {
            sqlx::query("delete from passkey_credentials where user_id = $1")
                .bind(user_id)
                .execute(pool)
                .await
                .map(|r| r.rows_affected())
        })
    }

    pub async fn insert_webauthn_ceremony(
        &self,
        id: &str,
        kind: &str,
        user_id: Option<&str>,
        state: &str,
        expires_at: i64,
    ) -> StoreResult<()> {
        on_pool!(self, |pool| {
            sqlx::query(
                "insert into webauthn_ceremonies (id, kind, user_id, state, expires_at)
                 values ($1, $2, $3, $4, $5)",
            )
            .bind(id)
            .bind(kind)
            .bind(user_id)
            .bind(state)
            .bind(expires_at)
            .execute(pool)
            .await
            .map(|_| ())
        })
    }

    /// Takes a ceremony of `kind` for finishing: deleted in the same statement, so it is
    /// finished once whatever races it. `None` when there is none or it has expired.
    pub async fn take_webauthn_ceremony(
        &self,
        id: &str,
        kind: &str,
        now: i64,
    ) -> StoreResult<Option<CeremonyRow>> {
        let taken: Option<CeremonyRow> = on_pool!(self, |pool| {
            sqlx::query_as(
                "delete from webauthn_ceremonies where id = $1 and kind = $2
                 returning user_id, state, expires_at",
            )
            .bind(id)
            .bind(kind)
            .fetch_optional(pool)
            .await
        })?;
        Ok(taken.filter(|ceremony| now < ceremony.expires_at))
    }
}
