//! The routes, grouped by who may call them from a browser (CORS) and whether the coarse
//! per-address rate limit applies, and the middleware every request passes through: request
//! ids, tracing without secrets, panic catching, timeouts, body limits, `nosniff`, HSTS.
use std::time::Duration;

use axum::Router;
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::response::Response;
use axum::routing::{get, post};
use tower_http::cors::{AllowOrigin, Any, CorsLayer};
use tower_http::set_header::SetResponseHeaderLayer;

use super::admin;
use super::api::client_request::{DPOP, DPOP_NONCE};
use super::api::{introspect, metadata, par, registration, revoke, token, userinfo};
use super::audit_origin;
use super::error::{HttpError, unavailable_as_json};
use super::html;
use super::locale::localize_error_pages;
use super::middleware::{route_of, with_common_middleware};
use super::page_routes;
use super::pages::{assets, authorize};
use super::rate_limit;
use crate::config::Config;
use crate::i18n::Message;
use crate::routes;
use crate::state::{AppState, SharedState};

/// Each handler's `State<AppState>` is a fresh snapshot of the settings and keys.
impl axum::extract::FromRef<SharedState> for AppState {
    fn from_ref(shared: &SharedState) -> Self {
        AppState::of(shared)
    }
}

/// The whole application. Tests call this with a state of their own. The admin API is part
/// of it unless `admin_listen` serves it apart ([`admin_app`]).
pub fn app(state: AppState) -> Router {
    let config = state.config();
    let router = Router::new()
        .merge(public_documents())
        .merge(protocol_endpoints(config))
        .merge(page_routes::sign_in_pages(config))
        .merge(page_routes::account_pages(config))
        .merge(page_routes::pages())
        .route(routes::HEALTHZ, get(metadata::healthz))
        .route(routes::READYZ, get(metadata::readyz))
        .route(routes::STYLESHEET, get(assets::stylesheet))
        .route(routes::BRAND_STYLESHEET, get(assets::brand_stylesheet))
        .route(routes::LOGO, get(assets::logo))
        .route(routes::PASSKEY_SCRIPT, get(assets::passkey_script))
        .fallback(not_found)
        // Inside the common middleware, so the pages it renders keep its headers.
        .layer(axum::middleware::from_fn_with_state(
            state.shared(),
            localize_error_pages,
        ))
        // Outside the localisation, whose re-rendered error pages need the branding too.
        .layer(axum::middleware::from_fn_with_state(
            state.shared(),
            html::with_branding,
        ))
        .layer(axum::middleware::from_fn_with_state(
            state.shared(),
            audit_origin::audit_origin,
        ));
    let mut router = with_common_middleware(router, config, config.max_body_bytes);
    // The admin API brings its own middleware (a larger body limit, problem documents).
    if config.admin_listen.is_none() {
        router = router.merge(admin::api(&state));
    }
    with_outer_middleware(router, config).with_state(state.shared())
}

/// The admin API alone, as `admin_listen` serves it; any other path is a problem document's
/// 404.
pub fn admin_app(state: AppState) -> Router {
    let router = admin::api(&state).fallback(admin::not_found);
    with_outer_middleware(router, state.config()).with_state(state.shared())
}

/// Every layer a request passes through; generic over the router's state so that a test can
/// wrap routes of its own (a handler that panics) exactly as `app` wraps the real ones.
#[cfg(test)]
fn with_middleware<S: Clone + Send + Sync + 'static>(
    router: Router<S>,
    config: &Config,
) -> Router<S> {
    let router = with_common_middleware(router, config, config.max_body_bytes);
    with_outer_middleware(router, config)
}

/// The outermost layers: HSTS on an https issuer, and the request count.
fn with_outer_middleware<S: Clone + Send + Sync + 'static>(
    router: Router<S>,
    config: &Config,
) -> Router<S> {
    let router = if config.secure_cookies() {
        // https issuer: tell browsers to never use plain http here again (RFC 6797).
        router.layer(SetResponseHeaderLayer::overriding(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=31536000"),
        ))
    } else {
        router
    };
    // Outermost, so that every response is counted, those the layers inside make themselves
    // too: a timeout's 408, a caught panic's 500, a body refused by its Content-Length (413),
    // and the fallback's 404. `Router::layer` wraps each route after routing, so the route
    // template is known here.
    router.layer(axum::middleware::from_fn(measure))
}

/// Discovery and JWKS: readable from any origin (no credentials involved).
fn public_documents() -> Router<SharedState> {
    Router::new()
        .route(routes::DISCOVERY, get(metadata::discovery))
        // One document for both: RFC 8414 §2 lets it carry OpenID Connect's metadata too.
        .route(
            routes::AUTHORIZATION_SERVER_METADATA,
            get(metadata::discovery),
        )
        .route(routes::JWKS, get(metadata::jwks))
        .layer(
            CorsLayer::new()
                .allow_origin(Any)
                .allow_methods([Method::GET]),
        )
}

