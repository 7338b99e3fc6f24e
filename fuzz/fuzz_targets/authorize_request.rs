//! Authorization-request parsing and validation, then the decision, on arbitrary query bytes.
#![no_main]
use libfuzzer_sys::fuzz_target;
use tessera::oauth::amr::Amr;
use tessera::oauth::authorize::{Channel, DecisionInput, SessionView, Validation, decide, validate};
use tessera::oauth::client::{AuthMethod, Client, redirect_uri_matches};
use tessera::oauth::consent::Approval;
use tessera::oauth::params::Params;
use tessera::oauth::scope::Scopes;

fn client() -> Client {
    Client {
        redirect_uris: vec!["https://app.example/cb".into(), "http://127.0.0.1:8765/cb".into()],
        allowed_scopes: vec!["openid".into(), "email".into(), "offline_access".into()],
        ..Client::new("app", AuthMethod::None)
    }
}

fuzz_target!(|data: &[u8]| {
    let client = client();
    let params = Params::parse(data);
    let _ = params.to_query();
    if let Validation::Valid(request, found) = validate(&params, Channel::FrontChannel, |id| (id == "app").then_some(&client)) {
        assert!(found.redirect_uri_registered(&request.redirect_uri));
        assert!(request.scope.contains("openid"));
        let consent = Approval::of_scope(Scopes::parse("openid email").unwrap_or_default());
        let without = DecisionInput {
            request: &request,
            client: found,
            session: None,
            consented: None,
            hinted_subject: None,
            fresh_login: false,
            now: 2_000,
        };
        for amr in ["pwd", "pwd otp"] {
            let amr = Amr::parse(amr).unwrap_or_default();
            let session = SessionView { user_id: "u".into(), auth_time: 1_000, amr, has_second_factor: true };
            let with = DecisionInput { session: Some(&session), consented: Some(&consent), ..without };
            let _ = decide(with);
            let _ = decide(DecisionInput { hinted_subject: Some("other"), ..with });
        }
        let _ = decide(without);
    }
    if let Ok(text) = std::str::from_utf8(data) {
        // Only the exact string, or a loopback port change, may match.
        if redirect_uri_matches("https://app.example/cb", text) {
            assert_eq!(text, "https://app.example/cb");
        }
        let _ = redirect_uri_matches("http://127.0.0.1:8765/cb", text);
    }
});
