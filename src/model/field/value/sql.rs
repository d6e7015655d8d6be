//! Mapping between prepared field values and SQLite scalars, following the column types of spec 01 §4.

use super::super::{Field, FieldKind};
use super::coerce::{float_text, geo_point, number_of, parse_go_float, prepare, to_bool, to_text};
use super::zero_value;
use crate::model::{datetime, json_number};
use serde_json::Value;

/// One SQLite value as bound to or read from a statement.
#[derive(Debug, Clone, PartialEq)]
pub enum SqlScalar {
    Null,
    Int(i64),
    Real(f64),
    Text(String),
}

/// The value to store in the field's column: text for text-like types and single select/relation/file,
/// 0/1 for bool, an integer or real for number, JSON text for multiple values and geoPoint, JSON text or
/// NULL for json.
pub fn to_sql_value(field: &Field, value: &Value) -> SqlScalar {
    match &field.kind {
        FieldKind::Number(_) => {
            let f = number_of(value);
            if !f.is_finite() {
                SqlScalar::Int(0)
            } else if f.fract() == 0.0 && f.abs() < 9.007_199_254_740_992e15 {
                SqlScalar::Int(f as i64)
            } else {
                SqlScalar::Real(f)
            }
        }
        FieldKind::Bool(_) => SqlScalar::Int(i64::from(to_bool(value))),
        FieldKind::Json(_) => match value {
            Value::Null => SqlScalar::Null,
            other => SqlScalar::Text(other.to_string()),
        },
        FieldKind::GeoPoint(_) => SqlScalar::Text(geo_point(value).to_string()),
        FieldKind::Select(_) | FieldKind::Relation(_) | FieldKind::File(_) => {
            let prepared = prepare(field, value);
            match prepared {
                Value::String(s) => SqlScalar::Text(s),
                other => SqlScalar::Text(other.to_string()),
            }
        }
        _ => SqlScalar::Text(to_text(value)),
    }
}

/// Reads a column value back into the field's prepared form. Lenient with whatever PocketBase or an older
/// schema wrote (numbers as text, JSON `null`, `''` in a multiple column, a plain string where a list is
/// expected); never fails.
pub fn from_sql_value(field: &Field, v: SqlScalar) -> Value {
    match &field.kind {
        FieldKind::Number(_) => {
            let f = match v {
                SqlScalar::Null => 0.0,
                SqlScalar::Int(i) => i as f64,
                SqlScalar::Real(r) => r,
                SqlScalar::Text(s) => parse_go_float(s.trim()).unwrap_or(0.0),
            };
            if f.is_finite() {
                json_number(f)
            } else {
                json_number(0.0)
            }
        }
        FieldKind::Bool(_) => Value::Bool(match v {
            SqlScalar::Null => false,
            SqlScalar::Int(i) => i != 0,
            SqlScalar::Real(r) => r != 0.0,
            SqlScalar::Text(s) => {
                let s = s.trim();
                matches!(s, "1" | "t" | "T" | "TRUE" | "true" | "True")
                    || parse_go_float(s).is_some_and(|f| f != 0.0 && !f.is_nan())
            }
        }),
        FieldKind::Json(_) => match v {
            SqlScalar::Null => Value::Null,
            SqlScalar::Int(i) => Value::from(i),
            SqlScalar::Real(r) => json_number(r),
            SqlScalar::Text(s) => {
                if s.trim().is_empty() {
                    Value::Null
                } else {
                    serde_json::from_str::<Value>(&s).unwrap_or(Value::String(s))
                }
            }
        },
        FieldKind::GeoPoint(_) => match v {
            SqlScalar::Text(s) => geo_point(&Value::String(s)),
            _ => zero_value(field),
        },
        FieldKind::Select(_) | FieldKind::Relation(_) | FieldKind::File(_) => match v {
            SqlScalar::Null => zero_value(field),
            SqlScalar::Text(s) => prepare(field, &Value::String(s)),
            SqlScalar::Int(i) => prepare(field, &Value::String(i.to_string())),
            SqlScalar::Real(r) => prepare(field, &Value::String(float_text(r))),
        },
        FieldKind::Date(_) | FieldKind::Autodate(_) => match v {
            SqlScalar::Text(s) => Value::String(datetime::normalize(&s)),
            _ => Value::String(String::new()),
        },
        _ => Value::String(match v {
            SqlScalar::Null => String::new(),
            SqlScalar::Int(i) => i.to_string(),
            SqlScalar::Real(r) => float_text(r),
            SqlScalar::Text(s) => s,
        }),
    }
}
