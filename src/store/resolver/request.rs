//! `@request.*` identifiers (spec 03 §4): static request values as parameters, the body modifiers,
//! `@request.body.<relation>.<path>` and `@request.auth.<field>` joins.

use super::super::sql::ident;
use super::joins::{col, columnify, Join};
use super::runner::{err, split_modifier, Modifier, Run};
use super::RequestInfo;
use crate::filter::{FilterError, ResolvedOperand, SqlValue};
use crate::model::{Field, FieldKind};
use serde_json::{Map, Value};

/// The `@request.auth.*` identifiers answered from the auth record itself (no join).
const STATIC_AUTH: [&str; 6] = [
    "@request.auth.id",
    "@request.auth.collectionId",
    "@request.auth.collectionName",
    "@request.auth.email",
    "@request.auth.emailVisibility",
    "@request.auth.verified",
];

/// PocketBase's header key: lower-cased, every run of non-alphanumeric characters becomes one `_`
/// (`User-Agent` → `user_agent`).
pub fn header_key(name: &str) -> String {
    name.to_lowercase()
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join("_")
}

/// Resolves `@request.…` (`props[0] == "@request"`).
pub(super) fn resolve(run: &mut Run, props: &[&str]) -> Result<ResolvedOperand, FilterError> {
    run.allow_hidden = true;
    run.nullify_missing = true;
    if run.full.starts_with("@request.auth.") {
        if STATIC_AUTH.contains(&run.full) {
            return static_field(run, &props[1..]);
        }
        return auth_field(run, &props[2..]);
    }
    if run.full.starts_with("@request.body.") && props.len() > 2 {
        let (name, modifier) = split_modifier(props[2])?;
        if let Some(field) = run.r.collection.field(name) {
            if field.relation().is_some() && props.len() > 3 {
                return body_relation(run, field, &props[3..]);
            }
            if props.len() == 3 {
                match modifier {
                    Some(Modifier::Each) => return body_each(run, field),
                    Some(Modifier::Length) => return body_length(run, field),
                    Some(Modifier::Lower) => return body_lower(run, field),
                    _ => {}
                }
            }
        }
    }
    static_field(run, &props[1..])
}

/// `@request.auth.<path>`: joins the auth record's own row (hidden fields reachable).
fn auth_field(run: &mut Run, rest: &[&str]) -> Result<ResolvedOperand, FilterError> {
    let Some((auth_coll, values)) = run.r.request.and_then(|r| r.auth.as_ref()) else {
        return Ok(ResolvedOperand::null());
    };
    let id = values.get("id").and_then(Value::as_str).unwrap_or("");
    let alias = columnify(&format!("__auth_{}", auth_coll.name));
    let p = run.r.add_param(SqlValue::Text(id.to_string()));
    let on = format!("{} = {p}", col(&alias, "id"));
    run.r.register_join(
        Join::table(&auth_coll.name, &alias, Some(on)),
        Some(auth_coll),
    )?;
    run.coll = auth_coll;
    run.alias = alias.clone();
    let mm_alias = format!("__mm_{alias}");
    let p2 = run.r.fresh_param();
    run.mm
        .params
        .push((p2.clone(), SqlValue::Text(id.to_string())));
    let on = format!("{} = {p2}", col(&mm_alias, "id"));
    run.mm
        .joins
        .push(Join::table(&auth_coll.name, &mm_alias, Some(on)));
    run.mm.active = mm_alias;
    run.process(rest)
}

fn multi_error(field: &Field) -> FilterError {
    err(format!(
        "field {:?} doesn't support multivalue operations",
        field.name
    ))
}

fn supports_multi(field: &Field) -> bool {
    matches!(
        field.kind,
        FieldKind::Select(_) | FieldKind::File(_) | FieldKind::Relation(_)
    ) && field.is_multiple()
}

fn body_value<'v>(run: &Run<'_, 'v>, key: &str) -> Option<&'v Value> {
    run.r.request.and_then(|r| r.body.get(key))
}

/// `@request.body.<multi>:each`: every submitted item (any/all semantics).
fn body_each(run: &mut Run, field: &Field) -> Result<ResolvedOperand, FilterError> {
    if !supports_multi(field) {
        return Err(multi_error(field));
    }
    let items = unique_strings(body_value(run, &field.name));
    let raw = Value::from(items).to_string();
    let p = run.r.add_param(SqlValue::Text(raw.clone()));
    let je = columnify(&format!("__dataEach_{}_je", field.name));
    run.r
        .register_join(Join::expr(format!("json_each({p})"), &je), None)?;
    let p2 = run.r.fresh_param();
    run.mm.params.push((p2.clone(), SqlValue::Text(raw)));
    let je2 = format!("__mm_{je}");
    run.mm
        .joins
        .push(Join::expr(format!("json_each({p2})"), &je2));
    run.mm.enabled = true;
    run.mm.value = format!("{}.`value`", ident(&je2));
    Ok(run.finish(ResolvedOperand::sql(format!("{}.`value`", ident(&je)))))
}

