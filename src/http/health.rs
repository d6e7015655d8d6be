//! `GET|HEAD /api/health`.

use super::extract::Auth;
use super::middleware::real_ip;
use crate::app::App;
use axum::extract::{ConnectInfo, State};
use axum::http::HeaderMap;
use axum::Json;
use serde_json::{json, Value};
use std::net::SocketAddr;

const PROXY_HEADERS: [&str; 3] = ["CF-Connecting-IP", "Fly-Client-IP", "X-Forwarded-For"];

pub async fn health(
    State(app): State<App>,
    Auth(auth): Auth,
    headers: HeaderMap,
    ConnectInfo(remote): ConnectInfo<SocketAddr>,
) -> Json<Value> {
    let mut data = json!({});
    if auth.as_ref().is_some_and(|a| a.is_superuser()) {
        let settings = app.settings();
        let possible = settings
            .trusted_proxy
            .headers
            .iter()
            .map(String::as_str)
            .chain(PROXY_HEADERS)
            .find(|h| headers.contains_key(*h))
            .unwrap_or("");
        data = json!({
            "canBackup": true,
            "realIP": real_ip(&app, &headers, Some(remote.ip())),
            "possibleProxyHeader": possible,
        });
    }
    Json(json!({ "message": "API is healthy.", "code": 200, "data": data }))
}
