//! `request-password-reset` and `confirm-password-reset` (04-auth §5.6).

use super::auth_forms::{
    body_str, check_email, find_by_email, invalid, length_error, resend_key, token_record,
    update_record,
};
use super::auth_hooks;
use super::auth_mail::{self, AuthMail};
use super::auth_state::Requester;
use super::auth_verification::RESEND_BLOCK;
use super::superusers::INSTALLER_EMAIL;
use crate::app::{App, AppError};
use crate::auth::token::TokenType;
use crate::model::{Collection, Errors, FieldKind, ValidationError};
use serde_json::{Map, Value};
use std::sync::Arc;

fn password_auth_enabled(c: &Collection) -> Result<(), AppError> {
    if c.auth.as_ref().is_some_and(|a| a.password_auth.enabled) {
        Ok(())
    } else {
        Err(AppError::bad_request(
            "The collection is not configured to allow password authentication.",
        ))
    }
}

/// `POST …/request-password-reset`: always 204 for a well-formed email (no enumeration).
pub async fn request(
    app: &App,
    c: Arc<Collection>,
    body: &Map<String, Value>,
    requester: &Requester,
) -> Result<(), AppError> {
    password_auth_enabled(&c)?;
    let email = body_str(body, "email");
    let mut errors = Errors::new();
    check_email(&mut errors, "email", &email);
    invalid(errors)?;
    let Some(record) = find_by_email(app, &c, &email).await? else {
        return Ok(());
    };
    let pick: auth_hooks::Pick = |h| &h.on_record_request_password_reset_request;
    let record = auth_hooks::fire_for(app, pick, &c, record, requester).await?;
    let key = resend_key("passwordReset", &c, &record);
    let installer = c.is_superusers() && email == INSTALLER_EMAIL;
    if installer || app.memo().marked_within(&key, RESEND_BLOCK) {
        return Ok(());
    }
    // blocked from now on (so concurrent requests send one mail); a failed send lifts the block
    app.memo().mark(&key);
    auth_mail::send_in_background(app, &c, &record, AuthMail::PasswordReset, move |app, r| {
        if r.is_err() {
            app.memo().forget(&key);
        }
    });
    Ok(())
}

/// The password field's minimum length (at least 1).
fn min_password_length(c: &Collection) -> i64 {
    match c.field("password").map(|f| &f.kind) {
        Some(FieldKind::Password(o)) if o.min > 0 => o.min,
        _ => 1,
    }
}

/// `POST …/confirm-password-reset`: sets the new password (tokenKey rotates) and verifies the email the
/// token was sent to.
pub async fn confirm(
    app: &App,
    c: Arc<Collection>,
    body: &Map<String, Value>,
    requester: &Requester,
) -> Result<(), AppError> {
    let token = body_str(body, "token");
    let pass = body_str(body, "password");
    let confirm = body_str(body, "passwordConfirm");
    let mut errors = Errors::new();
    let mut found = None;
    if token.is_empty() {
        errors.add("token", ValidationError::required());
    } else {
        match token_record(app, &c, &token, TokenType::PasswordReset).await {
            Ok(v) => found = Some(v),
            Err(e) => errors.add("token", e),
        }
    }
    let n = pass.chars().count() as i64;
    let min = min_password_length(&c);
    if pass.is_empty() {
        errors.add("password", ValidationError::required());
    } else if n < min || n > 255 {
        errors.add("password", length_error(min, 255));
    }
    if confirm.is_empty() {
        errors.add("passwordConfirm", ValidationError::required());
    } else if confirm != pass {
        errors.add(
            "passwordConfirm",
            ValidationError::new("validation_values_mismatch", "Values don't match."),
        );
    }
    invalid(errors)?;
    let Some((record, claims)) = found else {
        return Err(AppError::bad_request(""));
    };
    let pick: auth_hooks::Pick = |h| &h.on_record_confirm_password_reset_request;
    let record = auth_hooks::fire_for(app, pick, &c, record, requester).await?;
    let verify =
        !record.get_bool("verified") && claims.email.as_deref() == Some(record.get_str("email"));
    update_record(
        app,
        &c,
        record.id(),
        "Failed to set the new password.",
        move |r| {
            r.set("password", Value::String(pass));
            if verify {
                r.set("verified", Value::Bool(true));
            }
        },
    )
    .await?;
    Ok(())
}
