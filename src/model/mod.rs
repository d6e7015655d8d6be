//! Pure domain types: collections, fields, records, settings and validation errors. No IO.

pub mod auth_options;
pub mod collection;
pub mod datetime;
pub mod field;
pub mod index;
pub mod rate_limit;
pub mod record;
pub mod record_body;
pub mod settings;
pub mod system_collections;
pub mod validation;

pub use collection::{Collection, CollectionType};
pub use field::{Field, FieldKind};
pub use validation::{Errors, ValidationError};

use serde_json::Value;

/// A float as JSON, written as an integer when it has no fraction (Go prints `5`, not `5.0`).
pub fn json_number(n: f64) -> Value {
    if n.is_finite() && n.fract() == 0.0 && n.abs() < 9.007_199_254_740_992e15 {
        Value::from(n as i64)
    } else {
        serde_json::Number::from_f64(n)
            .map(Value::Number)
            .unwrap_or(Value::from(0))
    }
}
