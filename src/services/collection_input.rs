//! Turning a create/update request body into a `Collection`: key normalisation, merging over the scaffold
//! or the stored collection, the legacy `schema` form, and the defaults applied before validation.

use super::legacy_schema;
use crate::app::AppError;
use crate::model::auth_options::AuthOptions;
use crate::model::collection::{
    auth_indexes, auth_system_fields, id_field, strip_nulls, RULE_KEYS,
};
use crate::model::field::default_field_id;
use crate::model::{Collection, CollectionType, Field};
use serde_json::{Map, Value};

/// The message PocketBase answers for bodies that do not decode.
pub const INVALID_FORMAT: &str = "Failed to load the submitted data due to invalid formatting.";

const TOP_KEYS: &[&str] = &[
    "id",
    "name",
    "type",
    "system",
    "fields",
    "indexes",
    "listRule",
    "viewRule",
    "createRule",
    "updateRule",
    "deleteRule",
    "viewQuery",
    "created",
    "updated",
    "authRule",
    "manageRule",
    "authAlert",
    "oauth2",
    "passwordAuth",
    "mfa",
    "otp",
    "authToken",
    "passwordResetToken",
    "emailChangeToken",
    "verificationToken",
    "fileToken",
    "verificationTemplate",
    "resetPasswordTemplate",
    "confirmEmailChangeTemplate",
    "anonymousAuth",
    "schema",
    "options",
];

/// Renames top-level keys to their canonical spelling (Go matches JSON keys case-insensitively).
fn canonical_keys(body: Map<String, Value>) -> Map<String, Value> {
    let mut out = Map::new();
    for (k, v) in body {
        let key = TOP_KEYS
            .iter()
            .find(|c| c.eq_ignore_ascii_case(&k))
            .map(|c| c.to_string())
            .unwrap_or(k);
        out.insert(key, v);
    }
    out
}

/// Objects merge key by key; anything else replaces.
pub fn merge_json(base: &mut Value, patch: Value) {
    match (base, patch) {
        (Value::Object(b), Value::Object(p)) => {
            for (k, v) in p {
                match b.get_mut(&k) {
                    Some(existing) if existing.is_object() && v.is_object() => {
                        merge_json(existing, v)
                    }
                    _ => {
                        b.insert(k, v);
                    }
                }
            }
        }
        (b, p) => *b = p,
    }
}

/// PocketBase applies each submitted `oauth2.providers[]` entry over the stored provider of the same
/// name, so keys left out (notably the write-only `clientSecret`) keep their stored values.
fn merge_providers_by_name(stored: &Value, body: &mut Map<String, Value>) {
    let Some(old) = stored
        .pointer("/oauth2/providers")
        .and_then(Value::as_array)
    else {
        return;
    };
    let new = body
        .get_mut("oauth2")
        .and_then(|o| o.get_mut("providers"))
        .and_then(Value::as_array_mut);
    for p in new.into_iter().flatten() {
        let Some(name) = p.get("name").and_then(Value::as_str) else {
            continue;
        };
        let prev = old
            .iter()
            .find(|o| o.get("name").and_then(Value::as_str) == Some(name));
        if let (Some(prev), true) = (prev, p.is_object()) {
            let mut merged = prev.clone();
            merge_json(&mut merged, p.take());
            *p = merged;
        }
    }
}

fn opt_rule(v: Option<&Value>) -> Result<Option<String>, AppError> {
    match v {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(_) => Err(AppError::bad_request(INVALID_FORMAT)),
    }
}

fn string_of(v: Option<&Value>) -> Result<String, AppError> {
    match v {
        None | Some(Value::Null) => Ok(String::new()),
        Some(Value::String(s)) => Ok(s.clone()),
        Some(_) => Err(AppError::bad_request(INVALID_FORMAT)),
    }
}

/// Decodes the full collection JSON. `raw_type` keeps an unknown type for the validator.
fn decode(json: &Value, kind: CollectionType) -> Result<Collection, AppError> {
    let bad = || AppError::bad_request(INVALID_FORMAT);
    let obj = json.as_object().ok_or_else(bad)?;
    let fields: Vec<Field> = match obj.get("fields") {
        None | Some(Value::Null) => Vec::new(),
        Some(v) => {
            let mut v = v.clone();
            strip_nulls(&mut v, 1);
            serde_json::from_value(v).map_err(|_| bad())?
        }
    };
    let indexes: Vec<String> = match obj.get("indexes") {
        None | Some(Value::Null) => Vec::new(),
        Some(v) => serde_json::from_value(v.clone()).map_err(|_| bad())?,
    };
    let auth = if kind == CollectionType::Auth {
        let mut opts = json.clone();
        strip_nulls(&mut opts, 1);
        Some(serde_json::from_value::<AuthOptions>(opts).map_err(|_| bad())?)
    } else {
        None
    };
    let rules: Vec<Option<String>> = RULE_KEYS
        .iter()
        .map(|k| opt_rule(obj.get(*k)))
        .collect::<Result<_, _>>()?;
    Ok(Collection {
        id: string_of(obj.get("id"))?,
        name: string_of(obj.get("name"))?,
        kind,
        system: match obj.get("system") {
            None | Some(Value::Null) => false,
            Some(Value::Bool(b)) => *b,
            Some(_) => return Err(bad()),
        },
        fields,
        indexes,
        list_rule: rules[0].clone(),
        view_rule: rules[1].clone(),
        create_rule: rules[2].clone(),
        update_rule: rules[3].clone(),
        delete_rule: rules[4].clone(),
        view_query: string_of(obj.get("viewQuery"))?,
        auth,
        created: string_of(obj.get("created"))?,
        updated: string_of(obj.get("updated"))?,
    })
}

