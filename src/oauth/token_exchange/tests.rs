use super::*;
use crate::oauth::client::{AuthMethod, GrantType};
use crate::oauth::error::ErrorCode;
use crate::oauth::signing_alg::SigningAlg;

const ORDERS: &str = "https://orders.example";
const STOCK: &str = "https://stock.example";

fn api(id: &str, scopes: &[&str]) -> Resource {
    Resource {
        identifier: id.into(),
        name: id.into(),
        scopes: scopes.iter().map(|s| s.to_string()).collect(),
        introspection_secret_hash: None,
        access_token_ttl: None,
        access_token_alg: SigningAlg::Rs256,
    }
}

fn backend() -> Client {
    Client {
        grant_types: vec![GrantType::TokenExchange],
        allowed_scopes: vec!["orders:read".into(), "stock:read".into()],
        resources: vec![
            api(ORDERS, &["orders:read", "orders:write"]),
            api(STOCK, &["orders:read", "stock:read", "stock:write"]),
        ],
        ..Client::new("backend", AuthMethod::ClientSecretBasic)
    }
}

fn grant(body: &str) -> Result<TokenExchangeGrant, OAuthError> {
    let params = Params::parse(body.as_bytes());
    let resource = params.get("resource").map(str::to_string);
    parse(&params, resource)
}

const SUBJECT: &str =
    "subject_token=t&subject_token_type=urn%3Aietf%3Aparams%3Aoauth%3Atoken-type%3Aaccess_token";

fn code<T: fmt::Debug>(result: Result<T, OAuthError>) -> ErrorCode {
    result.unwrap_err().code
}

#[test]
fn the_request_names_its_tokens_and_their_types() {
    let ok = grant(SUBJECT).unwrap();
    assert_eq!(ok.subject_kind, SubjectKind::AccessToken);
    assert!(ok.actor_token.is_none());
    let id = grant(
        "subject_token=t&subject_token_type=urn%3Aietf%3Aparams%3Aoauth%3Atoken-type%3Aid_token",
    )
    .unwrap();
    assert_eq!(id.subject_kind, SubjectKind::IdToken);
    let with_actor = format!(
        "{SUBJECT}&actor_token=a&actor_token_type=urn%3Aietf%3Aparams%3Aoauth%3Atoken-type%3Aaccess_token&requested_token_type=urn%3Aietf%3Aparams%3Aoauth%3Atoken-type%3Ajwt"
    );
    assert_eq!(
        grant(&with_actor).unwrap().actor_token.as_deref(),
        Some("a")
    );
    for bad in [
        "subject_token_type=urn%3Aietf%3Aparams%3Aoauth%3Atoken-type%3Aaccess_token".to_string(),
        "subject_token=t".to_string(),
        "subject_token=t&subject_token_type=urn%3Aietf%3Aparams%3Aoauth%3Atoken-type%3Asaml2"
            .to_string(),
        format!("{SUBJECT}&actor_token=a"),
        format!(
            "{SUBJECT}&actor_token_type=urn%3Aietf%3Aparams%3Aoauth%3Atoken-type%3Aaccess_token"
        ),
        format!(
            "{SUBJECT}&actor_token=a&actor_token_type=urn%3Aietf%3Aparams%3Aoauth%3Atoken-type%3Aid_token"
        ),
        format!(
            "{SUBJECT}&requested_token_type=urn%3Aietf%3Aparams%3Aoauth%3Atoken-type%3Arefresh_token"
        ),
    ] {
        assert_eq!(code(grant(&bad)), ErrorCode::InvalidRequest, "{bad}");
    }
}

#[test]
fn the_tokens_never_appear_in_debug_output() {
    let body = format!("{SUBJECT}&actor_token=secret-actor");
    let body = body.replace("subject_token=t", "subject_token=secret-subject");
    let body =
        format!("{body}&actor_token_type=urn%3Aietf%3Aparams%3Aoauth%3Atoken-type%3Aaccess_token");
    let shown = format!("{:?}", grant(&body).unwrap());
    assert!(
        !shown.contains("secret-subject") && !shown.contains("secret-actor"),
        "{shown}"
    );
}

