//! The form-level checks of auth records that run before field validation: password, passwordConfirm,
//! oldPassword, and who may change `verified` and `email`.

use crate::auth::password;
use crate::model::record::Record;
use crate::model::{Errors, ValidationError};
use serde_json::{Map, Value};

fn text(body: &Map<String, Value>, key: &str) -> Option<String> {
    match body.get(key) {
        Some(Value::String(s)) => Some(s.clone()),
        Some(Value::Number(n)) => Some(n.to_string()),
        Some(Value::Null) | None => None,
        Some(other) => Some(other.to_string()),
    }
}

fn mismatch() -> ValidationError {
    ValidationError::new("validation_values_mismatch", "Values don't match.")
}

/// Checks `body` for an auth record. `old` is the stored record on updates; `privileged` means a
/// superuser or a requester matching the `manageRule`. Returns only these form errors.
pub fn check(
    old: Option<&Record>,
    new: &Record,
    body: &Map<String, Value>,
    privileged: bool,
) -> Errors {
    let mut e = Errors::new();
    let pass = text(body, "password").filter(|s| !s.is_empty());
    let confirm = text(body, "passwordConfirm").filter(|s| !s.is_empty());
    let old_pass = text(body, "oldPassword").filter(|s| !s.is_empty());
    let sent_confirm = body.contains_key("passwordConfirm");
    let sent_old = body.contains_key("oldPassword");
    match old {
        None => {
            if pass.is_none() {
                e.add("password", ValidationError::required());
            }
            match &confirm {
                None => e.add("passwordConfirm", ValidationError::required()),
                Some(c) if Some(c) != pass.as_ref() => e.add("passwordConfirm", mismatch()),
                _ => {}
            }
            if !privileged && new.get_bool("verified") {
                e.add("verified", mismatch());
            }
        }
        Some(old) => {
            if pass.is_none() && (sent_confirm || sent_old) {
                e.add("password", ValidationError::required());
            }
            if pass.is_some() {
                match &confirm {
                    None => e.add("passwordConfirm", ValidationError::required()),
                    Some(c) if Some(c) != pass.as_ref() => e.add("passwordConfirm", mismatch()),
                    _ => {}
                }
            }
            if (pass.is_some() || confirm.is_some()) && !privileged {
                match old_pass.as_deref() {
                    None => e.add("oldPassword", ValidationError::required()),
                    Some(p) if !password::verify(p, old.get_str("password")) => e.add(
                        "oldPassword",
                        ValidationError::new(
                            "validation_invalid_old_password",
                            "Missing or invalid old password.",
                        ),
                    ),
                    Some(_) => {}
                }
            }
            if !privileged && old.get_bool("verified") != new.get_bool("verified") {
                e.add("verified", mismatch());
            }
            if !privileged && old.get_str("email") != new.get_str("email") {
                e.add("email", mismatch());
            }
        }
    }
    e
}

/// The checks for a guest account (see `auth_anonymous`) updating itself: it never chose a password,
/// so it sets email and password without `oldPassword`; `verified` stays out of its reach.
pub fn check_anonymous_owner(old: &Record, new: &Record, body: &Map<String, Value>) -> Errors {
    let mut e = check(Some(old), new, body, true);
    if old.get_bool("verified") != new.get_bool("verified") {
        e.add("verified", mismatch());
    }
    e
}
