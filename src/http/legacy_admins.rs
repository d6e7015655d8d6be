//! The pre-0.23 admin API shim (`/api/admins/*`) for old SDKs; the mapping lives in
//! `services::legacy_admins`.

use super::error::ApiError;
use super::extract::{Auth, Body, Client, PathParams, QueryMap, ReqInfo, Superuser};
use super::fields;
use crate::app::App;
use crate::services::legacy_admins as admins;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::{Map, Value};

fn object(body: Value) -> Map<String, Value> {
    match body {
        Value::Object(m) => m,
        _ => Map::new(),
    }
}

/// The `/api/admins` routes, merged into the main router.
pub fn routes() -> Router<App> {
    Router::new()
        .route("/api/admins/auth-with-password", post(sign_in))
        .route("/api/admins/auth-refresh", post(refresh))
        .route(
            "/api/admins/request-password-reset",
            post(request_password_reset),
        )
        .route(
            "/api/admins/confirm-password-reset",
            post(confirm_password_reset),
        )
        .route("/api/admins", get(list).post(create))
        .route("/api/admins/{id}", get(view).patch(update).delete(delete))
}

async fn sign_in(
    State(app): State<App>,
    Auth(auth): Auth,
    Client(client): Client,
    QueryMap(q): QueryMap,
    Body(body): Body,
) -> Result<Json<Value>, ApiError> {
    let res = admins::sign_in(&app, object(body), &client, &auth).await?;
    Ok(Json(fields::apply(res, q.get("fields"))))
}

async fn refresh(
    State(app): State<App>,
    Auth(auth): Auth,
    QueryMap(q): QueryMap,
) -> Result<Json<Value>, ApiError> {
    let res = admins::refresh(&app, &auth).await?;
    Ok(Json(fields::apply(res, q.get("fields"))))
}

async fn request_password_reset(
    State(app): State<App>,
    Body(body): Body,
) -> Result<StatusCode, ApiError> {
    admins::request_password_reset(&app, &object(body)).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn confirm_password_reset(
    State(app): State<App>,
    Body(body): Body,
) -> Result<StatusCode, ApiError> {
    admins::confirm_password_reset(&app, &object(body)).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn list(
    State(app): State<App>,
    Superuser(auth): Superuser,
    QueryMap(q): QueryMap,
) -> Result<Json<Value>, ApiError> {
    let page = admins::list(&app, &q, &auth).await?;
    Ok(Json(fields::apply_to_items(page, q.get("fields"))))
}

async fn view(
    State(app): State<App>,
    Superuser(auth): Superuser,
    PathParams(id): PathParams<String>,
    QueryMap(q): QueryMap,
    ReqInfo(info): ReqInfo,
) -> Result<Json<Value>, ApiError> {
    let admin = admins::view(&app, &id, &auth, info).await?;
    Ok(Json(fields::apply(admin, q.get("fields"))))
}

async fn create(
    State(app): State<App>,
    Superuser(auth): Superuser,
    QueryMap(q): QueryMap,
    ReqInfo(info): ReqInfo,
    Body(body): Body,
) -> Result<Json<Value>, ApiError> {
    let admin = admins::create(&app, object(body), &auth, info).await?;
    Ok(Json(fields::apply(admin, q.get("fields"))))
}

async fn update(
    State(app): State<App>,
    Superuser(auth): Superuser,
    PathParams(id): PathParams<String>,
    QueryMap(q): QueryMap,
    ReqInfo(info): ReqInfo,
    Body(body): Body,
) -> Result<Json<Value>, ApiError> {
    let admin = admins::update(&app, &id, object(body), &auth, info).await?;
    Ok(Json(fields::apply(admin, q.get("fields"))))
}

async fn delete(
    State(app): State<App>,
    Superuser(auth): Superuser,
    PathParams(id): PathParams<String>,
    ReqInfo(info): ReqInfo,
) -> Result<StatusCode, ApiError> {
    admins::delete(&app, &id, &auth, info).await?;
    Ok(StatusCode::NO_CONTENT)
}
