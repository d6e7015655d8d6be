//! The auth mails (verification, password reset, email change, OTP, login alert): template, token,
//! placeholders and recipient for one record, and their delivery through the configured mailer.

use super::mail_hooks::{self, MailKind};
use crate::app::App;
use crate::auth::token::{self, TokenType};
use crate::mail::template::{self, Placeholders};
use crate::mail::{self, MailError};
use crate::model::auth_options::{AuthOptions, EmailTemplate};
use crate::model::record::Record;
use crate::model::Collection;
use serde_json::{json, Map, Value};

/// Which mail, with the values only that mail needs.
#[derive(Debug, Clone, Copy)]
pub enum AuthMail<'a> {
    Verification,
    PasswordReset,
    /// Sent to the new address.
    EmailChange {
        new_email: &'a str,
    },
    Otp {
        id: &'a str,
        code: &'a str,
    },
    LoginAlert {
        info: &'a str,
    },
}

impl AuthMail<'_> {
    /// The record hook this mail goes through.
    pub fn kind(self) -> MailKind {
        match self {
            AuthMail::Verification => MailKind::Verification,
            AuthMail::PasswordReset => MailKind::PasswordReset,
            AuthMail::EmailChange { .. } => MailKind::EmailChange,
            AuthMail::Otp { .. } => MailKind::Otp,
            AuthMail::LoginAlert { .. } => MailKind::AuthAlert,
        }
    }

    fn template(self, auth: &AuthOptions) -> &EmailTemplate {
        match self {
            AuthMail::Verification => &auth.verification_template,
            AuthMail::PasswordReset => &auth.reset_password_template,
            AuthMail::EmailChange { .. } => &auth.confirm_email_change_template,
            AuthMail::Otp { .. } => &auth.otp.email_template,
            AuthMail::LoginAlert { .. } => &auth.auth_alert.email_template,
        }
    }

    /// The `{TOKEN}` of this mail ("" for mails without one).
    fn token(self, c: &Collection, auth: &AuthOptions, record: &Record) -> Result<String, String> {
        let (kind, config, new_email) = match self {
            AuthMail::Verification => (TokenType::Verification, &auth.verification_token, None),
            AuthMail::PasswordReset => (TokenType::PasswordReset, &auth.password_reset_token, None),
            AuthMail::EmailChange { new_email } => (
                TokenType::EmailChange,
                &auth.email_change_token,
                Some(new_email),
            ),
            _ => return Ok(String::new()),
        };
        token::new_email_token(
            kind,
            record.id(),
            &c.id,
            config.duration,
            record.get_str("email"),
            new_email,
            (record.get_str("tokenKey"), &config.secret),
        )
    }
}

/// Builds the mail for `record` of the auth collection `c` with the current settings.
pub fn compose(
    app: &App,
    c: &Collection,
    record: &Record,
    kind: AuthMail,
) -> Result<mail::Message, MailError> {
    compose_with_meta(app, c, record, kind).map(|(msg, _)| msg)
}

/// `compose` with the `meta` the `onMailerRecord*Send` hooks get: `{token}` (verification, password
/// reset), `{token, newEmail}` (email change), `{otpId, password}` (OTP), `{info}` (login alert).
pub fn compose_with_meta(
    app: &App,
    c: &Collection,
    record: &Record,
    kind: AuthMail,
) -> Result<(mail::Message, Map<String, Value>), MailError> {
    let auth = c
        .auth
        .as_ref()
        .ok_or_else(|| MailError("not an auth collection".into()))?;
    let settings = app.settings();
    let mut p = Placeholders {
        app_name: settings.meta.app_name.clone(),
        app_url: settings.meta.app_url.clone(),
        token: kind.token(c, auth, record).map_err(MailError)?,
        record: c
            .fields
            .iter()
            .filter(|f| !f.hidden)
            .map(|f| {
                let v = record.get(&f.name).cloned().unwrap_or_default();
                (f.name.clone(), v)
            })
            .collect(),
        ..Default::default()
    };
    let mut to = record.get_str("email").to_string();
    match kind {
        AuthMail::EmailChange { new_email } => to = new_email.to_string(),
        AuthMail::Otp { id, code } => {
            p.otp_id = id.to_string();
            p.otp = code.to_string();
        }
        AuthMail::LoginAlert { info } => p.alert_info = info.to_string(),
        AuthMail::Verification | AuthMail::PasswordReset => {}
    }
    let rendered = template::render(kind.template(auth), &p);
    let meta = match kind {
        AuthMail::Verification | AuthMail::PasswordReset => json!({ "token": p.token }),
        AuthMail::EmailChange { new_email } => json!({ "token": p.token, "newEmail": new_email }),
        AuthMail::Otp { id, code } => json!({ "otpId": id, "password": code }),
        AuthMail::LoginAlert { info } => json!({ "info": info }),
    };
    let msg = mail::Message {
        from_name: settings.meta.sender_name.clone(),
        from_address: settings.meta.sender_address.clone(),
        to: vec![to],
        subject: rendered.subject,
        html: rendered.html,
        ..Default::default()
    };
    Ok((msg, meta.as_object().cloned().unwrap_or_default()))
}

/// Sends a composed mail through `onMailerSend` with the current SMTP settings.
pub async fn deliver(app: &App, msg: &mail::Message) -> Result<(), MailError> {
    mail_hooks::deliver(app, msg.clone()).await
}

/// Composes and sends in one go.
pub async fn send(
    app: &App,
    c: &Collection,
    record: &Record,
    kind: AuthMail<'_>,
) -> Result<(), MailError> {
    let (msg, meta) = compose_with_meta(app, c, record, kind)?;
    mail_hooks::deliver_record(app, c, record, kind.kind(), msg, meta).await
}

/// Sends in the background (the caller does not wait); `then` runs with the outcome.
pub fn send_in_background(
    app: &App,
    c: &Collection,
    record: &Record,
    kind: AuthMail<'_>,
    then: impl FnOnce(&App, Result<(), MailError>) + Send + 'static,
) {
    let msg = compose_with_meta(app, c, record, kind);
    let (app2, c2, record2, kind2) = (app.clone(), c.clone(), record.clone(), kind.kind());
    app.spawn(async move {
        let outcome = match msg {
            Ok((msg, meta)) => {
                mail_hooks::deliver_record(&app2, &c2, &record2, kind2, msg, meta).await
            }
            Err(e) => Err(e),
        };
        if let Err(e) = &outcome {
            tracing::error!("failed to send an auth mail: {e}");
        }
        then(&app2, outcome);
    });
}