#[test]
fn the_target_is_one_api_of_the_policy() {
    let client = backend();
    let named = |body: &str| grant(&format!("{SUBJECT}&{body}")).unwrap();
    let by_resource = named("resource=https%3A%2F%2Fstock.example");
    assert_eq!(target(&client, &by_resource).unwrap().identifier, STOCK);
    let by_audience = named("audience=https%3A%2F%2Fstock.example");
    assert_eq!(target(&client, &by_audience).unwrap().identifier, STOCK);
    let both = named("audience=https%3A%2F%2Fstock.example&resource=https%3A%2F%2Fstock.example");
    assert_eq!(target(&client, &both).unwrap().identifier, STOCK);
    for refused in [
        "audience=https%3A%2F%2Fstock.example&resource=https%3A%2F%2Forders.example",
        "audience=https%3A%2F%2Fbilling.example",
        "audience=billing",
        "resource=https%3A%2F%2Fbilling.example",
        "scope=orders%3Aread",
    ] {
        assert_eq!(
            code(target(&client, &named(refused))),
            ErrorCode::InvalidTarget,
            "{refused}"
        );
    }
    let single = Client {
        resources: vec![api(ORDERS, &["orders:read"])],
        ..backend()
    };
    assert_eq!(
        target(&single, &named("scope=x")).unwrap().identifier,
        ORDERS
    );
}

fn subject_claims(aud: &str) -> AccessTokenClaims {
    let scope = Scopes::parse("orders:read orders:write").unwrap();
    let issue = crate::oauth::access_token::Issue {
        audience: aud,
        scope: &scope,
        jti: "j",
        ttl: 300,
        jkt: None,
    };
    let user = crate::oauth::tokens::tests::user();
    let amr = Amr::password();
    let ctx = crate::oauth::tokens::tests::context(&user, &scope, &amr);
    AccessTokenClaims::for_user(&ctx, issue)
}

#[test]
fn a_subject_access_token_is_for_this_client_and_speaks_for_a_user() {
    let client = backend();
    let subject = access_token_subject(subject_claims(ORDERS), &client).unwrap();
    assert_eq!(
        subject.scope.unwrap().to_string(),
        "orders:read orders:write"
    );
    assert_eq!(
        code(access_token_subject(
            subject_claims("https://billing.example"),
            &client
        )),
        ErrorCode::InvalidRequest
    );
    assert!(access_token_subject(subject_claims("backend"), &client).is_ok());
    let scope = Scopes::parse("orders:read").unwrap();
    let issue = crate::oauth::access_token::Issue {
        audience: ORDERS,
        scope: &scope,
        jti: "j",
        ttl: 60,
        jkt: None,
    };
    let own = AccessTokenClaims::for_client("https://id.example", "svc", issue, 0);
    assert_eq!(
        code(access_token_subject(own, &client)),
        ErrorCode::InvalidRequest
    );
}

fn id_claims(aud: &str, exp: i64) -> IdTokenClaims {
    IdTokenClaims {
        iss: "https://id.example".into(),
        sub: "u1".into(),
        aud: Audience::One(aud.into()),
        iat: 0,
        exp,
        auth_time: 0,
        amr: Amr::password(),
    }
}

#[test]
fn a_subject_id_token_is_ours_unexpired_and_this_clients() {
    let client = backend();
    let issuer = "https://id.example";
    let subject = id_token_subject(id_claims("backend", 100), issuer, &client, 50).unwrap();
    assert!(subject.scope.is_none() && subject.act.is_none());
    for (claims, now) in [
        (id_claims("frontend", 100), 50),
        (id_claims("backend", 100), 100),
        (
            IdTokenClaims {
                iss: "https://evil.example".into(),
                ..id_claims("backend", 100)
            },
            50,
        ),
    ] {
        assert_eq!(
            code(id_token_subject(claims, issuer, &client, now)),
            ErrorCode::InvalidRequest
        );
    }
}

#[test]
fn a_bound_token_needs_a_proof_of_its_key() {
    assert!(check_binding("subject_token", None, None).is_ok());
    assert!(check_binding("subject_token", None, Some("k")).is_ok());
    assert!(check_binding("subject_token", Some("k"), Some("k")).is_ok());
    assert_eq!(
        code(check_binding("subject_token", Some("k"), None)),
        ErrorCode::InvalidRequest
    );
    assert_eq!(
        code(check_binding("subject_token", Some("k"), Some("j"))),
        ErrorCode::InvalidRequest
    );
}

