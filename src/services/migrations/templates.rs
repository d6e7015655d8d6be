//! The JS migration templates PocketBase writes: blank (`migrate create`), snapshot
//! (`migrate collections`), and the automigrate created / deleted / updated (diff) files.

use super::go_json::{compact, marshal_indent};
use super::names::go_quote;
use crate::model::Collection;
use serde_json::{Map, Value};

/// The editor hint every template starts with (a fixed path, never computed).
const TYPES_DIRECTIVE: &str = "/// <reference path=\"../pb_data/types.d.ts\" />\n";

/// Nesting prefix and indent of the JSON inside the templates.
const PAD: &str = "  ";

/// `migrate create NAME`.
pub fn blank() -> String {
    format!("{TYPES_DIRECTIVE}migrate((app) => {{\n  // add up queries...\n}}, (app) => {{\n  // add down queries...\n}})\n")
}

/// `migrate collections`: every collection, imported without deleting the missing ones.
pub fn snapshot(collections: &[Collection]) -> Result<String, String> {
    let all = Value::Array(collections.iter().map(template_json).collect());
    let json = marshal_indent(&all, PAD, PAD)?;
    Ok(format!(
        "{TYPES_DIRECTIVE}migrate((app) => {{\n  const snapshot = {json};\n\n  return app.importCollections(snapshot, false);\n}}, (app) => {{\n  return null;\n}})\n"
    ))
}

/// The file for a created collection.
pub fn created(c: &Collection) -> Result<String, String> {
    let json = marshal_indent(&template_json(c), PAD, PAD)?;
    let id = go_quote(&c.id);
    Ok(format!(
        "{TYPES_DIRECTIVE}migrate((app) => {{\n  const collection = new Collection({json});\n\n  return app.save(collection);\n}}, (app) => {{\n  const collection = app.findCollectionByNameOrId({id});\n\n  return app.delete(collection);\n}})\n"
    ))
}

/// The file for a deleted collection (the mirror of `created`).
pub fn deleted(c: &Collection) -> Result<String, String> {
    let json = marshal_indent(&template_json(c), PAD, PAD)?;
    let id = go_quote(&c.id);
    Ok(format!(
        "{TYPES_DIRECTIVE}migrate((app) => {{\n  const collection = app.findCollectionByNameOrId({id});\n\n  return app.delete(collection);\n}}, (app) => {{\n  const collection = new Collection({json});\n\n  return app.save(collection);\n}})\n"
    ))
}

/// The automigrate file for a change: created, deleted, or the diff of an update. `Ok(None)` when
/// nothing changed (field order alone does not count).
pub fn for_change(
    old: Option<&Collection>,
    new: Option<&Collection>,
) -> Result<Option<String>, String> {
    match (old, new) {
        (None, Some(new)) => created(new).map(Some),
        (Some(old), None) => deleted(old).map(Some),
        (Some(old), Some(new)) => updated(old, new),
        (None, None) => Err("the diff template requires at least one collection".into()),
    }
}

/// A collection's JSON as the templates hold it: the API JSON without timestamps and OAuth2 providers.
pub fn template_json(c: &Collection) -> Value {
    let mut v = c.to_api_json();
    if let Value::Object(m) = &mut v {
        m.remove("created");
        m.remove("updated");
        if let Some(Value::Object(oauth2)) = m.get_mut("oauth2") {
            oauth2.remove("providers");
        }
    }
    v
}

/// Both sides of a migration body: the up parts and the down parts.
#[derive(Default)]
struct Parts {
    up: Vec<String>,
    down: Vec<String>,
}

impl Parts {
    fn push(&mut self, up: [String; 2], down: [String; 2]) {
        self.up.extend(up);
        self.down.extend(down);
    }
}

