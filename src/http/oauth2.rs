//! `GET /api/collections/{c}/auth-methods` and `POST /api/collections/{c}/auth-with-oauth2`.

use super::error::ApiError;
use super::extract::{Auth, Body, Client, PathParams, QueryMap, ReqInfo};
use super::fields;
use crate::app::App;
use crate::services;
use axum::extract::State;
use axum::Json;
use serde_json::{Map, Value};

pub async fn auth_methods(
    State(app): State<App>,
    PathParams(c): PathParams<String>,
    QueryMap(q): QueryMap,
) -> Result<Json<Value>, ApiError> {
    let c = services::auth_password::auth_collection(&app, &c)?;
    let res = services::auth_methods::auth_methods(&c);
    Ok(Json(fields::apply(res, q.get("fields"))))
}

pub async fn auth_with_oauth2(
    State(app): State<App>,
    Auth(auth): Auth,
    PathParams(c): PathParams<String>,
    QueryMap(q): QueryMap,
    ReqInfo(info): ReqInfo,
    Client(client): Client,
    Body(body): Body,
) -> Result<Json<Value>, ApiError> {
    let c = services::auth_password::auth_collection(&app, &c)?;
    let mfa_id = super::auth_mail::mfa_id(&q, body.as_object().unwrap_or(&Map::new()));
    let sign_in = services::auth_oauth2::OAuth2SignIn {
        requester: &auth,
        client: &client,
        mfa_id: &mfa_id,
    };
    let mut res =
        services::auth_oauth2::auth_with_oauth2(&app, c.clone(), body, sign_in, info.clone())
            .await?;
    let expand = q.get("expand").map(String::as_str);
    services::expand::apply_to_auth_response(&app, &c, &mut res, expand, info).await;
    Ok(Json(fields::apply(res, q.get("fields"))))
}
