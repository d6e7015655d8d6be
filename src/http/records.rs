//! `/api/collections/{c}/records…` and the password auth endpoints.

use super::error::ApiError;
use super::extract::{Auth, Body, Client, PathParams, QueryMap, RecordBody, ReqInfo};
use super::fields;
use crate::app::App;
use crate::model::Collection;
use crate::services;
use crate::services::auth_state::Requester;
use crate::store::resolver::RequestInfo;
use axum::extract::State;
use axum::http::header::CONTENT_TYPE;
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::{Map, Value};
use std::collections::HashMap;
use std::sync::Arc;

pub async fn list(
    State(app): State<App>,
    Auth(auth): Auth,
    PathParams(c): PathParams<String>,
    QueryMap(q): QueryMap,
    ReqInfo(info): ReqInfo,
) -> Result<Json<Value>, ApiError> {
    let c = services::records::collection(&app, &c)?;
    let mut page = services::records::list(&app, c.clone(), &q, &auth).await?;
    services::expand::apply_to_page(&app, &c, &mut page, expand_param(&q), &auth, info).await;
    Ok(Json(fields::apply_to_items(page, q.get("fields"))))
}

pub async fn view(
    State(app): State<App>,
    Auth(auth): Auth,
    PathParams((c, id)): PathParams<(String, String)>,
    QueryMap(q): QueryMap,
    ReqInfo(info): ReqInfo,
) -> Result<Response, ApiError> {
    let c = services::records::collection(&app, &c)?;
    let for_expand = info_for_expand(&q, &info);
    if for_expand.is_none() && !q.contains_key("fields") && !services::record_enrich::active(&app) {
        // the plain answer (no expand, no field selection, no enrich hook): its JSON text is written
        // straight from the record
        let (rec, vis, _) = services::records::view_record(&app, &c, &id, &auth, info).await?;
        let text = services::record_json::record_json_text(&c, &rec, vis);
        return Ok((
            [(CONTENT_TYPE, HeaderValue::from_static("application/json"))],
            text,
        )
            .into_response());
    }
    let mut rec = services::records::view(&app, c.clone(), &id, &auth, info).await?;
    expand_one(&app, &c, &mut rec, &q, &auth, for_expand).await;
    Ok(Json(fields::apply(rec, q.get("fields"))).into_response())
}

fn files(parts: Vec<super::extract::UploadedFile>) -> Vec<services::record_files::FilePart> {
    parts.into_iter().map(Into::into).collect()
}

pub async fn create(
    State(app): State<App>,
    Auth(auth): Auth,
    PathParams(c): PathParams<String>,
    QueryMap(q): QueryMap,
    ReqInfo(info): ReqInfo,
    body: RecordBody,
) -> Result<Json<Value>, ApiError> {
    let c = services::records::collection(&app, &c)?;
    let for_expand = info_for_expand(&q, &info);
    let mut rec =
        services::record_write::create(&app, c.clone(), body.data, files(body.files), &auth, info)
            .await?;
    expand_one(&app, &c, &mut rec, &q, &auth, for_expand).await;
    Ok(Json(fields::apply(rec, q.get("fields"))))
}

pub async fn update(
    State(app): State<App>,
    Auth(auth): Auth,
    PathParams((c, id)): PathParams<(String, String)>,
    QueryMap(q): QueryMap,
    ReqInfo(info): ReqInfo,
    body: RecordBody,
) -> Result<Json<Value>, ApiError> {
    let c = services::records::collection(&app, &c)?;
    let for_expand = info_for_expand(&q, &info);
    let mut rec = services::record_write::update(
        &app,
        c.clone(),
        &id,
        body.data,
        files(body.files),
        &auth,
        info,
    )
    .await?;
    expand_one(&app, &c, &mut rec, &q, &auth, for_expand).await;
    Ok(Json(fields::apply(rec, q.get("fields"))))
}

pub async fn delete(
    State(app): State<App>,
    Auth(auth): Auth,
    PathParams((c, id)): PathParams<(String, String)>,
    ReqInfo(info): ReqInfo,
) -> Result<StatusCode, ApiError> {
    let c = services::records::collection(&app, &c)?;
    services::record_write::delete(&app, c, &id, &auth, info).await?;
    Ok(StatusCode::NO_CONTENT)
}

pub async fn auth_with_password(
    State(app): State<App>,
    Auth(auth): Auth,
    PathParams(c): PathParams<String>,
    QueryMap(q): QueryMap,
    ReqInfo(info): ReqInfo,
    Client(client): Client,
    Body(body): Body,
) -> Result<Json<Value>, ApiError> {
    let c = services::auth_password::auth_collection(&app, &c)?;
    let body = match body {
        Value::Object(m) => m,
        _ => Map::new(),
    };
    let mfa = super::auth_mail::mfa_id(&q, &body);
    let sign_in = services::auth_password::SignIn {
        method: "password",
        mfa_id: &mfa,
        meta: None,
        client: &client,
        requester: &auth,
    };
    let mut res =
        services::auth_password::auth_with_password(&app, c.clone(), body, sign_in).await?;
    services::expand::apply_to_auth_response(&app, &c, &mut res, expand_param(&q), info).await;
    Ok(Json(fields::apply(res, q.get("fields"))))
}

pub async fn auth_refresh(
    State(app): State<App>,
    Auth(auth): Auth,
    PathParams(c): PathParams<String>,
    QueryMap(q): QueryMap,
    ReqInfo(info): ReqInfo,
) -> Result<Json<Value>, ApiError> {
    let c = services::auth_password::auth_collection(&app, &c)?;
    let mut res = services::auth_password::auth_refresh(&app, c.clone(), &auth).await?;
    services::expand::apply_to_auth_response(&app, &c, &mut res, expand_param(&q), info).await;
    Ok(Json(fields::apply(res, q.get("fields"))))
}

/// The `?expand=` query param.
fn expand_param(q: &HashMap<String, String>) -> Option<&str> {
    q.get("expand").map(String::as_str)
}

/// A copy of the request info for [`expand_one`], made only when the request asks for an expansion.
fn info_for_expand(q: &HashMap<String, String>, info: &RequestInfo) -> Option<RequestInfo> {
    expand_param(q)
        .is_some_and(|e| !e.trim().is_empty())
        .then(|| info.clone())
}

/// Expands one record answer in place (before `?fields=` is applied); `info` comes from
/// [`info_for_expand`] (`None`: nothing to expand).
async fn expand_one(
    app: &App,
    c: &Arc<Collection>,
    rec: &mut Value,
    q: &HashMap<String, String>,
    auth: &Requester,
    info: Option<RequestInfo>,
) {
    let Some(info) = info else { return };
    let items = std::slice::from_mut(rec);
    services::expand::apply_with_info(app, c, items, expand_param(q), auth, info).await;
}
