//! Record create/update/delete inside a transaction: body → values, validation, hooks, store.

use super::auth_state::{is_superuser, Requester};
use super::model_hooks::{self, Op, Stage};
use super::record_files;
use super::record_inline_files::{self, StageError};
use crate::app::events::{Model, ModelEvent};
use crate::app::{App, AppError};
use crate::auth::password;
use crate::model::field::value::{
    generate_from_pattern, prepare, validate, validate_password_plain, zero_value,
};
use crate::model::record::Record;
use crate::model::{datetime, Collection, Errors, FieldKind, ValidationError};
use crate::store::{self, Tx};
use serde_json::{Map, Value};
use std::sync::Arc;

/// Builds a new record from a request body (values not yet validated).
pub fn record_from_body(
    c: &Collection,
    body: &Map<String, Value>,
    requester: &Requester,
) -> Record {
    let mut rec = Record::new(&c.id, &c.name);
    for f in &c.fields {
        rec.set(&f.name, zero_value(f));
    }
    apply_body(c, &mut rec, body, requester);
    rec
}

/// Copies the submitted values onto the record (hidden fields only for superusers, autodate never).
pub fn apply_body(
    c: &Collection,
    rec: &mut Record,
    body: &Map<String, Value>,
    requester: &Requester,
) {
    let superuser = is_superuser(requester);
    for f in &c.fields {
        if matches!(f.kind, FieldKind::Autodate(_)) {
            continue;
        }
        if f.hidden && !superuser && !(c.is_auth() && f.name == "password") {
            continue;
        }
        if let Some(raw) = body.get(&f.name) {
            rec.set(&f.name, prepare(f, raw));
        }
    }
}

fn failure(is_new: bool) -> &'static str {
    if is_new {
        "Failed to create record."
    } else {
        "Failed to update record."
    }
}

