//! What `decide` makes of a session, the request's prompt and max_age, consent and the
//! client's origin: the authorization endpoint's decisions.
use super::*;
use crate::oauth::acr;
use crate::oauth::amr::Amr;
use crate::oauth::consent::Approval;

fn password_session(auth_time: i64) -> SessionView {
    SessionView {
        user_id: "u1".into(),
        auth_time,
        amr: Amr::password(),
        has_second_factor: false,
    }
}

fn input<'a>(
    request: &'a AuthorizationRequest,
    client: &'a Client,
    session: Option<&'a SessionView>,
    consented: Option<&'a Approval>,
) -> DecisionInput<'a> {
    DecisionInput {
        request,
        client,
        session,
        consented,
        hinted_subject: None,
        fresh_login: false,
        now: 1000,
    }
}

#[test]
fn decisions_follow_session_prompt_max_age_and_consent() {
    let client = client();
    let request = run(&query("")).unwrap();
    let session = password_session(1000);
    let consent = Approval::of_scope(Scopes::parse("openid email").unwrap());
    assert_eq!(
        decide(input(&request, &client, None, None)),
        Decision::Login
    );
    assert_eq!(
        decide(input(&request, &client, Some(&session), None)),
        Decision::Consent
    );
    let remembered = input(&request, &client, Some(&session), Some(&consent));
    assert_eq!(decide(remembered), Decision::Issue);

    let login = run(&query("&prompt=login")).unwrap();
    let again = input(&login, &client, Some(&session), Some(&consent));
    assert_eq!(decide(again), Decision::Login);
    assert_eq!(
        decide(DecisionInput {
            fresh_login: true,
            ..again
        }),
        Decision::Issue
    );

    let max_age = run(&query("&max_age=60")).unwrap();
    let aged = input(&max_age, &client, Some(&session), Some(&consent));
    assert_eq!(decide(DecisionInput { now: 1060, ..aged }), Decision::Issue);
    assert_eq!(decide(DecisionInput { now: 1061, ..aged }), Decision::Login);

    let none = run(&query("&prompt=none")).unwrap();
    assert!(matches!(
        decide(input(&none, &client, None, None)),
        Decision::ErrorRedirect(e) if e.code == ErrorCode::LoginRequired
    ));
    assert!(matches!(
        decide(input(&none, &client, Some(&session), None)),
        Decision::ErrorRedirect(e) if e.code == ErrorCode::ConsentRequired
    ));

    let consent_prompt = run(&query("&prompt=consent")).unwrap();
    let asked = input(&consent_prompt, &client, Some(&session), Some(&consent));
    assert_eq!(decide(asked), Decision::Consent);
}

#[test]
fn a_public_client_is_never_re_approved_silently() {
    // An attacker's authorization URL for a public client, with the attacker's own PKCE
    // challenge, must not come back with a code without the user seeing the consent page.
    let public = public_client();
    let request = run(&query("")).unwrap();
    let session = password_session(1000);
    let consent = Approval::of_scope(Scopes::parse("openid email").unwrap());
    let remembered = input(&request, &public, Some(&session), Some(&consent));
    assert_eq!(decide(remembered), Decision::Consent);
    let none = run(&query("&prompt=none")).unwrap();
    assert!(matches!(
        decide(input(&none, &public, Some(&session), Some(&consent))),
        Decision::ErrorRedirect(e) if e.code == ErrorCode::ConsentRequired
    ));
    let first_party = Client {
        skip_consent: true,
        ..public_client()
    };
    assert_eq!(
        decide(input(&request, &first_party, Some(&session), None)),
        Decision::Issue
    );
}

