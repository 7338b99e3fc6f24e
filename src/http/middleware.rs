//! The layers every request passes through, whichever listener and room it reaches: request
//! ids, tracing without secrets, panic catching, timeouts, body limits, `nosniff`.
use std::time::Duration;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::{HeaderName, HeaderValue, Request, StatusCode, header};
use tower::ServiceBuilder;
use tower_http::LatencyUnit;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::{DefaultOnResponse, TraceLayer};

use super::respond;
use crate::config::{Config, LogFormat};

const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// The layers every route passes through, bodies limited to `max_body` bytes: request ids,
/// tracing without secrets, panic catching, the request timeout, the body limits, `nosniff`.
pub fn with_common_middleware<S: Clone + Send + Sync + 'static>(
    router: Router<S>,
    config: &Config,
    max_body: usize,
) -> Router<S> {
    let timeout = Duration::from_secs(config.request_timeout);
    let response_log_level = match config.log_format {
        LogFormat::Json => tracing::Level::INFO,
        LogFormat::Text => tracing::Level::DEBUG,
    };
    let middleware = ServiceBuilder::new()
        .layer(SetRequestIdLayer::new(REQUEST_ID, MakeRequestUuid))
        .layer(
            // Only method and path are recorded: query strings and bodies may carry codes,
            // tokens or passwords.
            TraceLayer::new_for_http()
                .make_span_with(|request: &Request<_>| {
                    let request_id = request
                        .headers()
                        .get(REQUEST_ID)
                        .and_then(|v| v.to_str().ok())
                        .unwrap_or("-");
                    tracing::info_span!(
                        "request",
                        id = %request_id,
                        method = %request.method(),
                        path = %request.uri().path(),
                        route = route_of(request),
                        client_id = tracing::field::Empty,
                        user_id = tracing::field::Empty,
                    )
                })
                // One line per request (status, latency, and the span's fields): at info for
                // JSON logs, which go to a log pipeline; at debug for text, which a person reads.
                .on_response(
                    DefaultOnResponse::new()
                        .level(response_log_level)
                        .latency_unit(LatencyUnit::Micros),
                ),
        )
        .layer(PropagateRequestIdLayer::new(REQUEST_ID))
        .layer(CatchPanicLayer::custom(|_| {
            respond::generic_internal_error()
        }))
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            timeout,
        ))
        .layer(RequestBodyLimitLayer::new(max_body))
        .layer(DefaultBodyLimit::max(max_body))
        .layer(SetResponseHeaderLayer::overriding(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ));
    router.layer(middleware)
}

/// The route template a request matched, or `unmatched` (the fallback): a label with a
/// bounded set of values, unlike the path.
pub fn route_of<B>(request: &Request<B>) -> &str {
    request
        .extensions()
        .get::<axum::extract::MatchedPath>()
        .map_or("unmatched", |path| path.as_str())
}