/// Fills generated values, hashes new passwords and validates every field. `plain_password` is the new
/// password text for auth records (already checked against `passwordConfirm` by the caller).
fn prepare_and_validate(
    app: &App,
    tx: &Tx,
    c: &Collection,
    rec: &mut Record,
    old: Option<&Record>,
    new_files: &[String],
) -> Result<(), Errors> {
    let mut errors = Errors::new();
    let now = datetime::now();
    for f in &c.fields {
        match &f.kind {
            FieldKind::Autodate(o) => {
                if (old.is_none() && o.on_create) || (old.is_some() && o.on_update) {
                    rec.set(&f.name, Value::String(now.clone()));
                } else if let Some(prev) = old.and_then(|o| o.get(&f.name)) {
                    rec.set(&f.name, prev.clone());
                }
            }
            FieldKind::Text(o)
                if rec.get_str(&f.name).is_empty()
                    && old.is_none()
                    && !o.autogenerate_pattern.is_empty() =>
            {
                if let Some(v) = generate_from_pattern(&o.autogenerate_pattern) {
                    rec.set(&f.name, Value::String(v));
                }
            }
            FieldKind::Password(o) => {
                let plain = rec.get_str(&f.name).to_string();
                let unchanged = old.is_some_and(|p| p.get_str(&f.name) == plain);
                if plain.is_empty() || unchanged {
                    if let Some(prev) = old {
                        rec.set(
                            &f.name,
                            prev.get(&f.name)
                                .cloned()
                                .unwrap_or(Value::String(String::new())),
                        );
                    }
                } else {
                    if let Err(e) = validate_password_plain(f, &plain) {
                        errors.add(f.name.clone(), e);
                        continue;
                    }
                    let hashed = if o.cost > 0 {
                        password::hash_bcrypt(&plain, o.cost as u32)
                    } else {
                        password::hash(&plain)
                    };
                    match hashed {
                        Ok(h) => rec.set(&f.name, Value::String(h)),
                        Err(_) => errors.add(
                            f.name.clone(),
                            ValidationError::new("validation_invalid_value", "Invalid value."),
                        ),
                    }
                }
            }
            _ => {}
        }
    }
    if let Some(prev) = old {
        if prev.id() != rec.id() {
            errors.add(
                "id",
                ValidationError::new(
                    "validation_pk_change",
                    "The record primary key cannot be changed.",
                ),
            );
        }
    }
    for f in &c.fields {
        if errors.has(&f.name) || matches!(f.kind, FieldKind::Autodate(_)) {
            continue;
        }
        let value = rec.get(&f.name).cloned().unwrap_or(Value::Null);
        if let Err(e) = validate(f, &value) {
            errors.add(f.name.clone(), e);
            continue;
        }
        if matches!(f.kind, FieldKind::File(_)) {
            let known = old
                .map(|o| record_files::names_of(o.get(&f.name)))
                .unwrap_or_default();
            let invalid: Vec<String> = record_files::names_of(Some(&value))
                .into_iter()
                .filter(|n| !known.contains(n) && !new_files.contains(n))
                .collect();
            if !invalid.is_empty() {
                errors.add(
                    f.name.clone(),
                    ValidationError::new(
                        "validation_invalid_file",
                        &format!("Invalid new files: [{}].", invalid.join(" ")),
                    )
                    .param("invalidFiles", invalid),
                );
            }
            continue;
        }
        if let Some(rel) = f.relation() {
            let ids: Vec<String> = match &value {
                Value::String(s) if !s.is_empty() => vec![s.clone()],
                Value::Array(a) => a
                    .iter()
                    .filter_map(|v| v.as_str().map(String::from))
                    .collect(),
                _ => Vec::new(),
            };
            if ids.is_empty() {
                continue;
            }
            let target = if rel.collection_id == c.id {
                Some(Arc::new(c.clone()))
            } else {
                find_in(app, tx, &rel.collection_id)
            };
            let all_exist = target.is_some_and(|t| {
                ids.iter().all(|id| {
                    (rel.collection_id == c.id && id == rec.id())
                        || tx
                            .with(|conn| store::records::exists(conn, &t, id))
                            .unwrap_or(false)
                })
            });
            if !all_exist {
                errors.add(
                    f.name.clone(),
                    ValidationError::new(
                        "validation_missing_rel_records",
                        "Failed to find all relation records with the provided ids.",
                    ),
                );
            }
        }
    }
    if c.is_auth() {
        // ids must be unique across every auth collection
        if old.is_none() {
            let all = app.collections();
            let clash = all.iter().filter(|o| o.is_auth() && o.id != c.id).any(|o| {
                tx.with(|conn| store::records::exists(conn, o, rec.id()))
                    .unwrap_or(false)
            });
            if clash {
                errors.add(
                    "id",
                    ValidationError::new(
                        "validation_invalid_auth_id",
                        "Invalid or duplicated auth record id.",
                    ),
                );
            }
        }
        if c.is_superusers() {
            rec.set("verified", Value::Bool(true));
        }
        // a new password or email invalidates every issued token
        if let Some(prev) = old {
            let changed = prev.get_str("password") != rec.get_str("password")
                || prev.get_str("email") != rec.get_str("email");
            if changed && prev.get_str("tokenKey") == rec.get_str("tokenKey") {
                if let Some(v) = generate_from_pattern("[a-zA-Z0-9]{50}") {
                    rec.set("tokenKey", Value::String(v));
                }
            }
        }
    }
    errors.into_result()
}

/// A collection by id: the committed cache first, then what the open transaction sees (new collections).
fn find_in(app: &App, tx: &Tx, id: &str) -> Option<Arc<Collection>> {
    if let Some(c) = app.collections().iter().find(|c| c.id == id) {
        return Some(c.clone());
    }
    tx.with(store::collections::load_all)
        .ok()
        .and_then(|all| all.into_iter().find(|o| o.id == id))
        .map(Arc::new)
}

/// Maps a UNIQUE violation from SQLite (`UNIQUE constraint failed: t.a, t.b`) to field errors.
fn unique_errors(c: &Collection, e: &store::StoreError) -> Option<Errors> {
    if !e.is_unique_violation() {
        return None;
    }
    let msg = e.sqlite_message();
    let cols = msg.split("failed:").nth(1)?;
    let mut errors = Errors::new();
    for part in cols.split(',') {
        let col = part.trim().rsplit('.').next().unwrap_or("").to_string();
        if c.field(&col).is_some() {
            errors.add(
                col,
                ValidationError::new("validation_not_unique", "Value must be unique."),
            );
        }
    }
    (!errors.is_empty()).then_some(errors)
}

