//! Binding JS handlers into the core hook table: each event type knows its JS state (what `e` shows) and how
//! to take back what a handler changed; `e.next()` continues the Rust chain through `engine::with_next`.

use super::bridge;
use super::engine::{self, Pool};
use crate::app::events::{
    BootstrapEvent, CollectionEvent, Model, ModelEvent, RecordAuthRequestEvent,
    RecordAuthWithPasswordRequestEvent, RecordEvent, RecordRequestEvent, RecordsListRequestEvent,
    RequestData, TerminateEvent,
};
use crate::app::{App, AppError};
use crate::hook::Hook;
use crate::model::record::Record;
use crate::model::Collection;
use serde_json::{json, Map, Value};
use std::sync::Arc;

/// Every `on*` registrar PocketBase's JS has (83): the loader defines each of them.
pub const ALL_HOOK_NAMES: &[&str] = &[
    "onBackupCreate",
    "onBackupRestore",
    "onBatchRequest",
    "onBootstrap",
    "onBootstrapClear",
    "onCollectionAfterCreateError",
    "onCollectionAfterCreateSuccess",
    "onCollectionAfterDeleteError",
    "onCollectionAfterDeleteSuccess",
    "onCollectionAfterUpdateError",
    "onCollectionAfterUpdateSuccess",
    "onCollectionCreate",
    "onCollectionCreateExecute",
    "onCollectionCreateRequest",
    "onCollectionDelete",
    "onCollectionDeleteExecute",
    "onCollectionDeleteRequest",
    "onCollectionUpdate",
    "onCollectionUpdateExecute",
    "onCollectionUpdateRequest",
    "onCollectionValidate",
    "onCollectionViewRequest",
    "onCollectionsImportRequest",
    "onCollectionsListRequest",
    "onFileDownloadRequest",
    "onFileTokenRequest",
    "onMailerRecordAuthAlertSend",
    "onMailerRecordEmailChangeSend",
    "onMailerRecordOTPSend",
    "onMailerRecordPasswordResetSend",
    "onMailerRecordVerificationSend",
    "onMailerSend",
    "onModelAfterCreateError",
    "onModelAfterCreateSuccess",
    "onModelAfterDeleteError",
    "onModelAfterDeleteSuccess",
    "onModelAfterUpdateError",
    "onModelAfterUpdateSuccess",
    "onModelCreate",
    "onModelCreateExecute",
    "onModelDelete",
    "onModelDeleteExecute",
    "onModelUpdate",
    "onModelUpdateExecute",
    "onModelValidate",
    "onRealtimeConnectRequest",
    "onRealtimeMessageSend",
    "onRealtimeSubscribeRequest",
    "onRecordAfterCreateError",
    "onRecordAfterCreateSuccess",
    "onRecordAfterDeleteError",
    "onRecordAfterDeleteSuccess",
    "onRecordAfterUpdateError",
    "onRecordAfterUpdateSuccess",
    "onRecordAuthRefreshRequest",
    "onRecordAuthRequest",
    "onRecordAuthWithOAuth2Request",
    "onRecordAuthWithOTPRequest",
    "onRecordAuthWithPasswordRequest",
    "onRecordConfirmEmailChangeRequest",
    "onRecordConfirmPasswordResetRequest",
    "onRecordConfirmVerificationRequest",
    "onRecordCreate",
    "onRecordCreateExecute",
    "onRecordCreateRequest",
    "onRecordDelete",
    "onRecordDeleteExecute",
    "onRecordDeleteRequest",
    "onRecordEnrich",
    "onRecordRequestEmailChangeRequest",
    "onRecordRequestOTPRequest",
    "onRecordRequestPasswordResetRequest",
    "onRecordRequestVerificationRequest",
    "onRecordUpdate",
    "onRecordUpdateExecute",
    "onRecordUpdateRequest",
    "onRecordValidate",
    "onRecordViewRequest",
    "onRecordsListRequest",
    "onSettingsListRequest",
    "onSettingsReload",
    "onSettingsUpdateRequest",
    "onTerminate",
];

pub fn all_hook_names() -> &'static [&'static str] {
    ALL_HOOK_NAMES
}

/// An event JS handlers can see and change.
pub trait JsEvent {
    /// True when one of the registration's tags names this event's collection (or table).
    fn matches(&self, tags: &[String]) -> bool;
    /// The JSON state `e` is built from; `__mutable` lists what flows back.
    fn state(&self) -> Value;
    /// Takes back what the handler changed.
    fn apply(&mut self, st: &Value) -> Result<(), AppError>;
}

