//! Users: the login name is the email address, stored lower-cased.
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
}

/// Emails compare case-insensitively; the stored form is trimmed and lower-cased.
pub fn normalize_email(email: &str) -> String {
    email.trim().to_lowercase()
}

/// The columns of `UserRow`, for `concat!` into static SQL.
macro_rules! user_columns {
    () => {
        "id, email, name, password_hash, email_verified, disabled, created_at"
    };
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

    /// Returns false when no such user exists.
    pub async fn set_password_hash(&self, email: &str, password_hash: &str) -> StoreResult<bool> {
        let email = normalize_email(email);
        on_pool!(self, |pool| {
            sqlx::query("update users set password_hash = $1 where email = $2")
                .bind(password_hash)
                .bind(&email)
                .execute(pool)
                .await
                .map(|r| r.rows_affected() > 0)
        })
    }

    /// Disables (or re-enables) an account. Returns false when no such user.
    pub async fn set_user_disabled(&self, email: &str, disabled: bool) -> StoreResult<bool> {
        let email = normalize_email(email);
        on_pool!(self, |pool| {
            sqlx::query("update users set disabled = $1 where email = $2")
                .bind(disabled)
                .bind(&email)
                .execute(pool)
                .await
                .map(|r| r.rows_affected() > 0)
        })
    }

    pub async fn delete_user_sessions(&self, user_id: &str) -> StoreResult<()> {
        on_pool!(self, |pool| {
            sqlx::query("delete from sessions where user_id = $1")
                .bind(user_id)
                .execute(pool)
                .await
                .map(|_| ())
        })
    }
}
