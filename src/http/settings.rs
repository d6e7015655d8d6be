//! `GET|PATCH /api/settings`.

use super::error::ApiError;
use super::extract::{Body, Superuser};
use crate::app::App;
use crate::services;
use axum::extract::State;
use axum::Json;
use serde_json::Value;

pub async fn get(State(app): State<App>, _su: Superuser) -> Json<Value> {
    Json(app.settings().to_public())
}

pub async fn patch(State(app): State<App>, _su: Superuser, Body(body): Body) -> Result<Json<Value>, ApiError> {
    Ok(Json(services::settings::patch(&app, body).await?))
}
