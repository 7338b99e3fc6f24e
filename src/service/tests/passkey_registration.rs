//! Adding and removing passkeys through the service layer (registration under the rule for
//! changing second factors, duplicates refused) and the administrator's passkey commands, on
//! SQLite and PostgreSQL. Signing in with one is `passkeys.rs`.
use zeroize::Zeroizing;

use super::passkeys::*;
use super::soft_authenticator::SoftAuthenticator;
use super::*;
use crate::service::admin;
use crate::service::passkeys::Refusal;
use crate::service::passkeys::list as list_passkeys;
use crate::service::passkeys::registration;
use crate::service::sign_in::SignIn;
use crate::service::sign_in::password::sign_in_with_password;

#[tokio::test]
async fn adding_a_passkey_needs_a_recent_password() {
    let state = state().await;
    let user = ada(&state).await;
    let stale = START - state.config().reauth_max_age - 1;
    let session = session_row(&state, &user, stale).await;
    let mut laptop = SoftAuthenticator::new(ISSUER);
    for (password, expected) in [
        ("", Err(Refusal::PasswordRequired)),
        ("not it", Err(Refusal::WrongPassword)),
    ] {
        let ceremony = ceremony_or_refused(
            registration::begin(&state, &viewing(&user), START)
                .await
                .unwrap(),
        )
        .unwrap();
        let answer = laptop.register(&ceremony.options);
        let who = who(&session, &user, password);
        let outcome = registration::finish(&state, who, &ceremony.id, &answer, "x", START);
        let outcome = added_or_refused(outcome.await.unwrap());
        assert_eq!(outcome.map(|_| ()), expected);
    }
    let ceremony = ceremony_or_refused(
        registration::begin(&state, &viewing(&user), START)
            .await
            .unwrap(),
    )
    .unwrap();
    let answer = laptop.register(&ceremony.options);
    let who = who(&session, &user, USER_PASSWORD);
    let added = registration::finish(&state, who, &ceremony.id, &answer, "x", START);
    assert!(added_or_refused(added.await.unwrap()).is_ok());
    assert_eq!(list_passkeys(&state, &user.id).await.unwrap().len(), 1);
}

#[tokio::test]
async fn the_same_credential_cannot_be_registered_twice() {
    let state = state().await;
    let ada = ada(&state).await;
    let bob = add_user(&state, "bob@example.com").await;
    let mut laptop = SoftAuthenticator::new(ISSUER);
    register(&state, &ada, &mut laptop, START)
        .await
        .unwrap()
        .unwrap();
    // An authenticator that answers Bob's registration with Ada's credential ID.
    let mut forger = SoftAuthenticator::new(ISSUER);
    forger.next_id = Some(laptop.credentials[0].id.clone());
    let outcome = register(&state, &bob, &mut forger, START).await.unwrap();
    assert_eq!(outcome.err(), Some(Refusal::Duplicate));
    assert!(list_passkeys(&state, &bob.id).await.unwrap().is_empty());
    // Ada's passkey is still Ada's.
    let session = sign_in_with(&state, &mut laptop, START + 1).await.unwrap();
    assert!(session.is_ok());
}

#[tokio::test]
async fn administrators_list_remove_and_reset_passkeys() {
    for backend in backends() {
        let state = state_on(backend, |_| {}).await;
        let user = ada(&state).await;
        let mut laptop = SoftAuthenticator::new(ISSUER);
        let mut phone = SoftAuthenticator::new(ISSUER);
        register(&state, &user, &mut laptop, START)
            .await
            .unwrap()
            .unwrap();
        register(&state, &user, &mut phone, START)
            .await
            .unwrap()
            .unwrap();
        let ada = admin::UserKey::Email(USER_EMAIL);
        let listed = admin::devices::list_passkeys(&state, ada).await.unwrap();
        assert_eq!(listed.len(), 2);
        admin::devices::remove_passkey(&state, ada, &listed[0].id)
            .await
            .unwrap();
        let unknown = admin::devices::remove_passkey(&state, ada, &listed[0].id).await;
        assert!(unknown.is_err(), "removing it twice says so");
        let removed = admin::access::reset_second_factors(&state, ada)
            .await
            .unwrap();
        assert_eq!(removed.passkeys, 1);
        assert!(list_passkeys(&state, &user.id).await.unwrap().is_empty());
        // Gone means gone: no sign-in with it, and no second step asked after the password.
        let refused = sign_in_with(&state, &mut phone, START + 1).await.unwrap();
        assert_eq!(refused.err(), Some(Refusal::Rejected));
        let password = Zeroizing::new(USER_PASSWORD.into());
        let outcome = sign_in_with_password(&state, USER_EMAIL, password, ip(), None, START + 2);
        assert!(matches!(outcome.await.unwrap(), SignIn::SignedIn(_)));
    }
}
