//! Users: the login name is the email address, stored lower-cased.
use super::held::{Held, on_held};
use super::passkeys::has_second_factor;
use super::{Store, StoreResult, on_pool};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct UserRow {
    pub id: String,
    pub email: String,
    pub name: Option<String>,
    /// argon2id PHC string. Not a secret a client could replay, but still never logged.
    pub password_hash: String,
    pub email_verified: bool,
    pub disabled: bool,
    pub created_at: i64,
    /// Tokens issued at or before this time are dead (an administrator disabled the user or
    /// reset the password).
    pub tokens_valid_after: i64,
}

impl UserRow {
    /// Whether a token issued at `iat` still speaks for this user.
    pub fn accepts_token_issued_at(&self, iat: i64) -> bool {
        !self.disabled && iat > self.tokens_valid_after
    }
}

/// An account as a password sign-in reads it.
#[derive(Debug, Clone)]
pub struct SignInAccount {
    pub user: UserRow,
    /// TOTP turned on or a passkey registered.
    pub has_second_factor: bool,
}

/// The columns of an account as a password sign-in reads it, users as `u` (a `left join`
/// may find none): [`joined_user_columns`] and whether it has a second factor.
macro_rules! sign_in_account_columns {
    () => {
        concat!(
            joined_user_columns!(),
            ", ",
            has_second_factor!("u.id"),
            " as has_second_factor"
        )
    };
}
pub(super) use sign_in_account_columns;

/// What [`sign_in_account_columns`] read.
#[derive(sqlx::FromRow)]
pub(super) struct SignInAccountRow {
    #[sqlx(flatten)]
    user: JoinedUserRow,
    has_second_factor: bool,
}

impl SignInAccountRow {
    /// The account, if there was one.
    pub(super) fn into_account(self) -> Option<SignInAccount> {
        let has_second_factor = self.has_second_factor;
        self.user.into_user().map(|user| SignInAccount {
            user,
            has_second_factor,
        })
    }
}

/// Emails compare case-insensitively; the stored form is trimmed and lower-cased.
pub fn normalize_email(email: &str) -> String {
    email.trim().to_lowercase()
}

/// The columns of `UserRow`, for `concat!` into static SQL.
macro_rules! user_columns {
    () => {
        "id, email, name, password_hash, email_verified, disabled, created_at, tokens_valid_after"
    };
}
pub(crate) use user_columns;

/// A user's columns, users as `u`, named apart from the columns of the row they are joined
/// to: a statement that reads a token or a code reads its user in the same round trip.
macro_rules! joined_user_columns {
    () => {
        "u.id as user_id_found, u.email as user_email, u.name as user_name,
         u.password_hash as user_password_hash, u.email_verified as user_email_verified,
         u.disabled as user_disabled, u.created_at as user_created_at, u.tokens_valid_after as user_tokens_valid_after"
    };
}
pub(crate) use joined_user_columns;

/// The user a `left join users u` found, as [`joined_user_columns`] names it.
#[derive(sqlx::FromRow)]
pub(crate) struct JoinedUserRow {
    user_id_found: Option<String>,
    user_email: Option<String>,
    user_name: Option<String>,
    user_password_hash: Option<String>,
    user_email_verified: Option<bool>,
    user_disabled: Option<bool>,
    user_created_at: Option<i64>,
    user_tokens_valid_after: Option<i64>,
}

impl JoinedUserRow {
    /// The user, if the join found one.
    pub(crate) fn into_user(self) -> Option<UserRow> {
        Some(UserRow {
            id: self.user_id_found?,
            email: self.user_email?,
            name: self.user_name,
            password_hash: self.user_password_hash?,
            email_verified: self.user_email_verified?,
            disabled: self.user_disabled?,
            created_at: self.user_created_at?,
            tokens_valid_after: self.user_tokens_valid_after?,
        })
    }
}

impl Store {
    pub async fn insert_user(&self, user: &UserRow) -> StoreResult<()> {
        on_pool!(self, |pool| {
            sqlx::query(
                "insert into users (id, email, name, password_hash, email_verified, disabled, created_at)
                 values ($1, $2, $3, $4, $5, $6, $7)",
            )
            .bind(&user.id)
            .bind(&user.email)
            .bind(&user.name)
            .bind(&user.password_hash)
            .bind(user.email_verified)
            .bind(user.disabled)
            .bind(user.created_at)
            .execute(pool)
            .await
            .map(|_| ())
        })
    }