/// The record a model event carries.
fn record_of(e: &mut ModelEvent) -> Result<(&Arc<Collection>, &mut Record), AppError> {
    match &mut e.model {
        Model::Record(c, r) => Ok((c, r)),
        Model::Collection(_) => Err(AppError::internal("expected a record model")),
    }
}

/// Saves (creates when `old` is `None`) a record inside the open transaction, running every record hook.
pub fn save(
    app: &App,
    tx: &Tx,
    c: &Arc<Collection>,
    rec: Record,
    old: Option<&Record>,
) -> Result<Record, AppError> {
    save_with_uploads(app, tx, c, rec, old, &[])
}

/// `save` for a record whose file fields may name the just-uploaded files `new_files`. Files the
/// record no longer names are deleted after the commit.
pub fn save_with_uploads(
    app: &App,
    tx: &Tx,
    c: &Arc<Collection>,
    rec: Record,
    old: Option<&Record>,
    new_files: &[String],
) -> Result<Record, AppError> {
    if c.is_view() {
        return Err(AppError::bad_request("Unsupported collection type."));
    }
    let is_new = old.is_none();
    let op = if is_new { Op::Create } else { Op::Update };
    let inline_keys = std::cell::RefCell::new(Vec::new());
    let saved = model_hooks::run(app, tx, op, Model::Record(c.clone(), rec), |e| {
        model_hooks::trigger(app, Stage::Validate, e, |e| {
            let (c, r) = record_of(e)?;
            let c = c.clone();
            let (names, keys) =
                record_inline_files::stage(app, tx, &c, r).map_err(|e| match e {
                    StageError::Invalid(errs) => AppError::validation(failure(is_new), errs),
                    StageError::Failed(err) => err,
                })?;
            inline_keys.borrow_mut().extend(keys);
            let new_files: Vec<String> = new_files.iter().cloned().chain(names).collect();
            prepare_and_validate(app, tx, &c, r, old, &new_files)
                .map_err(|errs| AppError::validation(failure(is_new), errs))
        })?;
        model_hooks::trigger(app, Stage::Execute(op), e, |e| {
            let (c, r) = record_of(e)?;
            let res = match old {
                None => store::records::insert(tx, c, r),
                Some(prev) => store::records::update(tx, c, prev.id(), r),
            };
            res.map_err(|err| match unique_errors(c, &err) {
                Some(errs) => AppError::validation(failure(is_new), errs),
                None => AppError::from(err),
            })
        })
    });
    let saved = saved.inspect_err(|_| {
        record_inline_files::remove_now(app, inline_keys.take());
    })?;
    match saved {
        Model::Record(_, r) => {
            if let Some(prev) = old {
                let removed = record_files::removed_names(c, prev, Some(&r));
                record_files::delete_after_commit(app, tx, &c.id, r.id(), removed, false);
                if c.is_auth() {
                    drop_stale_auth_rows(app, tx, c, prev, &r)?;
                }
            }
            Ok(r)
        }
        Model::Collection(_) => Err(AppError::internal("record event lost its record")),
    }
}

/// A new `tokenKey` voids the record's OTPs; a new password forgets its known sign-in origins.
fn drop_stale_auth_rows(
    app: &App,
    tx: &Tx,
    c: &Collection,
    prev: &Record,
    now: &Record,
) -> Result<(), AppError> {
    let changes = [("tokenKey", "_otps"), ("password", "_authOrigins")];
    for (field, table) in changes {
        if prev.get_str(field) == now.get_str(field) {
            continue;
        }
        if let Some(rows) = app.find_collection(table) {
            store::records::delete_owned_by(tx, &rows, &c.id, now.id())?;
        }
    }
    Ok(())
}

/// A deleted auth record takes its OTPs, MFA sessions, sign-in origins and OAuth2 links with it.
fn drop_owned_auth_rows(app: &App, tx: &Tx, c: &Collection, id: &str) -> Result<(), AppError> {
    for table in ["_otps", "_mfas", "_authOrigins", "_externalAuths"] {
        if let Some(rows) = app.find_collection(table) {
            store::records::delete_owned_by(tx, &rows, &c.id, id)?;
        }
    }
    Ok(())
}

