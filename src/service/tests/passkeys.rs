//! Passkeys through the service layer, with a software authenticator: registration, sign-in
//! without a password, the second step after one, and every refusal (another origin, a
//! replayed answer, a cloned authenticator, another user's credential, a reused or expired
//! ceremony), on SQLite and PostgreSQL.
use zeroize::Zeroizing;

use super::soft_authenticator::SoftAuthenticator;
use super::*;
use crate::auth::throttle::ThrottleKind;
use crate::oauth::acr;
use crate::oauth::amr::Method;
use crate::service::factors::ChangeRequest;
use crate::service::passkeys::registration::{self, Addition};
use crate::service::passkeys::{self, Ceremony, CeremonyStart, PasskeySummary, Refusal};
use crate::service::sign_in::password::sign_in_with_password;
use crate::service::sign_in::second_step::{self, SecondStep};
use crate::service::sign_in::{self, SignIn, passkey};

/// A ceremony started, or why not, for assertions.
pub(super) fn ceremony_or_refused(start: CeremonyStart) -> std::result::Result<Ceremony, Refusal> {
    match start {
        CeremonyStart::Ready(ceremony) => Ok(ceremony),
        CeremonyStart::Unavailable => Err(Refusal::Unavailable),
    }
}

/// A passkey added, or why not, for assertions.
pub(super) fn added_or_refused(addition: Addition) -> std::result::Result<PasskeySummary, Refusal> {
    match addition {
        Addition::Added(summary) => Ok(summary),
        Addition::Refused(refusal) => Err(refusal),
    }
}

/// A passkey sign-in's session, or why it was refused, for assertions.
pub(super) fn session_or_refused(outcome: SignIn) -> std::result::Result<NewSession, Refusal> {
    match outcome {
        SignIn::SignedIn(session) => Ok(session),
        SignIn::Refused(sign_in::Refusal::Passkey(refusal)) => Err(refusal),
        other => panic!("not a passkey sign-in's outcome: {other:?}"),
    }
}

pub(super) async fn session_row(state: &AppState, user: &UserRow, auth_time: i64) -> SessionRow {
    let new = session_at(state, user, auth_time).await;
    sessions::current(state, Some(&new.cookie_value), auth_time)
        .await
        .unwrap()
        .unwrap()
}

/// A session that passed the second factor at `now`, as after a sign-in with a passkey.
pub(super) async fn second_step_session(state: &AppState, user: &UserRow, now: i64) -> SessionRow {
    let amr = Amr::passkey().with(Method::MultiFactor);
    let new = sessions::start(
        state,
        sessions::SessionFor {
            user_id: &user.id,
            amr,
            auth_time: now,
        },
        None,
        now,
    );
    let new = new.await.unwrap();
    sessions::current(state, Some(&new.cookie_value), now)
        .await
        .unwrap()
        .unwrap()
}

pub(super) fn who<'a>(
    session: &'a SessionRow,
    user: &'a UserRow,
    password: &str,
) -> ChangeRequest<'a> {
    ChangeRequest {
        signed_in: lent(session, user),
        password: Zeroizing::new(password.into()),
        code: Zeroizing::new(String::new()),
        ip: ip(),
    }
}

/// Registers a passkey from `authenticator` for `user`, signed in (with a passkey) just now.
pub(super) async fn register(
    state: &AppState,
    user: &UserRow,
    authenticator: &mut SoftAuthenticator,
    now: i64,
) -> Result<std::result::Result<PasskeySummary, Refusal>> {
    let session = second_step_session(state, user, now).await;
    let ceremony =
        ceremony_or_refused(registration::begin(state, &viewing(user), now).await?).unwrap();
    let answer = authenticator.register(&ceremony.options);
    let who = who(&session, user, "");
    let added = registration::finish(state, who, &ceremony.id, &answer, "Laptop", now).await;
    added.map(added_or_refused)
}

/// Ada, with a passkey on her laptop registered at START.
pub(super) async fn with_a_passkey(backend: Backend) -> (AppState, UserRow, SoftAuthenticator) {
    let state = state_on(backend, |_| {}).await;
    let user = ada(&state).await;
    let mut laptop = SoftAuthenticator::new(ISSUER);
    register(&state, &user, &mut laptop, START)
        .await
        .unwrap()
        .expect("registered");
    (state, user, laptop)
}

/// Signs in with whatever passkey `authenticator` offers.
pub(super) async fn sign_in_with(
    state: &AppState,
    authenticator: &mut SoftAuthenticator,
    now: i64,
) -> Result<std::result::Result<NewSession, Refusal>> {
    let ceremony = ceremony_or_refused(passkey::begin(state, now).await?).unwrap();
    let answer = authenticator.assert(&ceremony.options);
    let outcome = passkey::sign_in_with_passkey(state, &ceremony.id, &answer, ip(), None, now);
    outcome.await.map(session_or_refused)
}

pub(super) async fn amr_of(state: &AppState, session: &NewSession, now: i64) -> String {
    let row = sessions::current(state, Some(&session.cookie_value), now)
        .await
        .unwrap()
        .unwrap();
    row.amr.to_string()
}