    pub async fn find_user_by_email(&self, email: &str) -> StoreResult<Option<UserRow>> {
        let email = normalize_email(email);
        on_pool!(self, |pool| {
            sqlx::query_as(concat!(
                "select ",
                user_columns!(),
                " from users where email = $1"
            ))
            .bind(&email)
            .fetch_optional(pool)
            .await
        })
    }

    /// The account a password sign-in names, with whether it has a second factor: read in
    /// one statement before the password is checked (issue 30), so the step that follows a
    /// right password needs no second read. A second factor added while the password is
    /// checked counts from the next sign-in, as it does for the sessions that already exist
    /// (adding one ends none of them).
    pub async fn find_user_for_sign_in(&self, email: &str) -> StoreResult<Option<SignInAccount>> {
        let email = normalize_email(email);
        let found: Option<SignInAccountRow> = on_pool!(self, |pool| {
            sqlx::query_as(concat!(
                "select ",
                sign_in_account_columns!(),
                " from users u where u.email = $1"
            ))
            .bind(&email)
            .fetch_optional(pool)
            .await
        })?;
        Ok(found.and_then(SignInAccountRow::into_account))
    }

    /// Inserts the user; false when another account has the email already.
    pub async fn insert_user_unless_taken(&self, user: &UserRow) -> StoreResult<bool> {
        match self.insert_user(user).await {
            Ok(()) => Ok(true),
            Err(sqlx::Error::Database(e)) if e.is_unique_violation() => Ok(false),
            Err(e) => Err(e),
        }
    }

    /// The user with this email, unless disabled.
    pub async fn find_active_user_by_email(&self, email: &str) -> StoreResult<Option<UserRow>> {
        Ok(self
            .find_user_by_email(email)
            .await?
            .filter(|user| !user.disabled))
    }

    /// The user, unless disabled: the one lookup every "is this user still allowed" check uses.
    pub async fn find_active_user(&self, id: &str) -> StoreResult<Option<UserRow>> {
        Ok(self.find_user(id).await?.filter(|user| !user.disabled))
    }

    pub async fn find_user(&self, id: &str) -> StoreResult<Option<UserRow>> {
        on_pool!(self, |pool| {
            sqlx::query_as(concat!(
                "select ",
                user_columns!(),
                " from users where id = $1"
            ))
            .bind(id)
            .fetch_optional(pool)
            .await
        })
    }

    pub async fn list_users(&self) -> StoreResult<Vec<UserRow>> {
        on_pool!(self, |pool| {
            sqlx::query_as(concat!(
                "select ",
                user_columns!(),
                " from users order by email"
            ))
            .fetch_all(pool)
            .await
        })
    }

    /// Sets a new password and ends every token issued until `now`. Returns false when no
    /// such user exists.
    pub async fn set_password_hash(
        &self,
        email: &str,
        password_hash: &str,
        now: i64,
    ) -> StoreResult<bool> {
        let email = normalize_email(email);
        on_pool!(self, |pool| {
            // A new password ends every reset link: one mailed before it must not undo it.
            sqlx::query(
                "delete from email_links where purpose = 'reset_password' and user_id = (select id from users where email = $1)",
            )
            .bind(&email)
            .execute(&mut *pool)
            .await?;
            sqlx::query(
                "update users set password_hash = $1, tokens_valid_after = $2 where email = $3",
            )
            .bind(password_hash)
            .bind(now)
            .bind(&email)
            .execute(pool)
            .await
            .map(|r| r.rows_affected() > 0)
        })
    }

    /// Disables an account and ends every token issued until `now`, so re-enabling it later
    /// brings none of them back. Returns false when no such user.
    pub async fn disable_user(&self, email: &str, now: i64) -> StoreResult<bool> {
        let email = normalize_email(email);
        on_pool!(self, |pool| {
            sqlx::query(
                "update users set disabled = true, tokens_valid_after = $1 where email = $2",
            )
            .bind(now)
            .bind(&email)
            .execute(pool)
            .await
            .map(|r| r.rows_affected() > 0)
        })
    }

