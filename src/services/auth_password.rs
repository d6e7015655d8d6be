//! Password sign-in and token refresh for any auth collection.

use super::auth_forms::body_str;
pub use super::auth_pipeline::{authenticate, ClientInfo, SignIn};
use super::auth_state::{new_auth_token, AuthState, Requester};
use crate::app::events::RecordAuthWithPasswordRequestEvent;
use crate::app::{App, AppError};
use crate::auth::password;
use crate::model::index::Index;
use crate::model::record::Record;
use crate::model::{Collection, Errors, ValidationError};
use crate::store;
use serde_json::{Map, Value};
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

/// The `{token, record}` answer of every successful sign-in (see [`super::auth_pipeline::auth_response`]).
pub fn auth_response(c: &Collection, record: &Record, token: &str) -> Value {
    super::auth_pipeline::auth_response(c, record, token, None)
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
    sign_in: SignIn<'_>,
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
    let identity_field_sent = identity_field.clone();
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
    let (found, pass) = if app.hooks().on_record_auth_with_password_request.is_empty() {
        (found, pass)
    } else {
        let info = super::rules::request_info(sign_in.requester, "POST", "default");
        let ev = RecordAuthWithPasswordRequestEvent {
            app: app.clone(),
            collection: c.clone(),
            record: found,
            identity: identity.clone(),
            identity_field: identity_field_sent.clone(),
            password: pass,
            request: super::record_write::request_data(sign_in.requester, &info),
        };
        let ev =
            super::hook_run::trigger_detached(app, |h| &h.on_record_auth_with_password_request, ev)
                .await?
                .ok_or(AppError::Stopped)?;
        (ev.record, ev.password)
    };
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
    let sign_in = SignIn {
        method: "password",
        ..sign_in
    };
    authenticate(app, &c, record, sign_in).await
}

/// `POST /api/collections/{c}/auth-refresh`.
pub async fn auth_refresh(
    app: &App,
    c: Arc<Collection>,
    requester: &Requester,
) -> Result<Value, AppError> {
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
    let pick: super::auth_hooks::Pick = |h| &h.on_record_auth_refresh_request;
    let record = &super::auth_hooks::fire_for(app, pick, &c, record.clone(), requester).await?;
    let token = if claims.refreshable == Some(true) {
        new_auth_token(&c, record).map_err(AppError::internal)?
    } else {
        token.clone()
    };
    super::auth_pipeline::respond(app, &c, record.clone(), token, None, "", requester).await
}
