-- Tessera schema v1 (PostgreSQL). Times are unix seconds; bearer secrets are stored as SHA-256 hashes.
create table users (
    id text primary key,
    email text not null unique,
    name text,
    password_hash text not null,
    email_verified boolean not null default false,
    disabled boolean not null default false,
    created_at bigint not null
);

create table sessions (
    id_hash text primary key,
    user_id text not null references users (id) on delete cascade,
    auth_time bigint not null,
    amr text not null,
    created_at bigint not null,
    last_seen_at bigint not null,
    idle_expires_at bigint not null,
    expires_at bigint not null
);
create index sessions_user_id on sessions (user_id);

create table consents (
    user_id text not null references users (id) on delete cascade,
    client_id text not null,
    scope text not null,
    updated_at bigint not null,
    primary key (user_id, client_id)
);

create table authorization_codes (
    code_hash text primary key,
    client_id text not null,
    user_id text not null references users (id) on delete cascade,
    session_id_hash text not null,
    redirect_uri text not null,
    scope text not null,
    nonce text,
    code_challenge text not null,
    auth_time bigint not null,
    amr text not null,
    created_at bigint not null,
    expires_at bigint not null,
    consumed_at bigint,
    access_token_jti text
);
create index authorization_codes_expires_at on authorization_codes (expires_at);
