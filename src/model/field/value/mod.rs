//! Record field values per field type: zero values, lenient input coercion, value validation, blank checks,
//! SQLite mapping, field-settings validation and autogenerate-pattern sampling. Pure functions, no IO.
//!
//! Conventions shared by the submodules:
//! * A "prepared" value is what [`prepare`] returns and what a record holds in memory: strings for the text-like
//!   types and single select/relation/file, arrays of strings for multiple ones, a JSON number for `number`,
//!   a bool, any JSON for `json`, and `{"lon":..,"lat":..}` for `geoPoint`.
//! * JSON cannot hold NaN or ±Inf, so a number input that parses to one of them is prepared as the string
//!   `"NaN"`, `"Inf"` or `"-Inf"`; [`validate`] turns that into `validation_not_a_number`.
//! * Checks that need the database (relation existence, uniqueness, file existence) and password hashing
//!   are the caller's job.

mod check;
mod coerce;
mod formats;
mod options;
mod pattern;
mod sql;

#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_check;
#[cfg(test)]
mod tests_options;

pub use check::{is_blank, validate, validate_password_plain};
pub use coerce::prepare;
pub use options::validate_options;
pub use pattern::generate_from_pattern;
pub use sql::{from_sql_value, to_sql_value, SqlScalar};

use super::{Field, FieldKind};
use serde_json::{json, Value};

/// The value a field holds when nothing was set: `""`, `0`, `false`, `[]`, `null` or `{"lon":0,"lat":0}`.
pub fn zero_value(field: &Field) -> Value {
    match &field.kind {
        FieldKind::Number(_) => json!(0),
        FieldKind::Bool(_) => Value::Bool(false),
        FieldKind::Json(_) => Value::Null,
        FieldKind::GeoPoint(_) => json!({"lon": 0, "lat": 0}),
        FieldKind::Select(_) | FieldKind::Relation(_) | FieldKind::File(_)
            if field.is_multiple() =>
        {
            Value::Array(Vec::new())
        }
        _ => Value::String(String::new()),
    }
}

/// The largest integer a JSON number (float64) holds exactly, PocketBase's bound for sizes and counts.
pub(crate) const MAX_SAFE_INT: i64 = 9_007_199_254_740_991;

/// Default text `max` when the option is 0, in runes.
pub(crate) const DEFAULT_TEXT_MAX: i64 = 5000;

/// Default editor `maxSize` when the option is 0, in bytes (5 MiB).
pub(crate) const DEFAULT_EDITOR_MAX_SIZE: i64 = 5 << 20;

/// Default json `maxSize` when the option is 0, in bytes (1 MiB).
pub(crate) const DEFAULT_JSON_MAX_SIZE: i64 = 1 << 20;

/// Default password `max` when the option is 0 (bcrypt's limit minus one).
pub(crate) const DEFAULT_PASSWORD_MAX: i64 = 71;
