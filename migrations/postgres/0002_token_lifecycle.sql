-- Refresh tokens (rotated; a family shares one absolute expiry), revoked access tokens by jti,
-- and the tokens a code produced, so a replayed code can revoke them.
create table refresh_tokens (
    token_hash text primary key,
    family_id text not null,
    client_id text not null,
    user_id text not null references users (id) on delete cascade,
    session_id_hash text not null,
    scope text not null,
    auth_time bigint not null,
    amr text not null,
    access_token_jti text not null,
    access_token_expires_at bigint not null,
    created_at bigint not null,
    idle_expires_at bigint not null,
    expires_at bigint not null,
    replaced_at bigint,
    revoked_at bigint
);
create index refresh_tokens_family_id on refresh_tokens (family_id);
create index refresh_tokens_user_client on refresh_tokens (user_id, client_id);
create index refresh_tokens_session on refresh_tokens (session_id_hash);
create index refresh_tokens_expires_at on refresh_tokens (expires_at);

create table revoked_access_tokens (
    jti text primary key,
    expires_at bigint not null
);
create index revoked_access_tokens_expires_at on revoked_access_tokens (expires_at);

alter table authorization_codes add column access_token_expires_at bigint;
alter table authorization_codes add column refresh_family_id text;
