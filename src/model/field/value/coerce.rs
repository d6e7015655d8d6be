//! Lenient coercion of input values (decoded JSON or inferred multipart strings) to each type's prepared form.

use super::super::{Field, FieldKind};
use crate::model::{datetime, json_number};
use regex::Regex;
use serde_json::{Map, Value};
use std::collections::HashSet;
use std::sync::OnceLock;

/// Coerces an input value to the field's prepared form. Never fails: what cannot be converted becomes the zero value.
/// Password returns the plain text (hashing is the caller's job); autodate returns the input unchanged.
pub fn prepare(field: &Field, raw: &Value) -> Value {
    match &field.kind {
        FieldKind::Text(_)
        | FieldKind::Editor(_)
        | FieldKind::Email(_)
        | FieldKind::Url(_)
        | FieldKind::Password(_) => Value::String(to_text(raw)),
        FieldKind::Number(_) => number_value(to_number(raw)),
        FieldKind::Bool(_) => Value::Bool(to_bool(raw)),
        FieldKind::Date(_) => Value::String(to_date(raw)),
        FieldKind::Autodate(_) => raw.clone(),
        FieldKind::Select(_) | FieldKind::Relation(_) | FieldKind::File(_) => {
            let list = to_unique_list(raw);
            if field.is_multiple() {
                Value::Array(list.into_iter().map(Value::String).collect())
            } else {
                Value::String(list.into_iter().next_back().unwrap_or_default())
            }
        }
        FieldKind::Json(_) => to_json(raw),
        FieldKind::GeoPoint(_) => geo_point(raw),
    }
}

/// Any scalar as text: strings as is, numbers in plain decimal notation, bools as `true`/`false`;
/// null, arrays and objects give "".
pub(crate) fn to_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => {
            if let Some(i) = n.as_i64() {
                i.to_string()
            } else if let Some(u) = n.as_u64() {
                u.to_string()
            } else {
                float_text(n.as_f64().unwrap_or(0.0))
            }
        }
        Value::Null | Value::Array(_) | Value::Object(_) => String::new(),
    }
}

/// A float in plain decimal notation with the fewest digits that round-trip (`12.5`, `1000000000000000000000`, `0.0000001`).
pub(crate) fn float_text(f: f64) -> String {
    if f.is_nan() {
        "NaN".to_string()
    } else if f.is_infinite() {
        if f > 0.0 { "+Inf" } else { "-Inf" }.to_string()
    } else {
        format!("{f}")
    }
}

/// Input to float: numbers as is, numeric strings parsed with Go's float syntax, bools as 1/0, anything else 0.
pub(crate) fn to_number(v: &Value) -> f64 {
    match v {
        Value::Number(n) => n.as_f64().unwrap_or(0.0),
        Value::String(s) => parse_go_float(s).unwrap_or(0.0),
        Value::Bool(true) => 1.0,
        _ => 0.0,
    }
}

/// A float as a prepared number value; NaN and ±Inf become the marker strings `"NaN"`, `"Inf"`, `"-Inf"`.
pub(crate) fn number_value(f: f64) -> Value {
    if f.is_nan() {
        Value::String("NaN".into())
    } else if f.is_infinite() {
        Value::String(if f > 0.0 { "Inf" } else { "-Inf" }.into())
    } else {
        json_number(f)
    }
}

/// The float a prepared number value stands for (marker strings give NaN/±Inf, other types are coerced).
pub(crate) fn number_of(v: &Value) -> f64 {
    match v {
        Value::String(s) if s == "NaN" => f64::NAN,
        Value::String(s) if s == "Inf" => f64::INFINITY,
        Value::String(s) if s == "-Inf" => f64::NEG_INFINITY,
        other => to_number(other),
    }
}

