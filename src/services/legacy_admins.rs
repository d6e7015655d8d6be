//! The pre-0.23 admin API (`/api/admins/*`, spec 04 §10) mapped onto `_superusers`, for old SDKs (JS
//! < 0.22, Dart < 0.19): the old `{token, admin}` answers, admin JSON `{id, created, updated, avatar,
//! email}`, and `type: "admin"` tokens (signed like auth tokens, so they also work on every new route).

use super::auth_password::{auth_refresh as record_auth_refresh, auth_with_password};
use super::auth_pipeline::{ClientInfo, SignIn};
use super::auth_state::{AuthState, Requester};
use super::{record_save, record_write, records};
use crate::app::{App, AppError};
use crate::auth::token::{self, TokenType};
use crate::model::record::Record;
use crate::model::{Collection, Errors, ValidationError};
use crate::store;
use crate::store::resolver::RequestInfo;
use serde_json::{json, Map, Value};
use std::collections::HashMap;
use std::sync::Arc;

fn superusers(app: &App) -> Result<Arc<Collection>, AppError> {
    app.find_collection("_superusers")
        .ok_or_else(|| AppError::internal("the _superusers collection is missing"))
}

/// A `_superusers` record JSON in the old admin shape.
pub fn admin_json(record: &Value) -> Value {
    let pick = |k: &str| record.get(k).cloned().unwrap_or(json!(""));
    let avatar = record
        .get("avatar")
        .filter(|v| v.is_number())
        .cloned()
        .unwrap_or(json!(0));
    json!({
        "id": pick("id"),
        "created": pick("created"),
        "updated": pick("updated"),
        "avatar": avatar,
        "email": pick("email"),
    })
}

fn admin_token(c: &Collection, record: &Record) -> Result<String, AppError> {
    let auth = c.auth.as_ref().ok_or_else(AppError::not_found)?;
    token::new_token(
        TokenType::Admin,
        record.id(),
        &c.id,
        auth.auth_token.duration,
        record.get_str("tokenKey"),
        &auth.auth_token.secret,
    )
    .map_err(AppError::internal)
}

fn envelope(token: String, record: &Value) -> Value {
    json!({ "token": token, "admin": admin_json(record) })
}

/// `POST /api/admins/auth-with-password` (`{identity, password}`; the oldest SDKs sent `email`).
pub async fn sign_in(
    app: &App,
    mut body: Map<String, Value>,
    client: &ClientInfo,
    requester: &Requester,
) -> Result<Value, AppError> {
    if !body.contains_key("identity") {
        if let Some(email) = body.remove("email") {
            body.insert("identity".into(), email);
        }
    }
    let c = superusers(app)?;
    let sign_in = SignIn {
        method: "password",
        mfa_id: "",
        meta: None,
        client,
        requester,
    };
    let res = auth_with_password(app, c.clone(), body, sign_in).await?;
    let id = res["record"]["id"].as_str().unwrap_or("").to_string();
    let record = app
        .db()
        .read_now(|conn| store::records::find_by_id(conn, &c, &id))?
        .ok_or_else(|| AppError::bad_request("Failed to authenticate."))?;
    Ok(envelope(admin_token(&c, &record)?, &res["record"]))
}

/// `POST /api/admins/auth-refresh`: a new admin token (the same one when it is not refreshable).
pub async fn refresh(app: &App, requester: &Requester) -> Result<Value, AppError> {
    let c = superusers(app)?;
    let res = record_auth_refresh(app, c.clone(), requester).await?;
    let Some(AuthState { record, claims, .. }) = requester else {
        return Err(AppError::Unauthorized(String::new()));
    };
    let token = if claims.refreshable == Some(true) {
        admin_token(&c, record)?
    } else {
        res["token"].as_str().unwrap_or("").to_string()
    };
    Ok(envelope(token, &res["record"]))
}

/// `GET /api/admins`: the list envelope with admin items.
pub async fn list(
    app: &App,
    q: &HashMap<String, String>,
    requester: &Requester,
) -> Result<Value, AppError> {
    let mut page = records::list(app, superusers(app)?, q, requester).await?;
    if let Some(Value::Array(items)) = page.get_mut("items") {
        for item in items.iter_mut() {
            *item = admin_json(item);
        }
    }
    Ok(page)
}

