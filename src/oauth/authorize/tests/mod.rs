//! Validation of authorization requests, named after what they stop; the decisions in `decisions`.
mod decisions;

use super::*;
use crate::oauth::client::AuthMethod;
use crate::oauth::error::ErrorCode;

const CHALLENGE: &str = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";

fn client() -> Client {
    Client {
        redirect_uris: vec!["https://app.example/cb".into()],
        allowed_scopes: vec!["openid".into(), "email".into()],
        ..Client::new("app", AuthMethod::ClientSecretBasic)
    }
}

fn public_client() -> Client {
    Client {
        auth_method: AuthMethod::None,
        ..client()
    }
}

fn query(extra: &str) -> String {
    format!(
        "client_id=app&redirect_uri=https%3A%2F%2Fapp.example%2Fcb&response_type=code&scope=openid+email+profile&state=s1&code_challenge={CHALLENGE}&code_challenge_method=S256{extra}"
    )
}

fn run(query: &str) -> Result<AuthorizationRequest, String> {
    let client = client();
    let params = Params::parse(query.as_bytes());
    match validate(&params, Channel::FrontChannel, |id| {
        (id == "app").then_some(&client)
    }) {
        Validation::Valid(request, _) => Ok(*request),
        Validation::ErrorPage(e) => Err(format!("page:{e:?}")),
        Validation::ErrorRedirect(target, e) => {
            assert_eq!(target.state.as_deref(), Some("s1"));
            Err(format!("redirect:{}", e.code.as_str()))
        }
    }
}

#[test]
fn valid_request_keeps_only_allowed_scopes() {
    let request = run(&query("&nonce=n")).unwrap();
    assert_eq!(request.scope.to_string(), "openid email");
    assert_eq!(request.nonce.as_deref(), Some("n"));
}

#[test]
fn unknown_client_and_unregistered_redirect_go_to_an_error_page() {
    assert!(
        run(&query("").replace("client_id=app", "client_id=evil"))
            .unwrap_err()
            .starts_with("page:")
    );
    let prefix = query("").replace("%2Fcb", "%2Fcb%2Fextra");
    assert!(run(&prefix).unwrap_err().starts_with("page:"));
    let dup = format!("{}&redirect_uri=https%3A%2F%2Fevil.example%2Fcb", query(""));
    assert!(run(&dup).unwrap_err().starts_with("page:"));
}

#[test]
fn repeated_redirect_uri_behind_another_repeated_parameter_still_gets_no_redirect() {
    // Only the first repeated name used to be remembered: a repeated state hid the
    // repeated redirect_uri, and the browser went to the second (attacker's) URI.
    let attack = format!(
        "{}&state=b&redirect_uri=https%3A%2F%2Fevil.example%2Fcb",
        query("")
    );
    assert_eq!(
        run(&attack).unwrap_err(),
        "page:DuplicateParameter(\"redirect_uri\")"
    );
    let client_id = format!("{}&state=b&client_id=other", query(""));
    assert!(run(&client_id).unwrap_err().starts_with("page:"));
}

#[test]
fn a_repeated_state_is_not_echoed() {
    let client = client();
    let params = Params::parse(format!("{}&state=b", query("")).as_bytes());
    match validate(&params, Channel::FrontChannel, |_| Some(&client)) {
        Validation::ErrorRedirect(target, e) => {
            assert_eq!(e.code, ErrorCode::InvalidRequest);
            assert_eq!(target.state, None);
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn pkce_downgrade_attempts_are_refused() {
    let without = query("").replace(
        &format!("&code_challenge={CHALLENGE}&code_challenge_method=S256"),
        "",
    );
    assert_eq!(run(&without).unwrap_err(), "redirect:invalid_request");
    let plain = query("").replace("method=S256", "method=plain");
    assert_eq!(run(&plain).unwrap_err(), "redirect:invalid_request");
    let no_method = query("").replace("&code_challenge_method=S256", "");
    assert_eq!(run(&no_method).unwrap_err(), "redirect:invalid_request");
}

#[test]
fn openid_scope_and_code_response_type_are_required() {
    assert_eq!(
        run(&query("").replace("scope=openid+", "scope=")).unwrap_err(),
        "redirect:invalid_scope"
    );
    assert_eq!(
        run(&query("").replace("response_type=code", "response_type=token")).unwrap_err(),
        "redirect:unsupported_response_type"
    );
}

#[test]
fn prompt_none_combined_with_any_other_value_is_invalid() {
    for prompt in [
        "none+login",
        "none+consent",
        "none+select_account",
        "select_account+none",
    ] {
        assert_eq!(
            run(&query(&format!("&prompt={prompt}"))).unwrap_err(),
            "redirect:invalid_request",
            "{prompt}"
        );
    }
    assert!(run(&query("&prompt=select_account")).is_ok());
    assert_eq!(
        run(&query("&max_age=-1")).unwrap_err(),
        "redirect:invalid_request"
    );
}

#[test]
fn a_client_that_must_push_gets_nothing_through_the_browser_but_a_redirected_refusal() {
    let client = Client {
        require_pushed_authorization_requests: true,
        ..client()
    };
    let params = Params::parse(query("").as_bytes());
    match validate(&params, Channel::FrontChannel, |_| Some(&client)) {
        Validation::ErrorRedirect(target, e) => {
            assert_eq!(e.code, ErrorCode::InvalidRequest);
            assert!(e.description.contains("push"), "{}", e.description);
            assert_eq!(target.redirect_uri, "https://app.example/cb");
        }
        other => panic!("{other:?}"),
    }
    assert!(matches!(
        validate(&params, Channel::Pushed, |_| Some(&client)),
        Validation::Valid(..)
    ));
}

#[test]
fn a_pushed_request_may_not_name_a_request_uri_and_the_browser_may_not_name_another() {
    let client = client();
    let inside = Params::parse(query("&request_uri=urn%3Aexample").as_bytes());
    match validate(&inside, Channel::Pushed, |_| Some(&client)) {
        Validation::ErrorRedirect(_, e) => assert_eq!(e.code, ErrorCode::InvalidRequest),
        other => panic!("{other:?}"),
    }
    match validate(&inside, Channel::FrontChannel, |_| Some(&client)) {
        Validation::ErrorRedirect(_, e) => assert_eq!(e.code, ErrorCode::RequestUriNotSupported),
        other => panic!("{other:?}"),
    }
}

#[test]
fn state_and_nonce_are_kept_up_to_2048_characters() {
    // FAPI 2.0 §5.3.2.2: nonces of 64 characters, and (its Note 4) states past 1000.
    let long_state = "s".repeat(2048);
    let nonce = "n".repeat(64);
    let q = query(&format!("&nonce={nonce}")).replace("state=s1", &format!("state={long_state}"));
    let request = run(&q).unwrap();
    assert_eq!(request.state.as_deref(), Some(long_state.as_str()));
    assert_eq!(request.nonce.as_deref(), Some(nonce.as_str()));
    let client = client();
    let too_long = query("").replace("state=s1", &format!("state={long_state}s"));
    let params = Params::parse(too_long.as_bytes());
    match validate(&params, Channel::FrontChannel, |_| Some(&client)) {
        Validation::ErrorRedirect(target, e) => {
            assert_eq!(e.code, ErrorCode::InvalidRequest);
            assert_eq!(target.state, None, "an oversized state is not echoed");
        }
        other => panic!("{other:?}"),
    }
}
