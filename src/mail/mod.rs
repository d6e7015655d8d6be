//! Outgoing mail: multipart/alternative messages (inside multipart/mixed when files go with them) sent
//! over SMTP (the settings' `smtp` config), piped to a local `sendmail` when SMTP is off, or logged
//! when neither is available.

mod html_text;
mod layout;
pub mod template;

pub use html_text::html_to_text;

use crate::files::detect_mime;
use crate::model::settings::SmtpConfig;
use lettre::message::header::{ContentType, HeaderName, HeaderValue};
use lettre::message::{Mailbox, MultiPart};
use lettre::transport::smtp::authentication::{Credentials, Mechanism};
use lettre::transport::smtp::client::{Tls, TlsParameters};
use lettre::transport::smtp::extension::ClientId;
use lettre::{AsyncSendmailTransport, AsyncSmtpTransport, AsyncTransport, Tokio1Executor};
use std::path::PathBuf;
use std::time::Duration;

/// A file sent with a mail: `inline` ones are shown in the body (referenced by `cid:<name>`), the
/// others are attachments. The content type is sniffed from the content.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Attachment {
    pub name: String,
    pub content: Vec<u8>,
    pub inline: bool,
}

/// One mail to send: the HTML body is sent as is, the text part is `text` or, when that is empty,
/// generated from the HTML.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Message {
    pub from_name: String,
    pub from_address: String,
    /// Recipients: `address` or `Name <address>`.
    pub to: Vec<String>,
    pub cc: Vec<String>,
    pub bcc: Vec<String>,
    pub subject: String,
    pub html: String,
    pub text: String,
    /// Extra headers (`Reply-To`, `X-…`); one given twice keeps the last value.
    pub headers: Vec<(String, String)>,
    pub attachments: Vec<Attachment>,
}

/// Why a mail could not be sent (the text is what the SMTP client or sendmail reported).
#[derive(Debug, Clone, thiserror::Error)]
#[error("{0}")]
pub struct MailError(pub String);

fn err(e: impl std::fmt::Display) -> MailError {
    MailError(e.to_string())
}

/// Where mails go.
#[derive(Debug, Clone, PartialEq)]
pub enum Route {
    Smtp,
    Sendmail(PathBuf),
    /// No SMTP and no sendmail: the mail is written to the log (info level).
    Log,
}

/// The route for the current settings: SMTP when enabled, else the first `sendmail` found.
pub fn route(smtp: &SmtpConfig) -> Route {
    if smtp.enabled {
        return Route::Smtp;
    }
    match find_sendmail() {
        Some(path) => Route::Sendmail(path),
        None => Route::Log,
    }
}

/// The `sendmail` binary: the usual system paths, then `$PATH`.
fn find_sendmail() -> Option<PathBuf> {
    let fixed = [
        "/usr/sbin/sendmail",
        "/usr/bin/sendmail",
        "/usr/lib/sendmail",
    ];
    let from_path = std::env::var_os("PATH")
        .map(|p| {
            std::env::split_paths(&p)
                .map(|d| d.join("sendmail"))
                .collect::<Vec<_>>()
        })
        .unwrap_or_default();
    fixed
        .iter()
        .map(PathBuf::from)
        .chain(from_path)
        .find(|p| p.is_file())
}

/// Builds the MIME message: `From: name <address>`, every `To`, multipart/alternative text + HTML.
fn build(msg: &Message) -> Result<lettre::Message, MailError> {
    let from_address = msg.from_address.parse().map_err(err)?;
    let from_name = (!msg.from_name.is_empty()).then(|| msg.from_name.clone());
    let mut builder = lettre::Message::builder()
        .from(Mailbox::new(from_name, from_address))
        .subject(msg.subject.clone());
    for to in &msg.to {
        builder = builder.to(to.parse::<Mailbox>().map_err(err)?);
    }
    for cc in &msg.cc {
        builder = builder.cc(cc.parse::<Mailbox>().map_err(err)?);
    }
    for bcc in &msg.bcc {
        builder = builder.bcc(bcc.parse::<Mailbox>().map_err(err)?);
    }
    let text = if msg.text.is_empty() {
        html_to_text(&msg.html)
    } else {
        msg.text.clone()
    };
    for (name, value) in &msg.headers {
        let name = HeaderName::new_from_ascii(name.clone())
            .map_err(|_| MailError(format!("invalid mail header name {name:?}")))?;
        builder = builder.raw_header(HeaderValue::new(name, value.clone()));
    }
    let body = MultiPart::alternative_plain_html(text, msg.html.clone());
    if msg.attachments.is_empty() {
        return builder.multipart(body).map_err(err);
    }
    let mut mixed = MultiPart::mixed().multipart(body);
    for a in &msg.attachments {
        let content_type = ContentType::parse(&detect_mime(&a.content))
            .or_else(|_| ContentType::parse("application/octet-stream"))
            .map_err(err)?;
        let part = if a.inline {
            lettre::message::Attachment::new_inline_with_name(a.name.clone(), a.name.clone())
        } else {
            lettre::message::Attachment::new(a.name.clone())
        };
        mixed = mixed.singlepart(part.body(a.content.clone(), content_type));
    }
    builder.multipart(mixed).map_err(err)
}

