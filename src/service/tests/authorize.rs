//! The authorization endpoint's use case: where an invalid request may be answered, and the
//! next step for the browser's session (sign-in, second factor, consent, or a code).
use serde_json::json;

use super::*;
use crate::oauth::authorize::UntrustedRedirectError;
use crate::oauth::consent::Approval;
use crate::oauth::tokens::TokenType;
use crate::service::authorize::{
    Entry, JustSignedIn, Refusal, Step, issue_code, next_step, resolve,
};
use crate::service::sign_in::pending;

async fn step_for(
    state: &AppState,
    client_id: &str,
    extra: &[(&str, &str)],
    session: Option<&SessionRow>,
    now: i64,
) -> Step {
    let request = request(state, client_id, extra);
    let client = client(state, client_id);
    next_step(state, &request, client, session, None, now)
        .await
        .unwrap()
}

/// What `/authorize` makes of `params`: nothing wrong, or the refusal.
async fn validate(
    state: &AppState,
    params: &crate::oauth::params::Params,
) -> std::result::Result<(), Refusal> {
    resolve(state, params, Entry::Endpoint, START)
        .await
        .unwrap()
        .map(|_| ())
}

fn redirect_of(step: Step) -> HashMap<String, String> {
    match step {
        Step::Redirect(location) => query_of(&location),
        other => panic!("expected a redirect, got {other:?}"),
    }
}

async fn consent_to(state: &AppState, user: &UserRow, client_id: &str, scope: &str) {
    let scope = crate::oauth::scope::Scopes::parse(scope).unwrap();
    state
        .store()
        .save_consent(&user.id, client_id, &Approval::of_scope(scope), START)
        .await
        .unwrap();
}

fn id_token_for(state: &AppState, issuer: &str, sub: &str) -> String {
    let claims = json!({ "iss": issuer, "sub": sub, "aud": APP, "exp": START + 3600 });
    state
        .keys()
        .sign(crate::keys::SigningAlg::Rs256, TokenType::Id, &claims, 1)
        .unwrap()
}

#[tokio::test]
async fn an_unregistered_redirect_uri_is_refused_on_a_page_never_redirected() {
    let state = state().await;
    let params = authorization_params(&state, APP, &[("redirect_uri", "https://evil.example/cb")]);
    let refusal = validate(&state, &params).await.unwrap_err();
    assert!(matches!(
        refusal,
        Refusal::Page(UntrustedRedirectError::UnregisteredRedirectUri)
    ));
}

#[tokio::test]
async fn an_unknown_client_is_refused_on_a_page() {
    let state = state().await;
    let params = authorization_params(&state, APP, &[("client_id", "nobody")]);
    let refusal = validate(&state, &params).await.unwrap_err();
    assert!(matches!(
        refusal,
        Refusal::Page(UntrustedRedirectError::UnknownClient)
    ));
}

#[tokio::test]
async fn an_invalid_request_to_a_trusted_redirect_uri_is_redirected_with_state_and_iss() {
    let state = state().await;
    let params = authorization_params(&state, APP, &[("response_type", "token")]);
    let Err(Refusal::Redirect(location)) = validate(&state, &params).await else {
        panic!("expected an error redirect");
    };
    assert!(location.starts_with(APP_REDIRECT));
    let query = query_of(&location);
    assert_eq!(query["error"], "unsupported_response_type");
    assert_eq!(query["state"], "st-123");
    assert_eq!(query["iss"], ISSUER);
}

#[tokio::test]
async fn a_pkce_downgrade_to_plain_is_refused() {
    let state = state().await;
    let params = authorization_params(
        &state,
        APP,
        &[
            ("code_challenge", VERIFIER),
            ("code_challenge_method", "plain"),
        ],
    );
    let Err(Refusal::Redirect(location)) = validate(&state, &params).await else {
        panic!("expected an error redirect");
    };
    assert_eq!(query_of(&location)["error"], "invalid_request");
}

#[tokio::test]
async fn without_a_session_the_user_signs_in() {
    let state = state().await;
    let step = step_for(&state, APP, &[], None, START).await;
    assert!(matches!(step, Step::Login), "{step:?}");
}

