//! `GET|POST /api/realtime` (the SSE stream and its subscriptions) and `GET|POST /api/oauth2-redirect`.

use super::error::ApiError;
use super::extract::{Auth, Body, QueryMap};
use super::middleware::real_ip;
use super::server::{can_detach, Detachable};
use crate::app::App;
use crate::services::realtime as service;
use axum::extract::{ConnectInfo, State};
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE, LOCATION};
use axum::http::{HeaderMap, Method, StatusCode, Version};
use axum::response::{IntoResponse, Response};
use serde_json::Value;
use std::net::SocketAddr;

/// `GET /api/realtime`: registers a client and streams its messages, starting with `PB_CONNECT`. On
/// HTTP/1.1 the stream leaves hyper once the response is ready (see `server`): an idle client then costs
/// little more than its socket.
pub async fn connect(
    State(app): State<App>,
    method: Method,
    version: Version,
    headers: HeaderMap,
    ConnectInfo(remote): ConnectInfo<SocketAddr>,
) -> Response {
    let ip = real_ip(&app, &headers, Some(remote.ip()));
    let (body, detachable) = Detachable::new(app.realtime().connect(ip));
    let mut res = (
        [
            (CONTENT_TYPE, "text/event-stream"),
            (CACHE_CONTROL, "no-store"),
        ],
        [("X-Accel-Buffering", "no")],
        body,
    )
        .into_response();
    if can_detach(&method, version, &headers) {
        res.extensions_mut().insert(detachable);
    }
    res
}

/// `POST /api/realtime`: sets the client's auth and subscriptions; 204.
pub async fn subscribe(
    State(app): State<App>,
    Auth(auth): Auth,
    headers: HeaderMap,
    ConnectInfo(remote): ConnectInfo<SocketAddr>,
    body: Result<Body, ApiError>,
) -> Result<StatusCode, ApiError> {
    let Body(body) = body.map_err(|e| {
        if e.status == 413 {
            e
        } else {
            ApiError::bad_request("Something went wrong while processing your request.")
        }
    })?;
    let form = service::subscribe_form(&body, is_form(&headers))?;
    let ip = real_ip(&app, &headers, Some(remote.ip()));
    service::subscribe(&app, &form, &auth, &ip)?;
    Ok(StatusCode::NO_CONTENT)
}

fn is_form(headers: &HeaderMap) -> bool {
    let ct = headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_ascii_lowercase();
    ct.starts_with("application/x-www-form-urlencoded") || ct.starts_with("multipart/form-data")
}

/// `GET /api/oauth2-redirect?state&code&error`: 307 to the admin UI's success or failure page.
pub async fn oauth2_redirect_get(
    State(app): State<App>,
    headers: HeaderMap,
    ConnectInfo(remote): ConnectInfo<SocketAddr>,
    QueryMap(q): QueryMap,
) -> Response {
    let get = |k: &str| q.get(k).map(String::as_str).unwrap_or("");
    let ip = real_ip(&app, &headers, Some(remote.ip()));
    let ok = service::oauth2_redirect(&app, get("state"), get("code"), get("error"), &ip);
    redirect(StatusCode::TEMPORARY_REDIRECT, ok)
}

/// `POST /api/oauth2-redirect` (`response_mode=form_post`): 303 to the success or failure page.
pub async fn oauth2_redirect_post(
    State(app): State<App>,
    headers: HeaderMap,
    ConnectInfo(remote): ConnectInfo<SocketAddr>,
    body: Result<Body, ApiError>,
) -> Response {
    let body = body.map(|b| b.0).unwrap_or(Value::Null);
    let get = |k: &str| body.get(k).and_then(Value::as_str).unwrap_or("");
    let ip = real_ip(&app, &headers, Some(remote.ip()));
    let ok = service::oauth2_redirect(&app, get("state"), get("code"), get("error"), &ip);
    redirect(StatusCode::SEE_OTHER, ok)
}

fn redirect(status: StatusCode, ok: bool) -> Response {
    let to = if ok {
        "../_/#/auth/oauth2-redirect-success"
    } else {
        "../_/#/auth/oauth2-redirect-failure"
    };
    (status, [(LOCATION, to)]).into_response()
}
