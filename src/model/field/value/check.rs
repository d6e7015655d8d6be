//! Validation of prepared record values (`required` and every per-type constraint) and the per-type blank test.

use super::super::{Field, FieldKind, TextOptions};
use super::coerce::{geo_coords, number_of, to_bool, to_text, to_unique_list};
use super::formats::{email_domain, is_email, is_url, url_host};
use super::{
    DEFAULT_EDITOR_MAX_SIZE, DEFAULT_JSON_MAX_SIZE, DEFAULT_PASSWORD_MAX, DEFAULT_TEXT_MAX,
};
use crate::model::validation::ValidationError;
use crate::model::{datetime, json_number};
use chrono::{DateTime, Timelike, Utc};
use regex::Regex;
use serde_json::Value;

/// What `required` treats as blank: "" for text-like types, 0 for numbers, anything but true for bools,
/// no items for select/relation/file, `null`/`""`/`[]`/`{}` for json and (0,0) for geoPoint.
pub fn is_blank(field: &Field, value: &Value) -> bool {
    match &field.kind {
        FieldKind::Number(_) => number_of(value) == 0.0,
        FieldKind::Bool(_) => !to_bool(value),
        FieldKind::Json(_) => match value {
            Value::Null => true,
            Value::String(s) => s.is_empty(),
            Value::Array(a) => a.is_empty(),
            Value::Object(o) => o.is_empty(),
            _ => false,
        },
        FieldKind::GeoPoint(_) => geo_coords(value) == (0.0, 0.0),
        FieldKind::Select(_) | FieldKind::Relation(_) | FieldKind::File(_) => {
            to_unique_list(value).is_empty()
        }
        _ => to_text(value).is_empty(),
    }
}