fn tag_hit(c: &Collection, tags: &[String]) -> bool {
    tags.iter().any(|t| *t == c.name || *t == c.id)
}

fn take_record(app: &App, v: &Value, into: &mut Record) -> Result<(), AppError> {
    if v.get("__record").is_some() {
        let (_, rec, _) = bridge::record_in(app, v)?;
        *into = rec;
    }
    Ok(())
}

fn request_state(r: &RequestData) -> Value {
    let info = &r.info;
    let multi = |m: &Map<String, Value>| -> Value {
        Value::Object(
            m.iter()
                .map(|(k, v)| {
                    let s = match v {
                        Value::String(s) => s.clone(),
                        other => other.to_string(),
                    };
                    (k.clone(), json!([s]))
                })
                .collect(),
        )
    };
    let auth = r
        .auth
        .as_ref()
        .map(|(c, rec)| bridge::record_out(c, rec))
        .unwrap_or(Value::Null);
    json!({
        "method": info.method,
        "path": "",
        "rawQuery": "",
        "host": "",
        "remoteAddr": "",
        "query": multi(&info.query),
        "headers": multi(&info.headers),
        "cookies": {},
        "pathValues": {},
        "bodyText": serde_json::to_string(&info.body).unwrap_or_default(),
        "body": info.body,
        "auth": auth,
        "realIP": "",
        "remoteIP": "",
        "context": info.context,
        "response": {"status": 0, "headers": [], "body": "", "written": false},
        "store": {},
    })
}

impl JsEvent for RecordEvent {
    fn matches(&self, tags: &[String]) -> bool {
        tag_hit(&self.collection, tags)
    }
    fn state(&self) -> Value {
        json!({ "record": bridge::record_out_with(&self.collection, &self.record, None), "type": "", "__mutable": ["record"] })
    }
    fn apply(&mut self, st: &Value) -> Result<(), AppError> {
        let app = self.app.clone();
        take_record(&app, &st["record"], &mut self.record)
    }
}

impl JsEvent for ModelEvent {
    fn matches(&self, tags: &[String]) -> bool {
        match &self.model {
            Model::Record(c, _) => tags.iter().any(|t| *t == c.name),
            Model::Collection(_) => tags.iter().any(|t| t == "_collections"),
        }
    }
    fn state(&self) -> Value {
        let model = match &self.model {
            Model::Record(c, r) => bridge::record_out_with(c, r, None),
            Model::Collection(c) => bridge::collection_out(c),
        };
        json!({ "model": model, "__mutable": ["model"] })
    }
    fn apply(&mut self, st: &Value) -> Result<(), AppError> {
        let app = self.app.clone();
        if let Model::Record(_, r) = &mut self.model {
            take_record(&app, &st["model"], r)?;
        }
        Ok(())
    }
}

impl JsEvent for CollectionEvent {
    fn matches(&self, tags: &[String]) -> bool {
        tag_hit(&self.collection, tags)
    }
    fn state(&self) -> Value {
        json!({ "collection": bridge::collection_out(&self.collection), "__mutable": [] })
    }
    fn apply(&mut self, _st: &Value) -> Result<(), AppError> {
        Ok(())
    }
}

impl JsEvent for BootstrapEvent {
    fn matches(&self, _tags: &[String]) -> bool {
        true
    }
    fn state(&self) -> Value {
        json!({ "__mutable": [] })
    }
    fn apply(&mut self, _st: &Value) -> Result<(), AppError> {
        Ok(())
    }
}

impl JsEvent for TerminateEvent {
    fn matches(&self, _tags: &[String]) -> bool {
        true
    }
    fn state(&self) -> Value {
        json!({ "isRestart": self.is_restart, "__mutable": [] })
    }
    fn apply(&mut self, _st: &Value) -> Result<(), AppError> {
        Ok(())
    }
}

impl JsEvent for RecordRequestEvent {
    fn matches(&self, tags: &[String]) -> bool {
        tag_hit(&self.collection, tags)
    }
    fn state(&self) -> Value {
        json!({
            "record": bridge::record_out_with(&self.collection, &self.record, self.original.as_ref()),
            "collection": bridge::collection_out(&self.collection),
            "__request": request_state(&self.request),
            "__mutable": ["record"],
        })
    }
    fn apply(&mut self, st: &Value) -> Result<(), AppError> {
        let app = self.app.clone();
        take_record(&app, &st["record"], &mut self.record)
    }
}

