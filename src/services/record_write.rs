//! The record write use-cases of the API: create, update and delete, each in one write transaction with the
//! body resolved against the row as it is then (atomic modifiers), the API rules and the auth form checks.

use super::auth_state::{is_superuser, Requester};
use super::record_auth_form;
use super::record_files::{self, FilePart, Upload};
use super::record_json::visibility_for;
use super::record_save;
use super::rules::{self, RuleCondition};
use crate::app::events::{RecordRequestEvent, RequestData};
use crate::app::{App, AppError};
use crate::model::field::value::zero_value;
use crate::model::record::Record;
use crate::model::record_body::apply_body;
use crate::model::Collection;
use crate::store::resolver::RequestInfo;
use crate::store::{self, Tx};
use serde_json::{Map, Value};
use std::sync::Arc;

fn only_superusers() -> AppError {
    AppError::Forbidden("Only superusers can perform this action.".into())
}

/// True when the stored record `id` satisfies `rule` (evaluated inside the open transaction).
fn matches_in(
    app: &App,
    tx: &Tx,
    c: &Collection,
    rule: &str,
    id: &str,
    info: &RequestInfo,
) -> Result<bool, AppError> {
    let all = cached_collections(app);
    let q = RuleCondition::new(c, &all, rule, id, info)?.query(c);
    Ok(tx.with(|conn| store::records::count(conn, &q))? > 0)
}

/// The committed collections (rules compile against them; a write never changes collections).
fn cached_collections(app: &App) -> Arc<Vec<Arc<Collection>>> {
    app.collections()
}

/// Superuser, or a requester matching the auth collection's `manageRule` for record `id`.
fn is_manager(
    app: &App,
    tx: &Tx,
    c: &Collection,
    id: &str,
    requester: &Requester,
    info: &RequestInfo,
) -> Result<bool, AppError> {
    if is_superuser(requester) {
        return Ok(true);
    }
    match c.auth.as_ref().and_then(|a| a.manage_rule.as_deref()) {
        Some(rule) if requester.is_some() && !rule.trim().is_empty() => {
            matches_in(app, tx, c, rule, id, info)
        }
        _ => Ok(false),
    }
}

/// A create/update body with its validated uploads.
#[derive(Debug, Clone, Default)]
pub struct RecordInput {
    pub body: Map<String, Value>,
    pub uploads: Vec<Upload>,
}

/// Creates a record inside the open transaction (the API create path, also used by batch).
pub fn create_in(
    app: &App,
    tx: &Tx,
    c: &Arc<Collection>,
    input: &RecordInput,
    requester: &Requester,
    info: &mut RequestInfo,
) -> Result<Record, AppError> {
    let (body, uploads) = (&input.body, input.uploads.as_slice());
    if c.is_view() {
        return Err(AppError::bad_request("Unsupported collection type."));
    }
    let superuser = is_superuser(requester);
    if !superuser && c.create_rule.is_none() {
        return Err(only_superusers());
    }
    let mut rec = Record::new(&c.id, &c.name);
    for f in &c.fields {
        rec.set(&f.name, zero_value(f));
    }
    info.body = apply_body(c, &mut rec, body, superuser);
    let new_files = record_files::apply(c, &mut rec, uploads, body);
    if info.context.is_empty() {
        info.context = "default".into();
    }
    if c.is_auth() {
        let form = record_auth_form::check(None, &rec, body, superuser);
        if !form.is_empty() {
            return Err(AppError::validation("Failed to create record.", form));
        }
    }
    let hook = &app.hooks().on_record_create_request;
    if hook.is_empty() {
        return create_checked(app, tx, c, rec, superuser, info, &new_files);
    }
    let mut ev = request_event(app, c, rec, None, requester, info);
    let mut saved = None;
    hook.trigger(&mut ev, |ev| {
        let r = create_checked(app, tx, c, ev.record.clone(), superuser, info, &new_files)?;
        ev.record = r.clone();
        saved = Some(r);
        Ok(())
    })?;
    // a handler that never called e.next() stops the request without a record
    saved.ok_or(AppError::Stopped)
}

/// The create rule check and the save (the default action of `onRecordCreateRequest`).
fn create_checked(
    app: &App,
    tx: &Tx,
    c: &Arc<Collection>,
    rec: Record,
    superuser: bool,
    info: &RequestInfo,
    new_files: &[String],
) -> Result<Record, AppError> {
    let rule = c
        .create_rule
        .clone()
        .filter(|r| !r.trim().is_empty() && !superuser);
    if let Some(rule) = rule {
        // the would-be record, as a one-row table: rule failures win over validation errors
        let (sql, params) =
            rules::create_rule_condition(c, &cached_collections(app), &rule, &rec, info)?;
        if !tx.with(|conn| rules::create_rule_passes(conn, &sql, &params))? {
            return Err(AppError::bad_request("Failed to create record."));
        }
    }
    record_save::save_with_uploads(app, tx, c, rec, None, new_files)
}

