//! Translates the pre-0.23 collection form (`schema` with per-field `options`, collection `options`) into the
//! modern one. PocketBase 0.40 ignores these keys; Ferrobase accepts them so older clients keep working.

use crate::model::collection::USERS_ID;
use crate::model::{Collection, CollectionType};
use serde_json::{json, Map, Value};

/// Resolves a legacy relation target (an id, a name, `_users` or `_pb_users_auth_`) to a collection id.
fn resolve_collection_id(target: &str, existing: &[Collection]) -> String {
    if target == "_users" || target == USERS_ID {
        if let Some(users) = existing.iter().find(|c| c.id == USERS_ID) {
            return users.id.clone();
        }
    }
    existing
        .iter()
        .find(|c| c.id == target)
        .or_else(|| {
            existing
                .iter()
                .find(|c| c.name.eq_ignore_ascii_case(target))
        })
        .map(|c| c.id.clone())
        .unwrap_or_else(|| target.to_string())
}

/// One legacy field object to the modern flat form. Returns the field and whether it was `unique`.
fn translate_field(raw: &Value, existing: &[Collection]) -> Option<(Value, bool)> {
    let obj = raw.as_object()?;
    let mut field = Map::new();
    let mut unique = false;
    for (k, v) in obj {
        match k.as_str() {
            "options" => {}
            "unique" => unique = v.as_bool().unwrap_or(false),
            "system" => {
                if let Value::Bool(b) = v {
                    field.insert("system".into(), json!(b));
                }
            }
            _ => {
                field.insert(k.clone(), v.clone());
            }
        }
    }
    let type_name = field
        .get("type")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string();
    if let Some(Value::Object(options)) = obj.get("options") {
        for (k, v) in options {
            let key = match k.as_str() {
                "noDecimal" => "onlyInt",
                "convertUrls" => "convertURLs",
                "displayFields" => continue,
                other => other,
            };
            field.entry(key.to_string()).or_insert_with(|| v.clone());
        }
    }
    // nullable ints of the old form became 0-means-unset ints
    for key in ["min", "max", "maxSelect", "minSelect", "maxSize"] {
        if field.get(key) == Some(&Value::Null)
            && !(type_name == "number" && (key == "min" || key == "max"))
        {
            if type_name == "relation" && key == "maxSelect" {
                // null meant "unlimited"
                field.insert(key.into(), json!(2147483647));
            } else {
                field.insert(key.into(), json!(0));
            }
        }
    }
    if type_name == "relation" {
        if let Some(target) = field.get("collectionId").and_then(Value::as_str) {
            let id = resolve_collection_id(target, existing);
            field.insert("collectionId".into(), json!(id));
        }
    }
    if type_name == "date" {
        for key in ["min", "max"] {
            if !matches!(field.get(key), Some(Value::String(_))) {
                field.insert(key.into(), json!(""));
            }
        }
    }
    Some((Value::Object(field), unique))
}

/// Rewrites a legacy body in place. `old` is the stored collection on updates.
pub fn translate(
    body: &mut Map<String, Value>,
    kind: CollectionType,
    old: Option<&Collection>,
    existing: &[Collection],
) {
    let name = body
        .get("name")
        .and_then(Value::as_str)
        .map(String::from)
        .or_else(|| old.map(|o| o.name.clone()))
        .unwrap_or_default();
    if let Some(Value::Object(options)) = body.remove("options") {
        translate_options(body, kind, options);
    }
    let Some(schema) = body.remove("schema") else {
        return;
    };
    if body.contains_key("fields") {
        return;
    }
    let Value::Array(schema) = schema else { return };
    let mut fields = Vec::new();
    let mut indexes: Vec<Value> = body
        .get("indexes")
        .and_then(Value::as_array)
        .cloned()
        .or_else(|| old.map(|o| o.indexes.iter().map(|i| json!(i)).collect()))
        .unwrap_or_default();
    for raw in &schema {
        let Some((mut field, unique)) = translate_field(raw, existing) else {
            continue;
        };
        let fname = field
            .get("name")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string();
        // keep the stored id of a field with the same name and type, so its column survives
        if field
            .get("id")
            .and_then(Value::as_str)
            .is_none_or(str::is_empty)
        {
            if let Some(o) = old.and_then(|o| o.field(&fname)) {
                if Some(o.type_name()) == field.get("type").and_then(Value::as_str) {
                    field["id"] = json!(o.id);
                }
            }
        }
        if unique && !fname.is_empty() {
            let idx = format!("CREATE UNIQUE INDEX `idx_{name}_{fname}` ON `{name}` (`{fname}`)");
            if !indexes.iter().any(|i| i.as_str() == Some(idx.as_str())) {
                indexes.push(json!(idx));
            }
        }
        fields.push(field);
    }
    if kind != CollectionType::View {
        let mut full = Vec::new();
        match old.and_then(|o| o.field("id")) {
            Some(id) => full.push(serde_json::to_value(id).unwrap_or(Value::Null)),
            None => full.push(
                serde_json::to_value(crate::model::collection::id_field()).unwrap_or(Value::Null),
            ),
        }
        full.extend(fields);
        // the old form always had created/updated; keep stored ones or add them
        for auto in crate::model::collection::autodate_fields(false) {
            let has = full
                .iter()
                .any(|f| f.get("name").and_then(Value::as_str) == Some(auto.name.as_str()));
            if !has {
                let kept = old
                    .and_then(|o| o.field(&auto.name))
                    .cloned()
                    .unwrap_or(auto);
                full.push(serde_json::to_value(kept).unwrap_or(Value::Null));
            }
        }
        if let Some(o) = old {
            // system fields the old form never listed (auth fields) are kept
            for f in o.fields.iter().filter(|f| f.system && f.name != "id") {
                if !full
                    .iter()
                    .any(|v| v.get("name").and_then(Value::as_str) == Some(f.name.as_str()))
                {
                    full.push(serde_json::to_value(f).unwrap_or(Value::Null));
                }
            }
        }
        body.insert("fields".into(), Value::Array(full));
    }
    body.insert("indexes".into(), Value::Array(indexes));
}

/// The old collection-level `options` object.
fn translate_options(
    body: &mut Map<String, Value>,
    kind: CollectionType,
    options: Map<String, Value>,
) {
    if kind == CollectionType::View {
        if let Some(q) = options.get("query") {
            body.entry("viewQuery").or_insert_with(|| q.clone());
        }
        return;
    }
    if kind != CollectionType::Auth {
        return;
    }
    if let Some(rule) = options.get("manageRule") {
        body.entry("manageRule").or_insert_with(|| rule.clone());
    }
    let email = options.get("allowEmailAuth").and_then(Value::as_bool);
    let username = options.get("allowUsernameAuth").and_then(Value::as_bool);
    if email.is_some() || username.is_some() {
        let mut identity = Vec::new();
        if email.unwrap_or(false) {
            identity.push(json!("email"));
        }
        if username.unwrap_or(false) {
            identity.push(json!("username"));
        }
        let enabled = !identity.is_empty();
        body.entry("passwordAuth")
            .or_insert_with(|| json!({"enabled": enabled, "identityFields": identity}));
    }
    if let Some(oauth) = options.get("allowOAuth2Auth").and_then(Value::as_bool) {
        body.entry("oauth2")
            .or_insert_with(|| json!({ "enabled": oauth }));
    }
    if options.get("onlyVerified").and_then(Value::as_bool) == Some(true) {
        body.entry("authRule")
            .or_insert_with(|| json!("verified=true"));
    }
}
