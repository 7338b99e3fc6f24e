-- The audit trail: one row per security event (a sign-in, a factor added, an admin's write…),
-- appended by a batch writer and never updated; rows older than `audit_retention` are purged.
-- `id` orders the events (a cursor pages through them); `at` is unix seconds. `actor` says who
-- did it (`user`, `admin_client`, `cli`, `system`), `actor_id` which one. `detail` is a small
-- JSON object that never holds a password, token, code or secret.
create table audit_events (
    id bigint generated always as identity primary key,
    at bigint not null,
    event_type text not null,
    outcome text not null,
    user_id text,
    client_id text,
    actor text not null,
    actor_id text,
    address text,
    user_agent text,
    detail text not null
);
create index audit_events_at on audit_events (at);
create index audit_events_user on audit_events (user_id, id);
create index audit_events_type on audit_events (event_type, id);

-- What the admin API and the account page show of a session: the browser and address it
-- started from.
alter table sessions add column user_agent text;
alter table sessions add column address text;
