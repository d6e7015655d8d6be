//! Bulk collection import, truncate and the view dry-run.

use super::collection_input::{collection_from_create, collection_from_update, merge_json};
use super::collection_save::{delete_in, find, save};
use super::record_save;
use super::view_fields::derive_view_fields;
use crate::app::events::{CollectionsImportRequestEvent, RequestData};
use crate::app::{App, AppError};
use crate::model::{datetime, Collection, Errors, ValidationError};
use crate::store::{self, view_inspect};
use serde_json::{json, Value};
use std::sync::Arc;

/// `PUT /api/collections/import`: everything in one transaction, views last.
pub async fn import(app: &App, body: Value, request: RequestData) -> Result<(), AppError> {
    let list = body.get("collections").cloned().unwrap_or(Value::Null);
    let delete_missing = body
        .get("deleteMissing")
        .and_then(Value::as_bool)
        .unwrap_or(false);
    let items = match list {
        Value::Array(items) if !items.is_empty() => items,
        Value::Array(_) | Value::Null => {
            let mut e = Errors::new();
            e.add("collections", ValidationError::required());
            return Err(AppError::validation(
                "An error occurred while validating the submitted data.",
                e,
            ));
        }
        _ => {
            return Err(AppError::bad_request(
                "Failed to load the submitted data due to invalid formatting.",
            ))
        }
    };
    let (items, delete_missing) = if app.hooks().on_collections_import_request.is_empty() {
        (items, delete_missing)
    } else {
        let ev = CollectionsImportRequestEvent {
            app: app.clone(),
            collections_data: items,
            delete_missing,
            request,
        };
        let ev = super::hook_run::trigger_detached(app, |h| &h.on_collections_import_request, ev)
            .await?
            .ok_or(AppError::Stopped)?;
        if ev.collections_data.is_empty() {
            let mut e = Errors::new();
            e.add("collections", ValidationError::required());
            return Err(AppError::validation(
                "An error occurred while validating the submitted data.",
                e,
            ));
        }
        (ev.collections_data, ev.delete_missing)
    };
    let app2 = app.clone();
    app.db()
        .write(move |tx| {
            let mut existing = app2.collections_in(tx)?;
            if delete_missing {
                let keep = |c: &Collection| {
                    items.iter().any(|i| {
                        i.get("id").and_then(Value::as_str) == Some(c.id.as_str())
                            || (i.get("id").is_none()
                                && i.get("name")
                                    .and_then(Value::as_str)
                                    .is_some_and(|n| n.eq_ignore_ascii_case(&c.name)))
                    })
                };
                // views first, so that their sources can go
                let mut doomed: Vec<Collection> = existing
                    .iter()
                    .filter(|c| !c.system && !keep(c))
                    .cloned()
                    .collect();
                doomed.sort_by_key(|c| !c.is_view());
                for c in doomed {
                    let all = app2.collections_in(tx)?;
                    delete_in(&app2, tx, &c, &all)
                        .map_err(|e| import_failure(&c.name, &c.id, e))?;
                }
                existing = app2.collections_in(tx)?;
            }
            let mut ordered = items.clone();
            ordered.sort_by_key(|i| i.get("type").and_then(Value::as_str) == Some("view"));
            for item in ordered {
                let all = app2.collections_in(tx)?;
                let matched = item
                    .get("id")
                    .and_then(Value::as_str)
                    .filter(|s| !s.is_empty())
                    .and_then(|id| all.iter().find(|c| c.id == id))
                    .or_else(|| {
                        if item
                            .get("id")
                            .and_then(Value::as_str)
                            .is_some_and(|s| !s.is_empty())
                        {
                            return None;
                        }
                        item.get("name")
                            .and_then(Value::as_str)
                            .and_then(|n| find(&all, n))
                    })
                    .cloned();
                let name = item
                    .get("name")
                    .and_then(Value::as_str)
                    .unwrap_or("")
                    .to_string();
                match matched {
                    Some(old) => {
                        let body = keep_missing_fields(&old, item, delete_missing);
                        let input = collection_from_update(&old, body, &all)?;
                        let mut c = input.collection;
                        c.updated = datetime::now();
                        save(&app2, tx, c, Some(&old), &input.raw_type)
                            .map_err(|e| import_failure(&name, &old.id, e))?;
                    }
                    None => {
                        let input = collection_from_create(item, &all)?;
                        let mut c = input.collection;
                        let id = c.id.clone();
                        c.created = datetime::now();
                        c.updated = c.created.clone();
                        save(&app2, tx, c, None, &input.raw_type)
                            .map_err(|e| import_failure(&name, &id, e))?;
                    }
                }
            }
            let _ = existing;
            Ok(())
        })
        .await
}