/// Sends one mail along the route the settings give.
pub async fn send(smtp: &SmtpConfig, msg: &Message) -> Result<(), MailError> {
    let email = build(msg)?;
    match route(smtp) {
        Route::Smtp => smtp_transport(smtp)?
            .send(email)
            .await
            .map(|_| ())
            .map_err(err),
        Route::Sendmail(path) => AsyncSendmailTransport::<Tokio1Executor>::new_with_command(path)
            .send(email)
            .await
            .map_err(err),
        Route::Log => {
            tracing::info!(
                to = %msg.to.join(", "),
                subject = %msg.subject,
                "mail not sent (SMTP is disabled and no sendmail was found):\n{}",
                html_to_text(&msg.html)
            );
            Ok(())
        }
    }
}

/// The SMTP client: implicit TLS when `tls`, otherwise STARTTLS when the server offers it; AUTH only
/// when a username or password is set (PLAIN unless `authMethod` is LOGIN).
fn smtp_transport(smtp: &SmtpConfig) -> Result<AsyncSmtpTransport<Tokio1Executor>, MailError> {
    let port = u16::try_from(smtp.port)
        .map_err(|_| MailError(format!("invalid SMTP port {}", smtp.port)))?;
    let params = TlsParameters::new(smtp.host.clone()).map_err(err)?;
    let tls = if smtp.tls {
        Tls::Wrapper(params)
    } else {
        Tls::Opportunistic(params)
    };
    let mut builder = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(smtp.host.clone())
        .port(port)
        .tls(tls)
        .timeout(Some(Duration::from_secs(30)));
    if !smtp.local_name.is_empty() {
        builder = builder.hello_name(ClientId::Domain(smtp.local_name.clone()));
    }
    if !smtp.username.is_empty() || !smtp.password.is_empty() {
        let mechanism = if smtp.auth_method.eq_ignore_ascii_case("LOGIN") {
            Mechanism::Login
        } else {
            Mechanism::Plain
        };
        builder = builder
            .credentials(Credentials::new(
                smtp.username.clone(),
                smtp.password.clone(),
            ))
            .authentication(vec![mechanism]);
    }
    Ok(builder.build())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builds_multipart_alternative() {
        let msg = Message {
            from_name: "Support".into(),
            from_address: "support@example.com".into(),
            to: vec!["a@example.com".into()],
            subject: "Hello".into(),
            html: "<p>Hi <a href=\"http://x/y\">there</a></p>".into(),
            ..Default::default()
        };
        let raw = String::from_utf8(build(&msg).unwrap().formatted()).unwrap();
        assert!(raw.contains("From: Support <support@example.com>"), "{raw}");
        assert!(raw.contains("To: a@example.com"), "{raw}");
        assert!(raw.contains("multipart/alternative"), "{raw}");
        assert!(raw.contains("text/plain"), "{raw}");
        assert!(raw.contains("text/html"), "{raw}");
        assert!(raw.contains("Hi [there](http://x/y)"), "{raw}");
    }

    #[test]
    fn headers_and_files_make_a_mixed_message() {
        let msg = Message {
            from_address: "support@example.com".into(),
            to: vec!["a@example.com".into()],
            html: "<p>x</p>".into(),
            headers: vec![("X-Tag".into(), "one".into())],
            attachments: vec![Attachment {
                name: "r.txt".into(),
                content: b"report".to_vec(),
                inline: false,
            }],
            ..Default::default()
        };
        let raw = String::from_utf8(build(&msg).unwrap().formatted()).unwrap();
        assert!(raw.contains("X-Tag: one"), "{raw}");
        assert!(raw.contains("multipart/mixed"), "{raw}");
        assert!(raw.contains("filename=\"r.txt\""), "{raw}");
        let bad = Message {
            headers: vec![("Bad Name".into(), "x".into())],
            ..msg
        };
        assert!(build(&bad).is_err());
    }

    #[test]
    fn bad_addresses_are_errors() {
        let msg = Message {
            from_name: String::new(),
            from_address: "nope".into(),
            to: vec![],
            subject: String::new(),
            html: String::new(),
            ..Default::default()
        };
        assert!(build(&msg).is_err());
    }
}
