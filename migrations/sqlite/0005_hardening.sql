-- Security review fixes (SQLite). Times are unix seconds.

-- One throttle: second-factor attempts are counted in throttle_counters like password and
-- client-secret attempts (one fixed window per key, reserved before the check is made).
drop table mfa_failed_attempts;

-- One row per refresh-token family. Rotation and family revocation both lock it first, so on
-- PostgreSQL a revocation can never miss a token that a concurrent rotation is inserting.
create table refresh_families (
    id text primary key,
    client_id text not null,
    user_id text not null references users (id) on delete cascade,
    session_id_hash text not null,
    created_at bigint not null,
    expires_at bigint not null,
    revoked_at bigint
);
insert into refresh_families (id, client_id, user_id, session_id_hash, created_at, expires_at, revoked_at)
    select family_id, min(client_id), min(user_id), min(session_id_hash), min(created_at), max(expires_at), max(revoked_at)
    from refresh_tokens group by family_id;
create index refresh_families_user_client on refresh_families (user_id, client_id);
create index refresh_families_session on refresh_families (session_id_hash);
create index refresh_families_expires_at on refresh_families (expires_at);

-- When the user last entered the password for a half-done sign-in: the session it becomes
-- reports this as auth_time (a second factor does not renew it).
alter table mfa_pending_logins add column auth_time bigint not null default 0;
update mfa_pending_logins set auth_time = created_at;
create index mfa_pending_logins_user on mfa_pending_logins (user_id);

-- Tokens issued at or before this time are dead: set when an administrator disables the
-- user or resets the password, so access tokens without a refresh family die too.
alter table users add column tokens_valid_after bigint not null default 0;

-- Ending a session deletes the codes it had issued that were not exchanged yet.
create index authorization_codes_session on authorization_codes (session_id_hash);
