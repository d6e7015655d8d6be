//! Values crossing between Rust and JS: records and collections as tagged JSON (`{"__record": …}`,
//! `{"__collection": …}`), their public export, and the `$app` operations that take or give them.

use super::ops::{find_collection, read, write};
use crate::app::{App, AppError};
use crate::model::record::Record;
use crate::model::{Collection, FieldKind};
use crate::services::record_json::{record_json, Visibility};
use crate::services::{collection_save, record_save};
use serde_json::{json, Map, Value};
use std::sync::Arc;

/// Serialisation controls a JS record carries besides its values.
#[derive(Default)]
pub struct RecordMeta {
    pub original: Option<Record>,
    pub hidden: Vec<String>,
    pub custom: bool,
    pub ignore_email_visibility: bool,
    pub expand: Value,
}

fn multi(kind: &FieldKind) -> bool {
    match kind {
        FieldKind::Select(o) => o.max_select > 1,
        FieldKind::Relation(o) => o.max_select > 1,
        FieldKind::File(o) => o.max_select > 1,
        _ => false,
    }
}

/// A stored record for JS (`original` = its current values: it is not new).
pub fn record_out(c: &Collection, rec: &Record) -> Value {
    record_out_with(c, rec, Some(rec))
}

/// A record for JS with an explicit original (`None` = a new record).
pub fn record_out_with(c: &Collection, rec: &Record, original: Option<&Record>) -> Value {
    let fields: Vec<Value> = c
        .fields
        .iter()
        .map(|f| json!([f.name, f.type_name(), multi(&f.kind), f.hidden]))
        .collect();
    json!({ "__record": {
        "collectionId": c.id,
        "collectionName": c.name,
        "collectionType": c.kind.as_str(),
        "fields": fields,
        "data": rec.data,
        "original": original.map(|o| Value::Object(o.data.clone())),
    }})
}

