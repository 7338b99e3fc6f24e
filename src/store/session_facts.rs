//! What an authorization request needs to know of the browser's session, read in one
//! statement (issue 30): the live session, its user (not disabled), whether the user has a
//! second factor, and what the user approved for the client. It was four round trips.
use super::StoreResult;
use super::consents::{ConsentRow, approval};
use super::held::{Held, on_held};
use super::passkeys::has_second_factor;
use super::sessions::{
    SessionRow, SessionUserRow, live_session_of_active_user, session_user_columns,
};
use super::users::UserRow;
use crate::oauth::consent::Approval;

/// The browser's live session as an authorization request sees it.
#[derive(Debug)]
pub struct SessionFacts {
    pub session: SessionRow,
    pub user: UserRow,
    /// TOTP turned on or a passkey registered: the store's one notion of a second factor.
    pub has_second_factor: bool,
    /// What the user approved for the client, if anything.
    pub consent: Option<Approval>,
    /// The language the user's mail is written in, if known.
    pub user_locale: Option<String>,
}

#[derive(sqlx::FromRow)]
struct FactsRow {
    #[sqlx(flatten)]
    session: SessionUserRow,
    has_second_factor: bool,
    user_locale: Option<String>,
    consent_scope: Option<String>,
    api_resource: Option<String>,
    api_scope: Option<String>,
}

impl Held<'_> {
    /// The live session with this id hash as `client_id`'s authorization request sees it,
    /// its idle expiry slid forward. One result row per API the user approved for the client
    /// (one row when none). Expired sessions and sessions of disabled users are not returned.
    pub async fn find_session_facts(
        &mut self,
        id_hash: &str,
        client_id: &str,
        now: i64,
        idle_ttl: i64,
    ) -> StoreResult<Option<SessionFacts>> {
        let rows: Vec<FactsRow> = on_held!(self, |connection| {
            sqlx::query_as(concat!(
                "select ",
                session_user_columns!(),
                ", ",
                has_second_factor!("s.user_id"),
                " as has_second_factor, u.locale as user_locale,
                  c.scope as consent_scope, a.resource as api_resource, a.scope as api_scope
                 from sessions s join users u on u.id = s.user_id
                 left join consents c on c.user_id = s.user_id and c.client_id = $3
                 left join consent_apis a on a.user_id = c.user_id and a.client_id = c.client_id
                 where ",
                live_session_of_active_user!(),
                " order by a.resource",
            ))
            .bind(id_hash)
            .bind(now)
            .bind(client_id)
            .fetch_all(&mut *connection)
            .await
        })?;
        let (has_second_factor, user_locale) = match rows.first() {
            Some(first) => (first.has_second_factor, first.user_locale.clone()),
            None => return Ok(None),
        };
        // Every row repeats the session; its consent columns are one API each (none without
        // a consent row).
        let mut session = None;
        let mut consent_rows: Vec<ConsentRow> = Vec::new();
        for row in rows {
            if let Some(scope) = row.consent_scope {
                consent_rows.push((scope, row.api_resource, row.api_scope));
            }
            session.get_or_insert(row.session);
        }
        let Some(session) = session else {
            return Ok(None);
        };
        let (session, user) = session.split()?;
        let mut session = session;
        self.slide_idle_expiry(&mut session, now, idle_ttl).await?;
        Ok(Some(SessionFacts {
            session,
            user,
            has_second_factor,
            consent: approval(consent_rows)?,
            user_locale,
        }))
    }
}
