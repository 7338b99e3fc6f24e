//! What an administrator reads and changes that the other files' statements do not cover:
//! users a page at a time (a substring search, in the stable order of their creation),
//! sessions with the browser and address they started from, a profile change, and every
//! refresh family of one client.
use super::users::{UserRow, user_columns};
use super::{Store, StoreResult, on_pool};

/// One page of users: those matching `search` (a substring of the email or name, any case),
/// created after `after` (the last of the page before), oldest first.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UserSearch {
    pub search: Option<String>,
    /// `(created_at, id)` of the last user of the page before.
    pub after: Option<(i64, String)>,
    pub limit: i64,
}

/// The `like` pattern matching `text` anywhere, its own `%`, `_` and `\` taken literally.
fn contains_pattern(text: &str) -> String {
    let mut pattern = String::with_capacity(text.len() + 2);
    pattern.push('%');
    for c in text.to_lowercase().chars() {
        if matches!(c, '%' | '_' | '\\') {
            pattern.push('\\');
        }
        pattern.push(c);
    }
    pattern.push('%');
    pattern
}

/// A session as an administrator sees it (never its cookie: `id_hash` is the SHA-256 of it).
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct SessionDetail {
    pub id_hash: String,
    pub auth_time: i64,
    /// The stored `amr` list, space-separated.
    pub amr: String,
    pub created_at: i64,
    pub last_seen_at: i64,
    pub idle_expires_at: i64,
    pub expires_at: i64,
    pub user_agent: Option<String>,
    pub address: Option<String>,
}

/// A change of a user's profile: each `Some` is set (`name: Some(None)` clears it).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProfileChange {
    pub name: Option<Option<String>>,
    /// Already normalised.
    pub email: Option<String>,
    pub email_verified: Option<bool>,
}

/// How a profile change ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProfileUpdate {
    Updated,
    NoSuchUser,
    /// Another account has the new email (the unique index decided).
    EmailTaken,
}

impl Store {
    pub async fn search_users(&self, search: &UserSearch) -> StoreResult<Vec<UserRow>> {
        let pattern = search.search.as_deref().map(contains_pattern);
        let (after_at, after_id) = match &search.after {
            Some((at, id)) => (Some(*at), Some(id.as_str())),
            None => (None, None),
        };
        on_pool!(self, |pool| {
            sqlx::query_as(concat!(
                "select ",
                user_columns!(),
                " from users
                 where ($1 is null or email like $1 escape '\\' or lower(name) like $1 escape '\\')
                   and ($2 is null or created_at > $2 or (created_at = $2 and id > $3))
                 order by created_at, id
                 limit $4"
            ))
            .bind(pattern.as_deref())
            .bind(after_at)
            .bind(after_id)
            .bind(search.limit)
            .fetch_all(pool)
            .await
        })
    }

    /// A user's live sessions, newest first, with where they started.
    pub async fn user_session_details(
        &self,
        user_id: &str,
        now: i64,
    ) -> StoreResult<Vec<SessionDetail>> {
        on_pool!(self, |pool| {
            sqlx::query_as(
                "select id_hash, auth_time, amr, created_at, last_seen_at, idle_expires_at,
                        expires_at, user_agent, address
                 from sessions where user_id = $1 and expires_at > $2 and idle_expires_at > $2
                 order by created_at desc, id_hash",
            )
            .bind(user_id)
            .bind(now)
            .fetch_all(pool)
            .await
        })
    }

    /// Applies `change` in one transaction. A new email ends every link mailed to the user
    /// (a reset link sent to the old address must not outlive it).
    pub async fn update_user_profile(
        &self,
        user_id: &str,
        change: &ProfileChange,
    ) -> StoreResult<ProfileUpdate> {
        let (set_name, name) = match &change.name {
            Some(name) => (true, name.as_deref()),
            None => (false, None),
        };
        let updated = on_pool!(self, |pool| {
            let mut tx = pool.begin().await?;
            let updated = sqlx::query(
                "update users set
                     name = case when $1 then $2 else name end,
                     email = coalesce($3, email),
                     email_verified = coalesce($4, email_verified)
                 where id = $5",
            )
            .bind(set_name)
            .bind(name)
            .bind(change.email.as_deref())
            .bind(change.email_verified)
            .bind(user_id)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if change.email.is_some() {
                sqlx::query("delete from email_links where user_id = $1")
                    .bind(user_id)
                    .execute(&mut *tx)
                    .await?;
            }
            tx.commit().await?;
            Ok::<_, sqlx::Error>(updated)
        });
        match updated {
            Ok(0) => Ok(ProfileUpdate::NoSuchUser),
            Ok(_) => Ok(ProfileUpdate::Updated),
            Err(sqlx::Error::Database(e)) if e.is_unique_violation() => {
                Ok(ProfileUpdate::EmailTaken)
            }
            Err(e) => Err(e),
        }
    }

    /// Every live refresh family of one client, whoever's (a client's tokens revoked).
    pub async fn refresh_families_of_client(&self, client_id: &str) -> StoreResult<Vec<String>> {
        on_pool!(self, |pool| {
            sqlx::query_scalar(
                "select id from refresh_families where client_id = $1 and revoked_at is null",
            )
            .bind(client_id)
            .fetch_all(pool)
            .await
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_search_takes_wildcards_literally() {
        assert_eq!(contains_pattern("Ada"), "%ada%");
        assert_eq!(contains_pattern("100%_a\\b"), "%100\\%\\_a\\\\b%");
    }
}
