//! The signed-in user as a page holds it (`SignedIn`), made from a session and user the test
//! already has.
use crate::service::signed_in::SignedIn;
use crate::store::sessions::SessionRow;
use crate::store::users::UserRow;

/// `user` signed in with `session`.
pub fn as_signed_in(session: &SessionRow, user: &UserRow) -> SignedIn {
    SignedIn {
        session: session.clone(),
        user: user.clone(),
    }
}

/// The same, lent for the whole test: a `ChangeRequest` built by a helper borrows it.
pub fn lent(session: &SessionRow, user: &UserRow) -> &'static SignedIn {
    Box::leak(Box::new(as_signed_in(session, user)))
}

/// `user` on a page that reads only the user (the enrolment page, the passkey ceremony),
/// with a session signed in just now by password.
pub fn viewing(user: &UserRow) -> SignedIn {
    let session = SessionRow {
        id_hash: String::from("viewing"),
        user_id: user.id.clone(),
        auth_time: super::START,
        amr: crate::oauth::amr::Amr::password(),
        created_at: super::START,
        last_seen_at: super::START,
        idle_expires_at: super::START + 3600,
        expires_at: super::START + 3600,
        user_agent: None,
        address: None,
    };
    as_signed_in(&session, user)
}

/// A session for `user` who entered the password at `auth_time`.
pub fn password_session(
    user: &UserRow,
    auth_time: i64,
) -> crate::service::sessions::SessionFor<'_> {
    crate::service::sessions::SessionFor {
        user_id: &user.id,
        amr: crate::oauth::amr::Amr::password(),
        auth_time,
    }
}
