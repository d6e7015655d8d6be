//! `GET|PATCH /api/settings`.

use super::error::ApiError;
use super::extract::{Body, Superuser};
use crate::app::events::RequestData;
use crate::app::App;
use crate::services;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use serde_json::Value;

/// The request data the settings hooks see (`e.auth`, `e.requestInfo()`).
fn request_data(su: &Superuser, method: &str) -> RequestData {
    let info = services::rules::request_info(&su.0, method, "default");
    services::record_write::request_data(&su.0, &info)
}

pub async fn get(State(app): State<App>, su: Superuser) -> Result<Json<Value>, ApiError> {
    Ok(Json(
        services::settings::list(&app, request_data(&su, "GET")).await?,
    ))
}

/// The body is read raw: settings decoding rejects repeated keys, which a parsed `Value` would hide.
pub async fn patch(
    State(app): State<App>,
    su: Superuser,
    body: Bytes,
) -> Result<Json<Value>, ApiError> {
    let request = request_data(&su, "PATCH");
    Ok(Json(services::settings::patch(&app, &body, request).await?))
}

/// `POST /api/settings/test/s3`.
pub async fn test_s3(
    State(app): State<App>,
    _su: Superuser,
    Body(body): Body,
) -> Result<StatusCode, ApiError> {
    services::settings::test_s3(&app, &body).await?;
    Ok(StatusCode::NO_CONTENT)
}