/// Parses a float with Go's `strconv.ParseFloat` syntax: optional sign, decimal or hex (`0x1p-2`, exponent
/// required) mantissa, `_` only between digits, `inf`/`infinity`/`nan` in any case. No surrounding spaces.
/// `None` when malformed or out of range.
pub(crate) fn parse_go_float(s: &str) -> Option<f64> {
    let (neg, body) = match s.as_bytes().first() {
        Some(b'+') => (false, &s[1..]),
        Some(b'-') => (true, &s[1..]),
        _ => (false, s),
    };
    if body.starts_with(['+', '-']) {
        return None;
    }
    let lower = body.to_ascii_lowercase();
    if lower == "inf" || lower == "infinity" {
        return Some(if neg {
            f64::NEG_INFINITY
        } else {
            f64::INFINITY
        });
    }
    if lower == "nan" {
        return if body.len() == s.len() {
            Some(f64::NAN)
        } else {
            None
        };
    }
    let hex = lower.starts_with("0x");
    if !underscores_ok(&lower, hex) {
        return None;
    }
    let clean: String = lower.chars().filter(|c| *c != '_').collect();
    let value = if hex {
        parse_hex_float(&clean[2..])?
    } else {
        if !clean
            .bytes()
            .all(|b| b.is_ascii_digit() || matches!(b, b'.' | b'e' | b'+' | b'-'))
        {
            return None;
        }
        let v: f64 = clean.parse().ok()?;
        if v.is_infinite() {
            return None;
        }
        v
    };
    Some(if neg { -value } else { value })
}

/// Go's rule: `_` may only sit between digits, or between a base prefix and a digit.
fn underscores_ok(s: &str, hex: bool) -> bool {
    let bytes = s.as_bytes();
    let mut saw = b'^';
    let mut i = 0;
    if hex {
        saw = b'0';
        i = 2;
    }
    while i < bytes.len() {
        let c = bytes[i];
        if c.is_ascii_digit() || (hex && c.is_ascii_hexdigit()) {
            saw = b'0';
        } else if c == b'_' {
            if saw != b'0' {
                return false;
            }
            saw = b'_';
        } else {
            if saw == b'_' {
                return false;
            }
            saw = b'!';
        }
        i += 1;
    }
    saw != b'_'
}

/// `h.hhhp±d` (after the `0x` prefix), the binary exponent being mandatory.
fn parse_hex_float(s: &str) -> Option<f64> {
    let (mantissa, exp) = s.split_once('p')?;
    let exp: i32 = match exp.strip_prefix('+') {
        Some(rest) if !rest.starts_with('-') => rest.parse().ok()?,
        _ => exp.parse().ok()?,
    };
    let (int_part, frac_part) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    if int_part.is_empty() && frac_part.is_empty() {
        return None;
    }
    let mut value = 0.0f64;
    for c in int_part.chars() {
        value = value * 16.0 + f64::from(c.to_digit(16)?);
    }
    let mut scale = 1.0 / 16.0;
    for c in frac_part.chars() {
        value += f64::from(c.to_digit(16)?) * scale;
        scale /= 16.0;
    }
    let mut v = value;
    let mut exp = exp.clamp(-2200, 2200);
    // scale in steps so that subnormal results (0x1p-1074) do not go through an overflowing 2^1074
    while exp != 0 {
        let step = exp.clamp(-1000, 1000);
        v *= 2f64.powi(step);
        exp -= step;
    }
    if v.is_infinite() {
        None
    } else {
        Some(v)
    }
}

/// Input to bool: bools as is, numbers are true when non-zero, strings by Go's `ParseBool` (`1 t T TRUE true True`).
pub(crate) fn to_bool(v: &Value) -> bool {
    match v {
        Value::Bool(b) => *b,
        Value::Number(n) => n.as_f64().is_some_and(|f| f != 0.0),
        Value::String(s) => matches!(s.as_str(), "1" | "t" | "T" | "TRUE" | "true" | "True"),
        _ => false,
    }
}

/// Input to the canonical datetime text; "" for non-strings and unparsable text (no error).
pub(crate) fn to_date(v: &Value) -> String {
    match v {
        Value::String(s) => {
            // PocketBase's layouts all need zero-padded `YYYY-MM-DD` and, when a time follows, `HH:MM:SS`;
            // surrounding spaces are not trimmed.
            if !date_shape_regex().is_match(s) || s.ends_with(char::is_whitespace) {
                return String::new();
            }
            // Go's `time.String()` layout ends in "+0000 UTC"; the zone name adds nothing to the offset.
            let s = match s.strip_suffix(" UTC") {
                Some(p) if p.ends_with(" +0000") => p,
                _ => s,
            };
            datetime::normalize(s)
        }
        _ => String::new(),
    }
}

