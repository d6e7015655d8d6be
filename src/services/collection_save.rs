//! The collection use-cases: create, update, delete, truncate. Each runs validate → hooks → store in one transaction.

use super::collection_input::{collection_from_create, collection_from_update, INVALID_FORMAT};
use super::collection_validate::{validate_collection, ValidateContext};
use super::view_fields::derive_view_fields;
use crate::app::events::{CollectionEvent, Model, ModelEvent};
use crate::app::{App, AppError};
use crate::hook::Hook;
use crate::model::index::Index;
use crate::model::{datetime, Collection, Errors, ValidationError};
use crate::store::{self, Tx};
use serde_json::Value;

const TYPE_FORMAT: &str = "Failed to load the collection type data due to invalid formatting.";

/// `POST /api/collections`.
pub async fn create(app: &App, body: Value) -> Result<Collection, AppError> {
    if !body.is_object()
        || body
            .get("name")
            .is_some_and(|n| !n.is_string() && !n.is_null())
    {
        return Err(AppError::bad_request(TYPE_FORMAT));
    }
    let app2 = app.clone();
    app.db()
        .write(move |tx| {
            let existing = app2.collections_in(tx)?;
            let input = collection_from_create(body, &existing)?;
            let mut c = input.collection;
            let now = datetime::now();
            c.created = now.clone();
            c.updated = now;
            save(&app2, tx, c, None, &input.raw_type)
        })
        .await
}

/// `PATCH /api/collections/{id}`.
pub async fn update(app: &App, id_or_name: &str, body: Value) -> Result<Collection, AppError> {
    let key = id_or_name.to_string();
    let app2 = app.clone();
    app.db()
        .write(move |tx| {
            let existing = app2.collections_in(tx)?;
            let old = find(&existing, &key)
                .ok_or_else(AppError::not_found)?
                .clone();
            let input = collection_from_update(&old, body, &existing)?;
            let mut c = input.collection;
            c.updated = datetime::now();
            save(&app2, tx, c, Some(&old), &input.raw_type)
        })
        .await
}

/// Finds a collection by id, or by name case-insensitively.
pub fn find<'a>(all: &'a [Collection], id_or_name: &str) -> Option<&'a Collection> {
    all.iter()
        .find(|c| c.id == id_or_name)
        .or_else(|| all.iter().find(|c| c.name.eq_ignore_ascii_case(id_or_name)))
}

fn failure_message(is_new: bool) -> &'static str {
    if is_new {
        "Failed to create collection."
    } else {
        "Failed to update collection."
    }
}

/// Saves a collection inside the open transaction: hooks, validation, row and table sync.
pub fn save(
    app: &App,
    tx: &Tx,
    c: Collection,
    old: Option<&Collection>,
    raw_type: &str,
) -> Result<Collection, AppError> {
    let hooks = app.hooks();
    let is_new = old.is_none();
    let (model_hook, hook, model_exec, exec) = if is_new {
        (
            &hooks.on_model_create,
            &hooks.on_collection_create,
            &hooks.on_model_create_execute,
            &hooks.on_collection_create_execute,
        )
    } else {
        (
            &hooks.on_model_update,
            &hooks.on_collection_update,
            &hooks.on_model_update_execute,
            &hooks.on_collection_update_execute,
        )
    };
    let mut mev = ModelEvent {
        app: app.clone(),
        model: Model::Collection(Box::new(c)),
        error: None,
    };
    let result = with_collection(model_hook, hook, &mut mev, |e| {
        validate_hooked(app, tx, e, old, raw_type)?;
        let mut inner = ModelEvent {
            app: e.app.clone(),
            model: Model::Collection(Box::new(e.collection.clone())),
            error: None,
        };
        with_collection(model_exec, exec, &mut inner, |e| {
            persist(app, tx, &e.collection, old)
        })?;
        if let Model::Collection(saved) = inner.model {
            e.collection = *saved;
        }
        Ok(())
    });
    let saved = match &mev.model {
        Model::Collection(c) => (**c).clone(),
        Model::Record(..) => {
            return Err(AppError::internal("collection event lost its collection"))
        }
    };
    match result {
        Ok(()) => {
            after_success(app, tx, &saved, is_new);
            Ok(saved)
        }
        Err(e) => {
            after_error(app, &saved, is_new, &e);
            Err(e)
        }
    }
}

/// Runs a model hook around its collection hook, passing the collection through both events.
fn with_collection(
    model_hook: &Hook<ModelEvent, AppError>,
    hook: &Hook<CollectionEvent, AppError>,
    mev: &mut ModelEvent,
    last: impl FnOnce(&mut CollectionEvent) -> Result<(), AppError>,
) -> Result<(), AppError> {
    model_hook.trigger(mev, |mev| {
        let Model::Collection(c) = &mev.model else {
            return Err(AppError::internal("expected a collection model"));
        };
        let mut cev = CollectionEvent {
            app: mev.app.clone(),
            collection: (**c).clone(),
            error: None,
        };
        let res = hook.trigger(&mut cev, last);
        mev.model = Model::Collection(Box::new(cev.collection));
        res
    })
}

