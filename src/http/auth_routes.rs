//! Auth endpoints beyond password sign-in: impersonation (superusers) and anonymous sign-in.

use super::error::ApiError;
use super::extract::{Auth, Body, PathParams, QueryMap, ReqInfo, Superuser};
use super::fields;
use crate::app::App;
use crate::services;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::Json;
use serde_json::Value;

fn load_error() -> ApiError {
    ApiError::bad_request("An error occurred while loading the submitted data.")
}

/// True when the body came as a form (its values are text).
fn is_form(headers: &HeaderMap) -> bool {
    let ct = headers
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_ascii_lowercase();
    ct.starts_with("application/x-www-form-urlencoded") || ct.starts_with("multipart/form-data")
}

/// `duration` of an impersonate body: a JSON integer (or null), or form text holding one.
fn duration_of(body: &Value, form: bool) -> Result<i64, ApiError> {
    let Value::Object(m) = body else {
        return Err(load_error());
    };
    match m.get("duration") {
        None | Some(Value::Null) => Ok(0),
        Some(Value::Number(n)) if !form => n.as_i64().ok_or_else(load_error),
        Some(Value::String(s)) if form => form_int(s),
        // a repeated form key: the first value counts
        Some(Value::Array(a)) if form => match a.first() {
            Some(Value::String(s)) => form_int(s),
            _ => Err(load_error()),
        },
        Some(_) => Err(load_error()),
    }
}

fn form_int(s: &str) -> Result<i64, ApiError> {
    if s.trim().is_empty() {
        return Ok(0);
    }
    s.trim().parse().map_err(|_| load_error())
}

/// `POST /api/collections/{c}/impersonate/{id}`.
pub async fn impersonate(
    State(app): State<App>,
    _su: Superuser,
    PathParams((c, id)): PathParams<(String, String)>,
    QueryMap(q): QueryMap,
    ReqInfo(info): ReqInfo,
    headers: HeaderMap,
    body: Result<Body, ApiError>,
) -> Result<Json<Value>, ApiError> {
    let (c, record) = services::auth_impersonate::target(&app, &c, &id)?;
    let body = match body {
        Ok(Body(v)) => v,
        Err(e) if e.status == 400 => return Err(load_error()),
        Err(e) => return Err(e),
    };
    let duration = duration_of(&body, is_form(&headers))?;
    let mut res = services::auth_impersonate::respond(&c, &record, duration)?;
    let expand = q.get("expand").map(String::as_str);
    services::expand::apply_to_auth_response(&app, &c, &mut res, expand, info).await;
    Ok(Json(fields::apply(res, q.get("fields"))))
}

/// `POST /api/collections/{c}/auth-anonymously` (Ferrobase only): a new guest account, signed in.
pub async fn auth_anonymously(
    State(app): State<App>,
    Auth(auth): Auth,
    PathParams(c): PathParams<String>,
    QueryMap(q): QueryMap,
    ReqInfo(info): ReqInfo,
    Body(body): Body,
) -> Result<Json<Value>, ApiError> {
    let c = services::auth_password::auth_collection(&app, &c)?;
    let body = match body {
        Value::Object(m) => m,
        _ => return Err(load_error()),
    };
    let mut res =
        services::auth_anonymous::auth_anonymously(&app, c.clone(), body, &auth, info.clone())
            .await?;
    let expand = q.get("expand").map(String::as_str);
    services::expand::apply_to_auth_response(&app, &c, &mut res, expand, info).await;
    Ok(Json(fields::apply(res, q.get("fields"))))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn durations() {
        assert_eq!(duration_of(&json!({}), false).unwrap(), 0);
        assert_eq!(duration_of(&json!({"duration":null}), false).unwrap(), 0);
        assert_eq!(duration_of(&json!({"duration":3600}), false).unwrap(), 3600);
        assert_eq!(duration_of(&json!({"duration":-1}), false).unwrap(), -1);
        assert!(duration_of(&json!({"duration":"100"}), false).is_err());
        assert!(duration_of(&json!({"duration":1.5}), false).is_err());
        assert!(duration_of(&json!({"duration":1e3}), false).is_err());
        assert!(duration_of(&json!({"duration":true}), false).is_err());
        assert!(duration_of(&json!([]), false).is_err());
        assert_eq!(duration_of(&json!({"duration":"100"}), true).unwrap(), 100);
        assert_eq!(duration_of(&json!({"duration":""}), true).unwrap(), 0);
        assert!(duration_of(&json!({"duration":"1.5"}), true).is_err());
        assert_eq!(
            duration_of(&json!({"duration":["1","2"]}), true).unwrap(),
            1
        );
        assert!(duration_of(&json!({"duration":["1","2"]}), false).is_err());
    }
}