/// `@request.body.<multi>:length`: the number of submitted items, as a literal.
fn body_length(run: &mut Run, field: &Field) -> Result<ResolvedOperand, FilterError> {
    if !supports_multi(field) {
        return Err(multi_error(field));
    }
    let n = unique_strings(body_value(run, &field.name)).len();
    Ok(ResolvedOperand::sql(n.to_string()))
}

/// `@request.body.<field>:lower`: the submitted value as text, lower-cased by SQLite.
fn body_lower(run: &mut Run, field: &Field) -> Result<ResolvedOperand, FilterError> {
    let text = body_value(run, &field.name)
        .map(go_string)
        .unwrap_or_default();
    let p = run.r.fresh_param();
    Ok(ResolvedOperand {
        sql: format!("LOWER({p})"),
        params: vec![(p, SqlValue::Text(text))],
        ..Default::default()
    })
}

/// `@request.body.<relation>.<path>`: joins the submitted ids.
fn body_relation(
    run: &mut Run,
    field: &Field,
    rest: &[&str],
) -> Result<ResolvedOperand, FilterError> {
    let Some(rel) = field.relation() else {
        return Err(err(format!("field {:?} is not a relation", field.name)));
    };
    let target = run
        .r
        .find_collection(&rel.collection_id)
        .ok_or_else(|| err(format!("failed to load field {:?} collection", field.name)))?;
    let ids = unique_strings(body_value(run, &field.name));
    if ids.is_empty() {
        return Ok(ResolvedOperand::null());
    }
    let alias = columnify(&format!("__data_{}_{}", target.name, field.name));
    let names: Vec<String> = ids
        .iter()
        .map(|id| run.r.add_param(SqlValue::Text(id.clone())))
        .collect();
    let on = format!("{} IN ({})", col(&alias, "id"), names.join(", "));
    run.r
        .register_join(Join::table(&target.name, &alias, Some(on)), Some(target))?;
    run.coll = target;
    run.alias = alias;
    if field.is_multiple() {
        run.mm.enabled = true;
    }
    let mm_alias = columnify(&format!("__data_mm_{}_{}", target.name, field.name));
    let mut mm_names = Vec::with_capacity(ids.len());
    for id in ids {
        let p = run.r.fresh_param();
        run.mm.params.push((p.clone(), SqlValue::Text(id)));
        mm_names.push(p);
    }
    let on = format!("{} IN ({})", col(&mm_alias, "id"), mm_names.join(", "));
    run.mm
        .joins
        .push(Join::table(&target.name, &mm_alias, Some(on)));
    run.mm.active = mm_alias;
    run.process(rest)
}

/// A plain request value (`method`, `context`, `query.*`, `headers.*`, `body.*`, static `auth.*`).
fn static_field(run: &mut Run, path: &[&str]) -> Result<ResolvedOperand, FilterError> {
    let Some((last, parents)) = path.split_last() else {
        return Err(err("at least one path key should be provided".into()));
    };
    let (last, modifier) = split_modifier(last)?;
    let mut keys: Vec<&str> = parents.to_vec();
    keys.push(last);
    let found = extract(run.r.request, &keys);
    match modifier {
        Some(Modifier::Isset) => {
            return Ok(ResolvedOperand::sql(if found.is_some() {
                "TRUE"
            } else {
                "FALSE"
            }))
        }
        Some(Modifier::Each | Modifier::Length) => {
            return Err(err(format!("invalid modifier sequence in {:?}", run.full)))
        }
        _ => {}
    }
    let value = match found {
        None | Some(Value::Null) => return Ok(ResolvedOperand::null()),
        Some(Value::String(s)) => {
            let number_field = run
                .r
                .collection
                .field(last)
                .is_some_and(|f| matches!(f.kind, FieldKind::Number(_)));
            match s.parse::<f64>() {
                Ok(n) if number_field => SqlValue::Float(n),
                _ => SqlValue::Text(s),
            }
        }
        Some(Value::Bool(b)) => SqlValue::Int(i64::from(b)),
        Some(Value::Number(n)) => SqlValue::Float(n.as_f64().unwrap_or(0.0)),
        Some(other) => SqlValue::Text(other.to_string()),
    };
    let p = run.r.fresh_param();
    if modifier == Some(Modifier::Lower) {
        return Ok(ResolvedOperand {
            sql: format!("LOWER({p})"),
            params: vec![(p, value)],
            ..Default::default()
        });
    }
    Ok(ResolvedOperand::param(p, value))
}

