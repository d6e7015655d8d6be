//! `/api/collections/{c}/records…` and the password auth endpoints.

use super::error::ApiError;
use super::extract::{Auth, Body, PathParams, QueryMap};
use super::fields;
use crate::app::App;
use crate::services;
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use serde_json::{Map, Value};

pub async fn list(
    State(app): State<App>,
    Auth(auth): Auth,
    PathParams(c): PathParams<String>,
    QueryMap(q): QueryMap,
) -> Result<Json<Value>, ApiError> {
    let c = services::records::collection(&app, &c)?;
    let page = services::records::list(&app, c, &q, &auth).await?;
    Ok(Json(fields::apply_to_items(page, q.get("fields"))))
}

pub async fn view(
    State(app): State<App>,
    Auth(auth): Auth,
    PathParams((c, id)): PathParams<(String, String)>,
    QueryMap(q): QueryMap,
) -> Result<Json<Value>, ApiError> {
    let c = services::records::collection(&app, &c)?;
    let rec = services::records::view(&app, c, &id, &auth).await?;
    Ok(Json(fields::apply(rec, q.get("fields"))))
}

pub async fn create(
    State(app): State<App>,
    Auth(auth): Auth,
    PathParams(c): PathParams<String>,
    QueryMap(q): QueryMap,
    Body(body): Body,
) -> Result<Json<Value>, ApiError> {
    let c = services::records::collection(&app, &c)?;
    let rec = services::records::create(&app, c, body, &auth).await?;
    Ok(Json(fields::apply(rec, q.get("fields"))))
}

pub async fn update(
    State(app): State<App>,
    Auth(auth): Auth,
    PathParams((c, id)): PathParams<(String, String)>,
    QueryMap(q): QueryMap,
    Body(body): Body,
) -> Result<Json<Value>, ApiError> {
    let c = services::records::collection(&app, &c)?;
    let rec = services::records::update(&app, c, &id, body, &auth).await?;
    Ok(Json(fields::apply(rec, q.get("fields"))))
}

pub async fn delete(
    State(app): State<App>,
    Auth(auth): Auth,
    PathParams((c, id)): PathParams<(String, String)>,
) -> Result<StatusCode, ApiError> {
    let c = services::records::collection(&app, &c)?;
    services::records::delete(&app, c, &id, &auth).await?;
    Ok(StatusCode::NO_CONTENT)
}

pub async fn auth_with_password(
    State(app): State<App>,
    Auth(auth): Auth,
    PathParams(c): PathParams<String>,
    QueryMap(q): QueryMap,
    Body(body): Body,
) -> Result<Json<Value>, ApiError> {
    let c = services::auth_password::auth_collection(&app, &c)?;
    let body = match body {
        Value::Object(m) => m,
        _ => Map::new(),
    };
    let res = services::auth_password::auth_with_password(&app, c, body, &auth).await?;
    Ok(Json(fields::apply(res, q.get("fields"))))
}

pub async fn auth_refresh(
    State(app): State<App>,
    Auth(auth): Auth,
    PathParams(c): PathParams<String>,
    QueryMap(q): QueryMap,
) -> Result<Json<Value>, ApiError> {
    let c = services::auth_password::auth_collection(&app, &c)?;
    let res = services::auth_password::auth_refresh(c, &auth).await?;
    Ok(Json(fields::apply(res, q.get("fields"))))
}
