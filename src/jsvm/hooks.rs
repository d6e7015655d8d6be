//! Binding JS handlers into the core hook table: each event type knows its JS state (what `e` shows) and how
//! to take back what a handler changed; `e.next()` continues the Rust chain through `engine::with_next`.

use super::bridge;
use super::engine::{self, Pool};
use crate::app::events::{
    BatchRequestEvent, BootstrapEvent, CollectionEvent, CollectionRequestEvent,
    CollectionsImportRequestEvent, CollectionsListRequestEvent, FileDownloadRequestEvent,
    FileTokenRequestEvent, Model, ModelEvent, RecordAuthActionRequestEvent, RecordAuthRequestEvent,
    RecordAuthWithPasswordRequestEvent, RecordEnrichEvent, RecordEvent, RecordRequestEvent,
    RecordsListRequestEvent, RequestData, SettingsListRequestEvent, SettingsReloadEvent,
    SettingsUpdateRequestEvent, TerminateEvent,
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

impl JsEvent for RecordAuthActionRequestEvent {
    fn matches(&self, tags: &[String]) -> bool {
        tag_hit(&self.collection, tags)
    }
    fn state(&self) -> Value {
        let mut st = Map::new();
        st.insert(
            "record".into(),
            self.record
                .as_ref()
                .map(|r| bridge::record_out(&self.collection, r))
                .unwrap_or(Value::Null),
        );
        st.insert(
            "collection".into(),
            bridge::collection_out(&self.collection),
        );
        let mut mutable = vec![json!("record")];
        for (k, v) in &self.extra {
            st.insert(k.clone(), v.clone());
            mutable.push(json!(k));
        }
        st.insert("__request".into(), request_state(&self.request));
        st.insert("__mutable".into(), Value::Array(mutable));
        Value::Object(st)
    }
    fn apply(&mut self, st: &Value) -> Result<(), AppError> {
        let app = self.app.clone();
        match (&st["record"], &mut self.record) {
            (Value::Null, r) => *r = None,
            (v, Some(r)) => take_record(&app, v, r)?,
            (v, None) if v.get("__record").is_some() => {
                self.record = Some(bridge::record_in(&app, v)?.1);
            }
            _ => {}
        }
        for (k, v) in self.extra.iter_mut() {
            if !st[k.as_str()].is_null() {
                *v = bridge::export_value(&app, &st[k.as_str()]);
            }
        }
        Ok(())
    }
}

impl JsEvent for CollectionsImportRequestEvent {
    fn matches(&self, _tags: &[String]) -> bool {
        true
    }
    fn state(&self) -> Value {
        json!({
            "collectionsData": self.collections_data,
            "deleteMissing": self.delete_missing,
            "__request": request_state(&self.request),
            "__mutable": ["collectionsData", "deleteMissing"],
        })
    }
    fn apply(&mut self, st: &Value) -> Result<(), AppError> {
        if let Some(list) = st["collectionsData"].as_array() {
            self.collections_data = list
                .iter()
                .map(|v| bridge::export_value(&self.app, v))
                .collect();
        }
        if let Some(b) = st["deleteMissing"].as_bool() {
            self.delete_missing = b;
        }
        Ok(())
    }
}

impl JsEvent for BatchRequestEvent {
    fn matches(&self, _tags: &[String]) -> bool {
        true
    }
    fn state(&self) -> Value {
        json!({
            "batch": self.batch,
            "__request": request_state(&self.request),
            "__mutable": ["batch"],
        })
    }
    fn apply(&mut self, st: &Value) -> Result<(), AppError> {
        if let Some(list) = st["batch"].as_array() {
            self.batch = list
                .iter()
                .map(|v| bridge::export_value(&self.app, v))
                .collect();
        }
        Ok(())
    }
}

impl JsEvent for FileDownloadRequestEvent {
    fn matches(&self, tags: &[String]) -> bool {
        tag_hit(&self.collection, tags)
    }
    fn state(&self) -> Value {
        json!({
            "collection": bridge::collection_out(&self.collection),
            "record": bridge::record_out(&self.collection, &self.record),
            "fileField": self.file_field,
            "servedPath": self.served_path,
            "servedName": self.served_name,
            "__request": request_state(&self.request),
            "__mutable": ["servedPath", "servedName"],
        })
    }
    fn apply(&mut self, st: &Value) -> Result<(), AppError> {
        if let Some(p) = st["servedPath"].as_str() {
            self.served_path = p.to_string();
        }
        if let Some(n) = st["servedName"].as_str() {
            self.served_name = n.to_string();
        }
        Ok(())
    }
}

impl JsEvent for FileTokenRequestEvent {
    fn matches(&self, tags: &[String]) -> bool {
        tag_hit(&self.collection, tags)
    }
    fn state(&self) -> Value {
        json!({
            "collection": bridge::collection_out(&self.collection),
            "record": bridge::record_out(&self.collection, &self.record),
            "token": self.token,
            "__request": request_state(&self.request),
            "__mutable": ["token"],
        })
    }
    fn apply(&mut self, st: &Value) -> Result<(), AppError> {
        if let Some(t) = st["token"].as_str() {
            self.token = t.to_string();
        }
        Ok(())
    }
}

fn settings_out(s: &crate::model::settings::Settings) -> Value {
    json!({ "__settings": s.to_stored() })
}

/// Settings a handler changed (JS sees them as a plain object): merged over `into` like a PATCH body;
/// what cannot be read is an error, as a bad PATCH body is.
fn take_settings(v: &Value, into: &mut crate::model::settings::Settings) -> Result<(), AppError> {
    let v = v.get("__settings").unwrap_or(v);
    if !v.is_object() {
        return Ok(());
    }
    *into = into.apply_patch(v).map_err(|_| {
        AppError::bad_request("An error occurred while loading the submitted data.")
    })?;
    Ok(())
}

impl JsEvent for SettingsListRequestEvent {
    fn matches(&self, _tags: &[String]) -> bool {
        true
    }
    fn state(&self) -> Value {
        json!({
            "settings": settings_out(&self.settings),
            "__request": request_state(&self.request),
            "__mutable": ["settings"],
        })
    }
    fn apply(&mut self, st: &Value) -> Result<(), AppError> {
        take_settings(&st["settings"], &mut self.settings)
    }
}

impl JsEvent for SettingsUpdateRequestEvent {
    fn matches(&self, _tags: &[String]) -> bool {
        true
    }
    fn state(&self) -> Value {
        json!({
            "oldSettings": settings_out(&self.old_settings),
            "newSettings": settings_out(&self.new_settings),
            "__request": request_state(&self.request),
            "__mutable": ["newSettings"],
        })
    }
    fn apply(&mut self, st: &Value) -> Result<(), AppError> {
        take_settings(&st["newSettings"], &mut self.new_settings)
    }
}

impl JsEvent for SettingsReloadEvent {
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

impl JsEvent for RecordEnrichEvent {
    fn matches(&self, tags: &[String]) -> bool {
        tag_hit(&self.collection, tags)
    }
    fn state(&self) -> Value {
        let mut record = bridge::record_out(&self.collection, &self.record);
        record["__record"]["hidden"] = json!(self.hidden);
        record["__record"]["custom"] = json!(self.custom);
        json!({
            "record": record,
            "__requestInfo": request_info_state(&self.request),
            "__mutable": ["record"],
        })
    }
    fn apply(&mut self, st: &Value) -> Result<(), AppError> {
        if st["record"].get("__record").is_none() {
            return Ok(());
        }
        let (_, rec, meta) = bridge::record_in(&self.app, &st["record"])?;
        self.record = rec;
        self.hidden = meta.hidden;
        self.custom = meta.custom;
        bridge::enrich_json(
            &self.collection,
            &self.record,
            &mut self.json,
            self.show_hidden,
            &self.hidden,
            self.custom,
        );
        Ok(())
    }
}

impl JsEvent for CollectionRequestEvent {
    fn matches(&self, _tags: &[String]) -> bool {
        true
    }
    fn state(&self) -> Value {
        json!({
            "collection": bridge::collection_out(&self.collection),
            "__request": request_state(&self.request),
            "__mutable": ["collection"],
        })
    }
    fn apply(&mut self, st: &Value) -> Result<(), AppError> {
        if let Some(d) = st["collection"].get("__collection") {
            self.collection = bridge::collection_in(&self.app, &self.collection, d)?;
        }
        Ok(())
    }
}

impl JsEvent for CollectionsListRequestEvent {
    fn matches(&self, _tags: &[String]) -> bool {
        true
    }
    fn state(&self) -> Value {
        let collections: Vec<Value> = self
            .collections
            .iter()
            .map(|c| bridge::collection_out(c))
            .collect();
        json!({
            "collections": collections,
            "result": self.result,
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

/// What `e.requestInfo` shows: `{auth, body, query, headers, method, context}`.
fn request_info_state(r: &RequestData) -> Value {
    let info = &r.info;
    json!({
        "auth": r.auth.as_ref().map(|(c, rec)| bridge::record_out(c, rec)),
        "body": info.body,
        "query": info.query,
        "headers": info.headers,
        "method": info.method,
        "context": if info.context.is_empty() { "default" } else { info.context.as_str() },
    })
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

/// The shape of an event type's state, learnt from its first dispatch.
struct Shape {
    /// `Some(shape id)` when the event has no request part: JS then builds `e` with getters that fetch
    /// the state only when the handler reads it (a handler that only calls `e.next()` moves no state).
    /// The id names the shape's JSON (`shape_json`), which a runtime fetches once.
    lazy: Option<u32>,
}

/// The lazy event shapes seen so far, their JSON by id: a few per hook file.
static SHAPES: parking_lot::Mutex<Vec<String>> = parking_lot::Mutex::new(Vec::new());

/// The id of a shape's JSON (the same JSON always gets the same id).
fn shape_id(json: String) -> u32 {
    let mut shapes = SHAPES.lock();
    let id = match shapes.iter().position(|j| *j == json) {
        Some(i) => i,
        None => {
            shapes.push(json);
            shapes.len() - 1
        }
    };
    id as u32
}

/// The JSON of shape `id` (`{keys, mutable}`), "" for an unknown id.
pub fn shape_json(id: u32) -> String {
    SHAPES.lock().get(id as usize).cloned().unwrap_or_default()
}

impl Shape {
    fn of(state: &Value) -> Shape {
        let Some(m) = state.as_object() else {
            return Shape { lazy: None };
        };
        if m.keys().any(|k| k.starts_with("__") && k != "__mutable") {
            return Shape { lazy: None };
        }
        let keys: Vec<&String> = m.keys().filter(|k| !k.starts_with("__")).collect();
        let shape = json!({ "keys": keys, "mutable": state["__mutable"] });
        Shape {
            lazy: Some(shape_id(shape.to_string())),
        }
    }
}

/// Binds one JS handler (by source index) to `hook` under `id`.
pub fn bind<E: JsEvent + 'static>(
    hook: &Hook<E, AppError>,
    pool: Arc<Pool>,
    id: &str,
    handler: usize,
    tags: Vec<String>,
) {
    let shape: std::sync::OnceLock<Shape> = std::sync::OnceLock::new();
    let spec = json!({ "handler": handler });
    hook.bind(id, 0, move |e, next| {
        if !tags.is_empty() && !e.matches(&tags) {
            return next.run(e);
        }
        let mut first = None;
        let shape = shape.get_or_init(|| Shape::of(first.insert(e.state())));
        let state = match (&shape.lazy, first) {
            (Some(_), _) => Value::Null,
            (None, Some(st)) => st,
            (None, None) => e.state(),
        };
        let mut next_opt = Some(next);
        let mut cont = |call: engine::HookCall| -> Result<Value, AppError> {
            match call {
                engine::HookCall::State => Ok(e.state()),
                engine::HookCall::Next { state, want_state } => {
                    if let Some(st) = state {
                        e.apply(&st)?;
                    }
                    if let Some(n) = next_opt.take() {
                        n.run(e)?;
                    }
                    Ok(if want_state { e.state() } else { Value::Null })
                }
            }
        };
        let out = match &shape.lazy {
            Some(sh) => engine::with_next(&mut cont, || pool.dispatch_lazy(handler, *sh)),
            None => engine::with_next(&mut cont, || pool.dispatch("hook", &spec, &state)).map(Some),
        };
        let Some(out) = out.map_err(AppError::internal)? else {
            return Ok(());
        };
        if let Some(st) = out.get("state").filter(|st| !st.is_null()) {
            e.apply(st)?;
        }
        match out.get("error") {
            Some(err) if !err.is_null() => Err(decode_error(err)),
            _ => Ok(()),
        }
    });
}

/// `bind_by_name` / `unbind_by_name`, generated from the core hook table (`app::hooks::hook_list`).
macro_rules! by_name_fns {
    ($($field:ident : $ev:ty => $js:literal),* $(,)?) => {
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
            match name {
                $($js => { bind(&h.$field, pool, id, handler, tags); true })*
                _ => false,
            }
        }

        /// Removes a bound handler by its JS hook name.
        pub fn unbind_by_name(app: &App, name: &str, id: &str) {
            let h = app.hooks();
            match name {
                $($js => h.$field.unbind(id),)*
                _ => {}
            }
        }
    };
}
crate::app::hooks::hook_list!(by_name_fns);