/// The event of a record API request hook.
fn request_event(
    app: &App,
    c: &Arc<Collection>,
    record: Record,
    original: Option<Record>,
    requester: &Requester,
    info: &RequestInfo,
) -> RecordRequestEvent {
    RecordRequestEvent {
        app: app.clone(),
        collection: c.clone(),
        record,
        original,
        request: request_data(requester, info),
    }
}

/// The request as hooks see it.
pub fn request_data(requester: &Requester, info: &RequestInfo) -> RequestData {
    RequestData {
        auth: requester
            .as_ref()
            .map(|a| (a.collection.clone(), a.record.clone())),
        info: info.clone(),
    }
}

/// Updates a record inside the open transaction (the API update path, also used by batch).
pub fn update_in(
    app: &App,
    tx: &Tx,
    c: &Arc<Collection>,
    id: &str,
    input: &RecordInput,
    requester: &Requester,
    info: &mut RequestInfo,
) -> Result<Record, AppError> {
    let (body, uploads) = (&input.body, input.uploads.as_slice());
    if c.is_view() {
        return Err(AppError::bad_request("Unsupported collection type."));
    }
    let superuser = is_superuser(requester);
    if !superuser && c.update_rule.is_none() {
        return Err(only_superusers());
    }
    let old = tx
        .with(|conn| store::records::find_by_id(conn, c, id))?
        .ok_or_else(AppError::not_found)?;
    let mut rec = old.clone();
    info.body = apply_body(c, &mut rec, body, superuser);
    let new_files = record_files::apply(c, &mut rec, uploads, body);
    if info.context.is_empty() {
        info.context = "default".into();
    }
    let hook = &app.hooks().on_record_update_request;
    if hook.is_empty() {
        return update_checked(app, tx, c, rec, &old, body, requester, info, &new_files);
    }
    let mut ev = request_event(app, c, rec, Some(old.clone()), requester, info);
    let mut saved = None;
    hook.trigger(&mut ev, |ev| {
        let r = update_checked(
            app,
            tx,
            c,
            ev.record.clone(),
            &old,
            body,
            requester,
            info,
            &new_files,
        )?;
        ev.record = r.clone();
        saved = Some(r);
        Ok(())
    })?;
    saved.ok_or(AppError::Stopped)
}

/// The update rule, the auth form checks and the save (the default action of `onRecordUpdateRequest`).
#[allow(clippy::too_many_arguments)]
fn update_checked(
    app: &App,
    tx: &Tx,
    c: &Arc<Collection>,
    rec: Record,
    old: &Record,
    body: &Map<String, Value>,
    requester: &Requester,
    info: &RequestInfo,
    new_files: &[String],
) -> Result<Record, AppError> {
    let superuser = is_superuser(requester);
    let id = old.id();
    if let Some(rule) = c
        .update_rule
        .as_deref()
        .filter(|r| !r.trim().is_empty() && !superuser)
    {
        if !matches_in(app, tx, c, rule, id, info)? {
            return Err(AppError::not_found());
        }
    }
    if c.is_auth() {
        let manager = is_manager(app, tx, c, id, requester, info)?;
        let form = if !manager && super::auth_anonymous::is_own_anonymous(requester, c, old) {
            record_auth_form::check_anonymous_owner(old, &rec, body)
        } else {
            record_auth_form::check(Some(old), &rec, body, manager)
        };
        if !form.is_empty() {
            return Err(AppError::validation("Failed to update record.", form));
        }
    }
    record_save::save_with_uploads(app, tx, c, rec, Some(old), new_files)
}

/// Deletes a record inside the open transaction (the API delete path, also used by batch).
pub fn delete_in(
    app: &App,
    tx: &Tx,
    c: &Arc<Collection>,
    id: &str,
    requester: &Requester,
    info: &mut RequestInfo,
) -> Result<(), AppError> {
    if c.is_view() {
        return Err(AppError::bad_request("Unsupported collection type."));
    }
    let superuser = is_superuser(requester);
    if !superuser && c.delete_rule.is_none() {
        return Err(only_superusers());
    }
    if info.context.is_empty() {
        info.context = "default".into();
    }
    let rec = tx
        .with(|conn| store::records::find_by_id(conn, c, id))?
        .ok_or_else(AppError::not_found)?;
    let hook = &app.hooks().on_record_delete_request;
    if hook.is_empty() {
        return delete_checked(app, tx, c, rec, superuser, info);
    }
    let mut ev = request_event(app, c, rec.clone(), Some(rec), requester, info);
    hook.trigger(&mut ev, |ev| {
        delete_checked(app, tx, c, ev.record.clone(), superuser, info)
    })
}

/// The delete rule check and the delete (the default action of `onRecordDeleteRequest`).
fn delete_checked(
    app: &App,
    tx: &Tx,
    c: &Arc<Collection>,
    rec: Record,
    superuser: bool,
    info: &RequestInfo,
) -> Result<(), AppError> {
    if let Some(rule) = c
        .delete_rule
        .as_deref()
        .filter(|r| !r.trim().is_empty() && !superuser)
    {
        if !matches_in(app, tx, c, rule, rec.id(), info)? {
            return Err(AppError::not_found());
        }
    }
    record_save::delete(app, tx, c, rec)
}