#[tokio::test]
async fn a_registered_passkey_signs_in_without_a_password_as_two_factors() {
    for backend in backends() {
        let state = state_on(backend, |_| {}).await;
        let user = ada(&state).await;
        let mut laptop = SoftAuthenticator::new(ISSUER);
        let added = register(&state, &user, &mut laptop, START).await.unwrap();
        let added = added.expect("registered");
        assert_eq!(added.name, "Laptop");
        assert!(!added.synced);
        let listed = passkeys::list(&state, &user.id).await.unwrap();
        assert_eq!(listed.len(), 1);

        let session = sign_in_with(&state, &mut laptop, START + 10).await.unwrap();
        let session = session.expect("signed in");
        let amr = amr_of(&state, &session, START + 10).await;
        assert_eq!(amr, "swk user mfa", "{backend:?}");
        let parsed = Amr::parse(&amr).unwrap();
        assert_eq!(acr::acr_for(&parsed), acr::MFA);
        let used = passkeys::list(&state, &user.id).await.unwrap();
        assert_eq!(used[0].last_used_at, Some(START + 10));
    }
}

#[tokio::test]
async fn a_synced_passkey_says_so_in_amr() {
    let state = state().await;
    let user = ada(&state).await;
    let mut phone = SoftAuthenticator::new(ISSUER);
    phone.synced = true;
    let added = register(&state, &user, &mut phone, START).await.unwrap();
    assert!(added.unwrap().synced);
    let session = sign_in_with(&state, &mut phone, START + 5).await.unwrap();
    assert_eq!(
        amr_of(&state, &session.unwrap(), START + 5).await,
        "swk user mfa"
    );
}

#[tokio::test]
async fn an_answer_for_another_origin_is_rejected() {
    for backend in backends() {
        let state = state_on(backend, |_| {}).await;
        let user = ada(&state).await;
        let mut phished = SoftAuthenticator::new("https://id.example.com.evil.test");
        let refused = register(&state, &user, &mut phished, START).await.unwrap();
        assert_eq!(refused.err(), Some(Refusal::Rejected));

        let mut laptop = SoftAuthenticator::new(ISSUER);
        register(&state, &user, &mut laptop, START)
            .await
            .unwrap()
            .unwrap();
        laptop.origin = "https://evil.example".into();
        let refused = sign_in_with(&state, &mut laptop, START + 1).await.unwrap();
        assert_eq!(refused.err(), Some(Refusal::Rejected));
        assert!(
            passkeys::list(&state, &user.id).await.unwrap()[0]
                .last_used_at
                .is_none()
        );
    }
}

#[tokio::test]
async fn a_ceremony_answers_once_and_a_replayed_answer_is_refused() {
    for backend in backends() {
        let (state, _, mut laptop) = with_a_passkey(backend).await;
        let ceremony = ceremony_or_refused(passkey::begin(&state, START).await.unwrap()).unwrap();
        let answer = laptop.assert(&ceremony.options);
        let first = passkey::sign_in_with_passkey(&state, &ceremony.id, &answer, ip(), None, START)
            .await
            .map(session_or_refused);
        assert!(first.unwrap().is_ok());
        // The same ceremony again: taken already.
        let again = passkey::sign_in_with_passkey(&state, &ceremony.id, &answer, ip(), None, START)
            .await
            .map(session_or_refused);
        assert_eq!(again.unwrap().err(), Some(Refusal::Expired));
        // The old answer for a new ceremony: its challenge is not this one.
        let fresh = ceremony_or_refused(passkey::begin(&state, START).await.unwrap()).unwrap();
        let replay = passkey::sign_in_with_passkey(&state, &fresh.id, &answer, ip(), None, START)
            .await
            .map(session_or_refused);
        assert_eq!(replay.unwrap().err(), Some(Refusal::Rejected));
    }
}

#[tokio::test]
async fn an_expired_ceremony_is_refused() {
    let (state, _, mut laptop) = with_a_passkey(Backend::Sqlite).await;
    let ceremony = ceremony_or_refused(passkey::begin(&state, START).await.unwrap()).unwrap();
    let answer = laptop.assert(&ceremony.options);
    let late = START + crate::auth::passkey::CEREMONY_SECONDS;
    let refused = passkey::sign_in_with_passkey(&state, &ceremony.id, &answer, ip(), None, late)
        .await
        .map(session_or_refused);
    assert_eq!(refused.unwrap().err(), Some(Refusal::Expired));
}

#[tokio::test]
async fn a_cloned_authenticator_whose_counter_goes_back_is_refused() {
    for backend in backends() {
        let state = state_on(backend, |_| {}).await;
        let user = ada(&state).await;
        let mut original = SoftAuthenticator::new(ISSUER);
        register(&state, &user, &mut original, START)
            .await
            .unwrap()
            .unwrap();
        let mut clone = original.clone();
        sign_in_with(&state, &mut original, START + 1)
            .await
            .unwrap()
            .unwrap();
        // The clone signs with the counter the original already used.
        let refused = sign_in_with(&state, &mut clone, START + 2).await.unwrap();
        assert_eq!(refused.err(), Some(Refusal::Rejected), "{backend:?}");
    }
}