/// The diff of an update. Order: collection data, removed fields, added fields, changed fields.
fn updated(old: &Collection, new: &Collection) -> Result<Option<String>, String> {
    let (old_json, new_json) = (template_json(old), template_json(new));
    let empty = Map::new();
    let old_map = old_json.as_object().unwrap_or(&empty);
    let new_map = new_json.as_object().unwrap_or(&empty);
    let mut parts = Parts::default();
    let excluded = ["fields", "created", "updated"];
    let up_diff = diff_maps(old_map, new_map, &excluded);
    if !up_diff.is_empty() {
        let down_diff = diff_maps(new_map, old_map, &excluded);
        let unmarshal = |m: Map<String, Value>| -> Result<String, String> {
            Ok(format!(
                "unmarshal({}, collection)\n",
                marshal_indent(&Value::Object(m), PAD, PAD)?
            ))
        };
        parts.push(
            ["// update collection data".into(), unmarshal(up_diff)?],
            ["// update collection data".into(), unmarshal(down_diff)?],
        );
    }
    let old_fields = fields_of(old_map);
    let new_fields = fields_of(new_map);
    field_parts(&old_fields, &new_fields, &mut parts)?;
    if parts.up.is_empty() && parts.down.is_empty() {
        return Ok(None);
    }
    let up = parts.up.join("\n  ");
    let down = parts.down.join("\n  ");
    Ok(Some(format!(
        "{TYPES_DIRECTIVE}migrate((app) => {{\n  const collection = app.findCollectionByNameOrId({})\n\n  {}\n\n  return app.save(collection)\n}}, (app) => {{\n  const collection = app.findCollectionByNameOrId({})\n\n  {}\n\n  return app.save(collection)\n}})\n",
        go_quote(&old.id),
        up.trim(),
        go_quote(&new.id),
        down.trim()
    )))
}

/// The `fields` array of a collection JSON, each with its id.
fn fields_of(m: &Map<String, Value>) -> Vec<(&str, &Value)> {
    m.get("fields")
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .map(|f| (f.get("id").and_then(Value::as_str).unwrap_or(""), f))
                .collect()
        })
        .unwrap_or_default()
}

fn field_parts(
    old: &[(&str, &Value)],
    new: &[(&str, &Value)],
    parts: &mut Parts,
) -> Result<(), String> {
    let position = |list: &[(&str, &Value)], id: &str| list.iter().position(|(i, _)| *i == id);
    let add_at = |i: usize, f: &Value| -> Result<String, String> {
        Ok(format!(
            "collection.fields.addAt({i}, new Field({}))\n",
            marshal_indent(f, PAD, PAD)?
        ))
    };
    let remove = |id: &str| format!("collection.fields.removeById({})\n", go_quote(id));
    for (i, (id, f)) in old.iter().enumerate() {
        if position(new, id).is_none() {
            parts.push(
                ["// remove field".into(), remove(id)],
                ["// add field".into(), add_at(i, f)?],
            );
        }
    }
    for (i, (id, f)) in new.iter().enumerate() {
        if position(old, id).is_none() {
            parts.push(
                ["// add field".into(), add_at(i, f)?],
                ["// remove field".into(), remove(id)],
            );
        }
    }
    for (i, (id, f)) in new.iter().enumerate() {
        let Some(j) = position(old, id) else { continue };
        let before = old[j].1;
        if marshal_indent(f, PAD, PAD)? == marshal_indent(before, PAD, PAD)? {
            continue;
        }
        parts.push(
            ["// update field".into(), add_at(i, f)?],
            ["// update field".into(), add_at(j, before)?],
        );
    }
    Ok(())
}

/// The keys of `new` whose value differs from `old` (objects recurse into their changed keys only),
/// plus `null` for keys only `old` has. `exclude` applies at this level only.
fn diff_maps(
    old: &Map<String, Value>,
    new: &Map<String, Value>,
    exclude: &[&str],
) -> Map<String, Value> {
    let mut diff = Map::new();
    for (k, v_new) in new {
        if exclude.contains(&k.as_str()) {
            continue;
        }
        let Some(v_old) = old.get(k) else {
            diff.insert(k.clone(), v_new.clone());
            continue;
        };
        if compact(v_old) == compact(v_new) {
            continue;
        }
        match (v_old, v_new) {
            (Value::Object(o), Value::Object(n)) => {
                let sub = diff_maps(o, n, &[]);
                if !sub.is_empty() {
                    diff.insert(k.clone(), Value::Object(sub));
                }
            }
            _ => {
                diff.insert(k.clone(), v_new.clone());
            }
        }
    }
    for k in old.keys() {
        if !diff.contains_key(k) && !exclude.contains(&k.as_str()) && !new.contains_key(k) {
            diff.insert(k.clone(), Value::Null);
        }
    }
    diff
}