impl JsEvent for RecordsListRequestEvent {
    fn matches(&self, tags: &[String]) -> bool {
        tag_hit(&self.collection, tags)
    }
    fn state(&self) -> Value {
        let mut result = self.result.clone();
        let items: Vec<Value> = result["items"]
            .as_array()
            .map(|l| {
                l.iter()
                    .map(|item| {
                        let mut rec = Record::new(&self.collection.id, &self.collection.name);
                        if let Some(m) = item.as_object() {
                            for (k, v) in m {
                                if !matches!(
                                    k.as_str(),
                                    "collectionId" | "collectionName" | "expand"
                                ) {
                                    rec.set(k, v.clone());
                                }
                            }
                        }
                        bridge::record_out(&self.collection, &rec)
                    })
                    .collect()
            })
            .unwrap_or_default();
        result["items"] = Value::Array(items.clone());
        json!({
            "result": result,
            "records": items,
            "collection": bridge::collection_out(&self.collection),
            "__request": request_state(&self.request),
            "__mutable": ["result"],
        })
    }
    fn apply(&mut self, st: &Value) -> Result<(), AppError> {
        if st["result"].is_object() {
            self.result = bridge::export_value(&self.app, &st["result"]);
        }
        Ok(())
    }
}

impl JsEvent for RecordAuthRequestEvent {
    fn matches(&self, tags: &[String]) -> bool {
        tag_hit(&self.collection, tags)
    }
    fn state(&self) -> Value {
        json!({
            "record": bridge::record_out(&self.collection, &self.record),
            "collection": bridge::collection_out(&self.collection),
            "token": self.token,
            "meta": self.meta.clone().unwrap_or(Value::Null),
            "authMethod": self.auth_method,
            "__request": request_state(&self.request),
            "__mutable": ["record", "token", "meta"],
        })
    }
    fn apply(&mut self, st: &Value) -> Result<(), AppError> {
        let app = self.app.clone();
        take_record(&app, &st["record"], &mut self.record)?;
        if let Some(t) = st["token"].as_str() {
            self.token = t.to_string();
        }
        self.meta = match &st["meta"] {
            Value::Null => None,
            other => Some(bridge::export_value(&app, other)),
        };
        Ok(())
    }
}

impl JsEvent for RecordAuthWithPasswordRequestEvent {
    fn matches(&self, tags: &[String]) -> bool {
        tag_hit(&self.collection, tags)
    }
    fn state(&self) -> Value {
        json!({
            "record": self.record.as_ref().map(|r| bridge::record_out(&self.collection, r)),
            "collection": bridge::collection_out(&self.collection),
            "identity": self.identity,
            "identityField": self.identity_field,
            "password": self.password,
            "__request": request_state(&self.request),
            "__mutable": ["record", "identity", "password"],
        })
    }
    fn apply(&mut self, st: &Value) -> Result<(), AppError> {
        let app = self.app.clone();
        if st["record"].is_null() {
            self.record = None;
        } else if let Some(r) = &mut self.record {
            take_record(&app, &st["record"], r)?;
        }
        if let Some(v) = st["identity"].as_str() {
            self.identity = v.to_string();
        }
        if let Some(v) = st["password"].as_str() {
            self.password = v.to_string();
        }
        Ok(())
    }
}

/// Turns the error a handler ended with into the app's error.
pub fn decode_error(err: &Value) -> AppError {
    if err["api"].as_bool() == Some(true) {
        let status = err["status"].as_u64().unwrap_or(400) as u16;
        return AppError::Api {
            status: if status == 0 { 400 } else { status },
            message: err["message"].as_str().unwrap_or("").to_string(),
            data: if err["data"].is_object() {
                err["data"].clone()
            } else {
                json!({})
            },
        };
    }
    if let Some(eid) = err["eid"].as_u64() {
        if let Some(e) = engine::take_error(eid) {
            return e;
        }
    }
    if err["status"].as_u64() == Some(404) {
        return AppError::not_found();
    }
    let text = err["plain"]
        .as_str()
        .or(err["message"].as_str())
        .unwrap_or("unknown error");
    tracing::warn!(target: "jsvm", "handler error: {text}");
    AppError::bad_request("Something went wrong while processing your request.")
}