#[tokio::test]
async fn another_users_credential_does_not_sign_in_as_this_user() {
    for backend in backends() {
        let state = state_on(backend, |_| {}).await;
        let ada = ada(&state).await;
        let bob = add_user(&state, "bob@example.com").await;
        let mut adas = SoftAuthenticator::new(ISSUER);
        let mut bobs = SoftAuthenticator::new(ISSUER);
        register(&state, &ada, &mut adas, START)
            .await
            .unwrap()
            .unwrap();
        register(&state, &bob, &mut bobs, START)
            .await
            .unwrap()
            .unwrap();
        // Bob's credential claiming Ada's user handle.
        bobs.credentials[0].user_handle = adas.credentials[0].user_handle.clone();
        let refused = sign_in_with(&state, &mut bobs, START + 1).await.unwrap();
        assert_eq!(refused.err(), Some(Refusal::Rejected));

        // Bob's credential at Ada's second step.
        let cookie = password_step(&state, START + 2).await;
        let pending = crate::service::sign_in::pending::find(&state, Some(&cookie), START + 2);
        let pending = pending.await.unwrap().unwrap();
        let ceremony = passkey::begin_second_step(&state, &pending, START + 2);
        let ceremony = ceremony.await.unwrap().unwrap();
        let mut bobs = SoftAuthenticator::new(ISSUER);
        register(&state, &bob, &mut bobs, START)
            .await
            .unwrap()
            .unwrap();
        let answer = bobs.assert(&allow_any(&ceremony.options));
        let outcome = second_step::complete_with_passkey(
            &state,
            Some(&cookie),
            None,
            &ceremony.id,
            &answer,
            START + 2,
        )
        .await
        .unwrap();
        assert!(matches!(outcome, SecondStep::Wrong), "{outcome:?}");
    }
}

/// The options with their allow-list removed, so a test authenticator answers with any of
/// its credentials (as an attacker's would).
pub(super) fn allow_any(options: &str) -> String {
    let mut options: serde_json::Value = serde_json::from_str(options).unwrap();
    options["publicKey"]["allowCredentials"] = serde_json::json!([]);
    options.to_string()
}

/// The password step for a user with a passkey: the pending sign-in's cookie value.
pub(super) async fn password_step(state: &AppState, now: i64) -> String {
    let password = Zeroizing::new(USER_PASSWORD.into());
    match sign_in_with_password(state, USER_EMAIL, password, ip(), None, now).await {
        Ok(SignIn::SecondStepNext(pending)) => pending.cookie_value,
        other => panic!("expected the second step: {other:?}"),
    }
}

#[tokio::test]
async fn a_passkey_is_the_second_step_after_the_password() {
    for backend in backends() {
        let (state, _, mut laptop) = with_a_passkey(backend).await;
        let cookie = password_step(&state, START + 5).await;
        let pending = crate::service::sign_in::pending::find(&state, Some(&cookie), START + 5);
        let pending = pending.await.unwrap().unwrap();
        let ceremony = passkey::begin_second_step(&state, &pending, START + 5);
        let ceremony = ceremony.await.unwrap().expect("the user has a passkey");
        let answer = laptop.assert(&ceremony.options);
        let outcome = second_step::complete_with_passkey(
            &state,
            Some(&cookie),
            None,
            &ceremony.id,
            &answer,
            START + 6,
        )
        .await
        .unwrap();
        let SecondStep::SignedIn(session) = outcome else {
            panic!("expected a session: {outcome:?}");
        };
        assert_eq!(amr_of(&state, &session, START + 6).await, "pwd swk user");
    }
}

#[tokio::test]
async fn failed_passkey_sign_ins_count_on_the_address_limit_only() {
    let (state, _, mut laptop) = with_a_passkey(Backend::Sqlite).await;
    laptop.origin = "https://evil.example".into();
    for _ in 0..2 {
        let refused = sign_in_with(&state, &mut laptop, START + 1).await.unwrap();
        assert_eq!(refused.err(), Some(Refusal::Rejected));
    }
    let limits = crate::service::throttle::password_limits(state.config(), USER_EMAIL, ip());
    for limit in &limits {
        let counter = state.store().throttle_counter(&limit.key).await.unwrap();
        let expected = match limit.kind {
            ThrottleKind::LoginAddress => 2,
            _ => 0,
        };
        let failures = counter.map_or(0, |c| c.failures);
        assert_eq!(failures, expected, "{:?}", limit.kind);
    }
}

#[tokio::test]
async fn an_ip_address_issuer_cannot_host_passkeys() {
    let state = state_with(|config| config.issuer = "http://127.0.0.1:8080".into()).await;
    let user = ada(&state).await;
    let refused = registration::begin(&state, &viewing(&user), START)
        .await
        .unwrap();
    assert_eq!(
        ceremony_or_refused(refused).err(),
        Some(Refusal::Unavailable)
    );
    let refused = passkey::begin(&state, START).await.unwrap();
    assert_eq!(
        ceremony_or_refused(refused).err(),
        Some(Refusal::Unavailable)
    );
}