/// Checks a prepared value: `required` first, then the type's constraints in PocketBase's order; the first
/// failure is returned. A blank value that is not required passes. Relation existence and file existence
/// are the caller's checks; a password field's `value` is the hash, so only `required` applies to it
/// (see [`validate_password_plain`]).
pub fn validate(field: &Field, value: &Value) -> Result<(), ValidationError> {
    let blank = is_blank(field, value);
    if field.required() && blank {
        return Err(ValidationError::required());
    }
    if blank {
        return Ok(());
    }
    match &field.kind {
        FieldKind::Text(o) => check_text(o, &to_text(value)),
        FieldKind::Editor(o) => {
            let max = if o.max_size > 0 {
                o.max_size
            } else {
                DEFAULT_EDITOR_MAX_SIZE
            };
            if to_text(value).len() as i64 > max {
                return Err(ValidationError::new(
                    "validation_content_size_limit",
                    "The maximum allowed content size is {maxSize} bytes.",
                )
                .param("maxSize", max));
            }
            Ok(())
        }
        FieldKind::Number(o) => {
            let f = number_of(value);
            if !f.is_finite() {
                return Err(ValidationError::new(
                    "validation_not_a_number",
                    "The submitted number is not properly formatted.",
                ));
            }
            if o.only_int && !is_int(f) {
                return Err(ValidationError::new(
                    "validation_only_int_constraint",
                    "Decimal numbers are not allowed.",
                ));
            }
            if let Some(min) = o.min.filter(|min| f < *min) {
                return Err(ValidationError::new(
                    "validation_min_number_constraint",
                    "Must be greater or equal than {min}.",
                )
                .param("min", json_number(min)));
            }
            if let Some(max) = o.max.filter(|max| f > *max) {
                return Err(ValidationError::new(
                    "validation_max_number_constraint",
                    "Must be less or equal than {max}.",
                )
                .param("max", json_number(max)));
            }
            Ok(())
        }
        FieldKind::Bool(_) | FieldKind::Autodate(_) | FieldKind::Password(_) => Ok(()),
        FieldKind::Email(o) => {
            let s = to_text(value);
            if !is_email(&s) {
                return Err(ValidationError::new(
                    "validation_is_email",
                    "Must be a valid email address.",
                ));
            }
            check_domain(
                email_domain(&s),
                &o.only_domains,
                &o.except_domains,
                "validation_email_domain_not_allowed",
                "Email domain is not allowed.",
            )
        }
        FieldKind::Url(o) => {
            let s = to_text(value);
            if !is_url(&s) {
                return Err(ValidationError::new(
                    "validation_invalid_url",
                    "Must be a valid url.",
                ));
            }
            check_domain(
                &url_host(&s),
                &o.only_domains,
                &o.except_domains,
                "validation_url_domain_not_allowed",
                "Url domain is not allowed.",
            )
        }
        FieldKind::Date(o) => {
            let Some(t) = datetime::parse(&to_text(value)) else {
                return Ok(());
            };
            if let Some(min) = datetime::parse(&o.min).filter(|min| t < *min) {
                return Err(ValidationError::new(
                    "validation_min_greater_equal_than_required",
                    &format!("Must be no less than {}.", go_time_string(min)),
                )
                .param("threshold", rfc3339_nano(min)));
            }
            if let Some(max) = datetime::parse(&o.max).filter(|max| t > *max) {
                return Err(ValidationError::new(
                    "validation_max_less_equal_than_required",
                    &format!("Must be no greater than {}.", go_time_string(max)),
                )
                .param("threshold", rfc3339_nano(max)));
            }
            Ok(())
        }
        FieldKind::Select(o) => {
            let list = to_unique_list(value);
            let max = if field.is_multiple() { o.max_select } else { 1 };
            if list.len() as i64 > max {
                return Err(too_many_values(max));
            }
            match list.iter().find(|v| !o.values.contains(v)) {
                Some(bad) => Err(ValidationError::new(
                    "validation_invalid_value",
                    "Invalid value {value}.",
                )
                .param("value", bad.as_str())),
                None => Ok(()),
            }
        }
        FieldKind::Relation(o) => {
            let count = to_unique_list(value).len() as i64;
            if o.min_select > 0 && count < o.min_select {
                return Err(ValidationError::new(
                    "validation_not_enough_values",
                    "Select at least {minSelect}.",
                )
                .param("minSelect", o.min_select));
            }
            let max = if field.is_multiple() { o.max_select } else { 1 };
            if count > max {
                return Err(too_many_values(max));
            }
            Ok(())
        }
        FieldKind::File(o) => {
            let max = if field.is_multiple() { o.max_select } else { 1 };
            if to_unique_list(value).len() as i64 > max {
                return Err(ValidationError::new(
                    "validation_too_many_files",
                    "The maximum allowed files is {maxSelect}.",
                )
                .param("maxSelect", max));
            }
            Ok(())
        }
        FieldKind::Json(o) => {
            let max = if o.max_size > 0 {
                o.max_size
            } else {
                DEFAULT_JSON_MAX_SIZE
            };
            let size = serde_json::to_string(value).map(|s| s.len()).unwrap_or(0);
            if size as i64 > max {
                return Err(ValidationError::new(
                    "validation_json_size_limit",
                    "The maximum allowed JSON size is {maxSize} bytes.",
                )
                .param("maxSize", max));
            }
            Ok(())
        }
        FieldKind::GeoPoint(_) => {
            let (lon, lat) = geo_coords(value);
            if !(-90.0..=90.0).contains(&lat) {
                return Err(ValidationError::new(
                    "validation_invalid_latitude",
                    "Latitude must be between -90 and 90 degrees.",
                ));
            }
            if !(-180.0..=180.0).contains(&lon) {
                return Err(ValidationError::new(
                    "validation_invalid_longitude",
                    "Longitude must be between -180 and 180 degrees.",
                ));
            }
            Ok(())
        }
    }
}

/// Checks a new plain-text password against the field's `min`, `max` (0 means 71) and `pattern`, counted in
/// runes, then bcrypt's 72-byte input limit. "" passes (`required` is checked on the hash by [`validate`]).
/// Non-password fields always pass.
pub fn validate_password_plain(field: &Field, plain: &str) -> Result<(), ValidationError> {
    let FieldKind::Password(o) = &field.kind else {
        return Ok(());
    };
    if plain.is_empty() {
        return Ok(());
    }
    let runes = plain.chars().count() as i64;
    if o.min > 0 && runes < o.min {
        return Err(ValidationError::new(
            "validation_min_text_constraint",
            &format!("Must be at least {} character(s).", o.min),
        ));
    }
    let max = if o.max > 0 {
        o.max
    } else {
        DEFAULT_PASSWORD_MAX
    };
    if runes > max {
        return Err(ValidationError::new(
            "validation_max_text_constraint",
            &format!("Must be less than {max} character(s)."),
        ));
    }
    if !pattern_matches(&o.pattern, plain) {
        return Err(invalid_format());
    }
    if plain.len() > 72 {
        return Err(ValidationError::new(
            "validation_invalid_value",
            "Invalid value.",
        ));
    }
    Ok(())
}