#[tokio::test]
async fn prompt_none_without_a_session_redirects_login_required() {
    let state = state().await;
    let step = step_for(&state, APP, &[("prompt", "none")], None, START).await;
    let query = redirect_of(step);
    assert_eq!(query["error"], "login_required");
    assert_eq!(query["state"], "st-123");
    assert_eq!(query["iss"], ISSUER);
}

#[tokio::test]
async fn a_session_without_consent_is_asked_for_it() {
    let state = state().await;
    let user = ada(&state).await;
    let s = session(&state, &user).await;
    let step = step_for(&state, APP, &[], Some(&s.row), START).await;
    assert!(matches!(step, Step::Consent), "{step:?}");
}

#[tokio::test]
async fn prompt_none_without_consent_redirects_consent_required() {
    let state = state().await;
    let user = ada(&state).await;
    let s = session(&state, &user).await;
    let step = step_for(&state, APP, &[("prompt", "none")], Some(&s.row), START).await;
    assert_eq!(redirect_of(step)["error"], "consent_required");
}

#[tokio::test]
async fn a_remembered_consent_redirects_with_code_state_and_iss() {
    let state = state().await;
    let user = ada(&state).await;
    let s = session(&state, &user).await;
    consent_to(&state, &user, APP, "openid email profile").await;
    let step = step_for(&state, APP, &[], Some(&s.row), START).await;
    let Step::Redirect(location) = step else {
        panic!("expected a code: {step:?}");
    };
    assert!(location.starts_with(APP_REDIRECT));
    let query = query_of(&location);
    assert!(!query["code"].is_empty());
    assert_eq!(query["state"], "st-123");
    assert_eq!(query["iss"], ISSUER);
}

#[tokio::test]
async fn a_consent_to_fewer_scopes_is_asked_again() {
    let state = state().await;
    let user = ada(&state).await;
    let s = session(&state, &user).await;
    consent_to(&state, &user, APP, "openid email").await;
    let step = step_for(&state, APP, &[], Some(&s.row), START).await;
    assert!(matches!(step, Step::Consent), "{step:?}");
}

#[tokio::test]
async fn a_public_client_is_asked_for_consent_every_time() {
    let state = state().await;
    let user = ada(&state).await;
    let s = session(&state, &user).await;
    consent_to(&state, &user, NATIVE, "openid email").await;
    let step = step_for(
        &state,
        NATIVE,
        &[("scope", "openid email")],
        Some(&s.row),
        START,
    )
    .await;
    assert!(matches!(step, Step::Consent), "{step:?}");
}

#[tokio::test]
async fn issue_code_stores_a_code_bound_to_the_session_and_the_request() {
    let state = state().await;
    let user = ada(&state).await;
    let s = session(&state, &user).await;
    let request = request(&state, APP, &[]);
    let location = issue_code(&state, &request, &s.row, START).await.unwrap();
    let code = query_of(&location)["code"].clone();
    let stored = state
        .store()
        .find_code(&crate::auth::secret::hash(&code), START)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(stored.session_id_hash, s.row.id_hash);
    assert_eq!(stored.user_id, user.id);
    assert_eq!(stored.client_id, APP);
    assert_eq!(stored.redirect_uri, APP_REDIRECT);
    assert_eq!(stored.nonce.as_deref(), Some("n-456"));
    assert_eq!(stored.code_challenge.as_deref(), Some(CHALLENGE));
    assert_eq!(stored.auth_time, s.row.auth_time);
    assert_eq!(
        stored.expires_at,
        START + state.config().authorization_code_ttl
    );
    assert!(!stored.consumed);
}

#[tokio::test]
async fn an_enrolled_users_password_only_session_is_stepped_up() {
    let state = state().await;
    let user = ada(&state).await;
    enrol(&state, &user).await;
    let s = session(&state, &user).await;
    consent_to(&state, &user, APP, "openid email profile").await;
    let step = step_for(&state, APP, &[], Some(&s.row), START + 30).await;
    let Step::SecondFactor(pending) = step else {
        panic!("expected a step-up: {step:?}");
    };
    let pending = pending::find(&state, Some(&pending.cookie_value), START + 30)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        pending.replaces_session_hash.as_deref(),
        Some(s.row.id_hash.as_str())
    );
    assert_eq!(pending.auth_time, START);
}

