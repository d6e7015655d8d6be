//! Sending mails through their hooks: `onMailerSend` wraps every outgoing mail (its handlers may change
//! the message or stop it), the `onMailerRecord*Send` hooks wrap the auth mails of a record.
//! Hook handlers (JS) never run on an async worker: the async entry points move to a blocking thread
//! when a handler is bound.

use crate::app::events::{MailerEvent, MailerRecordEvent};
use crate::app::{App, AppError};
use crate::hook::Hook;
use crate::mail::{self, MailError, Message};
use crate::model::record::Record;
use crate::model::Collection;
use serde_json::{Map, Value};
use std::sync::Arc;

/// Which auth mail a record hook is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MailKind {
    Verification,
    PasswordReset,
    EmailChange,
    Otp,
    AuthAlert,
}

fn record_hook(app: &App, kind: MailKind) -> &Hook<MailerRecordEvent, AppError> {
    let h = app.hooks();
    match kind {
        MailKind::Verification => &h.on_mailer_record_verification_send,
        MailKind::PasswordReset => &h.on_mailer_record_password_reset_send,
        MailKind::EmailChange => &h.on_mailer_record_email_change_send,
        MailKind::Otp => &h.on_mailer_record_otp_send,
        MailKind::AuthAlert => &h.on_mailer_record_auth_alert_send,
    }
}

fn to_app(e: MailError) -> AppError {
    AppError::internal(e.0)
}

fn to_mail(e: AppError) -> MailError {
    match e {
        AppError::Internal(m) => MailError(m),
        other => MailError(other.to_string()),
    }
}

/// Sends over the configured transport, blocking the calling (non-async) thread.
fn send_now(app: &App, msg: &Message) -> Result<(), MailError> {
    let smtp = app.settings().smtp.clone();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| MailError(e.to_string()))?;
    rt.block_on(mail::send(&smtp, msg))
}

/// Sends one mail through `onMailerSend`. Blocking: call it off the async runtime.
pub fn deliver_blocking(app: &App, msg: Message) -> Result<(), MailError> {
    let mut e = MailerEvent {
        app: app.clone(),
        message: msg,
    };
    app.hooks()
        .on_mailer_send
        .trigger(&mut e, |e| send_now(&e.app, &e.message).map_err(to_app))
        .map_err(to_mail)
}

/// Sends a record's auth mail through its `onMailerRecord*Send` hook, then `onMailerSend`. Blocking.
pub fn deliver_record_blocking(
    app: &App,
    collection: Arc<Collection>,
    record: Record,
    kind: MailKind,
    msg: Message,
    meta: Map<String, Value>,
) -> Result<(), MailError> {
    let mut e = MailerRecordEvent {
        app: app.clone(),
        collection,
        record,
        message: msg,
        meta,
    };
    record_hook(app, kind)
        .trigger(&mut e, |e| {
            deliver_blocking(&e.app, e.message.clone()).map_err(to_app)
        })
        .map_err(to_mail)
}

/// `deliver_blocking` for async callers.
pub async fn deliver(app: &App, msg: Message) -> Result<(), MailError> {
    if app.hooks().on_mailer_send.is_empty() {
        let smtp = app.settings().smtp.clone();
        return mail::send(&smtp, &msg).await;
    }
    let app2 = app.clone();
    tokio::task::spawn_blocking(move || deliver_blocking(&app2, msg))
        .await
        .map_err(|e| MailError(e.to_string()))?
}

/// `deliver_record_blocking` for async callers.
pub async fn deliver_record(
    app: &App,
    collection: &Collection,
    record: &Record,
    kind: MailKind,
    msg: Message,
    meta: Map<String, Value>,
) -> Result<(), MailError> {
    if record_hook(app, kind).is_empty() {
        return deliver(app, msg).await;
    }
    let (app2, c, r) = (app.clone(), Arc::new(collection.clone()), record.clone());
    tokio::task::spawn_blocking(move || deliver_record_blocking(&app2, c, r, kind, msg, meta))
        .await
        .map_err(|e| MailError(e.to_string()))?
}