fn act(sub: &str) -> Act {
    Act {
        sub: sub.into(),
        client_id: Some(sub.into()),
        act: None,
    }
}

#[test]
fn the_actor_nests_whoever_acted_before() {
    let client = backend();
    let plain = delegation(&client, None, None).unwrap().unwrap();
    assert_eq!(plain, act("backend"));
    let chained = delegation(&client, Some(act("frontend")), Some(act("worker")))
        .unwrap()
        .unwrap();
    assert_eq!(chained.sub, "worker");
    assert_eq!(chained.act.as_deref(), Some(&act("frontend")));
    let json = serde_json::to_value(&chained).unwrap();
    assert_eq!(json["act"]["sub"], "frontend");
    assert_eq!(chained.depth(), 2);
}

#[test]
fn impersonation_only_where_the_client_may() {
    let impersonator = Client {
        token_exchange_impersonation: true,
        ..backend()
    };
    assert_eq!(delegation(&impersonator, None, None).unwrap(), None);
    assert_eq!(
        delegation(&impersonator, Some(act("frontend")), None).unwrap(),
        Some(act("frontend")),
        "an existing chain is kept, never laundered"
    );
    assert_eq!(
        delegation(&impersonator, None, Some(act("worker"))).unwrap(),
        Some(act("worker"))
    );
    assert!(delegation(&backend(), None, None).unwrap().is_some());
}

#[test]
fn a_chain_cannot_grow_without_end() {
    let client = backend();
    let mut chain = None;
    for _ in 0..MAX_ACTORS {
        chain = delegation(&client, chain, None).unwrap();
    }
    assert_eq!(
        code(delegation(&client, chain, None)),
        ErrorCode::InvalidRequest
    );
}

#[test]
fn the_scope_is_the_subjects_the_policys_the_apis_and_the_asked() {
    let client = backend();
    let stock = &client.resources[1];
    let subject = Scopes::parse("orders:read orders:write").unwrap();
    let scope = |asked: Option<&str>| exchanged_scope(Some(&subject), asked, &client, stock);
    assert_eq!(scope(None).unwrap().to_string(), "orders:read");
    assert_eq!(
        scope(Some("orders:read stock:read")).unwrap().to_string(),
        "orders:read"
    );
    assert_eq!(code(scope(Some("stock:read"))), ErrorCode::InvalidScope);
    assert_eq!(code(scope(Some("orders\"read"))), ErrorCode::InvalidScope);
    let orders_only = Scopes::parse("orders:write").unwrap();
    assert_eq!(
        code(exchanged_scope(Some(&orders_only), None, &client, stock)),
        ErrorCode::InvalidScope,
        "the client may not have orders:write"
    );
    let from_id_token = exchanged_scope(None, None, &client, stock).unwrap();
    assert_eq!(from_id_token.to_string(), "orders:read stock:read");
}

#[test]
fn the_new_token_lives_no_longer_than_the_subject() {
    let client = backend();
    let api = &client.resources[1];
    let scope = Scopes::parse("orders:read").unwrap();
    let subject = access_token_subject(subject_claims(ORDERS), &client).unwrap();
    let new = Exchanged {
        issuer: "https://id.example",
        client: &client,
        api,
        scope: &scope,
        jti: "new",
        api_ttl: 900,
        jkt: Some("k"),
        now: 200,
    };
    let subject_exp = subject.exp;
    let claims = exchanged_claims(subject.clone(), Some(act("backend")), new);
    assert_eq!(claims.exp, subject_exp);
    assert_eq!(claims.sub, subject.sub);
    assert_eq!(claims.aud, Audience::One(STOCK.into()));
    assert_eq!(claims.client_id, "backend");
    assert_eq!(claims.bound_key(), Some("k"));
    assert!(!claims.is_client_token());
    let short = exchanged_claims(subject, None, Exchanged { api_ttl: 10, ..new });
    assert_eq!(short.exp, 210);
    assert!(short.act.is_none());
}
