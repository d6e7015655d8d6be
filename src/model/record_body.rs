//! Applying a create/update body to a record: plain keys, the modifiers `field+`, `+field`, `field-`,
//! `field:autogenerate` (shortest key first), hidden-field stripping, and form value inference. Pure.

use super::field::value::{generate_from_pattern, prepare, zero_value};
use super::record::Record;
use super::{Collection, Field, FieldKind};
use serde_json::{Map, Value};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Op {
    Set,
    Append,
    Prepend,
    Remove,
    Autogenerate,
}

/// Which field and operation a body key names; `None` when it names neither (ignored).
fn parse_key<'a>(c: &'a Collection, key: &str) -> Option<(&'a Field, Op)> {
    if let Some(f) = c.field(key) {
        return Some((f, Op::Set));
    }
    let (name, op) = if let Some(n) = key.strip_suffix(":autogenerate") {
        (n, Op::Autogenerate)
    } else if let Some(n) = key.strip_suffix('+') {
        (n, Op::Append)
    } else if let Some(n) = key.strip_prefix('+') {
        (n, Op::Prepend)
    } else if let Some(n) = key.strip_suffix('-') {
        (n, Op::Remove)
    } else {
        return None;
    };
    let f = c.field(name)?;
    let ok = match (&f.kind, op) {
        (FieldKind::Number(_), Op::Append | Op::Remove) => true,
        (
            FieldKind::Select(_) | FieldKind::Relation(_) | FieldKind::File(_),
            Op::Append | Op::Prepend | Op::Remove,
        ) => true,
        (FieldKind::Text(o), Op::Autogenerate) => !o.autogenerate_pattern.is_empty(),
        _ => false,
    };
    ok.then_some((f, op))
}

/// Strings of a list-ish value (a string, an array of strings/numbers, or nothing).
fn as_list(v: &Value) -> Vec<String> {
    match v {
        Value::String(s) if s.is_empty() => Vec::new(),
        Value::String(s) => vec![s.clone()],
        Value::Array(a) => a
            .iter()
            .filter_map(|x| match x {
                Value::String(s) if !s.is_empty() => Some(s.clone()),
                Value::Number(n) => Some(n.to_string()),
                _ => None,
            })
            .collect(),
        Value::Number(n) => vec![n.to_string()],
        _ => Vec::new(),
    }
}

fn as_number(v: &Value) -> f64 {
    match v {
        Value::Number(n) => n.as_f64().unwrap_or(0.0),
        Value::String(s) => s
            .trim()
            .parse::<f64>()
            .ok()
            .filter(|f| f.is_finite())
            .unwrap_or(0.0),
        Value::Bool(true) => 1.0,
        _ => 0.0,
    }
}

fn apply_op(f: &Field, current: &Value, op: Op, operand: &Value) -> Value {
    match op {
        Op::Set => prepare(f, operand),
        Op::Autogenerate => {
            let prefix = match operand {
                Value::String(s) => s.clone(),
                _ => String::new(),
            };
            let pattern = match &f.kind {
                FieldKind::Text(o) => o.autogenerate_pattern.as_str(),
                _ => "",
            };
            Value::String(prefix + &generate_from_pattern(pattern).unwrap_or_default())
        }
        Op::Append | Op::Remove if matches!(f.kind, FieldKind::Number(_)) => {
            let base = as_number(current);
            let delta = as_number(operand);
            let n = if op == Op::Append {
                base + delta
            } else {
                base - delta
            };
            prepare(f, &crate::model::json_number(n))
        }
        Op::Append | Op::Prepend | Op::Remove => {
            let existing = as_list(current);
            let given = as_list(operand);
            let merged: Vec<String> = match op {
                Op::Append => existing.into_iter().chain(given).collect(),
                Op::Prepend => given.into_iter().chain(existing).collect(),
                _ => existing
                    .into_iter()
                    .filter(|v| !given.contains(v))
                    .collect(),
            };
            let mut seen = Vec::new();
            for v in merged {
                if !seen.contains(&v) {
                    seen.push(v);
                }
            }
            prepare(
                f,
                &Value::Array(seen.into_iter().map(Value::String).collect()),
            )
        }
    }
}

