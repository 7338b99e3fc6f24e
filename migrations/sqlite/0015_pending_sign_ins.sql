-- One name for one thing: a sign-in that passed its first factor and waits for the second
-- step is a "pending sign-in" in the code, the store and now the table (it was
-- mfa_pending_logins). The rows and their meaning stay as they are. SQLite cannot rename an
-- index, so the two indexes are made again under the new name: expires_at serves the purge
-- and the clean-up at each insert, user_id the deletes when two-step verification is turned
-- off or every session of a user ends.
alter table mfa_pending_logins rename to pending_sign_ins;
drop index mfa_pending_logins_expires_at;
create index pending_sign_ins_expires_at on pending_sign_ins (expires_at);
drop index mfa_pending_logins_user;
create index pending_sign_ins_user on pending_sign_ins (user_id);