fn date_shape_regex() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}(?:$|[T ][0-9]{2}:[0-9]{2}:[0-9]{2})")
            .expect("constant pattern compiles")
    })
}

/// Input to a list of unique non-empty strings, first occurrence kept. A string holding a JSON array of
/// strings is expanded; any other string is one item. Array items are converted like text; null gives [].
pub(crate) fn to_unique_list(v: &Value) -> Vec<String> {
    let items: Vec<String> = match v {
        Value::Array(items) => items.iter().map(to_text).collect(),
        Value::String(s) => {
            if s.starts_with('[') {
                match serde_json::from_str::<Vec<String>>(s) {
                    Ok(list) => list,
                    Err(_) => vec![s.clone()],
                }
            } else {
                vec![s.clone()]
            }
        }
        Value::Null | Value::Object(_) => Vec::new(),
        other => vec![to_text(other)],
    };
    let mut seen: HashSet<String> = HashSet::with_capacity(items.len());
    let mut out: Vec<String> = Vec::with_capacity(items.len());
    for item in items {
        if !item.is_empty() && seen.insert(item.clone()) {
            out.push(item);
        }
    }
    out
}

/// Input to a json value. A string is taken as raw JSON when it is `null`/`true`/`false`, or starts with a
/// digit, `-`, `"`, `[` or `{` and parses; otherwise it stays a JSON string. Other input is re-encoded with
/// sorted object keys and whole floats as integers.
pub(crate) fn to_json(v: &Value) -> Value {
    match v {
        Value::String(s) => {
            let raw_like = matches!(s.as_str(), "null" | "true" | "false")
                || s.starts_with(|c: char| {
                    c.is_ascii_digit() || matches!(c, '-' | '"' | '[' | '{')
                });
            if raw_like {
                if let Ok(parsed) = serde_json::from_str::<Value>(s) {
                    return parsed;
                }
            }
            Value::String(s.clone())
        }
        other => canonical_json(other),
    }
}

/// Re-encodes like Go's encoder: object keys sorted, whole floats written as integers.
pub(crate) fn canonical_json(v: &Value) -> Value {
    match v {
        Value::Object(m) => {
            let mut keys: Vec<&String> = m.keys().collect();
            keys.sort();
            let mut out = Map::new();
            for k in keys {
                if let Some(item) = m.get(k) {
                    out.insert(k.clone(), canonical_json(item));
                }
            }
            Value::Object(out)
        }
        Value::Array(items) => Value::Array(items.iter().map(canonical_json).collect()),
        Value::Number(n) if n.is_f64() => json_number(n.as_f64().unwrap_or(0.0)),
        other => other.clone(),
    }
}

/// Input to `{"lon":x,"lat":y}`: an object (or a string holding one) with numeric `lon`/`lat`; a missing or
/// non-numeric coordinate is 0, and anything else is the zero point.
pub(crate) fn geo_point(v: &Value) -> Value {
    let (lon, lat) = geo_coords(v);
    let mut m = Map::new();
    m.insert("lon".into(), json_number(lon));
    m.insert("lat".into(), json_number(lat));
    Value::Object(m)
}

/// `(lon, lat)` of a geoPoint input or prepared value.
pub(crate) fn geo_coords(v: &Value) -> (f64, f64) {
    let coord =
        |m: &Map<String, Value>, key: &str| m.get(key).and_then(Value::as_f64).unwrap_or(0.0);
    match v {
        Value::Object(m) => (coord(m, "lon"), coord(m, "lat")),
        Value::String(s) => match serde_json::from_str::<Value>(s) {
            Ok(Value::Object(m)) => (coord(&m, "lon"), coord(&m, "lat")),
            _ => (0.0, 0.0),
        },
        _ => (0.0, 0.0),
    }
}
