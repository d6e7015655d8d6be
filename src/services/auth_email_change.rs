//! `request-email-change` and `confirm-email-change` (04-auth §5.7).

use super::auth_forms::{
    body_str, check_email, check_text, find_by_email, invalid, password_matches, token_record,
    update_record,
};
use super::auth_hooks;
use super::auth_mail::{self, AuthMail};
use super::auth_state::Requester;
use crate::app::{App, AppError};
use crate::auth::token::{decode_unchecked, TokenType};
use crate::model::record::Record;
use crate::model::{Collection, Errors, ValidationError};
use serde_json::{Map, Value};
use std::sync::Arc;

/// True when another record of `c` already uses `email`.
async fn taken(app: &App, c: &Arc<Collection>, email: &str, id: &str) -> Result<bool, AppError> {
    Ok(find_by_email(app, c, email)
        .await?
        .is_some_and(|r| r.id() != id))
}

/// Fires an email change hook (`record`, `newEmail`); gives back what the handlers left.
async fn with_hook(
    app: &App,
    pick: auth_hooks::Pick,
    c: &Arc<Collection>,
    record: Record,
    new_email: String,
    requester: &Requester,
) -> Result<(Record, String), AppError> {
    if pick(app.hooks()).is_empty() {
        return Ok((record, new_email));
    }
    let mut extra = Map::new();
    extra.insert("newEmail".into(), Value::String(new_email.clone()));
    let ev = auth_hooks::fire(app, pick, c, Some(record.clone()), extra, requester).await?;
    let new_email = ev.extra["newEmail"]
        .as_str()
        .map(str::to_string)
        .unwrap_or(new_email);
    Ok((ev.record.unwrap_or(record), new_email))
}

/// `POST …/request-email-change`: mails a confirmation link to the new address (synchronously).
pub async fn request(
    app: &App,
    c: Arc<Collection>,
    body: &Map<String, Value>,
    requester: &Requester,
) -> Result<(), AppError> {
    let Some(state) = requester else {
        return Err(AppError::Unauthorized(
            "The request requires valid record authorization token.".into(),
        ));
    };
    if c.is_superusers() {
        return Err(AppError::bad_request(
            "All superusers can change their emails directly.",
        ));
    }
    if state.collection.id != c.id {
        return Err(AppError::Forbidden(format!(
            "The request requires auth record from {} collection.",
            state.collection.name
        )));
    }
    let record = &state.record;
    let new_email = body_str(body, "newEmail");
    let mut errors = Errors::new();
    check_email(&mut errors, "newEmail", &new_email);
    if errors.is_empty() {
        if new_email == record.get_str("email") {
            errors.add(
                "newEmail",
                ValidationError::new("validation_not_in_invalid", "Must not be in list."),
            );
        } else if taken(app, &c, &new_email, record.id()).await? {
            errors.add(
                "newEmail",
                ValidationError::new("validation_invalid_new_email", "Invalid new email address."),
            );
        }
    }
    invalid(errors)?;
    let (record, new_email) = with_hook(
        app,
        |h| &h.on_record_request_email_change_request,
        &c,
        record.clone(),
        new_email,
        requester,
    )
    .await?;
    let mail = AuthMail::EmailChange {
        new_email: &new_email,
    };
    auth_mail::send(app, &c, &record, mail).await.map_err(|e| {
        tracing::error!("failed to send the email change mail: {e}");
        AppError::bad_request("Failed to request email change.")
    })
}

/// The token check of confirm: the record it names when the token is good and the new email is free.
async fn check_token(
    app: &App,
    c: &Arc<Collection>,
    token: &str,
) -> Result<(Record, String), ValidationError> {
    let new_email = decode_unchecked(token)
        .and_then(|c| c.new_email)
        .unwrap_or_default();
    if new_email.is_empty() {
        return Err(ValidationError::new(
            "validation_invalid_token_payload",
            "Invalid token payload - newEmail must be set.",
        ));
    }
    let (record, _) = token_record(app, c, token, TokenType::EmailChange).await?;
    let in_use = taken(app, c, &new_email, record.id()).await.unwrap_or(true);
    if in_use {
        return Err(ValidationError::new(
            "validation_invalid_token_email",
            "The new email address is invalid.",
        ));
    }
    Ok((record, new_email))
}

/// `POST …/confirm-email-change`: the new email is set and verified; tokenKey rotates.
pub async fn confirm(
    app: &App,
    c: Arc<Collection>,
    body: &Map<String, Value>,
    requester: &Requester,
) -> Result<(), AppError> {
    let token = body_str(body, "token");
    let pass = body_str(body, "password");
    let mut errors = Errors::new();
    let mut found = None;
    if token.is_empty() {
        errors.add("token", ValidationError::required());
    } else {
        match check_token(app, &c, &token).await {
            Ok(v) => found = Some(v),
            Err(e) => errors.add("token", e),
        }
    }
    check_text(&mut errors, "password", &pass, 1, 100);
    if !errors.has("password") {
        let ok = match &found {
            Some((record, _)) => password_matches(record, &pass).await,
            None => false,
        };
        if !ok {
            errors.add(
                "password",
                ValidationError::new(
                    "validation_invalid_password",
                    "Missing or invalid auth record password.",
                ),
            );
        }
    }
    invalid(errors)?;
    let Some((record, new_email)) = found else {
        return Err(AppError::bad_request(""));
    };
    let (record, new_email) = with_hook(
        app,
        |h| &h.on_record_confirm_email_change_request,
        &c,
        record,
        new_email,
        requester,
    )
    .await?;
    update_record(
        app,
        &c,
        record.id(),
        "Failed to confirm email change.",
        move |r| {
            r.set("email", Value::String(new_email));
            r.set("verified", Value::Bool(true));
        },
    )
    .await?;
    Ok(())
}
