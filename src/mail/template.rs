//! Mail templates: plain substitution of `{APP_NAME}`, `{APP_URL}`, `{TOKEN}`, `{OTP}`, `{OTP_ID}`,
//! `{ALERT_INFO}` and `{RECORD:field}` (HTML-escaped) in subject and body; the body is then wrapped in the
//! layout.

use super::layout;
use crate::model::auth_options::EmailTemplate;
use serde_json::Value;

/// The values a template may reference; empty ones are still substituted (with "").
#[derive(Debug, Clone, Default)]
pub struct Placeholders {
    pub app_name: String,
    pub app_url: String,
    pub token: String,
    pub otp: String,
    pub otp_id: String,
    pub alert_info: String,
    /// `(field name, value)` of every field a template may show (the caller leaves hidden ones out).
    pub record: Vec<(String, Value)>,
}

/// A rendered template: the subject line and the full HTML page.
#[derive(Debug, Clone, PartialEq)]
pub struct Rendered {
    pub subject: String,
    pub html: String,
}

/// Escapes text for HTML (`& < > " '`).
pub fn escape_html(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&#34;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// A record value as template text: strings as is, `null` empty, everything else as JSON.
fn value_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

/// Replaces every placeholder in `text`.
pub fn substitute(text: &str, p: &Placeholders) -> String {
    let mut out = text
        .replace("{APP_NAME}", &p.app_name)
        .replace("{APP_URL}", &p.app_url)
        .replace("{TOKEN}", &p.token)
        .replace("{OTP}", &p.otp)
        .replace("{OTP_ID}", &p.otp_id)
        .replace("{ALERT_INFO}", &p.alert_info);
    if out.contains("{RECORD:") {
        for (name, value) in &p.record {
            out = out.replace(
                &format!("{{RECORD:{name}}}"),
                &escape_html(&value_text(value)),
            );
        }
    }
    out
}

/// Renders subject and body and wraps the body in the layout.
pub fn render(t: &EmailTemplate, p: &Placeholders) -> Rendered {
    Rendered {
        subject: substitute(&t.subject, p),
        html: layout::wrap(&substitute(&t.body, p)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn substitutes_and_escapes_record_fields() {
        let p = Placeholders {
            app_name: "Acme".into(),
            app_url: "http://localhost:8090".into(),
            token: "tok".into(),
            otp: "123".into(),
            record: vec![
                ("name".into(), json!("<b>Bo</b>")),
                ("age".into(), json!(3)),
            ],
            ..Default::default()
        };
        let t = EmailTemplate {
            subject: "Hi {RECORD:name} from {APP_NAME}".into(),
            body: "<a href=\"{APP_URL}/x/{TOKEN}\">{OTP} {RECORD:age} {RECORD:missing}</a>".into(),
        };
        let r = render(&t, &p);
        assert_eq!(r.subject, "Hi &lt;b&gt;Bo&lt;/b&gt; from Acme");
        assert!(r
            .html
            .contains("<a href=\"http://localhost:8090/x/tok\">123 3 {RECORD:missing}</a>"));
        assert!(r.html.starts_with("<!DOCTYPE html>"));
    }
}
