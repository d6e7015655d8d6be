//! Anonymous sign-in (a Ferrobase extension): `POST /api/collections/{c}/auth-anonymously` creates a
//! guest account and signs it in; the guest later becomes a normal account by setting its email and
//! password on its own record.
//!
//! A guest account is an ordinary record whose email is `<id>@anonymous.invalid` (the `.invalid` TLD is
//! reserved, so no real mailbox can have it) with a random password nobody knows. The record passes
//! every field validation (the email stays required and unique), rules can tell guests apart
//! (`@request.auth.email ~ '@anonymous.invalid'`), and PocketBase opens the data unchanged.

use super::auth_pipeline::{authenticate, ClientInfo, SignIn};
use super::auth_state::Requester;
use super::record_write::{create_in, RecordInput};
use crate::app::{App, AppError};
use crate::model::auth_options::{random_secret, AuthOptions, ANONYMOUS_EMAIL_DOMAIN};
use crate::model::field::value::generate_from_pattern;
use crate::model::record::Record;
use crate::model::{Collection, Errors, FieldKind, ValidationError};
use crate::store::resolver::RequestInfo;
use serde_json::{Map, Value};
use std::sync::Arc;

/// The `@request.context` of the record create behind an anonymous sign-in.
pub const CONTEXT: &str = "anonymous";

/// Keys of the sign-in body that the server sets itself.
const RESERVED_KEYS: [&str; 8] = [
    "id",
    "email",
    "emailVisibility",
    "verified",
    "password",
    "passwordConfirm",
    "oldPassword",
    "tokenKey",
];

/// True when `record` is a guest account (its email is on the anonymous domain).
pub fn is_anonymous(record: &Record) -> bool {
    record
        .get_str("email")
        .rsplit_once('@')
        .is_some_and(|(_, domain)| domain.eq_ignore_ascii_case(ANONYMOUS_EMAIL_DOMAIN))
}

/// True when the requester is the guest account `record` itself.
pub fn is_own_anonymous(requester: &Requester, c: &Collection, record: &Record) -> bool {
    requester
        .as_ref()
        .is_some_and(|a| a.collection.id == c.id && a.record.id() == record.id())
        && is_anonymous(record)
}

/// `anonymousAuth` checks of a collection save: the email field must accept the anonymous domain.
pub fn validate_options(c: &Collection, a: &AuthOptions, errors: &mut Errors) {
    if !a.anonymous_auth.enabled {
        return;
    }
    let accepts = match c.field("email").map(|f| &f.kind) {
        Some(FieldKind::Email(o)) => {
            let listed = |l: &[String]| {
                l.iter()
                    .any(|d| d.eq_ignore_ascii_case(ANONYMOUS_EMAIL_DOMAIN))
            };
            (o.only_domains.is_empty() || listed(&o.only_domains)) && !listed(&o.except_domains)
        }
        _ => false,
    };
    if !accepts {
        let mut e = Errors::new();
        e.add(
            "enabled",
            ValidationError::new(
                "validation_anonymous_email_domain",
                "Anonymous sign-in needs an email field that accepts the {domain} domain.",
            )
            .param("domain", ANONYMOUS_EMAIL_DOMAIN),
        );
        errors.add_nested("anonymousAuth", e);
    }
}

/// The create body of a new guest: the client's values (system auth keys dropped) plus a generated
/// id, the anonymous email and a random password.
fn guest_body(c: &Collection, mut body: Map<String, Value>) -> Map<String, Value> {
    for key in RESERVED_KEYS {
        body.remove(key);
    }
    let pattern = match c.field("id").map(|f| &f.kind) {
        Some(FieldKind::Text(o)) if !o.autogenerate_pattern.is_empty() => {
            o.autogenerate_pattern.clone()
        }
        _ => "[a-z0-9]{15}".to_string(),
    };
    let id = generate_from_pattern(&pattern).unwrap_or_else(|| random_secret(15).to_lowercase());
    let password = random_secret(30);
    body.insert(
        "email".into(),
        Value::String(format!("{id}@{ANONYMOUS_EMAIL_DOMAIN}")),
    );
    body.insert("id".into(), Value::String(id));
    body.insert("password".into(), Value::String(password.clone()));
    body.insert("passwordConfirm".into(), Value::String(password));
    body
}

/// `POST /api/collections/{c}/auth-anonymously`: creates a guest (through the collection's
/// `createRule`, with `@request.context = "anonymous"`) and answers like every sign-in.
pub async fn auth_anonymously(
    app: &App,
    c: Arc<Collection>,
    body: Map<String, Value>,
    requester: &Requester,
    mut info: RequestInfo,
) -> Result<Value, AppError> {
    let enabled = c.auth.as_ref().is_some_and(|a| a.anonymous_auth.enabled);
    if !enabled || c.is_superusers() {
        return Err(AppError::Forbidden(
            "The collection is not configured to allow anonymous authentication.".into(),
        ));
    }
    let input = RecordInput {
        body: guest_body(&c, body),
        uploads: Vec::new(),
    };
    info.context = CONTEXT.into();
    let (app2, c2, r2) = (app.clone(), c.clone(), requester.clone());
    let record = app
        .db()
        .write(move |tx| create_in(&app2, tx, &c2, &input, &r2, &mut info))
        .await?;
    // no credential was checked: no MFA and no new-location alert (method "")
    let sign_in = SignIn {
        method: "",
        mfa_id: "",
        meta: None,
        client: &ClientInfo::default(),
        requester,
    };
    authenticate(app, &c, record, sign_in).await
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::CollectionType;

    #[test]
    fn guests_are_recognised_by_their_email_domain() {
        let mut r = Record::new("c", "users");
        r.set("email", Value::String("abc@anonymous.invalid".into()));
        assert!(is_anonymous(&r));
        r.set("email", Value::String("abc@Anonymous.Invalid".into()));
        assert!(is_anonymous(&r));
        r.set("email", Value::String("abc@example.com".into()));
        assert!(!is_anonymous(&r));
        r.set("email", Value::String(String::new()));
        assert!(!is_anonymous(&r));
    }

    #[test]
    fn guest_body_overrides_system_keys() {
        let c = Collection::new(CollectionType::Auth, "users");
        let mut body = Map::new();
        body.insert("name".into(), Value::String("Guest".into()));
        body.insert("email".into(), Value::String("me@example.com".into()));
        body.insert("verified".into(), Value::Bool(true));
        let out = guest_body(&c, body);
        let id = out["id"].as_str().unwrap();
        assert_eq!(id.len(), 15);
        assert_eq!(out["email"], format!("{id}@anonymous.invalid"));
        assert_eq!(out["name"], "Guest");
        assert!(out.get("verified").is_none());
        assert_eq!(out["password"], out["passwordConfirm"]);
        assert_eq!(out["password"].as_str().unwrap().len(), 30);
    }
}
