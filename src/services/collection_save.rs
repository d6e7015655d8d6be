//! The collection use-cases: create, update, delete, truncate. Each runs validate → hooks → store in one transaction.

use super::collection_input::{collection_from_create, collection_from_update};
use super::collection_validate::{validate_collection, ValidateContext};
use super::model_hooks::{self, Op, Stage};
use super::view_fields::derive_view_fields;
use crate::app::events::{CollectionRequestEvent, Model, ModelEvent, RequestData};
use crate::app::hooks::Hooks;
use crate::app::{App, AppError};
use crate::hook::Hook;
use crate::model::index::Index;
use crate::model::{datetime, Collection, Errors, ValidationError};
use crate::store::{self, Tx};
use serde_json::Value;

const TYPE_FORMAT: &str = "Failed to load the collection type data due to invalid formatting.";

/// `POST /api/collections`.
pub async fn create(app: &App, body: Value, request: RequestData) -> Result<Collection, AppError> {
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
            let pick: fn(&Hooks) -> &Hook<_, _> = |h| &h.on_collection_create_request;
            with_request_hook(&app2, pick, c, request, |c| {
                save(&app2, tx, c, None, &input.raw_type)
            })
        })
        .await
}

/// `PATCH /api/collections/{id}`. Returns the collection before and after the change.
pub async fn update(
    app: &App,
    id_or_name: &str,
    body: Value,
    request: RequestData,
) -> Result<(Collection, Collection), AppError> {
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
            let pick: fn(&Hooks) -> &Hook<_, _> = |h| &h.on_collection_update_request;
            let saved = with_request_hook(&app2, pick, c, request, |c| {
                save(&app2, tx, c, Some(&old), &input.raw_type)
            })?;
            Ok((old, saved))
        })
        .await
}

/// Saves a collection given as JSON inside the open transaction: an update when its id (or name) exists,
/// else a create (`$app.save(collection)` of JS hooks and migrations).
pub fn save_json_in(app: &App, tx: &Tx, body: Value) -> Result<Collection, AppError> {
    let existing = app.collections_in(tx)?;
    let key = body
        .get("id")
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
        .map(str::to_string);
    let old = key
        .as_deref()
        .and_then(|k| existing.iter().find(|c| c.id == k))
        .cloned();
    match old {
        Some(old) => {
            let input = collection_from_update(&old, body, &existing)?;
            let mut c = input.collection;
            c.updated = datetime::now();
            save(app, tx, c, Some(&old), &input.raw_type)
        }
        None => {
            let input = collection_from_create(body, &existing)?;
            let mut c = input.collection;
            let now = datetime::now();
            c.created = now.clone();
            c.updated = now;
            save(app, tx, c, None, &input.raw_type)
        }
    }
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
    let op = if old.is_none() {
        Op::Create
    } else {
        Op::Update
    };
    let saved = model_hooks::run(app, tx, op, Model::Collection(Box::new(c)), |e| {
        validate_hooked(app, tx, e, old, raw_type)?;
        model_hooks::trigger(app, Stage::Execute(op), e, |e| {
            persist(app, tx, collection_of(e)?, old)
        })
    })?;
    match saved {
        Model::Collection(c) => Ok(*c),
        Model::Record(..) => Err(AppError::internal("collection event lost its collection")),
    }
}

/// The collection a model event carries.
fn collection_of(e: &mut ModelEvent) -> Result<&mut Collection, AppError> {
    match &mut e.model {
        Model::Collection(c) => Ok(c),
        Model::Record(..) => Err(AppError::internal("expected a collection model")),
    }
}

/// Derives view fields, then runs the validate hooks with the validator as their default action.
fn validate_hooked(
    app: &App,
    tx: &Tx,
    e: &mut ModelEvent,
    old: Option<&Collection>,
    raw_type: &str,
) -> Result<(), AppError> {
    let is_new = old.is_none();
    let collection = collection_of(e)?;
    let all = app.collections_in(tx)?;
    let others: Vec<Collection> = all.into_iter().filter(|o| o.id != collection.id).collect();
    let mut view_errors = Errors::new();
    if collection.is_view() {
        view_errors = derive_view_fields(tx, collection, &others, old);
    }
    model_hooks::trigger(app, Stage::Validate, e, |e| {
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
        let mut errors = validate_collection(collection_of(e)?, &cx);
        errors.extend(view_errors);
        errors
            .into_result()
            .map_err(|data| AppError::validation(failure_message(is_new), data))
    })
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

/// `DELETE /api/collections/{id}`. Returns the deleted collection.
pub async fn delete(
    app: &App,
    id_or_name: &str,
    request: RequestData,
) -> Result<Collection, AppError> {
    let key = id_or_name.to_string();
    let app2 = app.clone();
    app.db()
        .write(move |tx| {
            let all = app2.collections_in(tx)?;
            let c = find(&all, &key).ok_or_else(AppError::not_found)?.clone();
            let pick: fn(&Hooks) -> &Hook<_, _> = |h| &h.on_collection_delete_request;
            with_request_hook(&app2, pick, c, request, |c| {
                delete_in(&app2, tx, &c, &all)?;
                Ok(c)
            })
        })
        .await
}

/// Runs a collection request hook around `action` (the write, inside the open transaction): handlers see
/// and may change the collection before `e.next()`; a chain that never reaches the action ends the request
/// with `AppError::Stopped`.
pub fn with_request_hook(
    app: &App,
    pick: fn(&Hooks) -> &Hook<CollectionRequestEvent, AppError>,
    collection: Collection,
    request: RequestData,
    action: impl FnOnce(Collection) -> Result<Collection, AppError>,
) -> Result<Collection, AppError> {
    let hook = pick(app.hooks());
    if hook.is_empty() {
        return action(collection);
    }
    let mut ev = CollectionRequestEvent {
        app: app.clone(),
        collection,
        request,
    };
    let mut done = None;
    hook.trigger(&mut ev, |e| {
        let c = action(e.collection.clone())?;
        e.collection = c.clone();
        done = Some(c);
        Ok(())
    })?;
    done.ok_or(AppError::Stopped)
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
    model_hooks::run(
        app,
        tx,
        Op::Delete,
        Model::Collection(Box::new(c.clone())),
        |e| {
            model_hooks::trigger(app, Stage::Execute(Op::Delete), e, |e| {
                let c = collection_of(e)?;
                store::table_sync::drop_collection_table(tx, c)?;
                store::collections::delete_collection(tx, &c.id)?;
                app.refresh_collections_after_commit(tx)?;
                Ok(())
            })
        },
    )?;
    Ok(())
}
