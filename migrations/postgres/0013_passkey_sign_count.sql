-- The signature counter of each passkey in a column of its own (PostgreSQL), so a sign-in
-- stores the counter it saw with a compare: `set sign_count = $new where sign_count < $new`.
-- Two sign-ins racing with the same authenticator (or a clone) can then never roll the
-- stored counter back, and the one that loses is judged against the counter stored now.
alter table passkey_credentials add column sign_count bigint not null default 0;

-- From the crate's serialised credential, which has held the counter so far; the backup
-- eligibility too, as a sign-in may have changed it there without the column following.
update passkey_credentials set
    sign_count = coalesce((passkey::jsonb #>> '{cred,counter}')::bigint, 0),
    backup_eligible = coalesce((passkey::jsonb #>> '{cred,backup_eligible}')::boolean, backup_eligible);
