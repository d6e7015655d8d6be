//! Password sign-in and token refresh for any auth collection.

use super::auth_state::{is_superuser, new_auth_token, AuthState, Requester};
use super::record_json::{record_json, Visibility};
use super::rules;
use crate::app::{App, AppError};
use crate::auth::password;
use crate::model::index::Index;
use crate::model::record::Record;
use crate::model::{Collection, Errors, ValidationError};
use crate::store;
use serde_json::{json, Map, Value};
use std::sync::Arc;

/// The auth collection named in the URL, or PocketBase's 404s.
pub fn auth_collection(app: &App, id_or_name: &str) -> Result<Arc<Collection>, AppError> {
    let c = app
        .find_collection(id_or_name)
        .ok_or_else(|| AppError::NotFound("Missing or invalid collection context.".into()))?;
    if !c.is_auth() {
        return Err(AppError::NotFound(
            "Missing or invalid auth collection context.".into(),
        ));
    }
    Ok(c)
}

fn body_str(body: &Map<String, Value>, key: &str) -> String {
    match body.get(key) {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Number(n)) => n.to_string(),
        _ => String::new(),
    }
}

/// The `{token, record}` answer of every successful sign-in.
pub fn auth_response(c: &Collection, record: &Record, token: &str) -> Value {
    let vis = Visibility {
        hidden: c.is_superusers(),
        email: true,
    };
    json!({ "record": record_json(c, record, vis), "token": token })
}

/// True when the identity field's unique index is case-insensitive.
fn nocase_identity(c: &Collection, field: &str) -> bool {
    c.indexes.iter().filter_map(|i| Index::parse(i)).any(|i| {
        i.unique
            && i.columns.len() == 1
            && i.columns[0].name.eq_ignore_ascii_case(field)
            && i.columns[0].collate.eq_ignore_ascii_case("nocase")
    })
}

/// `POST /api/collections/{c}/auth-with-password`.
pub async fn auth_with_password(
    app: &App,
    c: Arc<Collection>,
    body: Map<String, Value>,
    requester: &Requester,
) -> Result<Value, AppError> {
    let auth = c.auth.as_ref().ok_or_else(AppError::not_found)?;
    if !auth.password_auth.enabled {
        return Err(AppError::Forbidden(
            "The collection is not configured to allow password authentication.".into(),
        ));
    }
    let identity = body_str(&body, "identity");
    let pass = body_str(&body, "password");
    let identity_field = body_str(&body, "identityField");
    let mut errors = Errors::new();
    for (key, v) in [("identity", &identity), ("password", &pass)] {
        if v.is_empty() {
            errors.add(key, ValidationError::required());
        } else if v.chars().count() > 255 {
            errors.add(
                key,
                ValidationError::new(
                    "validation_length_too_long",
                    "The length must be no more than {max}.",
                )
                .param("max", 255),
            );
        }
    }
    if !identity_field.is_empty() && !auth.password_auth.identity_fields.contains(&identity_field) {
        errors.add(
            "identityField",
            ValidationError::new("validation_in_invalid", "Must be a valid value."),
        );
    }
    if !errors.is_empty() {
        return Err(AppError::validation(
            "An error occurred while validating the submitted data.",
            errors,
        ));
    }
    let mut fields: Vec<String> = if identity_field.is_empty() {
        auth.password_auth.identity_fields.clone()
    } else {
        vec![identity_field]
    };
    if let Some(pos) = fields.iter().position(|f| f == "email") {
        let email = fields.remove(pos);
        if identity.contains('@') {
            fields.insert(0, email);
        }
    }
    let c2 = c.clone();
    let ident = identity.clone();
    let found = app
        .db()
        .read(move |conn| {
            for name in &fields {
                let Some(field) = c2.field(name) else {
                    continue;
                };
                let nocase = nocase_identity(&c2, name);
                if let Some(r) = store::records::find_first_by(conn, &c2, field, &ident, nocase)? {
                    return Ok(Some(r));
                }
            }
            Ok(None)
        })
        .await?;
    let failed = || AppError::bad_request("Failed to authenticate.");
    let record = match found {
        Some(r) => {
            let hash = r.get_str("password").to_string();
            let ok = tokio::task::spawn_blocking(move || password::verify(&pass, &hash))
                .await
                .unwrap_or(false);
            if !ok {
                return Err(failed());
            }
            r
        }
        None => {
            let _ = tokio::task::spawn_blocking(move || {
                password::verify(&pass, password::dummy_hash())
            })
            .await;
            return Err(failed());
        }
    };
    authenticate(app, &c, record, requester).await
}

/// The shared success pipeline: authRule, then `{token, record}`.
pub async fn authenticate(
    app: &App,
    c: &Arc<Collection>,
    record: Record,
    requester: &Requester,
) -> Result<Value, AppError> {
    let auth = c.auth.as_ref().ok_or_else(AppError::not_found)?;
    let allowed = match &auth.auth_rule {
        None => is_superuser(requester),
        Some(rule) if rule.trim().is_empty() => true,
        Some(rule) => rules::record_matches(app, c, rule, record.id(), requester).await?,
    };
    if !allowed {
        return Err(AppError::Forbidden(
            "The request doesn't satisfy the collection requirements to authenticate.".into(),
        ));
    }
    let token = new_auth_token(c, &record).map_err(AppError::internal)?;
    Ok(auth_response(c, &record, &token))
}

/// `POST /api/collections/{c}/auth-refresh`.
pub async fn auth_refresh(c: Arc<Collection>, requester: &Requester) -> Result<Value, AppError> {
    let Some(state) = requester else {
        return Err(AppError::Unauthorized(
            "The request requires valid record authorization token.".into(),
        ));
    };
    if state.collection.id != c.id {
        return Err(AppError::Forbidden(format!(
            "The request requires auth record from {} collection.",
            c.name
        )));
    }
    let AuthState {
        record,
        claims,
        token,
        ..
    } = state;
    let token = if claims.refreshable == Some(true) {
        new_auth_token(&c, record).map_err(AppError::internal)?
    } else {
        token.clone()
    };
    Ok(auth_response(&c, record, &token))
}