/// Validates the file parts and, for a create, settles the record id (the storage key needs it).
fn prepare_uploads(
    c: &Collection,
    body: &mut Map<String, Value>,
    parts: Vec<FilePart>,
    is_new: bool,
) -> Result<Vec<Upload>, AppError> {
    let failure = if is_new {
        "Failed to create record."
    } else {
        "Failed to update record."
    };
    let uploads = record_files::plan(c, parts).map_err(|e| AppError::validation(failure, e))?;
    if is_new && !uploads.is_empty() {
        ensure_record_id(c, body);
    }
    Ok(uploads)
}

/// Puts a generated id into a create body that has none (the storage key of its uploads needs it).
pub fn ensure_record_id(c: &Collection, body: &mut Map<String, Value>) {
    if body
        .get("id")
        .and_then(Value::as_str)
        .is_some_and(|s| !s.is_empty())
    {
        return;
    }
    let pattern = match c.field("id").map(|f| &f.kind) {
        Some(crate::model::FieldKind::Text(o)) => o.autogenerate_pattern.clone(),
        _ => String::new(),
    };
    if let Some(id) = crate::model::field::value::generate_from_pattern(&pattern) {
        body.insert("id".into(), Value::String(id));
    }
}

/// Writes the uploads, runs `work` in a write transaction, and removes the uploads again if it fails.
async fn with_uploads<T: Send + 'static>(
    app: &App,
    c: &Collection,
    record_id: &str,
    uploads: &[Upload],
    work: impl FnOnce(&Tx) -> Result<T, AppError> + Send + 'static,
) -> Result<T, AppError> {
    record_files::write(app, c, record_id, uploads).await?;
    let result = app.db().write(work).await;
    if result.is_err() {
        record_files::remove(app, &record_files::keys(c, record_id, uploads)).await;
    }
    result
}

/// `POST /api/collections/{c}/records`.
pub async fn create(
    app: &App,
    c: Arc<Collection>,
    body: Map<String, Value>,
    parts: Vec<FilePart>,
    requester: &Requester,
    info: RequestInfo,
) -> Result<Value, AppError> {
    let info2 = info.clone();
    let saved = create_then(app, c.clone(), body, parts, requester, info, |_, r| Ok(r)).await?;
    let vis = visibility_for(&c, &saved, requester);
    super::record_enrich::json_of(app, &c, saved, vis, requester, &info2)
}

/// The API create path followed by `after`, in the same write transaction (OAuth2 sign-up links the new
/// record there). Returns the record as `after` leaves it.
pub async fn create_then(
    app: &App,
    c: Arc<Collection>,
    mut body: Map<String, Value>,
    parts: Vec<FilePart>,
    requester: &Requester,
    mut info: RequestInfo,
    after: impl FnOnce(&Tx, Record) -> Result<Record, AppError> + Send + 'static,
) -> Result<Record, AppError> {
    let uploads = prepare_uploads(&c, &mut body, parts, true)?;
    let id = body
        .get("id")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string();
    let (app2, c2, r2) = (app.clone(), c.clone(), requester.clone());
    let input = RecordInput {
        body,
        uploads: uploads.clone(),
    };
    with_uploads(app, &c, &id, &uploads, move |tx| {
        let rec = create_in(&app2, tx, &c2, &input, &r2, &mut info)?;
        after(tx, rec)
    })
    .await
}

/// `PATCH /api/collections/{c}/records/{id}`.
pub async fn update(
    app: &App,
    c: Arc<Collection>,
    id: &str,
    mut body: Map<String, Value>,
    parts: Vec<FilePart>,
    requester: &Requester,
    mut info: RequestInfo,
) -> Result<Value, AppError> {
    let uploads = prepare_uploads(&c, &mut body, parts, false)?;
    let (app2, c2, r2, id2) = (app.clone(), c.clone(), requester.clone(), id.to_string());
    let input = RecordInput {
        body,
        uploads: uploads.clone(),
    };
    let info2 = info.clone();
    let saved = with_uploads(app, &c, id, &uploads, move |tx| {
        update_in(&app2, tx, &c2, &id2, &input, &r2, &mut info)
    })
    .await?;
    let vis = visibility_for(&c, &saved, requester);
    super::record_enrich::json_of(app, &c, saved, vis, requester, &info2)
}

/// `DELETE /api/collections/{c}/records/{id}`.
pub async fn delete(
    app: &App,
    c: Arc<Collection>,
    id: &str,
    requester: &Requester,
    mut info: RequestInfo,
) -> Result<(), AppError> {
    let (app2, r2, id2) = (app.clone(), requester.clone(), id.to_string());
    app.db()
        .write(move |tx| delete_in(&app2, tx, &c, &id2, &r2, &mut info))
        .await
}
