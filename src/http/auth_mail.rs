//! The auth endpoints that send or redeem mails and codes: verification, password reset, email change,
//! OTP; plus `POST /api/settings/test/email`.

use super::error::ApiError;
use super::extract::{Auth, Body, Client, PathParams, QueryMap, ReqInfo, Superuser};
use super::fields;
use crate::app::App;
use crate::services;
use crate::services::auth_password::{auth_collection, SignIn};
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use serde_json::{Map, Value};
use std::collections::HashMap;

fn object(body: Value) -> Map<String, Value> {
    match body {
        Value::Object(m) => m,
        _ => Map::new(),
    }
}

/// The `mfaId` of a sign-in request: the query first, then the body.
pub fn mfa_id(q: &HashMap<String, String>, body: &Map<String, Value>) -> String {
    q.get("mfaId")
        .filter(|v| !v.is_empty())
        .cloned()
        .or_else(|| body.get("mfaId").and_then(Value::as_str).map(String::from))
        .unwrap_or_default()
}

macro_rules! no_content_handler {
    ($name:ident, $service:path) => {
        pub async fn $name(
            State(app): State<App>,
            Auth(auth): Auth,
            PathParams(c): PathParams<String>,
            Body(body): Body,
        ) -> Result<StatusCode, ApiError> {
            let c = auth_collection(&app, &c)?;
            $service(&app, c, &object(body), &auth).await?;
            Ok(StatusCode::NO_CONTENT)
        }
    };
}

no_content_handler!(request_verification, services::auth_verification::request);
no_content_handler!(confirm_verification, services::auth_verification::confirm);
no_content_handler!(
    request_password_reset,
    services::auth_password_reset::request
);
no_content_handler!(
    confirm_password_reset,
    services::auth_password_reset::confirm
);
no_content_handler!(confirm_email_change, services::auth_email_change::confirm);

pub async fn request_email_change(
    State(app): State<App>,
    Auth(auth): Auth,
    PathParams(c): PathParams<String>,
    Body(body): Body,
) -> Result<StatusCode, ApiError> {
    let c = auth_collection(&app, &c)?;
    services::auth_email_change::request(&app, c, &object(body), &auth).await?;
    Ok(StatusCode::NO_CONTENT)
}

pub async fn request_otp(
    State(app): State<App>,
    Auth(auth): Auth,
    PathParams(c): PathParams<String>,
    Body(body): Body,
) -> Result<Json<Value>, ApiError> {
    let c = auth_collection(&app, &c)?;
    Ok(Json(
        services::auth_otp::request(&app, c, &object(body), &auth).await?,
    ))
}

pub async fn auth_with_otp(
    State(app): State<App>,
    Auth(auth): Auth,
    PathParams(c): PathParams<String>,
    QueryMap(q): QueryMap,
    ReqInfo(info): ReqInfo,
    Client(client): Client,
    Body(body): Body,
) -> Result<Json<Value>, ApiError> {
    let c = auth_collection(&app, &c)?;
    let body = object(body);
    let mfa = mfa_id(&q, &body);
    let sign_in = SignIn {
        method: "otp",
        mfa_id: &mfa,
        meta: None,
        client: &client,
        requester: &auth,
    };
    let mut res = services::auth_otp::auth_with_otp(&app, c.clone(), &body, sign_in).await?;
    let expand = q.get("expand").map(String::as_str);
    services::expand::apply_to_auth_response(&app, &c, &mut res, expand, info).await;
    Ok(Json(fields::apply(res, q.get("fields"))))
}

pub async fn test_email(
    State(app): State<App>,
    _su: Superuser,
    Body(body): Body,
) -> Result<StatusCode, ApiError> {
    services::mail_test::send(&app, &object(body)).await?;
    Ok(StatusCode::NO_CONTENT)
}