/// Text constraints on a non-empty value: `min`, `max` (0 means 5000) in runes, then `pattern`.
pub(crate) fn check_text(o: &TextOptions, s: &str) -> Result<(), ValidationError> {
    let runes = s.chars().count() as i64;
    if o.min > 0 && runes < o.min {
        return Err(ValidationError::new(
            "validation_min_text_constraint",
            "Must be at least {min} character(s).",
        )
        .param("min", o.min));
    }
    let max = if o.max > 0 { o.max } else { DEFAULT_TEXT_MAX };
    if runes > max {
        return Err(ValidationError::new(
            "validation_max_text_constraint",
            "Must be no more than {max} character(s).",
        )
        .param("max", max));
    }
    if !pattern_matches(&o.pattern, s) {
        return Err(invalid_format());
    }
    Ok(())
}

/// True when `pattern` is empty, does not compile (rejected on collection save anyway) or matches `s`.
fn pattern_matches(pattern: &str, s: &str) -> bool {
    if pattern.is_empty() {
        return true;
    }
    match cached_regex(pattern) {
        Some(re) => re.is_match(s),
        None => true,
    }
}

/// Field patterns compiled once (a collection has few; the cache is cleared if it ever grows large).
fn cached_regex(pattern: &str) -> Option<Regex> {
    use std::collections::HashMap;
    use std::sync::{Mutex, OnceLock};
    static CACHE: OnceLock<Mutex<HashMap<String, Option<Regex>>>> = OnceLock::new();
    let cache = CACHE.get_or_init(|| Mutex::new(HashMap::new()));
    let mut map = cache.lock().unwrap_or_else(|p| p.into_inner());
    if let Some(hit) = map.get(pattern) {
        return hit.clone();
    }
    if map.len() >= 1000 {
        map.clear();
    }
    let compiled = Regex::new(pattern).ok();
    map.insert(pattern.to_string(), compiled.clone());
    compiled
}

fn invalid_format() -> ValidationError {
    ValidationError::new("validation_invalid_format", "Invalid value format.")
}

fn too_many_values(max: i64) -> ValidationError {
    ValidationError::new(
        "validation_too_many_values",
        "Select no more than {maxSelect}.",
    )
    .param("maxSelect", max)
}

fn check_domain(
    domain: &str,
    only: &[String],
    except: &[String],
    code: &str,
    message: &str,
) -> Result<(), ValidationError> {
    let listed = |list: &[String]| list.iter().any(|d| d == domain);
    if (!only.is_empty() && !listed(only)) || (!except.is_empty() && listed(except)) {
        return Err(ValidationError::new(code, message));
    }
    Ok(())
}

/// A whole float that also fits an i64.
fn is_int(f: f64) -> bool {
    const LIMIT: f64 = 9_223_372_036_854_775_808.0; // 2^63
    f.fract() == 0.0 && (-LIMIT..LIMIT).contains(&f)
}

/// Fractional seconds with trailing zeros trimmed (`.123`, `.5`), or "" for whole seconds.
fn trimmed_fraction(t: DateTime<Utc>) -> String {
    let nanos = t.nanosecond() % 1_000_000_000;
    if nanos == 0 {
        return String::new();
    }
    let digits = format!("{nanos:09}");
    format!(".{}", digits.trim_end_matches('0'))
}

/// Go's `time.Time.String()` for a UTC time: `2024-01-01 10:00:00.123 +0000 UTC`.
pub(crate) fn go_time_string(t: DateTime<Utc>) -> String {
    format!(
        "{}{} +0000 UTC",
        t.format("%Y-%m-%d %H:%M:%S"),
        trimmed_fraction(t)
    )
}

/// RFC 3339 with only the significant fractional digits: `2024-01-01T10:00:00.123Z`.
pub(crate) fn rfc3339_nano(t: DateTime<Utc>) -> String {
    format!("{}{}Z", t.format("%Y-%m-%dT%H:%M:%S"), trimmed_fraction(t))
}