/// `GET /api/admins/{id}`.
pub async fn view(
    app: &App,
    id: &str,
    requester: &Requester,
    info: RequestInfo,
) -> Result<Value, AppError> {
    let rec = records::view(app, superusers(app)?, id, requester, info).await?;
    Ok(admin_json(&rec))
}

/// The old body minus `avatar` (superusers have no such field).
fn record_body(mut body: Map<String, Value>) -> Map<String, Value> {
    body.remove("avatar");
    body
}

/// `POST /api/admins` (`{email, password, passwordConfirm, avatar?}`).
pub async fn create(
    app: &App,
    body: Map<String, Value>,
    requester: &Requester,
    info: RequestInfo,
) -> Result<Value, AppError> {
    let c = superusers(app)?;
    let rec = record_write::create(app, c, record_body(body), Vec::new(), requester, info).await?;
    Ok(admin_json(&rec))
}

/// `PATCH /api/admins/{id}`.
pub async fn update(
    app: &App,
    id: &str,
    body: Map<String, Value>,
    requester: &Requester,
    info: RequestInfo,
) -> Result<Value, AppError> {
    let c = superusers(app)?;
    let rec =
        record_write::update(app, c, id, record_body(body), Vec::new(), requester, info).await?;
    Ok(admin_json(&rec))
}

/// `DELETE /api/admins/{id}`.
pub async fn delete(
    app: &App,
    id: &str,
    requester: &Requester,
    info: RequestInfo,
) -> Result<(), AppError> {
    record_write::delete(app, superusers(app)?, id, requester, info).await
}

fn text(body: &Map<String, Value>, key: &str) -> String {
    match body.get(key) {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Number(n)) => n.to_string(),
        _ => String::new(),
    }
}

fn invalid(errors: Errors) -> AppError {
    AppError::validation(
        "An error occurred while validating the submitted data.",
        errors,
    )
}

/// `POST /api/admins/request-password-reset` (`{email}`): the password reset mail of `_superusers`,
/// always 204 for a well-formed email.
pub async fn request_password_reset(app: &App, body: &Map<String, Value>) -> Result<(), AppError> {
    let c = app
        .find_collection("_superusers")
        .ok_or_else(AppError::not_found)?;
    super::auth_password_reset::request(app, c, body, &None).await
}

/// `POST /api/admins/confirm-password-reset` (`{token, password, passwordConfirm}`): a
/// `passwordReset` token of a superuser sets that superuser's password.
pub async fn confirm_password_reset(app: &App, body: &Map<String, Value>) -> Result<(), AppError> {
    let (raw, password) = (text(body, "token"), text(body, "password"));
    let confirm = text(body, "passwordConfirm");
    let state = if raw.is_empty() {
        None
    } else {
        super::auth_state::load_token(app, &raw, &[TokenType::PasswordReset]).await
    };
    let mut errors = Errors::new();
    match &state {
        _ if raw.is_empty() => errors.add("token", ValidationError::required()),
        Some(s) if s.collection.is_superusers() => {}
        _ => errors.add(
            "token",
            ValidationError::new("validation_invalid_token", "Invalid or expired token."),
        ),
    }
    if password.is_empty() {
        errors.add("password", ValidationError::required());
    }
    if confirm.is_empty() {
        errors.add("passwordConfirm", ValidationError::required());
    } else if confirm != password {
        errors.add(
            "passwordConfirm",
            ValidationError::new("validation_values_mismatch", "Values don't match."),
        );
    }
    let Some(state) = state.filter(|_| errors.is_empty()) else {
        return Err(invalid(errors));
    };
    let app2 = app.clone();
    app.db()
        .write(move |tx| {
            let c = state.collection;
            let old = state.record;
            let mut rec = old.clone();
            rec.set("password", Value::String(password));
            record_save::save(&app2, tx, &c, rec, Some(&old)).map(|_| ())
        })
        .await
}