/// What a create body decodes to, plus the submitted type text (validated later).
pub struct CreateInput {
    pub collection: Collection,
    pub raw_type: String,
}

/// Decodes a create body over the scaffold of its type. `existing` resolves legacy relation targets.
pub fn collection_from_create(
    body: Value,
    existing: &[Collection],
) -> Result<CreateInput, AppError> {
    let Value::Object(body) = body else {
        return Err(AppError::bad_request(INVALID_FORMAT));
    };
    let mut body = canonical_keys(body);
    let raw_type = match body.get("type") {
        None | Some(Value::Null) => "base".to_string(),
        Some(Value::String(s)) if s.is_empty() => "base".to_string(),
        Some(Value::String(s)) => s.clone(),
        Some(_) => return Err(AppError::bad_request(INVALID_FORMAT)),
    };
    let kind = CollectionType::parse(&raw_type).unwrap_or(CollectionType::Base);
    legacy_schema::translate(&mut body, kind, None, existing);
    body.remove("type");
    let scaffold = Collection::new(kind, "");
    let mut json = scaffold.to_full_json();
    merge_json(&mut json, Value::Object(body));
    let mut collection = decode(&json, kind)?;
    normalize(&mut collection, None, existing);
    Ok(CreateInput {
        collection,
        raw_type,
    })
}

/// Decodes an update body over the stored collection. The type can never change (`raw_type` reports a try).
pub fn collection_from_update(
    old: &Collection,
    body: Value,
    existing: &[Collection],
) -> Result<CreateInput, AppError> {
    let Value::Object(body) = body else {
        return Err(AppError::bad_request(INVALID_FORMAT));
    };
    let mut body = canonical_keys(body);
    let raw_type = match body.remove("type") {
        None | Some(Value::Null) => old.kind.as_str().to_string(),
        Some(Value::String(s)) => s,
        Some(_) => return Err(AppError::bad_request(INVALID_FORMAT)),
    };
    legacy_schema::translate(&mut body, old.kind, Some(old), existing);
    let mut json = old.to_full_json();
    merge_providers_by_name(&json, &mut body);
    merge_json(&mut json, Value::Object(body));
    let mut collection = decode(&json, old.kind)?;
    normalize(&mut collection, Some(old), existing);
    Ok(CreateInput {
        collection,
        raw_type,
    })
}

/// Applies the defaults PocketBase applies before validating: ids, system fields, superuser invariants.
pub fn normalize(c: &mut Collection, old: Option<&Collection>, existing: &[Collection]) {
    if c.id.is_empty() {
        let base = Collection::default_id(c.kind, &c.name);
        let mut id = base.clone();
        let mut n = 2;
        while existing.iter().any(|e| e.id == id) && n < 1000 {
            id = format!("{base}{n}");
            n += 1;
        }
        c.id = id;
    }
    if c.kind != CollectionType::View {
        if !c.fields.iter().any(|f| f.name == "id") {
            c.fields.insert(0, id_field());
        }
    } else {
        // view fields are derived from the query by the validator
    }
    if c.kind == CollectionType::Auth {
        for sys in auth_system_fields() {
            match c.fields.iter_mut().find(|f| f.name == sys.name) {
                Some(f) => {
                    f.system = true;
                    if f.name == "email" {
                        f.hidden = false;
                    }
                }
                None => c.fields.push(sys),
            }
        }
        if old.is_none() {
            for idx in auth_indexes(&c.id, &c.name) {
                let kind = if idx.contains("(`tokenKey`)") {
                    "tokenKey"
                } else {
                    "email"
                };
                let has = c.indexes.iter().any(|i| {
                    crate::model::index::Index::parse(i)
                        .map(|p| p.unique && p.columns.len() == 1 && p.columns[0].name == kind)
                        .unwrap_or(false)
                });
                if !has {
                    c.indexes.push(idx);
                }
            }
        }
        if c.is_superusers() || old.is_some_and(|o| o.is_superusers()) {
            if let Some(a) = c.auth.as_mut() {
                a.oauth2.enabled = false;
                a.oauth2.providers.clear();
                a.anonymous_auth.enabled = false;
                a.password_auth.enabled = true;
                if a.otp.enabled {
                    a.mfa.enabled = true;
                }
            }
        }
    }
    assign_field_ids(&mut c.fields, old);
    if let Some(old) = old {
        c.id = old.id.clone();
        c.created = old.created.clone();
    }
}

/// Gives every field without an id PocketBase's default one (suffixed on clashes).
fn assign_field_ids(fields: &mut [Field], old: Option<&Collection>) {
    let mut taken: Vec<String> = fields
        .iter()
        .filter(|f| !f.id.is_empty())
        .map(|f| f.id.clone())
        .collect();
    for f in fields.iter_mut() {
        if !f.id.is_empty() {
            continue;
        }
        // a system field resent without id keeps the stored one
        if let Some(o) = old
            .and_then(|o| o.field(&f.name))
            .filter(|o| o.system && o.type_name() == f.type_name())
        {
            if !taken.contains(&o.id) {
                f.id = o.id.clone();
                taken.push(f.id.clone());
                continue;
            }
        }
        let base = default_field_id(f.type_name(), &f.name);
        let mut id = base.clone();
        let mut n = 2;
        while taken.contains(&id) && n < 1000 {
            id = format!("{base}{n}");
            n += 1;
        }
        taken.push(id.clone());
        f.id = id;
    }
}
