//! axum's JSON body, path and query extractors, refusing with problem documents instead of
//! axum's plain-text rejections. None lets a NUL character through: no value of this API
//! holds one, and PostgreSQL refuses it in text (which would be a 500).
use axum::Json;
use axum::extract::rejection::{PathRejection, QueryRejection};
use axum::extract::{FromRequest, FromRequestParts, Path, Query, Request};
use axum::http::request::Parts;
use serde::de::DeserializeOwned;
use serde_json::Value;

use super::problem::{Kind, Problem};

/// A JSON object body (`Content-Type: application/json`), parsed into `T`. Only an object:
/// serde would also read a struct from an array of its fields' values (`[null, true]`),
/// which no schema of this API describes.
pub struct Body<T>(pub T);

impl<T, S> FromRequest<S> for Body<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = Problem;

    async fn from_request(request: Request, state: &S) -> Result<Self, Problem> {
        let Json(value) = Json::<Value>::from_request(request, state).await?;
        if !value.is_object() {
            return Err(Problem::new(
                Kind::InvalidBody,
                "the body must be a JSON object",
            ));
        }
        if holds_nul(&value) {
            return Err(Problem::new(
                Kind::InvalidBody,
                "a string holds a NUL character",
            ));
        }
        serde_json::from_value(value)
            .map(Self)
            .map_err(|e| Problem::new(Kind::InvalidBody, format!("the body does not fit: {e}")))
    }
}

/// The path's parameters.
pub struct PathParams<T>(pub T);

impl<T, S> FromRequestParts<S> for PathParams<T>
where
    Path<T>: FromRequestParts<S, Rejection = PathRejection>,
    S: Send + Sync,
{
    type Rejection = Problem;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Problem> {
        refuse_encoded_nul(parts.uri.path())?;
        let Path(value) = Path::<T>::from_request_parts(parts, state).await?;
        Ok(Self(value))
    }
}

/// The query string's parameters.
pub struct QueryParams<T>(pub T);

impl<T, S> FromRequestParts<S> for QueryParams<T>
where
    Query<T>: FromRequestParts<S, Rejection = QueryRejection>,
    S: Send + Sync,
{
    type Rejection = Problem;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Problem> {
        refuse_encoded_nul(parts.uri.query().unwrap_or_default())?;
        let Query(value) = Query::<T>::from_request_parts(parts, state).await?;
        Ok(Self(value))
    }
}

/// A percent-encoded NUL (`%00`) in a path or query.
fn refuse_encoded_nul(text: &str) -> Result<(), Problem> {
    if text
        .as_bytes()
        .windows(3)
        .any(|w| w.eq_ignore_ascii_case(b"%00"))
    {
        return Err(Problem::new(
            Kind::InvalidParameter,
            "a parameter holds a NUL character",
        ));
    }
    Ok(())
}

fn holds_nul(value: &Value) -> bool {
    match value {
        Value::String(s) => s.contains('\0'),
        Value::Array(items) => items.iter().any(holds_nul),
        Value::Object(fields) => fields.iter().any(|(k, v)| k.contains('\0') || holds_nul(v)),
        _ => false,
    }
}
