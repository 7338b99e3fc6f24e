//! A password sign-in's first round trip (issue 30): one attempt reserved on each of the
//! password's limits and the account the email names read, with whether it has a second
//! factor. On PostgreSQL that is one statement: the reservation a data-modifying `WITH`
//! part, the account read beside it. The statement commits before the password is looked
//! at, as the reservation alone did, so a guess on another instance sees it. On SQLite, with
//! no wire between the two, they stay two statements.
use super::passkeys::has_second_factor;
use super::throttle::{bind_wanted, in_key_order, reserve_wanted, wanted_rows};
use super::users::{
    SignInAccount, SignInAccountRow, joined_user_columns, normalize_email, sign_in_account_columns,
};
use super::{Db, Store, StoreResult, on_lease};
use crate::auth::throttle::Limit;

#[derive(sqlx::FromRow)]
struct ReservedWithAccount {
    reserved_keys: Vec<String>,
    #[sqlx(flatten)]
    account: SignInAccountRow,
}

impl Store {
    /// Reserves one attempt on each of `limits` that has room (as
    /// [`Store::reserve_attempts`]), returning the keys counted, and reads the account
    /// `email` names (as [`Store::find_user_for_sign_in`]), whatever the reservation made.
    pub async fn reserve_attempts_and_find_account(
        &self,
        limits: &[Limit],
        email: &str,
        now: i64,
    ) -> StoreResult<(Vec<String>, Option<SignInAccount>)> {
        let pool = match self.db() {
            Db::Postgres(pool) if !limits.is_empty() => pool,
            _ => {
                let reserved = self.reserve_attempts(limits, now).await?;
                return Ok((reserved, self.find_user_for_sign_in(email).await?));
            }
        };
        let limits = in_key_order(limits);
        let email_parameter = 2 + 3 * limits.len();
        let sql = format!(
            "with wanted (key, max, stale_before) as (values {}),
             reserved as ({})
             select array(select key from reserved) as reserved_keys, {}
             from (select 1) as one left join users u on u.email = ${email_parameter}",
            wanted_rows(limits.len()),
            reserve_wanted(),
            sign_in_account_columns!(),
        );
        let email = normalize_email(email);
        let row: ReservedWithAccount = on_lease!(self, pool, |connection: sqlx::PgConnection| {
            let query = sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str()));
            bind_wanted!(query, &limits, now)
                .bind(&email)
                .fetch_one(connection)
                .await
        })?;
        let account = row.account.into_account();
        Ok((row.reserved_keys, account))
    }
}