/// A JS record back in Rust: its collection (as the current transaction sees it), values and meta.
pub fn record_in(app: &App, v: &Value) -> Result<(Arc<Collection>, Record, RecordMeta), AppError> {
    let d = v.get("__record").unwrap_or(v);
    let cid = d["collectionId"].as_str().unwrap_or("");
    let c = find_collection(app, cid)?;
    let mut rec = Record::new(&c.id, &c.name);
    if let Some(data) = d["data"].as_object() {
        rec.data = data.clone();
    }
    let original = d["original"].as_object().map(|o| {
        let mut r = Record::new(&c.id, &c.name);
        r.data = o.clone();
        r
    });
    let meta = RecordMeta {
        original,
        hidden: d["hidden"]
            .as_array()
            .map(|l| {
                l.iter()
                    .filter_map(|x| x.as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default(),
        custom: d["custom"].as_bool().unwrap_or(false),
        ignore_email_visibility: d["ignoreEmailVisibility"].as_bool().unwrap_or(false),
        expand: d["expand"].clone(),
    };
    Ok((c, rec, meta))
}

/// The JSON a record serialises to in custom routes: hidden fields and the password/tokenKey never show,
/// the email only when visible; `hide`/`unhide`, custom data and expand apply.
pub fn public_export(c: &Collection, rec: &Record, meta: &RecordMeta) -> Value {
    let vis = Visibility {
        hidden: false,
        email: meta.ignore_email_visibility,
    };
    let mut out = record_json(c, rec, vis);
    apply_visibility(c, rec, &mut out, false, &meta.hidden, meta.custom);
    if let Value::Object(m) = &mut out {
        if let Value::Object(exp) = &meta.expand {
            if !exp.is_empty() {
                let mut out_exp = Map::new();
                for (k, v) in exp {
                    out_exp.insert(k.clone(), export_tree(v));
                }
                m.insert("expand".into(), Value::Object(out_exp));
            }
        }
    }
    out
}

/// Applies an `onRecordEnrich` handler's changes to the API JSON of `rec`: changed values of the shown
/// fields, `hide` (unless the requester sees hidden fields), `unhide` and custom data.
pub fn enrich_json(
    c: &Collection,
    rec: &Record,
    out: &mut Value,
    show_hidden: bool,
    hidden: &[String],
    custom: bool,
) {
    let Value::Object(m) = out else { return };
    for (k, v) in m.iter_mut() {
        if matches!(k.as_str(), "collectionId" | "collectionName" | "expand") {
            continue;
        }
        if let Some(x) = rec.get(k) {
            if c.field(k)
                .is_some_and(|f| !matches!(f.kind, FieldKind::Password(_)))
            {
                *v = x.clone();
            }
        }
    }
    apply_visibility(c, rec, out, show_hidden, hidden, custom);
}

/// `hide`/`unhide` (in call order; `hide` changes nothing when the requester sees hidden fields) and
/// custom data (non-field values) of a JS record, over its API JSON.
fn apply_visibility(
    c: &Collection,
    rec: &Record,
    out: &mut Value,
    show_hidden: bool,
    hidden: &[String],
    custom: bool,
) {
    let Value::Object(m) = out else { return };
    for h in hidden {
        match h.strip_prefix('!') {
            Some(name) if !matches!(name, "password" | "tokenKey") => {
                if let Some(v) = rec.get(name) {
                    m.insert(name.to_string(), v.clone());
                }
            }
            Some(_) => {}
            None if !show_hidden => {
                m.remove(h);
            }
            None => {}
        }
    }
    if custom {
        for (k, v) in &rec.data {
            let reserved = matches!(k.as_str(), "collectionId" | "collectionName" | "expand");
            if c.field(k).is_none() && !reserved {
                m.insert(k.clone(), v.clone());
            }
        }
    }
}

/// The public export of an expanded tree (expanded records only need their own fields).
fn export_tree(v: &Value) -> Value {
    match v {
        Value::Array(a) => Value::Array(a.iter().map(export_tree).collect()),
        Value::Object(m) if m.contains_key("__record") => {
            let d = &m["__record"];
            let mut out = Map::new();
            out.insert("collectionId".into(), d["collectionId"].clone());
            out.insert("collectionName".into(), d["collectionName"].clone());
            if let Some(data) = d["data"].as_object() {
                for (k, val) in data {
                    if !matches!(k.as_str(), "password" | "tokenKey") {
                        out.insert(k.clone(), val.clone());
                    }
                }
            }
            Value::Object(out)
        }
        Value::Object(m) => {
            Value::Object(m.iter().map(|(k, x)| (k.clone(), export_tree(x))).collect())
        }
        other => other.clone(),
    }
}

/// `e.json(status, data)`: tagged records become their public export, everything else stays as it is.
pub fn export_value(app: &App, v: &Value) -> Value {
    match v {
        Value::Array(a) => Value::Array(a.iter().map(|x| export_value(app, x)).collect()),
        Value::Object(m) if m.contains_key("__record") => match record_in(app, v) {
            Ok((c, rec, meta)) => public_export(&c, &rec, &meta),
            Err(_) => export_tree(v),
        },
        Value::Object(m) if m.contains_key("__collection") => m["__collection"].clone(),
        Value::Object(m) if super::files::is_file(v) => {
            json!({"name": m["name"], "originalName": m["originalName"], "size": m["size"]})
        }
        Value::Object(m) => Value::Object(
            m.iter()
                .map(|(k, x)| (k.clone(), export_value(app, x)))
                .collect(),
        ),
        other => other.clone(),
    }
}

/// A collection for JS.
pub fn collection_out(c: &Collection) -> Value {
    json!({ "__collection": c.to_api_json() })
}

/// A collection back from JS (its API JSON, possibly changed by a handler) over `base`.
pub fn collection_in(app: &App, base: &Collection, d: &Value) -> Result<Collection, AppError> {
    let existing: Vec<Collection> = match crate::store::Tx::current() {
        Some(tx) => app.collections_in(&tx)?,
        None => app.collections().iter().map(|c| (**c).clone()).collect(),
    };
    let input =
        crate::services::collection_input::collection_from_update(base, d.clone(), &existing)?;
    Ok(input.collection)
}

/// A row of a `recordQuery` as a record (values by column name).
pub fn record_from_row(c: &Collection, row: Map<String, Value>) -> Record {
    let mut rec = Record::new(&c.id, &c.name);
    for f in &c.fields {
        let v = row.get(&f.name).cloned().unwrap_or(Value::Null);
        let v = match (&f.kind, v) {
            (FieldKind::Bool(_), Value::Number(n)) => Value::Bool(n.as_i64().unwrap_or(0) != 0),
            (FieldKind::Json(_), Value::String(s)) => {
                serde_json::from_str(&s).unwrap_or(Value::Null)
            }
            (k, Value::String(s)) if multi(k) => {
                serde_json::from_str(&s).unwrap_or_else(|_| json!([s]))
            }
            (_, other) => other,
        };
        rec.set(&f.name, v);
    }
    rec
}

/// `$app.save(record)`: create or update with every model hook; validation errors answer PocketBase's
/// generic message with the field errors.
pub fn save_record(
    app: &App,
    c: Arc<Collection>,
    mut rec: Record,
    original: Option<Record>,
) -> Result<Record, AppError> {
    if original.is_none() && rec.id().is_empty() {
        let mut body = Map::new();
        crate::services::record_write::ensure_record_id(&c, &mut body);
        if let Some(id) = body.remove("id") {
            rec.set("id", id);
        }
    }
    let app2 = app.clone();
    write(app, move |tx| {
        let old = match &original {
            Some(o) => Some(
                tx.with(|conn| crate::store::records::find_by_id(conn, &c, o.id()))?
                    .unwrap_or_else(|| o.clone()),
            ),
            None => None,
        };
        record_save::save(&app2, tx, &c, rec, old.as_ref())
    })
    .map_err(generic_validation)
}

fn generic_validation(e: AppError) -> AppError {
    match e {
        AppError::BadRequest { data, .. } if !data.is_empty() => AppError::BadRequest {
            message: "Something went wrong while processing your request.".into(),
            data,
        },
        other => other,
    }
}

/// `$app.delete(model)`.
pub fn delete_model(app: &App, v: &Value) -> Result<(), AppError> {
    if let Some(c) = v.get("__collection") {
        let key = c["id"]
            .as_str()
            .filter(|s| !s.is_empty())
            .or(c["name"].as_str())
            .unwrap_or("")
            .to_string();
        let app2 = app.clone();
        return write(app, move |tx| {
            let all = app2.collections_in(tx)?;
            let c = collection_save::find(&all, &key)
                .ok_or_else(AppError::not_found)?
                .clone();
            collection_save::delete_in(&app2, tx, &c, &all)
        });
    }
    let (c, rec, _) = record_in(app, v)?;
    let app2 = app.clone();
    write(app, move |tx| {
        let stored = tx
            .with(|conn| crate::store::records::find_by_id(conn, &c, rec.id()))?
            .ok_or_else(AppError::not_found)?;
        record_save::delete(&app2, tx, &c, stored)
    })
}

/// `$app.save(collection)`: create or update from the collection's JSON.
pub fn save_collection(app: &App, v: &Value) -> Result<Value, AppError> {
    let body = v.get("__collection").cloned().unwrap_or_else(|| v.clone());
    let app2 = app.clone();
    let saved = write(app, move |tx| {
        collection_save::save_json_in(&app2, tx, body)
    })
    .map_err(generic_validation)?;
    Ok(collection_out(&saved))
}

/// `$app.validate(model)`: only records are checked (a save inside a rolled-back savepoint).
pub fn validate_model(app: &App, v: &Value) -> Result<Value, AppError> {
    let (c, rec, meta) = record_in(app, v)?;
    let app2 = app.clone();
    let out = write(app, move |tx| {
        tx.savepoint(|tx| -> Result<(), AppError> {
            record_save::save(&app2, tx, &c, rec, meta.original.as_ref())?;
            Err(AppError::internal("validation only"))
        })
    });
    match out {
        Err(AppError::Internal(m)) if m == "validation only" => Ok(Value::Null),
        Err(e) => Err(generic_validation(e)),
        Ok(()) => Ok(Value::Null),
    }
}

/// `record.new*Token()`.
pub fn new_token(
    app: &App,
    v: &Value,
    kind: &str,
    secs: i64,
    email: &str,
) -> Result<String, String> {
    let (c, rec, _) = record_in(app, v).map_err(|e| e.to_string())?;
    let opts = c.auth.as_ref().ok_or("not an auth collection")?;
    let (tk, cfg) = match kind {
        "verification" => (
            crate::auth::token::TokenType::Verification,
            &opts.verification_token,
        ),
        "passwordReset" => (
            crate::auth::token::TokenType::PasswordReset,
            &opts.password_reset_token,
        ),
        "emailChange" => (
            crate::auth::token::TokenType::EmailChange,
            &opts.email_change_token,
        ),
        "file" => (crate::auth::token::TokenType::File, &opts.file_token),
        _ => (crate::auth::token::TokenType::Auth, &opts.auth_token),
    };
    let duration = if secs > 0 {
        secs / 1_000_000_000
    } else {
        cfg.duration
    };
    match tk {
        crate::auth::token::TokenType::Verification
        | crate::auth::token::TokenType::PasswordReset
        | crate::auth::token::TokenType::EmailChange => crate::auth::token::new_email_token(
            tk,
            rec.id(),
            &c.id,
            duration,
            rec.get_str("email"),
            (!email.is_empty()).then_some(email),
            (rec.get_str("tokenKey"), &cfg.secret),
        ),
        _ => crate::auth::token::new_token(
            tk,
            rec.id(),
            &c.id,
            duration,
            rec.get_str("tokenKey"),
            &cfg.secret,
        ),
    }
}

/// `$app.findAuthRecordByToken(token)`.
pub fn find_by_token(app: &App, token: &str) -> Result<Value, AppError> {
    use crate::auth::token::TokenType;
    let all = [
        TokenType::Auth,
        TokenType::File,
        TokenType::Verification,
        TokenType::PasswordReset,
        TokenType::EmailChange,
    ];
    let state = crate::services::auth_state::load_token_now(app, token, &all)
        .ok_or_else(AppError::not_found)?;
    Ok(record_out(&state.collection, &state.record))
}

/// `$app.expandRecords` / `$apis.enrichRecords`: records come back with `expand` filled.
pub fn expand_records(app: &App, a: &[Value]) -> Result<Value, AppError> {
    let recs = a
        .first()
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let expands: Vec<String> = a
        .get(1)
        .and_then(Value::as_array)
        .map(|l| {
            l.iter()
                .filter_map(|x| x.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default();
    let mut out = Vec::new();
    for r in recs {
        let (c, rec, meta) = record_in(app, &r)?;
        let mut item = record_json(
            &c,
            &rec,
            Visibility {
                hidden: true,
                email: true,
            },
        );
        if !expands.is_empty() {
            let (app2, c2) = (app.clone(), c.clone());
            let expand = expands.join(",");
            let mut items = vec![item];
            items = read(app, move |conn| {
                crate::services::expand::expand_in(
                    &app2,
                    conn,
                    &c2,
                    &mut items,
                    &expand,
                    &None,
                    crate::store::resolver::RequestInfo::default(),
                );
                Ok(items)
            })?;
            item = items.pop().unwrap_or(Value::Null);
        }
        let mut v = record_out_with(&c, &rec, meta.original.as_ref());
        if let Some(exp) = item.get("expand") {
            v["__record"]["expand"] = tag_expand(app, exp);
        }
        out.push(v);
    }
    Ok(Value::Array(out))
}

/// `$apis.enrichRecords(e, records, ...expands)`: expands, then runs `onRecordEnrich` on each record as
/// the request's auth sees it (the changes land on the JS records: values, hidden fields, custom data).
pub fn enrich_records(app: &App, a: &[Value]) -> Result<Value, AppError> {
    let mut out = expand_records(app, a)?;
    let auth = a
        .get(2)
        .map(|x| &x["auth"])
        .filter(|x| x.get("__record").is_some())
        .map(|x| record_in(app, x))
        .transpose()?
        .map(|(c, rec, _)| (c, rec));
    let info = crate::store::resolver::RequestInfo {
        method: "GET".into(),
        context: "default".into(),
        auth: auth.as_ref().map(|(c, rec)| (c.clone(), rec.data.clone())),
        ..Default::default()
    };
    let show_hidden = auth.as_ref().is_some_and(|(c, _)| c.is_superusers());
    let request = crate::app::events::RequestData { auth, info };
    for v in out.as_array_mut().into_iter().flatten() {
        let (c, rec, meta) = record_in(app, v)?;
        let mut ev = crate::app::events::RecordEnrichEvent {
            app: app.clone(),
            collection: c.clone(),
            record: rec,
            json: Value::Null,
            show_hidden,
            hidden: meta.hidden,
            custom: meta.custom,
            request: request.clone(),
        };
        if !app.hooks().on_record_enrich.is_empty() {
            app.hooks().on_record_enrich.trigger(&mut ev, |_| Ok(()))?;
        }
        let owner = ev
            .request
            .auth
            .as_ref()
            .is_some_and(|(ac, ar)| ac.id == c.id && ar.id() == ev.record.id());
        if show_hidden {
            // a superuser sees every hidden field; `hide()` changes nothing for them
            ev.hidden.retain(|h| h.starts_with('!'));
            ev.hidden.extend(
                c.fields
                    .iter()
                    .filter(|f| f.hidden)
                    .map(|f| format!("!{}", f.name)),
            );
        }
        let d = &mut v["__record"];
        d["data"] = Value::Object(ev.record.data);
        d["hidden"] = json!(ev.hidden);
        d["custom"] = json!(ev.custom);
        if show_hidden || owner {
            d["ignoreEmailVisibility"] = json!(true);
        }
    }
    Ok(out)
}

fn tag_expand(app: &App, v: &Value) -> Value {
    match v {
        Value::Object(m) if m.contains_key("collectionId") => {
            let cid = m["collectionId"].as_str().unwrap_or("");
            match app.find_collection(cid) {
                Some(c) => {
                    let mut rec = Record::new(&c.id, &c.name);
                    for (k, x) in m {
                        if k != "expand" && k != "collectionId" && k != "collectionName" {
                            rec.set(k, x.clone());
                        }
                    }
                    let mut out = record_out(&c, &rec);
                    if let Some(exp) = m.get("expand") {
                        out["__record"]["expand"] = tag_expand(app, exp);
                    }
                    out
                }
                None => v.clone(),
            }
        }
        Value::Object(m) => Value::Object(
            m.iter()
                .map(|(k, x)| (k.clone(), tag_expand(app, x)))
                .collect(),
        ),
        Value::Array(a) => Value::Array(a.iter().map(|x| tag_expand(app, x)).collect()),
        other => other.clone(),
    }
}

/// `$app.canAccessRecord(record, requestInfo, rule)`.
pub fn can_access(app: &App, a: &[Value]) -> Result<bool, AppError> {
    let (c, rec, _) = record_in(app, a.first().unwrap_or(&Value::Null))?;
    let rule = match a.get(2) {
        Some(Value::String(s)) => s.clone(),
        _ => return Ok(false),
    };
    if rule.trim().is_empty() {
        return Ok(true);
    }
    let info = request_info_in(app, a.get(1).unwrap_or(&Value::Null));
    let all = app.collections();
    let id = rec.id().to_string();
    let cond = crate::services::rules::RuleCondition::new(&c, &all, &rule, &id, &info)?;
    let c2 = c.clone();
    let q = cond;
    read(app, move |conn| q.exists(conn, &c2))
}

fn request_info_in(app: &App, v: &Value) -> crate::store::resolver::RequestInfo {
    let mut info = crate::store::resolver::RequestInfo {
        method: v["method"].as_str().unwrap_or("GET").to_string(),
        context: v["context"].as_str().unwrap_or("default").to_string(),
        ..Default::default()
    };
    for (key, dst) in [
        ("query", &mut info.query),
        ("headers", &mut info.headers),
        ("body", &mut info.body),
    ] {
        if let Some(m) = v[key].as_object() {
            *dst = m.clone();
        }
    }
    if v["auth"].get("__record").is_some() {
        if let Ok((c, rec, _)) = record_in(app, &v["auth"]) {
            info.auth = Some((c.clone(), rec.data));
        }
    }
    info
}

/// `$apis.recordAuthResponse(e, record, method, meta)`: the standard auth JSON with a fresh token, after
/// `onRecordAuthRequest` (and `onRecordEnrich`).
pub fn auth_response(app: &App, a: &[Value]) -> Result<Value, AppError> {
    let (c, rec, _) = record_in(app, a.first().unwrap_or(&Value::Null))?;
    let token =
        crate::services::auth_state::new_auth_token(&c, &rec).map_err(AppError::internal)?;
    let method = a.get(1).and_then(Value::as_str).unwrap_or("");
    let meta = a.get(2).filter(|m| !m.is_null()).cloned();
    match crate::services::auth_pipeline::respond_blocking(app, &c, rec, token, meta, method, &None)
    {
        // a handler that did not call e.next(): nothing is written
        Err(AppError::Stopped) => Ok(Value::Null),
        other => other,
    }
}

/// `$app.settings()` as plain JSON (camelCase keys as PocketBase's JS sees them).
pub fn settings_json(app: &App) -> Value {
    serde_json::to_value(app.settings().as_ref()).unwrap_or(Value::Null)
}

/// Parses a date the way record `set` does: PocketBase's datetime text, RFC 3339, or a plain date.
pub fn parse_datetime(s: &str) -> Option<String> {
    Some(crate::model::datetime::normalize(s)).filter(|v| !v.is_empty())
}
