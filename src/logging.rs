//! Log output: human-readable text (the default) or one JSON object per line
//! (`log_format = "json"`), filtered by `TESSERA_LOG` (default `info,sqlx=warn`). Request lines
//! carry the request's span: id, method, path, route, and the client and user where known.
//! Secrets never reach a log line: spans record no query string or body, and handlers and
//! services log ids only (tests/log_secrets.rs scans a full flow's output for them).
use tracing_subscriber::EnvFilter;
use tracing_subscriber::fmt::MakeWriter;

use crate::config::LogFormat;

/// The filter when `TESSERA_LOG` is not set.
pub const DEFAULT_FILTER: &str = "info,sqlx=warn";

/// Installs the process-wide subscriber writing to standard error.
pub fn init(format: LogFormat) {
    let filter =
        EnvFilter::try_from_env("TESSERA_LOG").unwrap_or_else(|_| EnvFilter::new(DEFAULT_FILTER));
    init_with(format, filter, std::io::stderr);
}

/// Installs the process-wide subscriber with this filter and writer (tests capture output).
pub fn init_with<W>(format: LogFormat, filter: EnvFilter, writer: W)
where
    W: for<'a> MakeWriter<'a> + Send + Sync + 'static,
{
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(writer);
    match format {
        LogFormat::Text => builder.with_ansi(false).init(),
        LogFormat::Json => builder
            .json()
            .flatten_event(true)
            .with_current_span(true)
            .with_span_list(false)
            .init(),
    }
}