/// Applies `body` to `rec` and returns the resolved body (`@request.body` for rules): every field key with
/// its final value, plus `passwordConfirm`/`oldPassword` on auth collections. Hidden fields (but an auth
/// `password`) are dropped unless `allow_hidden`; autodate fields ignore client values.
pub fn apply_body(
    c: &Collection,
    rec: &mut Record,
    body: &Map<String, Value>,
    allow_hidden: bool,
) -> Map<String, Value> {
    let mut keys: Vec<(&String, &Field, Op)> = body
        .keys()
        .filter_map(|k| parse_key(c, k).map(|(f, op)| (k, f, op)))
        .filter(|(_, f, _)| !matches!(f.kind, FieldKind::Autodate(_)))
        .filter(|(_, f, _)| allow_hidden || !f.hidden || (c.is_auth() && f.name == "password"))
        .collect();
    keys.sort_by_key(|(k, _, _)| k.len());
    let mut resolved = Map::new();
    for (key, f, op) in keys {
        let current = rec.get(&f.name).cloned().unwrap_or_else(|| zero_value(f));
        let next = apply_op(f, &current, op, &body[key.as_str()]);
        rec.set(&f.name, next.clone());
        resolved.insert(f.name.clone(), next);
    }
    if c.is_auth() {
        for extra in ["passwordConfirm", "oldPassword"] {
            if let Some(v) = body.get(extra) {
                resolved.insert(extra.to_string(), v.clone());
            }
        }
    }
    resolved
}

/// Types a multipart/urlencoded string the way PocketBase does: `"true"`/`"false"` → bool, a number only
/// when re-formatting it gives back the same text (`"7"` → 7, `"1.50"` stays text), anything else text.
pub fn infer_form_value(s: &str) -> Value {
    match s {
        "true" => return Value::Bool(true),
        "false" => return Value::Bool(false),
        _ => {}
    }
    if let Ok(i) = s.parse::<i64>() {
        if i.to_string() == s {
            return Value::from(i);
        }
    }
    if let Ok(f) = s.parse::<f64>() {
        if f.is_finite() && format!("{f}") == s {
            return crate::model::json_number(f);
        }
    }
    Value::String(s.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::collection::Collection;
    use crate::model::field::{NumberOptions, SelectOptions, TextOptions};
    use crate::model::CollectionType;
    use serde_json::json;

    fn posts() -> Collection {
        let mut c = Collection::new(CollectionType::Base, "posts");
        c.id = "p".into();
        c.fields.push(Field::new(
            "views",
            FieldKind::Number(NumberOptions::default()),
        ));
        c.fields.push(Field::new(
            "tags",
            FieldKind::Select(SelectOptions {
                values: vec!["a".into(), "b".into(), "c".into()],
                max_select: 3,
                ..Default::default()
            }),
        ));
        c.fields.push(Field::new(
            "cat",
            FieldKind::Select(SelectOptions {
                values: vec!["x".into(), "y".into()],
                max_select: 1,
                ..Default::default()
            }),
        ));
        c.fields.push(Field::new(
            "code",
            FieldKind::Text(TextOptions {
                autogenerate_pattern: "[A-Z]{5}".into(),
                ..Default::default()
            }),
        ));
        let mut secret = Field::new("secret", FieldKind::Text(TextOptions::default()));
        secret.hidden = true;
        c.fields.push(secret);
        c
    }

    fn body(v: Value) -> Map<String, Value> {
        v.as_object().unwrap().clone()
    }

    #[test]
    fn modifiers_shortest_key_first() {
        let c = posts();
        let mut r = Record::new("p", "posts");
        r.set("views", json!(10));
        r.set("tags", json!(["a"]));
        r.set("cat", json!("x"));
        let resolved = apply_body(
            &c,
            &mut r,
            &body(
                json!({"views": 100, "views-": 2, "tags+": ["c", "a"], "+tags": "b", "cat+": "y", "title+": 1}),
            ),
            false,
        );
        assert_eq!(r.get("views"), Some(&json!(98)));
        assert_eq!(r.get("tags"), Some(&json!(["b", "a", "c"])));
        assert_eq!(r.get("cat"), Some(&json!("y")));
        assert_eq!(resolved.get("views"), Some(&json!(98)));
        assert!(!resolved.contains_key("title+"));
        let mut r2 = r.clone();
        apply_body(
            &c,
            &mut r2,
            &body(json!({"tags-": ["a", "b"], "views+": "abc"})),
            false,
        );
        assert_eq!(r2.get("tags"), Some(&json!(["c"])));
        assert_eq!(r2.get("views"), Some(&json!(98)));
    }

    #[test]
    fn hidden_autogenerate_and_form_values() {
        let c = posts();
        let mut r = Record::new("p", "posts");
        apply_body(
            &c,
            &mut r,
            &body(json!({"secret": "s", "code:autogenerate": "pre-"})),
            false,
        );
        assert!(r.get("secret").is_none());
        let code = r.get_str("code");
        assert!(code.starts_with("pre-") && code.len() == 9, "{code}");
        apply_body(&c, &mut r, &body(json!({"secret": "s"})), true);
        assert_eq!(r.get_str("secret"), "s");
        assert_eq!(infer_form_value("7"), json!(7));
        assert_eq!(infer_form_value("1.50"), json!("1.50"));
        assert_eq!(infer_form_value("1.5"), json!(1.5));
        assert_eq!(infer_form_value("true"), json!(true));
        assert_eq!(infer_form_value(""), json!(""));
        assert_eq!(infer_form_value("007"), json!("007"));
    }
}
