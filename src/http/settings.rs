//! `GET|PATCH /api/settings`.

use super::error::ApiError;
use super::extract::Superuser;
use crate::app::App;
use crate::services;
use axum::body::Bytes;
use axum::extract::State;
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
