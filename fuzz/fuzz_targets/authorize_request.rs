//! Authorization-request parsing and validation, then the decision, on arbitrary query bytes.
#![no_main]
use libfuzzer_sys::fuzz_target;
use tessera::oauth::authorize::{SessionView, Validation, decide, validate};
use tessera::oauth::client::{AuthMethod, Client, redirect_uri_matches};
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
    if let Validation::Valid(request, found) = validate(&params, |id| (id == "app").then_some(&client)) {
        assert!(found.redirect_uri_registered(&request.redirect_uri));
        assert!(request.scope.contains("openid"));
        let consent = Scopes::parse("openid email").unwrap_or_default();
        for amr in [vec!["pwd".to_string()], vec!["pwd".to_string(), "otp".to_string()]] {
            let session = SessionView { auth_time: 1_000, amr, mfa_enrolled: true };
            let _ = decide(&request, found, Some(&session), Some(&consent), false, 2_000);
        }
        let _ = decide(&request, found, None, None, false, 2_000);
    }
    if let Ok(text) = std::str::from_utf8(data) {
        // Only the exact string, or a loopback port change, may match.
        if redirect_uri_matches("https://app.example/cb", text) {
            assert_eq!(text, "https://app.example/cb");
        }
        let _ = redirect_uri_matches("http://127.0.0.1:8765/cb", text);
    }
});
