//! `GET|PATCH /api/settings`.

use super::error::ApiError;
use super::extract::{Body, Superuser};
use crate::app::App;
use crate::services;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use serde_json::Value;

pub async fn get(State(app): State<App>, _su: Superuser) -> Json<Value> {
    Json(app.settings().to_public())
}

/// The body is read raw: settings decoding rejects repeated keys, which a parsed `Value` would hide.
pub async fn patch(
    State(app): State<App>,
    _su: Superuser,
    body: Bytes,
) -> Result<Json<Value>, ApiError> {
    Ok(Json(services::settings::patch(&app, &body).await?))
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