/// The OAuth/OIDC endpoints, behind the per-address rate limit. `/token`, `/par` and
/// `/userinfo` are called by browser-based public clients: only the configured origins, never
/// `*`, never with cookies. `/authorize`, `/revoke` and `/introspect` get no CORS at all.
fn protocol_endpoints(config: &Config) -> Router<SharedState> {
    let mut client_apis = Router::new()
        .route(routes::TOKEN, post(token::token))
        .route(routes::PAR, post(par::par))
        .route(routes::REGISTER, post(registration::register))
        .route(
            routes::REGISTRATION,
            get(registration::read)
                .put(registration::update)
                .delete(registration::delete),
        )
        .route(
            routes::USERINFO,
            get(userinfo::userinfo_get).post(userinfo::userinfo_post),
        );
    if let Some(cors) = client_api_cors(&config.cors_allowed_origins) {
        client_apis = client_apis.layer(cors);
    }
    let json_apis = Router::new()
        .merge(client_apis)
        .route(routes::REVOKE, post(revoke::revoke))
        .route(routes::INTROSPECT, post(introspect::introspect))
        .layer(axum::middleware::map_response(unavailable_as_json));
    let endpoints = Router::new().merge(json_apis).route(
        routes::AUTHORIZE,
        get(authorize::authorize_get).post(authorize::authorize_post),
    );
    rate_limit::rate_limited(endpoints, config)
}

/// Per route template: the request count by method and status, and the time to answer.
async fn measure(request: axum::extract::Request, next: axum::middleware::Next) -> Response {
    let route = route_of(&request).to_string();
    let method = method_label(request.method());
    let started = std::time::Instant::now();
    let response = next.run(request).await;
    let status = response.status().as_u16();
    crate::observe::http_request(&route, method, status, started.elapsed());
    response
}

/// The method as a metric label: one of RFC 9110's (and PATCH), else `other`. Any token is a
/// valid method, and the exporter never forgets a series, so each invented method would
/// otherwise add series for good.
fn method_label(method: &Method) -> &'static str {
    static KNOWN: [Method; 9] = [
        Method::GET,
        Method::HEAD,
        Method::POST,
        Method::PUT,
        Method::DELETE,
        Method::CONNECT,
        Method::OPTIONS,
        Method::TRACE,
        Method::PATCH,
    ];
    KNOWN
        .iter()
        .find(|known| *known == method)
        .map_or("other", Method::as_str)
}

fn client_api_cors(origins: &[String]) -> Option<CorsLayer> {
    let origins: Vec<HeaderValue> = origins
        .iter()
        .filter_map(|o| HeaderValue::from_str(o).ok())
        .collect();
    if origins.is_empty() {
        return None;
    }
    Some(
        CorsLayer::new()
            .allow_origin(AllowOrigin::list(origins))
            .allow_methods([Method::GET, Method::POST])
            .allow_headers([header::AUTHORIZATION, header::CONTENT_TYPE, DPOP])
            // RFC 9449 §8, §7.1: a browser client reads the nonce and the DPoP challenge.
            .expose_headers([DPOP_NONCE, header::WWW_AUTHENTICATE])
            .max_age(Duration::from_secs(600)),
    )
}

/// Any other address: the branded error page, in the request's language (a person mistyped
/// a link; an API client reads the status).
async fn not_found() -> HttpError {
    HttpError::page(
        StatusCode::NOT_FOUND,
        "error-not-found-title",
        Message::new("error-not-found"),
    )
}

#[cfg(test)]
mod tests {
    use axum::body::Body;
    use axum::http::Request;
    use tower::ServiceExt;

    use super::*;

    async fn panics() -> Response {
        panic!("a bug in a handler")
    }

    #[test]
    fn an_invented_method_is_labelled_other() {
        assert_eq!(method_label(&Method::GET), "GET");
        assert_eq!(method_label(&Method::PATCH), "PATCH");
        let invented = Method::from_bytes(b"PROBE0001X").unwrap();
        assert_eq!(method_label(&invented), "other");
    }

    /// Only a test route can panic; it is wrapped exactly as `app` wraps the real ones.
    #[tokio::test]
    async fn a_caught_panic_and_an_unmatched_path_are_counted() {
        // This test's own recorder (the runtime runs everything on this thread).
        let recorder = metrics_exporter_prometheus::PrometheusBuilder::new().build_recorder();
        let scrape = recorder.handle();
        let _local = metrics::set_default_local_recorder(&recorder);
        let routes = Router::new()
            .route("/panics", get(panics))
            .fallback(not_found);
        let router = with_middleware(routes, &Config::from_toml("").unwrap());
        for (path, status) in [("/panics", 500), ("/nowhere", 404)] {
            let request = Request::get(path).body(Body::empty()).unwrap();
            let response = router.clone().oneshot(request).await.unwrap();
            assert_eq!(response.status().as_u16(), status);
        }
        let text = scrape.render();
        for series in [
            r#"tessera_http_requests_total{route="/panics",method="GET",status="500"} 1"#,
            r#"tessera_http_requests_total{route="unmatched",method="GET",status="404"} 1"#,
        ] {
            assert!(text.contains(series), "{series} missing from:\n{text}");
        }
    }
}
