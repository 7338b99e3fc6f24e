-- One name for one thing: a sign-in that passed its first factor and waits for the second
-- step is a "pending sign-in" in the code, the store and now the table (it was
-- mfa_pending_logins). The rows and their meaning stay as they are; the primary key and the
-- two indexes (expires_at for the purge and the clean-up at each insert, user_id for the
-- deletes when two-step verification is turned off or every session of a user ends) follow
-- the table under names that say so.
alter table mfa_pending_logins rename to pending_sign_ins;
alter index mfa_pending_logins_pkey rename to pending_sign_ins_pkey;
alter index mfa_pending_logins_expires_at rename to pending_sign_ins_expires_at;
alter index mfa_pending_logins_user rename to pending_sign_ins_user;
alter table pending_sign_ins rename constraint mfa_pending_logins_user_id_fkey to pending_sign_ins_user_id_fkey;
