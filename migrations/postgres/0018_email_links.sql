-- Links Tessera sends by email (reset a password, confirm an address, finish a sign-up or an
-- invitation, confirm or undo an email change): each is a random token whose SHA-256 is the
-- key, used once (claimed by deleting it) and short-lived. A sign-up has no user yet: its
-- row carries the name and the argon2 hash chosen, and the account is made only when the
-- address is confirmed, so an unconfirmed sign-up holds no address. Times are unix seconds.
create table email_links (
    token_hash text primary key,
    purpose text not null,
    user_id text references users (id) on delete cascade,
    -- The address the link was sent to: the one it proves (a new address for an email
    -- change; the old one for its undo).
    email text not null,
    name text,
    password_hash text,
    created_at bigint not null,
    expires_at bigint not null
);
create index email_links_user on email_links (user_id, purpose);
create index email_links_email on email_links (email, purpose);
create index email_links_expires_at on email_links (expires_at);

-- The language of the pages a user last signed in on: the language of the mail they get.
alter table users add column locale text;
