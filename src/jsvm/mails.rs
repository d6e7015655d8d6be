//! Mail in JS: `$app.newMailClient().send(message)`, the `$mails.sendRecord*` helpers, and the mailer
//! hook events (`onMailerSend`, `onMailerRecord*Send`) as JS sees them. A `MailerMessage` crosses as
//! `{from: {address, name}, to/cc/bcc: [{address, name}], subject, html, text, headers, attachments,
//! inlineAttachments}`; an attachment is an opened reader (`file.reader.open()`, crossing as
//! `{__open: reader}`) and, beyond PocketBase (which drops anything but a Go reader), a `$filesystem`
//! file, its `reader`, a byte array or a string.

use super::bridge;
use super::files;
use super::hooks::JsEvent;
use crate::app::events::{MailerEvent, MailerRecordEvent};
use crate::app::{App, AppError};
use crate::mail::{Attachment, Message};
use crate::services::auth_mail::{self, AuthMail};
use crate::services::mail_hooks;
use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine;
use serde_json::{json, Value};

/// Recipients as `address` or `Name <address>` (what `mail::Message` takes).
fn addresses(v: &Value) -> Vec<String> {
    v.as_array()
        .map(|l| {
            l.iter()
                .filter_map(|x| match x {
                    Value::String(s) => Some(s.clone()),
                    other => {
                        let address = other["address"].as_str().filter(|a| !a.is_empty())?;
                        let name = other["name"].as_str().unwrap_or("");
                        Some(match address.parse::<lettre::Address>() {
                            Ok(a) if !name.is_empty() => {
                                lettre::message::Mailbox::new(Some(name.to_string()), a).to_string()
                            }
                            _ => address.to_string(),
                        })
                    }
                })
                .filter(|s| !s.is_empty())
                .collect()
        })
        .unwrap_or_default()
}

/// A JS `MailerMessage` as a mail (the sender defaults to the app's); an attachment that cannot be
/// read (a missing file) is an error.
pub fn message_in(app: &App, v: &Value) -> Result<Message, String> {
    let settings = app.settings();
    let text = |k: &str| v[k].as_str().unwrap_or("").to_string();
    let from_address = v["from"]["address"]
        .as_str()
        .filter(|s| !s.is_empty())
        .unwrap_or(&settings.meta.sender_address)
        .to_string();
    let from_name = match v["from"]["name"].as_str() {
        Some(n)
            if !n.is_empty() || v["from"]["address"].as_str().is_some_and(|a| !a.is_empty()) =>
        {
            n.to_string()
        }
        _ => settings.meta.sender_name.clone(),
    };
    let attachments = attachments_in(&v["attachments"], false)?
        .into_iter()
        .chain(attachments_in(&v["inlineAttachments"], true)?)
        .collect();
    Ok(Message {
        from_name,
        from_address,
        to: addresses(&v["to"]),
        cc: addresses(&v["cc"]),
        bcc: addresses(&v["bcc"]),
        subject: text("subject"),
        html: text("html"),
        text: text("text"),
        headers: v["headers"]
            .as_object()
            .map(|h| {
                h.iter()
                    .map(|(k, v)| {
                        let value = match v {
                            Value::String(s) => s.clone(),
                            Value::Null => String::new(),
                            other => other.to_string(),
                        };
                        (k.clone(), value)
                    })
                    .collect()
            })
            .unwrap_or_default(),
        attachments,
    })
}

/// The content of one attachment value; `None` for what is not one (dropped, as PocketBase drops
/// what is not a reader).
fn attachment_content(v: &Value) -> Result<Option<Vec<u8>>, String> {
    let reader = match v {
        Value::String(s) => return Ok(Some(s.as_bytes().to_vec())),
        Value::Array(a) => {
            return Ok(Some(
                a.iter().map(|x| x.as_u64().unwrap_or(0) as u8).collect(),
            ))
        }
        Value::Object(o) => match o.get("__open") {
            Some(r) => r,
            None if files::is_file(v) => &v["reader"],
            None if o.contains_key("path") || o.contains_key("bytes") => v,
            None => return Ok(None),
        },
        _ => return Ok(None),
    };
    files::reader_content(reader).map(Some)
}

fn attachments_in(v: &Value, inline: bool) -> Result<Vec<Attachment>, String> {
    let mut out = Vec::new();
    for (name, v) in v.as_object().into_iter().flatten() {
        if let Some(content) = attachment_content(v)? {
            out.push(Attachment {
                name: name.clone(),
                content,
                inline,
            });
        }
    }
    Ok(out)
}

