//! `/api/collections…`: list, view, create, update, delete, truncate, import, scaffolds, dry-run-view.

use super::error::{ApiError, LoggedError};
use super::extract::{Body, PathParams, QueryMap, Superuser};
use super::fields;
use crate::app::events::RequestData;
use crate::app::App;
use crate::model::{Collection, CollectionType};
use crate::services;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::{json, Value};

/// The request data collection request hooks see (`e.auth`, `e.requestInfo()`).
fn request_data(su: &Superuser, method: &str) -> RequestData {
    let info = services::rules::request_info(&su.0, method, "default");
    services::record_write::request_data(&su.0, &info)
}

pub async fn list(
    State(app): State<App>,
    su: Superuser,
    QueryMap(q): QueryMap,
) -> Result<Json<Value>, ApiError> {
    let page = services::collections_list::list(&app, &q, request_data(&su, "GET")).await?;
    Ok(Json(fields::apply_to_items(page, q.get("fields"))))
}

pub async fn view(
    State(app): State<App>,
    su: Superuser,
    PathParams(id): PathParams<String>,
    QueryMap(q): QueryMap,
) -> Result<Json<Value>, ApiError> {
    let c = app.find_collection(&id).ok_or_else(ApiError::not_found)?;
    let c = services::collections_list::view(&app, &c, request_data(&su, "GET")).await?;
    Ok(Json(fields::apply(c.to_api_json(), q.get("fields"))))
}

pub async fn create(
    State(app): State<App>,
    su: Superuser,
    QueryMap(q): QueryMap,
    Body(body): Body,
) -> Result<Response, ApiError> {
    let c = services::collection_save::create(&app, body, request_data(&su, "POST")).await?;
    let res = Json(fields::apply(c.to_api_json(), q.get("fields"))).into_response();
    Ok(automigrate(&app, None, Some(&c.id), res).await)
}

pub async fn update(
    State(app): State<App>,
    su: Superuser,
    PathParams(id): PathParams<String>,
    QueryMap(q): QueryMap,
    Body(body): Body,
) -> Result<Response, ApiError> {
    if app.find_collection(&id).is_none() {
        return Err(ApiError::not_found());
    }
    let request = request_data(&su, "PATCH");
    let (old, c) = services::collection_save::update(&app, &id, body, request).await?;
    let res = Json(fields::apply(c.to_api_json(), q.get("fields"))).into_response();
    Ok(automigrate(&app, Some(&old), Some(&c.id), res).await)
}

pub async fn delete(
    State(app): State<App>,
    su: Superuser,
    PathParams(id): PathParams<String>,
) -> Result<Response, ApiError> {
    if app.find_collection(&id).is_none() {
        return Err(ApiError::not_found());
    }
    let old = services::collection_save::delete(&app, &id, request_data(&su, "DELETE")).await?;
    Ok(automigrate(
        &app,
        Some(&old),
        None,
        StatusCode::NO_CONTENT.into_response(),
    )
    .await)
}

/// Writes the automigrate file of a committed change. Like PocketBase, a failure here leaves the
/// success answer as it is and only marks the request log entry with the error.
async fn automigrate(
    app: &App,
    old: Option<&Collection>,
    new_id: Option<&str>,
    mut res: Response,
) -> Response {
    if let Err(e) = services::migrations::automigrate::record_change(app, old, new_id).await {
        tracing::error!("automigrate: {e}");
        res.extensions_mut().insert(LoggedError(e.to_string()));
    }
    res
}

pub async fn truncate(
    State(app): State<App>,
    _su: Superuser,
    PathParams(id): PathParams<String>,
) -> Result<StatusCode, ApiError> {
    let c = app.find_collection(&id).ok_or_else(ApiError::not_found)?;
    services::collection_import::truncate(&app, c).await?;
    Ok(StatusCode::NO_CONTENT)
}

pub async fn import(
    State(app): State<App>,
    su: Superuser,
    Body(body): Body,
) -> Result<StatusCode, ApiError> {
    let request = request_data(&su, "PUT");
    services::collection_import::import(&app, body, request).await?;
    Ok(StatusCode::NO_CONTENT)
}

pub async fn scaffolds(_su: Superuser) -> Json<Value> {
    let blank = |kind| {
        let mut c = Collection::new(kind, "");
        if kind == CollectionType::Auth {
            c.indexes = crate::model::collection::auth_indexes("", "").to_vec();
        }
        c.to_api_json()
    };
    Json(json!({
        "auth": blank(CollectionType::Auth),
        "base": blank(CollectionType::Base),
        "view": blank(CollectionType::View),
    }))
}

pub async fn dry_run_view(
    State(app): State<App>,
    _su: Superuser,
    Body(body): Body,
) -> Result<Json<Value>, ApiError> {
    let query = body
        .get("query")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string();
    Ok(Json(
        services::collection_import::dry_run_view(&app, query).await?,
    ))
}
