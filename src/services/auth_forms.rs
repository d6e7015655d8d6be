//! Shared pieces of the auth mail forms: body values, email/length checks, the mail-token checks with
//! PocketBase's error codes, and saving a changed auth record.

use super::auth_state::load_token;
use super::record_save;
use crate::app::{App, AppError};
use crate::auth::password;
use crate::auth::token::TokenType;
use crate::model::record::Record;
use crate::model::settings::is_valid_email;
use crate::model::{Collection, Errors, ValidationError};
use crate::store;
use serde_json::{Map, Value};
use std::sync::Arc;

/// The message of every 400 the auth forms answer with field errors.
pub const INVALID_DATA: &str = "An error occurred while validating the submitted data.";

/// A body value as text ("" when missing or not a string/number).
pub fn body_str(body: &Map<String, Value>, key: &str) -> String {
    match body.get(key) {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Number(n)) => n.to_string(),
        _ => String::new(),
    }
}

/// `validation_length_out_of_range` with PocketBase's message and params.
pub fn length_error(min: i64, max: i64) -> ValidationError {
    ValidationError::new(
        "validation_length_out_of_range",
        &format!("The length must be between {min} and {max}."),
    )
    .param("max", max)
    .param("min", min)
}

/// Checks a text: required, then `min..=max` runes (when `max > 0`).
pub fn check_text(errors: &mut Errors, key: &str, value: &str, min: i64, max: i64) {
    let n = value.chars().count() as i64;
    if value.is_empty() {
        errors.add(key, ValidationError::required());
    } else if n < min || (max > 0 && n > max) {
        errors.add(key, length_error(min, max));
    }
}

/// Checks an email input: required, email format, at most 255 characters.
pub fn check_email(errors: &mut Errors, key: &str, value: &str) {
    if value.is_empty() {
        errors.add(key, ValidationError::required());
    } else if !is_valid_email(value) {
        errors.add(
            key,
            ValidationError::new("validation_is_email", "Must be a valid email address."),
        );
    } else if value.chars().count() > 255 {
        errors.add(
            key,
            ValidationError::new(
                "validation_length_too_long",
                "The length must be no more than 255.",
            )
            .param("max", 255),
        );
    }
}

/// The 400 for collected field errors.
pub fn invalid(errors: Errors) -> Result<(), AppError> {
    if errors.is_empty() {
        Ok(())
    } else {
        Err(AppError::validation(INVALID_DATA, errors))
    }
}

pub fn invalid_token() -> ValidationError {
    ValidationError::new("validation_invalid_token", "Invalid or expired token.")
}

/// Loads the record a mail token of `kind` was issued for and checks it belongs to `c`.
pub async fn token_record(
    app: &App,
    c: &Collection,
    raw: &str,
    kind: TokenType,
) -> Result<(Record, crate::auth::token::Claims), ValidationError> {
    let state = load_token(app, raw, &[kind])
        .await
        .ok_or_else(invalid_token)?;
    if state.collection.id != c.id {
        return Err(ValidationError::new(
            "validation_token_collection_mismatch",
            "The provided token is for different auth collection.",
        ));
    }
    Ok((state.record, state.claims))
}

/// The first record of `c` whose email equals `email` (case-sensitively, as the unique index).
pub async fn find_by_email(
    app: &App,
    c: &Arc<Collection>,
    email: &str,
) -> Result<Option<Record>, AppError> {
    let Some(field) = c.field("email").cloned() else {
        return Ok(None);
    };
    let (c, email) = (c.clone(), email.to_string());
    Ok(app
        .db()
        .read(move |conn| store::records::find_first_by(conn, &c, &field, &email, false))
        .await?)
}

/// True when `plain` matches the record's password hash (checked off the async threads).
pub async fn password_matches(record: &Record, plain: &str) -> bool {
    let (hash, plain) = (record.get_str("password").to_string(), plain.to_string());
    tokio::task::spawn_blocking(move || password::verify(&plain, &hash))
        .await
        .unwrap_or(false)
}

/// Re-reads the record inside a write transaction, applies `change` and saves it with every hook.
/// A failed save answers `failure` with the record's field errors.
pub async fn update_record(
    app: &App,
    c: &Arc<Collection>,
    id: &str,
    failure: &'static str,
    change: impl FnOnce(&mut Record) + Send + 'static,
) -> Result<Record, AppError> {
    let (app2, c, id) = (app.clone(), c.clone(), id.to_string());
    app.db()
        .write(move |tx| {
            let old = tx
                .with(|conn| store::records::find_by_id(conn, &c, &id))?
                .ok_or_else(AppError::not_found)?;
            let mut rec = old.clone();
            change(&mut rec);
            record_save::save(&app2, tx, &c, rec, Some(&old)).map_err(|e| match e {
                AppError::BadRequest { data, .. } if !data.is_empty() => {
                    AppError::validation(failure, data)
                }
                other => other,
            })
        })
        .await
}

/// A random password (the anti-hijack resets): 30 characters.
pub fn random_password() -> Value {
    Value::String(crate::model::auth_options::random_secret(30))
}

/// The key of a 2-minute resend block for one mail kind and record.
pub fn resend_key(kind: &str, c: &Collection, record: &Record) -> String {
    format!("{kind}:{}:{}", c.id, record.id())
}