fn attachments_out(m: &Message, inline: bool) -> Value {
    Value::Object(
        m.attachments
            .iter()
            .filter(|a| a.inline == inline)
            .map(|a| {
                let reader = json!({ "__open": { "bytes": B64.encode(&a.content) } });
                (a.name.clone(), reader)
            })
            .collect(),
    )
}

fn list_out(l: &[String]) -> Value {
    Value::Array(
        l.iter()
            .map(|a| match a.parse::<lettre::message::Mailbox>() {
                Ok(m) => {
                    json!({"name": m.name.unwrap_or_default(), "address": m.email.to_string()})
                }
                Err(_) => json!({"name": "", "address": a}),
            })
            .collect(),
    )
}

/// A mail as a JS `MailerMessage`.
pub fn message_out(m: &Message) -> Value {
    json!({
        "from": {"name": m.from_name, "address": m.from_address},
        "to": list_out(&m.to),
        "cc": list_out(&m.cc),
        "bcc": list_out(&m.bcc),
        "subject": m.subject,
        "html": m.html,
        "text": m.text,
        "headers": m.headers.iter().map(|(k, v)| (k.clone(), json!(v))).collect::<serde_json::Map<_, _>>(),
        "attachments": attachments_out(m, false),
        "inlineAttachments": attachments_out(m, true),
    })
}

/// `sendMail` (`$app.newMailClient().send`) and `mailsSend` (`$mails.*`).
pub fn dispatch(app: &App, op: &str, a: &[Value]) -> Result<Value, String> {
    let arg = |i: usize| a.get(i).cloned().unwrap_or(Value::Null);
    if op == "sendMail" {
        let msg = message_in(app, &arg(0))?;
        return mail_hooks::deliver_blocking(app, msg)
            .map(|_| Value::Null)
            .map_err(|e| e.0);
    }
    let (c, rec, _) = bridge::record_in(app, &arg(1)).map_err(|e| e.to_string())?;
    let text = |i: usize| arg(i).as_str().unwrap_or("").to_string();
    let (t2, t3) = (text(2), text(3));
    let kind = match arg(0).as_str().unwrap_or("") {
        "verification" => AuthMail::Verification,
        "passwordReset" => AuthMail::PasswordReset,
        "emailChange" => AuthMail::EmailChange { new_email: &t2 },
        "otp" => AuthMail::Otp { id: &t2, code: &t3 },
        "authAlert" => AuthMail::LoginAlert { info: &t2 },
        other => return Err(format!("unknown mail {other:?}")),
    };
    let (msg, meta) = auth_mail::compose_with_meta(app, &c, &rec, kind).map_err(|e| e.0)?;
    mail_hooks::deliver_record_blocking(app, c, rec, kind.kind(), msg, meta)
        .map(|_| Value::Null)
        .map_err(|e| e.0)
}

fn take_message(app: &App, st: &Value, into: &mut Message) -> Result<(), AppError> {
    if st["message"].is_object() {
        *into = message_in(app, &st["message"]).map_err(|e| {
            tracing::warn!(target: "jsvm", "mail hook left an unreadable attachment: {e}");
            AppError::bad_request("Something went wrong while processing your request.")
        })?;
    }
    Ok(())
}

impl JsEvent for MailerEvent {
    fn matches(&self, _tags: &[String]) -> bool {
        true
    }
    fn state(&self) -> Value {
        json!({ "message": message_out(&self.message), "mailer": {}, "__mutable": ["message"] })
    }
    fn apply(&mut self, st: &Value) -> Result<(), AppError> {
        let app = self.app.clone();
        take_message(&app, st, &mut self.message)?;
        Ok(())
    }
}

impl JsEvent for MailerRecordEvent {
    fn matches(&self, tags: &[String]) -> bool {
        tags.iter()
            .any(|t| *t == self.collection.name || *t == self.collection.id)
    }
    fn state(&self) -> Value {
        json!({
            "message": message_out(&self.message),
            "mailer": {},
            "record": bridge::record_out(&self.collection, &self.record),
            "meta": self.meta,
            "__mutable": ["message", "record", "meta"],
        })
    }
    fn apply(&mut self, st: &Value) -> Result<(), AppError> {
        let app = self.app.clone();
        take_message(&app, st, &mut self.message)?;
        if st["record"].get("__record").is_some() {
            let (_, rec, _) = bridge::record_in(&app, &st["record"])?;
            self.record = rec;
        }
        if let Some(m) = st["meta"].as_object() {
            self.meta = m.clone();
        }
        Ok(())
    }
}