#[test]
fn a_client_from_outside_the_configuration_is_always_shown_the_consent_page() {
    // A confidential (private_key_jwt) client described by a metadata document or a
    // registration: its remembered approval never skips the page where its host is shown.
    let request = run(&query("")).unwrap();
    let session = password_session(1000);
    let consent = Approval::of_scope(Scopes::parse("openid email").unwrap());
    for origin in [
        crate::oauth::client::ClientOrigin::MetadataDocument,
        crate::oauth::client::ClientOrigin::Registered,
    ] {
        let visiting = Client { origin, ..client() };
        let remembered = input(&request, &visiting, Some(&session), Some(&consent));
        assert_eq!(decide(remembered), Decision::Consent, "{origin:?}");
    }
}

#[test]
fn an_id_token_hint_for_another_user_is_not_answered_with_this_session() {
    let client = client();
    let consent = Approval::of_scope(Scopes::parse("openid email").unwrap());
    let session = password_session(1000);
    let request = run(&query("")).unwrap();
    let hinted = |sub| DecisionInput {
        hinted_subject: Some(sub),
        ..input(&request, &client, Some(&session), Some(&consent))
    };
    assert_eq!(decide(hinted("u1")), Decision::Issue);
    assert_eq!(decide(hinted("someone-else")), Decision::Login);
    let none = run(&query("&prompt=none")).unwrap();
    let silent = DecisionInput {
        hinted_subject: Some("someone-else"),
        ..input(&none, &client, Some(&session), Some(&consent))
    };
    assert!(matches!(
        decide(silent),
        Decision::ErrorRedirect(e) if e.code == ErrorCode::LoginRequired
    ));
}

#[test]
fn acr_values_are_parsed_and_unknown_values_kept_harmless() {
    let request = run(&query(
        "&acr_values=urn%3Atessera%3Apwd+urn%3Atessera%3Amfa",
    ))
    .unwrap();
    assert_eq!(
        request.acr_values,
        vec!["urn:tessera:pwd", "urn:tessera:mfa"]
    );
    assert!(run(&query("")).unwrap().acr_values.is_empty());
}

#[test]
fn enrolled_user_with_a_password_only_session_is_stepped_up_not_trusted() {
    let client = client();
    let request = run(&query("")).unwrap();
    let consent = Approval::of_scope(Scopes::parse("openid email").unwrap());
    let mut session = password_session(1000);
    session.has_second_factor = true;
    for fresh_login in [false, true] {
        let step = DecisionInput {
            fresh_login,
            ..input(&request, &client, Some(&session), Some(&consent))
        };
        assert_eq!(decide(step), Decision::Mfa);
    }
    session.amr = Amr::parse("pwd otp").unwrap();
    let done = input(&request, &client, Some(&session), Some(&consent));
    assert_eq!(decide(done), Decision::Issue);
    // The second factor comes before consent.
    session.amr = Amr::password();
    assert_eq!(
        decide(input(&request, &client, Some(&session), None)),
        Decision::Mfa
    );
    // No session at all is still a login, not a TOTP step.
    assert_eq!(
        decide(input(&request, &client, None, None)),
        Decision::Login
    );
}

#[test]
fn acr_values_naming_the_mfa_class_demand_the_second_factor() {
    let client = client();
    let request = run(&format!("{}&acr_values={}", query(""), acr::MFA)).unwrap();
    let session = password_session(1000);
    assert_eq!(
        decide(input(&request, &client, Some(&session), None)),
        Decision::Enrol
    );
    let other = run(&query("&acr_values=urn%3Aother%3Amfa")).unwrap();
    assert_eq!(
        decide(input(&other, &client, Some(&session), None)),
        Decision::Consent
    );
}

#[test]
fn prompt_none_cannot_show_the_totp_step_or_enrolment() {
    let client = Client {
        require_mfa: true,
        ..client()
    };
    let request = run(&query("&prompt=none")).unwrap();
    for has_second_factor in [true, false] {
        let session = SessionView {
            has_second_factor,
            ..password_session(1000)
        };
        assert!(matches!(
            decide(input(&request, &client, Some(&session), None)),
            Decision::ErrorRedirect(e) if e.code == ErrorCode::InteractionRequired
        ));
    }
}
