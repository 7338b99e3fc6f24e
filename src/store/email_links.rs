//! Links sent by email, keyed by the SHA-256 of their token: single use (claimed by
//! deleting), short-lived, and replaced by a newer one of the same purpose.
use super::{Store, StoreResult, corrupt, on_pool};

/// What a link lets its holder do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkPurpose {
    /// Choose a new password (forgot password).
    ResetPassword,
    /// Confirm the account's address.
    VerifyEmail,
    /// Finish an open sign-up: the account is made when the address is confirmed.
    SignUp,
    /// Set the first password of an account an administrator invited.
    Invite,
    /// Confirm the new address of an email change.
    ChangeEmail,
    /// Put back the old address after an email change.
    UndoEmailChange,
}

impl LinkPurpose {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::ResetPassword => "reset_password",
            Self::VerifyEmail => "verify_email",
            Self::SignUp => "sign_up",
            Self::Invite => "invite",
            Self::ChangeEmail => "change_email",
            Self::UndoEmailChange => "undo_email_change",
        }
    }

    fn parse(stored: &str) -> Option<Self> {
        [
            Self::ResetPassword,
            Self::VerifyEmail,
            Self::SignUp,
            Self::Invite,
            Self::ChangeEmail,
            Self::UndoEmailChange,
        ]
        .into_iter()
        .find(|purpose| purpose.as_str() == stored)
    }
}

/// One link, as stored.
#[derive(Clone)]
pub struct EmailLinkRow {
    pub token_hash: String,
    pub purpose: LinkPurpose,
    /// None for a sign-up, whose account does not exist yet.
    pub user_id: Option<String>,
    /// The address the link was sent to, which it proves.
    pub email: String,
    /// A sign-up's chosen name and argon2 hash.
    pub name: Option<String>,
    pub password_hash: Option<String>,
    pub created_at: i64,
    pub expires_at: i64,
}

/// A sign-up's argon2 hash stays out of logs.
impl std::fmt::Debug for EmailLinkRow {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EmailLinkRow")
            .field("purpose", &self.purpose)
            .field("user_id", &self.user_id)
            .field("expires_at", &self.expires_at)
            .finish_non_exhaustive()
    }
}

#[derive(sqlx::FromRow)]
struct Row {
    token_hash: String,
    purpose: String,
    user_id: Option<String>,
    email: String,
    name: Option<String>,
    password_hash: Option<String>,
    created_at: i64,
    expires_at: i64,
}

impl TryFrom<Row> for EmailLinkRow {
    type Error = sqlx::Error;

    fn try_from(row: Row) -> Result<Self, Self::Error> {
        let purpose = LinkPurpose::parse(&row.purpose)
            .ok_or_else(|| corrupt("purpose", UnknownPurpose(row.purpose.clone())))?;
        Ok(Self {
            token_hash: row.token_hash,
            purpose,
            user_id: row.user_id,
            email: row.email,
            name: row.name,
            password_hash: row.password_hash,
            created_at: row.created_at,
            expires_at: row.expires_at,
        })
    }
}

#[derive(Debug)]
struct UnknownPurpose(String);

impl std::fmt::Display for UnknownPurpose {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "unknown email link purpose {:?}", self.0)
    }
}

impl std::error::Error for UnknownPurpose {}

/// The columns of a link, for `concat!` into static SQL.
macro_rules! link_columns {
    () => {
        "token_hash, purpose, user_id, email, name, password_hash, created_at, expires_at"
    };
}

impl Store {
    /// Stores a link, replacing every earlier link of the same purpose for the same user
    /// (or, for a sign-up, the same address), and clears out expired links.
    pub async fn insert_email_link(&self, link: &EmailLinkRow) -> StoreResult<()> {
        let purpose = link.purpose.as_str();
        on_pool!(self, |pool| {
            let mut tx = pool.begin().await?;
            sqlx::query("delete from email_links where expires_at <= $1")
                .bind(link.created_at)
                .execute(&mut *tx)
                .await?;
            match &link.user_id {
                Some(user_id) => {
                    sqlx::query("delete from email_links where user_id = $1 and purpose = $2")
                        .bind(user_id)
                        .bind(purpose)
                        .execute(&mut *tx)
                        .await?
                }
                None => sqlx::query(
                    "delete from email_links where user_id is null and email = $1 and purpose = $2",
                )
                .bind(&link.email)
                .bind(purpose)
                .execute(&mut *tx)
                .await?,
            };
            sqlx::query(
                "insert into email_links (token_hash, purpose, user_id, email, name, password_hash, created_at, expires_at)
                 values ($1, $2, $3, $4, $5, $6, $7, $8)",
            )
            .bind(&link.token_hash)
            .bind(purpose)
            .bind(&link.user_id)
            .bind(&link.email)
            .bind(&link.name)
            .bind(&link.password_hash)
            .bind(link.created_at)
            .bind(link.expires_at)
            .execute(&mut *tx)
            .await?;
            tx.commit().await
        })
    }

    /// The unexpired link with this token hash and purpose, without using it (a page shows
    /// its form first; a mail scanner's GET must not spend it).
    pub async fn find_email_link(
        &self,
        token_hash: &str,
        purpose: LinkPurpose,
        now: i64,
    ) -> StoreResult<Option<EmailLinkRow>> {
        let row: Option<Row> = on_pool!(self, |pool| {
            sqlx::query_as(concat!(
                "select ",
                link_columns!(),
                " from email_links where token_hash = $1 and purpose = $2 and expires_at > $3"
            ))
            .bind(token_hash)
            .bind(purpose.as_str())
            .bind(now)
            .fetch_optional(pool)
            .await
        })?;
        row.map(EmailLinkRow::try_from).transpose()
    }

    /// Uses the link: claimed once, even if two tabs race.
    pub async fn take_email_link(
        &self,
        token_hash: &str,
        purpose: LinkPurpose,
        now: i64,
    ) -> StoreResult<Option<EmailLinkRow>> {
        let row: Option<Row> = on_pool!(self, |pool| {
            sqlx::query_as(concat!(
                "delete from email_links where token_hash = $1 and purpose = $2 and expires_at > $3 returning ",
                link_columns!()
            ))
                .bind(token_hash)
                .bind(purpose.as_str())
                .bind(now)
                .fetch_optional(pool)
                .await
        })?;
        row.map(EmailLinkRow::try_from).transpose()
    }

    /// Drops the user's links of `purpose` (a password change ends every reset link).
    pub async fn delete_email_links(&self, user_id: &str, purpose: LinkPurpose) -> StoreResult<()> {
        on_pool!(self, |pool| {
            sqlx::query("delete from email_links where user_id = $1 and purpose = $2")
                .bind(user_id)
                .bind(purpose.as_str())
                .execute(pool)
                .await
                .map(|_| ())
        })
    }
}