    /// Marks the user's address as confirmed (they opened a link sent to it).
    pub async fn mark_email_verified(&self, user_id: &str) -> StoreResult<bool> {
        on_pool!(self, |pool| {
            sqlx::query("update users set email_verified = true where id = $1")
                .bind(user_id)
                .execute(pool)
                .await
                .map(|r| r.rows_affected() > 0)
        })
    }

    /// Gives the user a new, confirmed address; false when another account has it (the
    /// unique index decides a race).
    pub async fn change_email(&self, user_id: &str, email: &str) -> StoreResult<bool> {
        let email = normalize_email(email);
        let changed = on_pool!(self, |pool| {
            sqlx::query("update users set email = $1, email_verified = true where id = $2")
                .bind(&email)
                .bind(user_id)
                .execute(pool)
                .await
                .map(|r| r.rows_affected() > 0)
        });
        match changed {
            Err(sqlx::Error::Database(e)) if e.is_unique_violation() => Ok(false),
            other => other,
        }
    }

    /// Sets a new password for the user and ends every token issued until `now`.
    pub async fn set_password_hash_of(
        &self,
        user_id: &str,
        password_hash: &str,
        now: i64,
    ) -> StoreResult<bool> {
        on_pool!(self, |pool| {
            // A new password ends every reset link: one mailed before it must not undo it.
            sqlx::query(
                "delete from email_links where purpose = 'reset_password' and user_id = $1",
            )
            .bind(user_id)
            .execute(&mut *pool)
            .await?;
            sqlx::query(
                "update users set password_hash = $1, tokens_valid_after = $2 where id = $3",
            )
            .bind(password_hash)
            .bind(now)
            .bind(user_id)
            .execute(pool)
            .await
            .map(|r| r.rows_affected() > 0)
        })
    }

    /// Remembers the language of the pages the user last signed in on (their mail's).
    pub async fn set_user_locale(&self, user_id: &str, locale: &str) -> StoreResult<()> {
        self.hold().await?.set_user_locale(user_id, locale).await
    }

    /// The language the user last signed in with, if known.
    pub async fn user_locale(&self, user_id: &str) -> StoreResult<Option<String>> {
        on_pool!(self, |pool| {
            sqlx::query_scalar::<_, Option<String>>("select locale from users where id = $1")
                .bind(user_id)
                .fetch_optional(pool)
                .await
                .map(Option::flatten)
        })
    }

    /// Re-enables an account. Returns false when no such user.
    pub async fn enable_user(&self, email: &str) -> StoreResult<bool> {
        let email = normalize_email(email);
        on_pool!(self, |pool| {
            sqlx::query("update users set disabled = false where email = $1")
                .bind(&email)
                .execute(pool)
                .await
                .map(|r| r.rows_affected() > 0)
        })
    }

    /// Deletes a user and, by the schema's cascades, everything that hangs on the row:
    /// sessions, codes, refresh tokens and families, consents (and their APIs), TOTP,
    /// recovery codes, second-step attempts, pending sign-ins, passkeys and their handle and
    /// ceremonies, upstream identities, trips and pending links. `session_clients` has no
    /// foreign key (its rows outlive nothing but their session): what is left of it goes in
    /// the same transaction. The back-channel outbox keeps its queued logouts, which are the
    /// apps' news of this. False when there was no such user.
    pub async fn delete_user(&self, user_id: &str) -> StoreResult<bool> {
        on_pool!(self, |pool| {
            let mut tx = pool.begin().await?;
            sqlx::query("delete from session_clients where user_id = $1")
                .bind(user_id)
                .execute(&mut *tx)
                .await?;
            let deleted = sqlx::query("delete from users where id = $1")
                .bind(user_id)
                .execute(&mut *tx)
                .await?
                .rows_affected();
            tx.commit().await?;
            Ok(deleted > 0)
        })
    }
}

impl Held<'_> {
    /// Remembers the language of the pages the user last signed in on (their mail's).
    pub async fn set_user_locale(&mut self, user_id: &str, locale: &str) -> StoreResult<()> {
        on_held!(self, |connection| {
            sqlx::query(
                "update users set locale = $1 where id = $2 and (locale is null or locale <> $1)",
            )
            .bind(locale)
            .bind(user_id)
            .execute(&mut *connection)
            .await
            .map(|_| ())
        })
    }
}
