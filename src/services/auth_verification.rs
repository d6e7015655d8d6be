//! `request-verification` and `confirm-verification` (04-auth §5.5).

use super::auth_forms::{
    body_str, check_email, find_by_email, invalid, random_password, resend_key, token_record,
    update_record,
};
use super::auth_hooks;
use super::auth_mail::{self, AuthMail};
use super::auth_state::Requester;
use crate::app::{App, AppError};
use crate::auth::token::{decode_unchecked, TokenType};
use crate::model::{Collection, Errors, ValidationError};
use serde_json::{Map, Value};
use std::sync::Arc;
use std::time::Duration;

/// After a sent mail, further requests for the same record are dropped this long.
pub const RESEND_BLOCK: Duration = Duration::from_secs(120);

/// `POST …/request-verification`: always 204 for a well-formed email (no enumeration).
pub async fn request(
    app: &App,
    c: Arc<Collection>,
    body: &Map<String, Value>,
    requester: &Requester,
) -> Result<(), AppError> {
    if c.is_superusers() {
        return Err(AppError::bad_request(
            "All superusers are verified by default.",
        ));
    }
    let email = body_str(body, "email");
    let mut errors = Errors::new();
    check_email(&mut errors, "email", &email);
    invalid(errors)?;
    let Some(record) = find_by_email(app, &c, &email).await? else {
        return Ok(());
    };
    let pick: auth_hooks::Pick = |h| &h.on_record_request_verification_request;
    let record = auth_hooks::fire_for(app, pick, &c, record, requester).await?;
    let key = resend_key("verification", &c, &record);
    if record.get_bool("verified") || app.memo().marked_within(&key, RESEND_BLOCK) {
        return Ok(());
    }
    // blocked from now on (so concurrent requests send one mail); a failed send lifts the block
    app.memo().mark(&key);
    auth_mail::send_in_background(app, &c, &record, AuthMail::Verification, move |app, r| {
        if r.is_err() {
            app.memo().forget(&key);
        }
    });
    Ok(())
}

/// `POST …/confirm-verification`: marks the record verified (a repeat is still 204).
pub async fn confirm(
    app: &App,
    c: Arc<Collection>,
    body: &Map<String, Value>,
    requester: &Requester,
) -> Result<(), AppError> {
    let token = body_str(body, "token");
    let mut errors = Errors::new();
    if token.is_empty() {
        errors.add("token", ValidationError::required());
        return invalid(errors);
    }
    let claimed = decode_unchecked(&token)
        .and_then(|c| c.email)
        .unwrap_or_default();
    if claimed.is_empty() {
        errors.add(
            "token",
            ValidationError::new(
                "validation_invalid_token_claims",
                "Missing email token claim.",
            ),
        );
        return invalid(errors);
    }
    let record = match token_record(app, &c, &token, TokenType::Verification).await {
        Ok((record, _)) if record.get_str("email") != claimed => {
            errors.add(
                "token",
                ValidationError::new(
                    "validation_token_email_mismatch",
                    "The record email doesn't match with the requested token claims.",
                ),
            );
            return invalid(errors);
        }
        Ok((record, _)) => record,
        Err(e) => {
            errors.add("token", e);
            return invalid(errors);
        }
    };
    let pick: auth_hooks::Pick = |h| &h.on_record_confirm_verification_request;
    let record = auth_hooks::fire_for(app, pick, &c, record, requester).await?;
    if record.get_bool("verified") {
        return Ok(());
    }
    let randomize = !c.auth.as_ref().is_some_and(|a| a.password_auth.enabled);
    update_record(
        app,
        &c,
        record.id(),
        "Failed to confirm verification.",
        move |r| {
            r.set("verified", Value::Bool(true));
            if randomize {
                r.set("password", random_password());
            }
        },
    )
    .await?;
    Ok(())
}
