//! Superuser account management used by the CLI (`superuser upsert|create|update|delete`).

use super::record_save;
use crate::app::{App, AppError};
use crate::model::collection::SUPERUSERS;
use crate::model::record::Record;
use crate::model::settings::is_valid_email;
use crate::store;
use serde_json::{json, Map};

/// The installer account PocketBase creates on first run.
pub const INSTALLER_EMAIL: &str = "__pbinstaller@example.com";

fn find_by_email(app: &App, email: &str) -> Result<Option<Record>, AppError> {
    let c = app
        .find_collection(SUPERUSERS)
        .ok_or_else(AppError::not_found)?;
    let email = email.to_string();
    Ok(app.db().read_blocking(move |conn| {
        let field = c
            .field("email")
            .cloned()
            .ok_or(store::StoreError::NotFound)?;
        store::records::find_first_by(conn, &c, &field, &email, false)
    })?)
}

fn save_with(
    app: &App,
    existing: Option<Record>,
    email: &str,
    password: &str,
) -> Result<(), AppError> {
    let c = app
        .find_collection(SUPERUSERS)
        .ok_or_else(AppError::not_found)?;
    let mut body = Map::new();
    body.insert("email".into(), json!(email));
    body.insert("password".into(), json!(password));
    let app2 = app.clone();
    let email = email.to_string();
    app.db().write_blocking(move |tx| {
        let superuser: super::auth_state::Requester = None;
        let (rec, old) = match existing {
            Some(old) => {
                let mut rec = old.clone();
                record_save::apply_body(&c, &mut rec, &body, &superuser);
                (rec, Some(old))
            }
            None => (record_save::record_from_body(&c, &body, &superuser), None),
        };
        record_save::save(&app2, tx, &c, rec, old.as_ref())?;
        if email != INSTALLER_EMAIL {
            remove_installer(&app2, tx, &c)?;
        }
        Ok::<(), AppError>(())
    })
}

fn remove_installer(
    app: &App,
    tx: &crate::store::Tx,
    c: &std::sync::Arc<crate::model::Collection>,
) -> Result<(), AppError> {
    let field = c.field("email").cloned().ok_or_else(AppError::not_found)?;
    if let Some(installer) =
        tx.with(|conn| store::records::find_first_by(conn, c, &field, INSTALLER_EMAIL, false))?
    {
        record_save::delete(app, tx, c, installer)?;
    }
    Ok(())
}

/// The number of superusers, not counting PocketBase's installer account.
pub fn count_real(app: &App) -> Result<i64, AppError> {
    let c = app
        .find_collection(SUPERUSERS)
        .ok_or_else(AppError::not_found)?;
    let all = app
        .db()
        .read_blocking(move |conn| store::records::count_all(conn, &c))?;
    let installer = i64::from(find_by_email(app, INSTALLER_EMAIL)?.is_some());
    Ok(all - installer)
}

fn check_email(email: &str) -> Result<(), AppError> {
    if email.is_empty() || !is_valid_email(email) {
        return Err(AppError::bad_request("missing or invalid email address"));
    }
    Ok(())
}

/// Creates the superuser or changes its password.
pub fn upsert(app: &App, email: &str, password: &str) -> Result<(), AppError> {
    check_email(email)?;
    let existing = find_by_email(app, email)?;
    save_with(app, existing, email, password)
}

/// Creates a new superuser; fails when the email is taken.
pub fn create(app: &App, email: &str, password: &str) -> Result<(), AppError> {
    check_email(email)?;
    save_with(app, None, email, password)
}

/// Changes the password of an existing superuser.
pub fn update(app: &App, email: &str, password: &str) -> Result<(), AppError> {
    let existing = find_by_email(app, email)?.ok_or_else(|| {
        AppError::NotFound(format!("superuser with email \"{email}\" doesn't exist"))
    })?;
    save_with(app, Some(existing), email, password)
}

/// Deletes a superuser; `Ok(false)` when there was none with this email.
pub fn delete(app: &App, email: &str) -> Result<bool, AppError> {
    let Some(existing) = find_by_email(app, email)? else {
        return Ok(false);
    };
    let c = app
        .find_collection(SUPERUSERS)
        .ok_or_else(AppError::not_found)?;
    let app2 = app.clone();
    app.db()
        .write_blocking(move |tx| record_save::delete(&app2, tx, &c, existing))?;
    Ok(true)
}

/// Flattens an error into the one line the CLI prints.
pub fn cli_message(e: &AppError) -> String {
    match e {
        AppError::BadRequest { message, data } if !data.is_empty() => {
            let _ = message;
            data.summary()
        }
        other => other.to_string(),
    }
}