/// The static auth values (the email regardless of its visibility).
fn auth_map(req: &RequestInfo) -> Option<Map<String, Value>> {
    let (c, values) = req.auth.as_ref()?;
    let mut m = Map::new();
    for key in ["id", "email", "emailVisibility", "verified"] {
        if let Some(v) = values.get(key) {
            m.insert(key.to_string(), v.clone());
        }
    }
    m.insert("collectionId".into(), Value::String(c.id.clone()));
    m.insert("collectionName".into(), Value::String(c.name.clone()));
    Some(m)
}

/// Looks `keys` up in the request data; `None` when a key is missing.
fn extract(req: Option<&RequestInfo>, keys: &[&str]) -> Option<Value> {
    let req = req?;
    let (first, rest) = keys.split_first()?;
    let root_map = match *first {
        "method" if rest.is_empty() => return Some(Value::String(req.method.clone())),
        "context" if rest.is_empty() => return Some(Value::String(req.context.clone())),
        "query" => &req.query,
        "headers" => &req.headers,
        "body" => &req.body,
        "auth" => return nested(&Value::Object(auth_map(req)?), rest).cloned(),
        _ => return None,
    };
    let (key, rest) = rest.split_first()?;
    nested(root_map.get(*key)?, rest).cloned()
}

/// Walks maps by key and arrays by index.
fn nested<'v>(value: &'v Value, keys: &[&str]) -> Option<&'v Value> {
    let Some((key, rest)) = keys.split_first() else {
        return Some(value);
    };
    let next = match value {
        Value::Object(m) => m.get(*key)?,
        Value::Array(a) => a.get(key.parse::<usize>().ok()?)?,
        _ => return None,
    };
    nested(next, rest)
}

/// Go's `cast.ToString` of a JSON value (arrays and objects give `""`).
fn go_string(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => SqlValue::Float(n.as_f64().unwrap_or(0.0)).to_text(),
        _ => String::new(),
    }
}

/// PocketBase's `list.ToUniqueStringSlice`: the non-empty distinct strings of a value (a JSON-array
/// string is decoded).
pub(super) fn unique_strings(v: Option<&Value>) -> Vec<String> {
    let raw: Vec<String> = match v {
        Some(Value::String(s)) if s.contains('[') => {
            serde_json::from_str::<Vec<String>>(s).unwrap_or_else(|_| vec![s.clone()])
        }
        Some(Value::String(s)) => vec![s.clone()],
        Some(Value::Array(items)) => items.iter().map(go_string).collect(),
        _ => Vec::new(),
    };
    let mut out: Vec<String> = Vec::with_capacity(raw.len());
    for s in raw {
        if !s.is_empty() && !out.contains(&s) {
            out.push(s);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn headers_and_strings() {
        assert_eq!(header_key("User-Agent"), "user_agent");
        assert_eq!(header_key("X-Token"), "x_token");
        assert_eq!(header_key("x__a--B"), "x_a_b");
        assert_eq!(
            unique_strings(Some(&json!(["a", "b", "a", "", 1]))),
            ["a", "b", "1"]
        );
        assert_eq!(unique_strings(Some(&json!("[\"x\",\"y\"]"))), ["x", "y"]);
        assert_eq!(unique_strings(Some(&json!("[x"))), ["[x"]);
        assert_eq!(unique_strings(Some(&json!(""))), Vec::<String>::new());
        assert_eq!(unique_strings(Some(&json!(5))), Vec::<String>::new());
        assert_eq!(go_string(&json!(99.0)), "99");
        assert_eq!(go_string(&json!(true)), "true");
        assert_eq!(go_string(&json!(["A"])), "");
    }

    #[test]
    fn nested_lookup() {
        let v = json!({"a": {"b": [1, {"c": null}]}});
        assert_eq!(nested(&v, &["a", "b", "0"]), Some(&json!(1)));
        assert_eq!(nested(&v, &["a", "b", "1", "c"]), Some(&Value::Null));
        assert_eq!(nested(&v, &["a", "b", "1", "c", "d"]), None);
        assert_eq!(nested(&v, &["a", "x"]), None);
    }
}