/// Non-system fields missing from the import are kept unless `deleteMissing`; kept fields are matched by id or name+type.
fn keep_missing_fields(old: &Collection, mut item: Value, delete_missing: bool) -> Value {
    if let Some(Value::Array(fields)) = item.get_mut("fields") {
        for f in fields.iter_mut() {
            if f.get("id")
                .and_then(Value::as_str)
                .is_none_or(str::is_empty)
            {
                let name = f.get("name").and_then(Value::as_str).unwrap_or("");
                let ty = f.get("type").and_then(Value::as_str).unwrap_or("");
                if let Some(o) = old.field(name).filter(|o| o.type_name() == ty) {
                    f["id"] = json!(o.id);
                }
            }
        }
        if !delete_missing {
            for of in &old.fields {
                let present = fields
                    .iter()
                    .any(|f| f.get("id").and_then(Value::as_str) == Some(of.id.as_str()));
                if !present {
                    fields.push(serde_json::to_value(of).unwrap_or(Value::Null));
                }
            }
        }
    }
    let mut base = json!({});
    merge_json(&mut base, item);
    base
}

fn import_failure(name: &str, id: &str, e: AppError) -> AppError {
    let detail = match &e {
        AppError::BadRequest { data, message } if data.is_empty() => json!({ "error": message }),
        AppError::BadRequest { data, .. } => lower_messages(data.to_json()),
        other => json!({ "error": other.to_string() }),
    };
    let pretty = serde_json::to_string_pretty(&detail).unwrap_or_default();
    let mut errors = Errors::new();
    errors.add(
        "collections",
        ValidationError::new(
            "validation_collections_import_failure",
            &format!("Data validations failed for collection \"{name}\" ({id}):\n{pretty}"),
        ),
    );
    AppError::validation("Failed to import collections.", errors)
}

/// `{code, message}` leaves become their lower-cased message without the period, as the original prints them.
fn lower_messages(v: Value) -> Value {
    match v {
        Value::Object(m) if m.contains_key("code") && m.contains_key("message") => {
            let msg = m.get("message").and_then(Value::as_str).unwrap_or("");
            let mut chars = msg.trim_end_matches('.').chars();
            let lowered = match chars.next() {
                Some(c) => c.to_lowercase().collect::<String>() + chars.as_str(),
                None => String::new(),
            };
            Value::String(lowered)
        }
        Value::Object(m) => {
            Value::Object(m.into_iter().map(|(k, v)| (k, lower_messages(v))).collect())
        }
        other => other,
    }
}

/// `DELETE /api/collections/{c}/truncate`: deletes every record through the normal delete path.
pub async fn truncate(app: &App, c: Arc<Collection>) -> Result<(), AppError> {
    if c.is_view() {
        return Err(AppError::bad_request(
            "View collections cannot be truncated since they don't store their own records.",
        ));
    }
    let app2 = app.clone();
    app.db()
        .write(move |tx| {
            let ids = tx.with(|conn| store::records::all_ids(conn, &c))?;
            for id in ids {
                if let Some(rec) = tx.with(|conn| store::records::find_by_id(conn, &c, &id))? {
                    record_save::delete(&app2, tx, &c, rec)?;
                }
            }
            Ok(())
        })
        .await
}

/// `POST /api/collections/meta/dry-run-view`: derived fields and up to 10 sample rows.
pub async fn dry_run_view(app: &App, query: String) -> Result<Value, AppError> {
    if query.chars().count() > 5000 {
        let mut e = Errors::new();
        e.add(
            "query",
            ValidationError::new(
                "validation_length_too_long",
                "The length must be no more than {max}.",
            )
            .param("max", 5000),
        );
        return Err(AppError::validation(
            "An error occurred while validating the submitted data.",
            e,
        ));
    }
    let app2 = app.clone();
    app.db()
        .write(move |tx| {
            let all = app2.collections_in(tx)?;
            let mut view = Collection::new(crate::model::CollectionType::View, "");
            view.view_query = query.clone();
            let errors = derive_view_fields(tx, &mut view, &all, None);
            if !errors.is_empty() {
                return Err(AppError::validation("Failed to create collection.", errors));
            }
            let rows = tx.with(|conn| view_inspect::sample(conn, &query, 10))?;
            let sample: Vec<Value> = rows.into_iter().map(Value::Object).collect();
            let fields = serde_json::to_value(&view.fields).unwrap_or(Value::Null);
            Ok(json!({ "fields": fields, "sample": sample }))
        })
        .await
}