fn after_success(app: &App, tx: &Tx, c: &Collection, is_new: bool) {
    let app2 = app.clone();
    let c = c.clone();
    tx.after_commit(move || {
        let hooks = app2.hooks();
        let (model_hook, hook) = if is_new {
            (
                &hooks.on_model_after_create_success,
                &hooks.on_collection_after_create_success,
            )
        } else {
            (
                &hooks.on_model_after_update_success,
                &hooks.on_collection_after_update_success,
            )
        };
        let mut mev = ModelEvent {
            app: app2.clone(),
            model: Model::Collection(Box::new(c)),
            error: None,
        };
        if let Err(e) = with_collection(model_hook, hook, &mut mev, |_| Ok(())) {
            tracing::warn!("after-success collection hook failed: {e}");
        }
    });
}

fn after_error(app: &App, c: &Collection, is_new: bool, err: &AppError) {
    let hooks = app.hooks();
    let (model_hook, hook) = if is_new {
        (
            &hooks.on_model_after_create_error,
            &hooks.on_collection_after_create_error,
        )
    } else {
        (
            &hooks.on_model_after_update_error,
            &hooks.on_collection_after_update_error,
        )
    };
    let mut mev = ModelEvent {
        app: app.clone(),
        model: Model::Collection(Box::new(c.clone())),
        error: Some(err.clone()),
    };
    let _ = with_collection(model_hook, hook, &mut mev, |_| Ok(()));
}

/// Derives view fields, then runs the validate hooks with the validator as their default action.
fn validate_hooked(
    app: &App,
    tx: &Tx,
    e: &mut CollectionEvent,
    old: Option<&Collection>,
    raw_type: &str,
) -> Result<(), AppError> {
    let is_new = old.is_none();
    let all = app.collections_in(tx)?;
    let others: Vec<Collection> = all
        .into_iter()
        .filter(|o| o.id != e.collection.id)
        .collect();
    let mut view_errors = Errors::new();
    if e.collection.is_view() {
        view_errors = derive_view_fields(tx, &mut e.collection, &others, old);
    }
    let mut mev = ModelEvent {
        app: app.clone(),
        model: Model::Collection(Box::new(e.collection.clone())),
        error: None,
    };
    let hooks = app.hooks();
    let res = with_collection(
        &hooks.on_model_validate,
        &hooks.on_collection_validate,
        &mut mev,
        |ce| {
            let check_rule = |c: &Collection, rule: &str| -> Result<(), String> {
                let mut with_self = others.clone();
                with_self.push(c.clone());
                store::resolver::check_rule(c, &with_self, rule)
            };
            let index_owner = |name: &str| -> Option<String> {
                tx.with(|conn| store::collections::index_owner(conn, name))
                    .ok()
                    .flatten()
            };
            let is_internal_table = |name: &str| -> bool {
                tx.with(|conn| store::collections::sqlite_object_exists(conn, name))
                    .unwrap_or(false)
            };
            let cx = ValidateContext {
                old,
                others: &others,
                raw_type,
                check_rule: &check_rule,
                index_owner: &index_owner,
                is_internal_table: &is_internal_table,
            };
            let mut errors = validate_collection(&ce.collection, &cx);
            errors.extend(view_errors);
            errors
                .into_result()
                .map_err(|data| AppError::validation(failure_message(is_new), data))
        },
    );
    if let Model::Collection(c) = mev.model {
        e.collection = *c;
    }
    res
}

/// Writes the row and brings the table in line. Index failures become validation errors.
fn persist(app: &App, tx: &Tx, c: &Collection, old: Option<&Collection>) -> Result<(), AppError> {
    let is_new = old.is_none();
    let index_failure = |f: store::table_sync::IndexFailure| {
        let name = c
            .indexes
            .get(f.position)
            .and_then(|i| Index::parse(i))
            .map(|i| i.name)
            .unwrap_or_default();
        let mut nested = Errors::new();
        nested.add(
            f.position.to_string(),
            ValidationError::new(
                "validation_invalid_index_expression",
                &format!(
                    "Failed to create index {name} - {}.",
                    f.message.trim_end_matches('.')
                ),
            ),
        );
        let mut errors = Errors::new();
        errors.add_nested("indexes", nested);
        AppError::validation(failure_message(is_new), errors)
    };
    match old {
        None => {
            store::collections::insert_collection(tx, c)?;
            store::table_sync::create_collection_table(tx, c)
                .map_err(|e| schema_error(is_new, c, e))?;
            if !c.is_view() {
                store::table_sync::create_indexes(tx, c).map_err(index_failure)?;
            }
        }
        Some(old) => {
            store::collections::update_collection(tx, c)?;
            store::table_sync::update_collection_table(tx, old, c)
                .map_err(|e| schema_error(is_new, c, e))?
                .map_err(index_failure)?;
            resave_dependent_views(app, tx, old, c)?;
        }
    }
    app.refresh_collections_after_commit(tx)?;
    Ok(())
}