/// Binds one JS handler (by source index) to `hook` under `id`.
pub fn bind<E: JsEvent + 'static>(
    hook: &Hook<E, AppError>,
    pool: Arc<Pool>,
    id: &str,
    handler: usize,
    tags: Vec<String>,
) {
    hook.bind(id, 0, move |e, next| {
        if !tags.is_empty() && !e.matches(&tags) {
            return next.run(e);
        }
        let state = e.state();
        let mut next_opt = Some(next);
        let mut cont = |st: Value| -> Result<Value, AppError> {
            e.apply(&st)?;
            if let Some(n) = next_opt.take() {
                n.run(e)?;
            }
            Ok(e.state())
        };
        let out = engine::with_next(&mut cont, || {
            pool.dispatch("hook", &json!({ "handler": handler }), &state)
        });
        let out = out.map_err(AppError::internal)?;
        if let Some(st) = out.get("state") {
            e.apply(st)?;
        }
        match out.get("error") {
            Some(err) if !err.is_null() => Err(decode_error(err)),
            _ => Ok(()),
        }
    });
}

/// Binds a registration by its JS hook name; false when Ferrobase does not fire that hook yet.
pub fn bind_by_name(
    app: &App,
    name: &str,
    pool: Arc<Pool>,
    id: &str,
    handler: usize,
    tags: Vec<String>,
) -> bool {
    let h = app.hooks();
    macro_rules! table {
        ($($js:literal => $field:ident),* $(,)?) => {
            match name {
                $($js => { bind(&h.$field, pool, id, handler, tags); true })*
                _ => false,
            }
        };
    }
    table! {
        "onBootstrap" => on_bootstrap,
        "onTerminate" => on_terminate,
        "onModelValidate" => on_model_validate,
        "onModelCreate" => on_model_create,
        "onModelCreateExecute" => on_model_create_execute,
        "onModelAfterCreateSuccess" => on_model_after_create_success,
        "onModelAfterCreateError" => on_model_after_create_error,
        "onModelUpdate" => on_model_update,
        "onModelUpdateExecute" => on_model_update_execute,
        "onModelAfterUpdateSuccess" => on_model_after_update_success,
        "onModelAfterUpdateError" => on_model_after_update_error,
        "onModelDelete" => on_model_delete,
        "onModelDeleteExecute" => on_model_delete_execute,
        "onModelAfterDeleteSuccess" => on_model_after_delete_success,
        "onModelAfterDeleteError" => on_model_after_delete_error,
        "onCollectionValidate" => on_collection_validate,
        "onCollectionCreate" => on_collection_create,
        "onCollectionCreateExecute" => on_collection_create_execute,
        "onCollectionAfterCreateSuccess" => on_collection_after_create_success,
        "onCollectionAfterCreateError" => on_collection_after_create_error,
        "onCollectionUpdate" => on_collection_update,
        "onCollectionUpdateExecute" => on_collection_update_execute,
        "onCollectionAfterUpdateSuccess" => on_collection_after_update_success,
        "onCollectionAfterUpdateError" => on_collection_after_update_error,
        "onCollectionDelete" => on_collection_delete,
        "onCollectionDeleteExecute" => on_collection_delete_execute,
        "onCollectionAfterDeleteSuccess" => on_collection_after_delete_success,
        "onCollectionAfterDeleteError" => on_collection_after_delete_error,
        "onRecordValidate" => on_record_validate,
        "onRecordCreate" => on_record_create,
        "onRecordCreateExecute" => on_record_create_execute,
        "onRecordAfterCreateSuccess" => on_record_after_create_success,
        "onRecordAfterCreateError" => on_record_after_create_error,
        "onRecordUpdate" => on_record_update,
        "onRecordUpdateExecute" => on_record_update_execute,
        "onRecordAfterUpdateSuccess" => on_record_after_update_success,
        "onRecordAfterUpdateError" => on_record_after_update_error,
        "onRecordDelete" => on_record_delete,
        "onRecordDeleteExecute" => on_record_delete_execute,
        "onRecordAfterDeleteSuccess" => on_record_after_delete_success,
        "onRecordAfterDeleteError" => on_record_after_delete_error,
        "onRecordCreateRequest" => on_record_create_request,
        "onRecordUpdateRequest" => on_record_update_request,
        "onRecordDeleteRequest" => on_record_delete_request,
        "onRecordViewRequest" => on_record_view_request,
        "onRecordsListRequest" => on_records_list_request,
        "onRecordAuthRequest" => on_record_auth_request,
        "onRecordAuthWithPasswordRequest" => on_record_auth_with_password_request,
        "onMailerSend" => on_mailer_send,
        "onMailerRecordAuthAlertSend" => on_mailer_record_auth_alert_send,
        "onMailerRecordPasswordResetSend" => on_mailer_record_password_reset_send,
        "onMailerRecordVerificationSend" => on_mailer_record_verification_send,
        "onMailerRecordEmailChangeSend" => on_mailer_record_email_change_send,
        "onMailerRecordOTPSend" => on_mailer_record_otp_send,
    }
}

