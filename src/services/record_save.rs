//! Record create/update/delete inside a transaction: body → values, validation, hooks, store.

use super::auth_state::{is_superuser, Requester};
use crate::app::events::{Model, ModelEvent, RecordEvent};
use crate::app::{App, AppError};
use crate::auth::password;
use crate::hook::Hook;
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
    tx: &Tx,
    c: &Collection,
    rec: &mut Record,
    old: Option<&Record>,
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
                Some(c.clone())
            } else {
                tx.with(store::collections::load_all)
                    .ok()
                    .and_then(|all| all.into_iter().find(|o| o.id == rel.collection_id))
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
        if let Ok(all) = tx.with(store::collections::load_all) {
            let clash = all.iter().filter(|o| o.is_auth() && o.id != c.id).any(|o| {
                tx.with(|conn| store::records::exists(conn, o, rec.id()))
                    .unwrap_or(false)
            });
            if clash && old.is_none() {
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

/// Runs a model hook around its record hook, passing the record through both events.
pub fn with_record(
    model_hook: &Hook<ModelEvent, AppError>,
    hook: &Hook<RecordEvent, AppError>,
    mev: &mut ModelEvent,
    last: impl FnOnce(&mut RecordEvent) -> Result<(), AppError>,
) -> Result<(), AppError> {
    model_hook.trigger(mev, |mev| {
        let Model::Record(c, r) = &mev.model else {
            return Err(AppError::internal("expected a record model"));
        };
        let mut rev = RecordEvent {
            app: mev.app.clone(),
            collection: c.clone(),
            record: r.clone(),
            error: None,
        };
        let res = hook.trigger(&mut rev, last);
        mev.model = Model::Record(rev.collection, rev.record);
        res
    })
}

/// Saves (creates when `old` is `None`) a record inside the open transaction, running every record hook.
pub fn save(
    app: &App,
    tx: &Tx,
    c: &Arc<Collection>,
    rec: Record,
    old: Option<&Record>,
) -> Result<Record, AppError> {
    if c.is_view() {
        return Err(AppError::bad_request("Unsupported collection type."));
    }
    let hooks = app.hooks();
    let is_new = old.is_none();
    let (model_hook, hook, model_exec, exec) = if is_new {
        (
            &hooks.on_model_create,
            &hooks.on_record_create,
            &hooks.on_model_create_execute,
            &hooks.on_record_create_execute,
        )
    } else {
        (
            &hooks.on_model_update,
            &hooks.on_record_update,
            &hooks.on_model_update_execute,
            &hooks.on_record_update_execute,
        )
    };
    let mut mev = ModelEvent {
        app: app.clone(),
        model: Model::Record(c.clone(), rec),
        error: None,
    };
    let result = with_record(model_hook, hook, &mut mev, |e| {
        let mut vev = ModelEvent {
            app: e.app.clone(),
            model: Model::Record(e.collection.clone(), e.record.clone()),
            error: None,
        };
        with_record(
            &hooks.on_model_validate,
            &hooks.on_record_validate,
            &mut vev,
            |ve| {
                prepare_and_validate(tx, &ve.collection, &mut ve.record, old)
                    .map_err(|errs| AppError::validation(failure(is_new), errs))
            },
        )?;
        if let Model::Record(_, r) = vev.model {
            e.record = r;
        }
        let mut xev = ModelEvent {
            app: e.app.clone(),
            model: Model::Record(e.collection.clone(), e.record.clone()),
            error: None,
        };
        with_record(model_exec, exec, &mut xev, |xe| {
            let res = match old {
                None => store::records::insert(tx, &xe.collection, &xe.record),
                Some(prev) => store::records::update(tx, &xe.collection, prev.id(), &xe.record),
            };
            res.map_err(|err| match unique_errors(&xe.collection, &err) {
                Some(errs) => AppError::validation(failure(is_new), errs),
                None => AppError::from(err),
            })
        })?;
        if let Model::Record(_, r) = xev.model {
            e.record = r;
        }
        Ok(())
    });
    let Model::Record(_, saved) = mev.model else {
        return Err(AppError::internal("record event lost its record"));
    };
    match result {
        Ok(()) => {
            let app2 = app.clone();
            let c2 = c.clone();
            let r2 = saved.clone();
            tx.after_commit(move || {
                let hooks = app2.hooks();
                let (mh, h) = if is_new {
                    (
                        &hooks.on_model_after_create_success,
                        &hooks.on_record_after_create_success,
                    )
                } else {
                    (
                        &hooks.on_model_after_update_success,
                        &hooks.on_record_after_update_success,
                    )
                };
                let mut mev = ModelEvent {
                    app: app2.clone(),
                    model: Model::Record(c2, r2),
                    error: None,
                };
                if let Err(e) = with_record(mh, h, &mut mev, |_| Ok(())) {
                    tracing::warn!("after-success record hook failed: {e}");
                }
            });
            Ok(saved)
        }
        Err(err) => {
            let (mh, h) = if is_new {
                (
                    &hooks.on_model_after_create_error,
                    &hooks.on_record_after_create_error,
                )
            } else {
                (
                    &hooks.on_model_after_update_error,
                    &hooks.on_record_after_update_error,
                )
            };
            let mut mev = ModelEvent {
                app: app.clone(),
                model: Model::Record(c.clone(), saved),
                error: Some(err.clone()),
            };
            let _ = with_record(mh, h, &mut mev, |_| Ok(()));
            Err(err)
        }
    }
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
    let hooks = app.hooks();
    let mut mev = ModelEvent {
        app: app.clone(),
        model: Model::Record(c.clone(), rec.clone()),
        error: None,
    };
    let res = with_record(
        &hooks.on_model_delete,
        &hooks.on_record_delete,
        &mut mev,
        |e| {
            let mut xev = ModelEvent {
                app: e.app.clone(),
                model: Model::Record(e.collection.clone(), e.record.clone()),
                error: None,
            };
            with_record(
                &hooks.on_model_delete_execute,
                &hooks.on_record_delete_execute,
                &mut xev,
                |xe| {
                    store::records::delete(tx, &xe.collection, xe.record.id())?;
                    Ok(())
                },
            )
        },
    );
    let (mh, h) = if res.is_ok() {
        (
            &hooks.on_model_after_delete_success,
            &hooks.on_record_after_delete_success,
        )
    } else {
        (
            &hooks.on_model_after_delete_error,
            &hooks.on_record_after_delete_error,
        )
    };
    match res {
        Ok(()) => {
            let app2 = app.clone();
            let c2 = c.clone();
            tx.after_commit(move || {
                let hooks = app2.hooks();
                let mut mev = ModelEvent {
                    app: app2.clone(),
                    model: Model::Record(c2, rec),
                    error: None,
                };
                let _ = with_record(
                    &hooks.on_model_after_delete_success,
                    &hooks.on_record_after_delete_success,
                    &mut mev,
                    |_| Ok(()),
                );
            });
            let _ = (mh, h);
            Ok(())
        }
        Err(err) => {
            let mut mev = ModelEvent {
                app: app.clone(),
                model: Model::Record(c.clone(), rec),
                error: Some(err.clone()),
            };
            let _ = with_record(mh, h, &mut mev, |_| Ok(()));
            Err(err)
        }
    }
}