fn schema_error(is_new: bool, c: &Collection, e: store::StoreError) -> AppError {
    if c.is_view() {
        let mut errors = Errors::new();
        errors.add(
            "viewQuery",
            ValidationError::new(
                "validation_invalid_view_query",
                &format!(
                    "Invalid query - {}.",
                    e.sqlite_message().trim_end_matches('.')
                ),
            ),
        );
        return AppError::validation(failure_message(is_new), errors);
    }
    tracing::warn!("schema change of {} failed: {e}", c.name);
    AppError::bad_request(failure_message(is_new))
}

/// Views that read from a changed collection are re-created and their fields recomputed.
fn resave_dependent_views(
    app: &App,
    tx: &Tx,
    old: &Collection,
    new: &Collection,
) -> Result<(), AppError> {
    if new.is_view() {
        return Ok(());
    }
    let all = app.collections_in(tx)?;
    for view in all.iter().filter(|v| v.is_view() && v.id != new.id) {
        if !mentions(&view.view_query, &old.name) && !mentions(&view.view_query, &new.name) {
            continue;
        }
        let mut updated = view.clone();
        let others: Vec<Collection> = all.iter().filter(|o| o.id != view.id).cloned().collect();
        let errs = derive_view_fields(tx, &mut updated, &others, Some(view));
        if !errs.is_empty() {
            return Err(AppError::validation("Failed to update collection.", errs));
        }
        store::table_sync::create_view(tx, &updated)?;
        store::collections::update_collection(tx, &updated)?;
    }
    Ok(())
}

/// True when `sql` contains `word` as a whole identifier (case-insensitive).
pub fn mentions(sql: &str, word: &str) -> bool {
    let lower = sql.to_lowercase();
    let w = word.to_lowercase();
    lower.match_indices(&w).any(|(i, _)| {
        let before = lower[..i].chars().last();
        let after = lower[i + w.len()..].chars().next();
        let boundary = |c: Option<char>| c.is_none_or(|c| !(c.is_alphanumeric() || c == '_'));
        boundary(before) && boundary(after)
    })
}

/// `DELETE /api/collections/{id}`.
pub async fn delete(app: &App, id_or_name: &str) -> Result<(), AppError> {
    let key = id_or_name.to_string();
    let app2 = app.clone();
    app.db()
        .write(move |tx| {
            let all = app2.collections_in(tx)?;
            let c = find(&all, &key).ok_or_else(AppError::not_found)?.clone();
            delete_in(&app2, tx, &c, &all)
        })
        .await
}

/// Deletes a collection inside the open transaction.
pub fn delete_in(app: &App, tx: &Tx, c: &Collection, all: &[Collection]) -> Result<(), AppError> {
    if c.system {
        return Err(AppError::bad_request("Failed to delete collection."));
    }
    let mut refs: Vec<String> = Vec::new();
    for other in all.iter().filter(|o| o.id != c.id) {
        let by_relation = other
            .fields
            .iter()
            .any(|f| f.relation().is_some_and(|r| r.collection_id == c.id));
        let by_view = other.is_view() && mentions(&other.view_query, &c.name);
        if by_relation || by_view {
            refs.push(other.name.clone());
        }
    }
    if !refs.is_empty() {
        return Err(AppError::bad_request(&format!(
            "Failed to delete collection probably due to existing reference in {}.",
            refs.join(", ")
        )));
    }
    let hooks = app.hooks();
    let mut mev = ModelEvent {
        app: app.clone(),
        model: Model::Collection(Box::new(c.clone())),
        error: None,
    };
    let res = with_collection(
        &hooks.on_model_delete,
        &hooks.on_collection_delete,
        &mut mev,
        |e| {
            let mut inner = ModelEvent {
                app: e.app.clone(),
                model: Model::Collection(Box::new(e.collection.clone())),
                error: None,
            };
            with_collection(
                &hooks.on_model_delete_execute,
                &hooks.on_collection_delete_execute,
                &mut inner,
                |e| {
                    store::table_sync::drop_collection_table(tx, &e.collection)?;
                    store::collections::delete_collection(tx, &e.collection.id)?;
                    app.refresh_collections_after_commit(tx)?;
                    Ok(())
                },
            )
        },
    );
    match res {
        Ok(()) => {
            let app2 = app.clone();
            let c2 = c.clone();
            tx.after_commit(move || {
                let hooks = app2.hooks();
                let mut mev = ModelEvent {
                    app: app2.clone(),
                    model: Model::Collection(Box::new(c2)),
                    error: None,
                };
                let _ = with_collection(
                    &hooks.on_model_after_delete_success,
                    &hooks.on_collection_after_delete_success,
                    &mut mev,
                    |_| Ok(()),
                );
            });
            Ok(())
        }
        Err(e) => {
            let mut mev = ModelEvent {
                app: app.clone(),
                model: Model::Collection(Box::new(c.clone())),
                error: Some(e.clone()),
            };
            let _ = with_collection(
                &hooks.on_model_after_delete_error,
                &hooks.on_collection_after_delete_error,
                &mut mev,
                |_| Ok(()),
            );
            Err(e)
        }
    }
}

/// Unused-format guard shared with the HTTP layer.
pub fn invalid_format() -> AppError {
    AppError::bad_request(INVALID_FORMAT)
}