#[tokio::test]
async fn a_client_requiring_mfa_sends_an_unenrolled_user_to_enrolment() {
    let state = state().await;
    let user = ada(&state).await;
    let s = session(&state, &user).await;
    let step = step_for(&state, BANK, &[], Some(&s.row), START).await;
    assert!(matches!(step, Step::Enrol), "{step:?}");
}

#[tokio::test]
async fn a_client_requiring_mfa_without_enrolment_refuses_with_access_denied() {
    let state = state().await;
    let user = ada(&state).await;
    let s = session(&state, &user).await;
    let step = step_for(&state, STRICT, &[], Some(&s.row), START).await;
    assert_eq!(redirect_of(step)["error"], "access_denied");
}

#[tokio::test]
async fn prompt_none_needing_the_second_factor_redirects_interaction_required() {
    let state = state().await;
    let user = ada(&state).await;
    enrol(&state, &user).await;
    let s = session(&state, &user).await;
    let step = step_for(&state, APP, &[("prompt", "none")], Some(&s.row), START).await;
    assert_eq!(redirect_of(step)["error"], "interaction_required");
}

#[tokio::test]
async fn prompt_login_asks_for_a_new_sign_in_unless_one_just_happened() {
    let state = state().await;
    let user = ada(&state).await;
    let s = session(&state, &user).await;
    let step = step_for(&state, APP, &[("prompt", "login")], Some(&s.row), START).await;
    assert!(matches!(step, Step::Login), "{step:?}");
    let request = request(&state, APP, &[("prompt", "login")]);
    let fresh = next_step(
        &state,
        &request,
        client(&state, APP),
        Some(&s.row),
        Some(JustSignedIn {
            locale: crate::i18n::Locale::En,
        }),
        START,
    );
    let fresh = fresh.await.unwrap();
    assert!(matches!(fresh, Step::Consent), "{fresh:?}");
}

#[tokio::test]
async fn a_sign_in_older_than_max_age_is_not_enough() {
    let state = state().await;
    let user = ada(&state).await;
    let s = session(&state, &user).await;
    let extra = [("max_age", "60")];
    let young = step_for(&state, APP, &extra, Some(&s.row), START + 60).await;
    assert!(matches!(young, Step::Consent), "{young:?}");
    let old = step_for(&state, APP, &extra, Some(&s.row), START + 61).await;
    assert!(matches!(old, Step::Login), "{old:?}");
}

#[tokio::test]
async fn an_id_token_hint_for_another_user_asks_for_login() {
    let state = state().await;
    let user = ada(&state).await;
    let other = add_user(&state, "grace@example.com").await;
    let s = session(&state, &user).await;
    consent_to(&state, &user, APP, "openid email profile").await;
    let hint = id_token_for(&state, ISSUER, &other.id);
    let step = step_for(
        &state,
        APP,
        &[("id_token_hint", &hint)],
        Some(&s.row),
        START,
    )
    .await;
    assert!(matches!(step, Step::Login), "{step:?}");
    let own = id_token_for(&state, ISSUER, &user.id);
    let step = step_for(&state, APP, &[("id_token_hint", &own)], Some(&s.row), START).await;
    assert!(matches!(step, Step::Redirect(_)), "{step:?}");
}

#[tokio::test]
async fn an_id_token_hint_we_did_not_issue_is_an_invalid_request() {
    let state = state().await;
    let user = ada(&state).await;
    let s = session(&state, &user).await;
    let foreign = id_token_for(&state, "https://elsewhere.example", &user.id);
    let access = state
        .keys()
        .sign(
            crate::keys::SigningAlg::Rs256,
            TokenType::Access,
            &json!({ "iss": ISSUER, "sub": user.id }),
            1,
        )
        .unwrap();
    for hint in [foreign.as_str(), access.as_str(), "not-a-jwt"] {
        let step = step_for(&state, APP, &[("id_token_hint", hint)], Some(&s.row), START).await;
        assert_eq!(redirect_of(step)["error"], "invalid_request");
    }
}
