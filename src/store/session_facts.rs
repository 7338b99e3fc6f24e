//! What an authorization request needs to know of the browser's session, read in one
//! statement (issue 30): the live session, its user (not disabled), whether the user has a
//! second factor, and what the user approved for the client. It was four round trips.
use super::StoreResult;
use super::consents::{ConsentRow, approval};
use super::held::{Held, on_held};
use super::sessions::{SessionRow, SessionUserRow, session_user_columns};
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
}

#[derive(sqlx::FromRow)]
struct FactsRow {
    #[sqlx(flatten)]
    session: SessionUserRow,
    has_second_factor: bool,
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
                ", (exists (select 1 from totp_credentials t where t.user_id = s.user_id and t.enabled)
                    or exists (select 1 from passkey_credentials p where p.user_id = s.user_id)) as has_second_factor,
                  c.scope as consent_scope, a.resource as api_resource, a.scope as api_scope
                 from sessions s join users u on u.id = s.user_id
                 left join consents c on c.user_id = s.user_id and c.client_id = $3
                 left join consent_apis a on a.user_id = c.user_id and a.client_id = c.client_id
                 where s.id_hash = $1 and s.expires_at > $2 and s.idle_expires_at > $2 and not u.disabled
                 order by a.resource",
            ))
            .bind(id_hash)
            .bind(now)
            .bind(client_id)
            .fetch_all(&mut *connection)
            .await
        })?;
        let mut rows = rows.into_iter();
        let Some(first) = rows.next() else {
            return Ok(None);
        };
        let has_second_factor = first.has_second_factor;
        let mut consent_rows: Vec<ConsentRow> = Vec::new();
        let (session, user) = {
            let FactsRow {
                session,
                consent_scope,
                api_resource,
                api_scope,
                ..
            } = first;
            if let Some(scope) = consent_scope {
                consent_rows.push((scope, api_resource, api_scope));
            }
            session.split()?
        };
        consent_rows.extend(rows.filter_map(|row| {
            let scope = row.consent_scope?;
            Some((scope, row.api_resource, row.api_scope))
        }));
        let mut session = session;
        self.slide_idle_expiry(&mut session, now, idle_ttl).await?;
        Ok(Some(SessionFacts {
            session,
            user,
            has_second_factor,
            consent: approval(consent_rows)?,
        }))
    }
}