/// Deletes a record inside the open transaction, running every delete hook.
pub fn delete(app: &App, tx: &Tx, c: &Arc<Collection>, rec: Record) -> Result<(), AppError> {
    if c.is_view() {
        return Err(AppError::bad_request("Unsupported collection type."));
    }
    if c.is_superusers() {
        let n = tx.with(|conn| store::records::count_all(conn, c))?;
        if n <= 1 {
            return Err(AppError::bad_request(
                "You can't delete the only existing superuser.",
            ));
        }
    }
    model_hooks::run(app, tx, Op::Delete, Model::Record(c.clone(), rec), |e| {
        model_hooks::trigger(app, Stage::Execute(Op::Delete), e, |e| {
            let (c, r) = record_of(e)?;
            let (c, id) = (c.clone(), r.id().to_string());
            release_references(app, tx, &c, &id)?;
            store::records::delete(tx, &c, &id)?;
            if c.is_auth() {
                drop_owned_auth_rows(app, tx, &c, &id)?;
            }
            if c.fields
                .iter()
                .any(|f| matches!(f.kind, FieldKind::File(_)))
            {
                record_files::delete_after_commit(app, tx, &c.id, &id, Vec::new(), true);
            }
            Ok(())
        })
    })?;
    Ok(())
}

/// Saves a changed record without validating it (PocketBase's `SaveNoValidate`): the update hooks run
/// (so realtime subscribers get an `update` event after the commit) and `onUpdate` autodates move.
fn update_no_validate(
    app: &App,
    tx: &Tx,
    c: &Arc<Collection>,
    rec: Record,
) -> Result<(), AppError> {
    let id = rec.id().to_string();
    model_hooks::run(app, tx, Op::Update, Model::Record(c.clone(), rec), |e| {
        let (c, r) = record_of(e)?;
        let now = datetime::now();
        for f in &c.fields {
            if matches!(&f.kind, FieldKind::Autodate(o) if o.on_update) {
                r.set(&f.name, Value::String(now.clone()));
            }
        }
        model_hooks::trigger(app, Stage::Execute(Op::Update), e, |e| {
            let (c, r) = record_of(e)?;
            store::records::update(tx, c, &id, r).map_err(AppError::from)
        })
    })?;
    Ok(())
}

/// Relation clean-up before a record goes: referencing records with `cascadeDelete` and no other ids left
/// are deleted (recursively, with their hooks); otherwise the id is removed from the field, unless the
/// field is required and would become empty, which fails the whole delete.
fn release_references(app: &App, tx: &Tx, c: &Collection, id: &str) -> Result<(), AppError> {
    let all = app.collections_in(tx)?;
    for other in all.iter().filter(|o| !o.is_view()) {
        let other = Arc::new(other.clone());
        for field in other
            .fields
            .iter()
            .filter(|f| f.relation().is_some_and(|r| r.collection_id == c.id))
        {
            let refs = tx.with(|conn| store::records::find_referencing(conn, &other, field, id))?;
            for mut r in refs {
                if other.id == c.id && r.id() == id {
                    continue;
                }
                let remaining: Vec<Value> = match r.get(&field.name) {
                    Some(Value::Array(ids)) => ids
                        .iter()
                        .filter(|v| v.as_str() != Some(id))
                        .cloned()
                        .collect(),
                    _ => Vec::new(),
                };
                let cascade = field.relation().is_some_and(|o| o.cascade_delete);
                if remaining.is_empty() && cascade {
                    delete(app, tx, &other, r)?;
                    continue;
                }
                if remaining.is_empty() && field.required() {
                    return Err(AppError::bad_request(
                        "Failed to delete record. Make sure that the record is not part of a required relation reference.",
                    ));
                }
                let value = if field.is_multiple() {
                    Value::Array(remaining)
                } else {
                    Value::String(String::new())
                };
                r.set(&field.name, value);
                update_no_validate(app, tx, &other, r)?;
            }
        }
    }
    Ok(())
}
