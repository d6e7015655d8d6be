//! `POST /api/settings/test/email`: one of an auth collection's real templates, sent to any address for
//! a throw-away record.

use super::auth_forms::{body_str, check_email};
use super::auth_mail::{self, AuthMail};
use crate::app::{App, AppError};
use crate::model::auth_options::{random_id, random_secret};
use crate::model::collection::SUPERUSERS;
use crate::model::record::Record;
use crate::model::{datetime, Collection, Errors, ValidationError};
use serde_json::{Map, Value};

/// The accepted `template` values.
pub const TEMPLATES: [&str; 5] = [
    "verification",
    "password-reset",
    "email-change",
    "otp",
    "login-alert",
];

const FAILED: &str = "Failed to send the test email.";

/// A record whose visible fields read `__pb_test_<field>__`, with the given email.
fn test_record(c: &Collection, email: &str) -> Record {
    let mut rec = Record::new(&c.id, &c.name);
    for f in c.fields.iter().filter(|f| !f.hidden) {
        rec.set(&f.name, Value::String(format!("__pb_test_{}__", f.name)));
    }
    rec.set("email", Value::String(email.to_string()));
    rec.set("tokenKey", Value::String(random_secret(50)));
    rec
}

/// Validates the body and sends the mail; SMTP failures answer 400 with the raw error.
pub async fn send(app: &App, body: &Map<String, Value>) -> Result<(), AppError> {
    let email = body_str(body, "email");
    let template = body_str(body, "template");
    let mut collection = body_str(body, "collection");
    if collection.is_empty() {
        collection = SUPERUSERS.to_string();
    }
    let mut errors = Errors::new();
    check_email(&mut errors, "email", &email);
    if template.is_empty() {
        errors.add("template", ValidationError::required());
    } else if !TEMPLATES.contains(&template.as_str()) {
        errors.add(
            "template",
            ValidationError::new("validation_in_invalid", "Must be a valid value."),
        );
    }
    let c = app.find_collection(&collection).filter(|c| c.is_auth());
    if c.is_none() {
        errors.add(
            "collection",
            ValidationError::new(
                "validation_invalid_auth_collection",
                "Must be a valid auth collection id or name.",
            ),
        );
    }
    let Some(c) = c.filter(|_| errors.is_empty()) else {
        return Err(AppError::validation(FAILED, errors));
    };
    let record = test_record(&c, &email);
    let otp_id = random_id(15);
    let otp_length = c.auth.as_ref().map_or(8, |a| a.otp.length) as usize;
    let code = "0123456789".repeat(otp_length / 10 + 1)[..otp_length].to_string();
    let info = format!("{} - 127.0.0.1 Test", datetime::now());
    let kind = match template.as_str() {
        "verification" => AuthMail::Verification,
        "password-reset" => AuthMail::PasswordReset,
        "email-change" => AuthMail::EmailChange { new_email: &email },
        "otp" => AuthMail::Otp {
            id: &otp_id,
            code: &code,
        },
        _ => AuthMail::LoginAlert { info: &info },
    };
    auth_mail::send(app, &c, &record, kind)
        .await
        .map_err(|e| AppError::bad_request(&format!("{FAILED} Raw error: \n{e}")))
}