/// Removes a bound handler by its JS hook name.
pub fn unbind_by_name(app: &App, name: &str, id: &str) {
    let h = app.hooks();
    macro_rules! table {
        ($($js:literal => $field:ident),* $(,)?) => {
            match name {
                $($js => h.$field.unbind(id),)*
                _ => {}
            }
        };
    }
    table! {
        "onBootstrap" => on_bootstrap,
        "onTerminate" => on_terminate,
        "onModelValidate" => on_model_validate,
        "onModelCreate" => on_model_create,
        "onModelCreateExecute" => on_model_create_execute,
        "onModelAfterCreateSuccess" => on_model_after_create_success,
        "onModelAfterCreateError" => on_model_after_create_error,
        "onModelUpdate" => on_model_update,
        "onModelUpdateExecute" => on_model_update_execute,
        "onModelAfterUpdateSuccess" => on_model_after_update_success,
        "onModelAfterUpdateError" => on_model_after_update_error,
        "onModelDelete" => on_model_delete,
        "onModelDeleteExecute" => on_model_delete_execute,
        "onModelAfterDeleteSuccess" => on_model_after_delete_success,
        "onModelAfterDeleteError" => on_model_after_delete_error,
        "onCollectionValidate" => on_collection_validate,
        "onCollectionCreate" => on_collection_create,
        "onCollectionCreateExecute" => on_collection_create_execute,
        "onCollectionAfterCreateSuccess" => on_collection_after_create_success,
        "onCollectionAfterCreateError" => on_collection_after_create_error,
        "onCollectionUpdate" => on_collection_update,
        "onCollectionUpdateExecute" => on_collection_update_execute,
        "onCollectionAfterUpdateSuccess" => on_collection_after_update_success,
        "onCollectionAfterUpdateError" => on_collection_after_update_error,
        "onCollectionDelete" => on_collection_delete,
        "onCollectionDeleteExecute" => on_collection_delete_execute,
        "onCollectionAfterDeleteSuccess" => on_collection_after_delete_success,
        "onCollectionAfterDeleteError" => on_collection_after_delete_error,
        "onRecordValidate" => on_record_validate,
        "onRecordCreate" => on_record_create,
        "onRecordCreateExecute" => on_record_create_execute,
        "onRecordAfterCreateSuccess" => on_record_after_create_success,
        "onRecordAfterCreateError" => on_record_after_create_error,
        "onRecordUpdate" => on_record_update,
        "onRecordUpdateExecute" => on_record_update_execute,
        "onRecordAfterUpdateSuccess" => on_record_after_update_success,
        "onRecordAfterUpdateError" => on_record_after_update_error,
        "onRecordDelete" => on_record_delete,
        "onRecordDeleteExecute" => on_record_delete_execute,
        "onRecordAfterDeleteSuccess" => on_record_after_delete_success,
        "onRecordAfterDeleteError" => on_record_after_delete_error,
        "onRecordCreateRequest" => on_record_create_request,
        "onRecordUpdateRequest" => on_record_update_request,
        "onRecordDeleteRequest" => on_record_delete_request,
        "onRecordViewRequest" => on_record_view_request,
        "onRecordsListRequest" => on_records_list_request,
        "onRecordAuthRequest" => on_record_auth_request,
        "onRecordAuthWithPasswordRequest" => on_record_auth_with_password_request,
        "onMailerSend" => on_mailer_send,
        "onMailerRecordAuthAlertSend" => on_mailer_record_auth_alert_send,
        "onMailerRecordPasswordResetSend" => on_mailer_record_password_reset_send,
        "onMailerRecordVerificationSend" => on_mailer_record_verification_send,
        "onMailerRecordEmailChangeSend" => on_mailer_record_email_change_send,
        "onMailerRecordOTPSend" => on_mailer_record_otp_send,
    }
}
