//! The native side of the JS API: `__fb(op, argsJson)` dispatches here. Every op takes JSON arguments and
//! answers `{"ok": value}` or `{"err": {...}}` (the prelude turns that into a GoError or ApiError).

use super::bridge;
use super::engine;
use crate::app::{App, AppError};
use crate::model::record::Record;
use crate::store::{self, dbx, Connection, StoreError, Tx, WriteSession};
use parking_lot::Mutex;
use rquickjs::Ctx;
use serde_json::{json, Map, Value};
use std::cell::RefCell;
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

/// What every runtime of one generation shares.
pub struct Shared {
    pub app: App,
    pub hooks_dir: PathBuf,
    /// Handler source texts; a handler is addressed by its index.
    pub sources: Arc<Vec<String>>,
    /// `$app.store()`: process-wide values.
    pub store: Arc<Mutex<Map<String, Value>>>,
    pub crons: super::cron::Crons,
    pub timeout: Duration,
    pub bootstrapped: Arc<std::sync::atomic::AtomicBool>,
}

thread_local! {
    static SESSIONS: RefCell<Vec<WriteSession>> = const { RefCell::new(Vec::new()) };
}

/// An op failure as JS will see it.
pub enum OpError {
    App(AppError),
    Go(String),
}

impl From<AppError> for OpError {
    fn from(e: AppError) -> Self {
        OpError::App(e)
    }
}

impl From<StoreError> for OpError {
    fn from(e: StoreError) -> Self {
        OpError::App(AppError::from(e))
    }
}

type OpResult = Result<Value, OpError>;

/// Ops that neither wait for another thread nor run long: a JS route running on an async worker thread
/// calls them right there. Every other op hands the worker's other tasks off first (see [`may_block`]).
const QUICK_OPS: &[&str] = &[
    "bytes",
    "bytesToString",
    "now",
    "datetime",
    "jsonEncode",
    "recordExport",
    "findCollectionByNameOrId",
    "findAllCollections",
    "findRecordById",
    "findRecordsByIds",
    "findFirstRecordByData",
    "findRecordsByFilter",
    "findFirstRecordByFilter",
    "findAuthRecordByEmail",
    "countRecords",
    "newToken",
    "findAuthRecordByToken",
    "expandRecords",
    "canAccessRecord",
    "tableColumns",
    "hasTable",
    "isTransactional",
    "settings",
    "isDev",
    "dataDir",
    "isBootstrapped",
    "storeGet",
    "storeSet",
    "storeHas",
    "storeRemove",
    "storeAll",
    "storeReset",
    "cronJobs",
    "log",
    "buildExpr",
    "exprParams",
    "sqlInsert",
    "sqlUpdate",
    "sqlDelete",
    "randomString",
    "randomStringWithAlphabet",
    "hash",
    "hmac",
    "equal",
    "encrypt",
    "decrypt",
    "createJWT",
    "parseJWT",
    "parseUnverifiedJWT",
    "getenv",
    "environ",
    "args",
    "getwd",
    "tempDir",
    "filepath",
    "decodeString",
    "encodeBytes",
    "base",
    "dir",
    "ext",
    "clean",
    "join",
];

/// True when `op` may wait (for the writer thread, the network, a password hash, a sleep…): on an async
/// worker thread it then runs inside `block_in_place`. Inside a write session every op may wait.
pub fn may_block(op: &str) -> bool {
    !QUICK_OPS.contains(&op) || SESSIONS.with(|s| !s.borrow().is_empty())
}

/// Runs `f`, which may block, without stalling the async runtime: on a runtime worker thread the worker's
/// other tasks move to another thread first; elsewhere it simply runs.
pub fn blocking<R>(f: impl FnOnce() -> R) -> R {
    crate::services::hook_run::blocking(f)
}

/// Entry point of `__fb`.
pub fn native_call(shared: &Arc<Shared>, ctx: &Ctx<'_>, op: &str, args: &str) -> String {
    let args: Vec<Value> = serde_json::from_str(args).unwrap_or_default();
    let out = if op == "drainJobs" {
        while ctx.execute_pending_job() {}
        Ok(Value::Null)
    } else if may_block(op) {
        blocking(|| dispatch(shared, op, args))
    } else {
        dispatch(shared, op, args)
    };
    let text = match out {
        Ok(v) => json!({ "ok": v }).to_string(),
        Err(OpError::Go(msg)) => json!({ "err": { "message": msg } }).to_string(),
        Err(OpError::App(e)) => encode_app_error(e).to_string(),
    };
    tag_marked(text)
}

/// The answer text of an op that failed with `e` (as `native_call` writes it).
pub fn op_error_text(e: AppError) -> String {
    tag_marked(encode_app_error(e).to_string())
}

/// JSON text for the JS side, prefixed with `T` when it holds tagged values (records, collections,
/// settings) that JS must revive into objects; untagged text is parsed without walking it.
pub fn tag_marked(text: String) -> String {
    let tagged = ["\"__record\"", "\"__collection\"", "\"__settings\""]
        .iter()
        .any(|t| text.contains(t));
    if tagged {
        let mut out = String::with_capacity(text.len() + 1);
        out.push('T');
        out.push_str(&text);
        out
    } else {
        text
    }
}

/// The text a GoError carries for a Rust error.
fn go_text(e: &AppError) -> String {
    match e {
        AppError::NotFound(_) => "sql: no rows in result set".to_string(),
        AppError::BadRequest { message, data } if !data.is_empty() => {
            let fields: Vec<String> = match data.to_json() {
                Value::Object(m) => m
                    .iter()
                    .map(|(k, v)| {
                        format!(
                            "{k}: {}",
                            v.get("message").and_then(Value::as_str).unwrap_or("")
                        )
                    })
                    .collect(),
                _ => vec![message.clone()],
            };
            fields.join("; ")
        }
        other => other.to_string(),
    }
}

fn encode_app_error(e: AppError) -> Value {
    let status = match &e {
        AppError::NotFound(_) => 404,
        _ => 0,
    };
    let message = go_text(&e);
    let eid = engine::stash_error(e);
    json!({ "err": { "message": message, "eid": eid, "status": status } })
}

fn arg(args: &[Value], i: usize) -> &Value {
    args.get(i).unwrap_or(&Value::Null)
}

fn s(args: &[Value], i: usize) -> String {
    match arg(args, i) {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

fn int(args: &[Value], i: usize) -> i64 {
    match arg(args, i) {
        Value::Number(n) => n.as_f64().unwrap_or(0.0) as i64,
        Value::String(s) => s.trim().parse::<f64>().unwrap_or(0.0) as i64,
        Value::Bool(b) => *b as i64,
        _ => 0,
    }
}

/// Runs a read on the right connection: the open transaction, this thread's write session, or a reader.
pub fn read<T: Send + 'static>(
    app: &App,
    f: impl FnOnce(&Connection) -> Result<T, StoreError> + Send + 'static,
) -> Result<T, AppError> {
    if let Some(tx) = Tx::current() {
        return Ok(tx.with(f)?);
    }
    let in_session = SESSIONS.with(|s| !s.borrow().is_empty());
    if in_session {
        return SESSIONS.with(|s| {
            let s = s.borrow();
            let sess = s.last().ok_or_else(|| AppError::internal("no session"))?;
            Ok(sess.run(move |tx| tx.with(f))??)
        });
    }
    Ok(app.db().read_now(f)?)
}

/// Runs a write in the open transaction, this thread's write session, or a new transaction.
pub fn write<T: Send + 'static>(
    app: &App,
    f: impl FnOnce(&Tx) -> Result<T, AppError> + Send + 'static,
) -> Result<T, AppError> {
    if let Some(tx) = Tx::current() {
        return f(&tx);
    }
    let in_session = SESSIONS.with(|s| !s.borrow().is_empty());
    if in_session {
        return SESSIONS.with(|s| {
            let s = s.borrow();
            let sess = s.last().ok_or_else(|| AppError::internal("no session"))?;
            sess.run(f)?
        });
    }
    app.db().write_blocking(f)
}

fn dispatch(sh: &Arc<Shared>, op: &str, a: Vec<Value>) -> OpResult {
    let app = &sh.app;
    match op {
        "next" => {
            let mut a = a.into_iter();
            let state = a.next().filter(|v| !v.is_null());
            let want_state = a.next().and_then(|v| v.as_bool()).unwrap_or(true);
            Ok(engine::call_next(engine::HookCall::Next {
                state,
                want_state,
            })?)
        }
        "hookState" => Ok(engine::call_next(engine::HookCall::State)?),
        "routeNext" => super::routes::route_next().map_err(OpError::Go),
        "bytes" => Ok(json!(s(&a, 0).into_bytes())),
        "bytesToString" => Ok(json!(String::from_utf8_lossy(&bytes_of(arg(&a, 0))))),
        "now" => Ok(json!(crate::model::datetime::now())),
        "datetime" => Ok(json!(bridge::parse_datetime(&s(&a, 0)).unwrap_or_default())),
        "jsonEncode" => Ok(json!(serde_json::to_string(&bridge::export_value(
            app,
            arg(&a, 0)
        ))
        .unwrap_or_else(|_| "null".into()))),
        "recordExport" => {
            let (c, rec, meta) = bridge::record_in(app, arg(&a, 0))?;
            Ok(bridge::public_export(&c, &rec, &meta))
        }
        "findCollectionByNameOrId" => {
            let name = s(&a, 0);
            let c = find_collection(app, &name)?;
            Ok(bridge::collection_out(&c))
        }
        "findAllCollections" => {
            let types: Vec<String> = list_of_strings(arg(&a, 0));
            let all = collections_now(app)?;
            Ok(Value::Array(
                all.iter()
                    .filter(|c| types.is_empty() || types.contains(&c.kind.as_str().to_string()))
                    .map(|c| bridge::collection_out(c))
                    .collect(),
            ))
        }
        "findRecordById" => {
            let c = find_collection(app, &s(&a, 0))?;
            let id = s(&a, 1);
            let c2 = c.clone();
            let rec = read(app, move |conn| store::records::find_by_id(conn, &c2, &id))?
                .ok_or_else(AppError::not_found)?;
            Ok(bridge::record_out(&c, &rec))
        }
        "findRecordsByIds" => {
            let c = find_collection(app, &s(&a, 0))?;
            let ids = list_of_strings(arg(&a, 1));
            let c2 = c.clone();
            let recs = read(app, move |conn| {
                let mut out = Vec::new();
                for id in &ids {
                    if let Some(r) = store::records::find_by_id(conn, &c2, id)? {
                        out.push(r);
                    }
                }
                Ok(out)
            })?;
            Ok(records_out(&c, &recs))
        }
        "findFirstRecordByData" => {
            let c = find_collection(app, &s(&a, 0))?;
            let key = s(&a, 1);
            let field = c
                .field(&key)
                .cloned()
                .ok_or_else(|| OpError::Go(format!("no such column: {key}")))?;
            let value = match arg(&a, 2) {
                Value::String(s) => s.clone(),
                Value::Null => String::new(),
                other => other.to_string(),
            };
            let c2 = c.clone();
            let rec = read(app, move |conn| {
                store::records::find_first_by(conn, &c2, &field, &value, false)
            })?
            .ok_or_else(AppError::not_found)?;
            Ok(bridge::record_out(&c, &rec))
        }
        "findRecordsByFilter" | "findFirstRecordByFilter" | "findAllRecords" | "countRecords" => {
            records_query(app, op, &a)
        }
        "findAuthRecordByEmail" => {
            let c = find_collection(app, &s(&a, 0))?;
            let field = c
                .field("email")
                .cloned()
                .ok_or_else(|| OpError::Go("not an auth collection".into()))?;
            let email = s(&a, 1);
            let c2 = c.clone();
            let rec = read(app, move |conn| {
                store::records::find_first_by(conn, &c2, &field, &email, true)
            })?
            .ok_or_else(AppError::not_found)?;
            Ok(bridge::record_out(&c, &rec))
        }
        "saveRecord" => {
            let (c, rec, meta) = bridge::record_in(app, arg(&a, 0))?;
            let saved = bridge::save_record(app, c.clone(), rec, meta.original)?;
            Ok(bridge::record_out(&c, &saved))
        }
        "delete" => {
            bridge::delete_model(app, arg(&a, 0))?;
            Ok(Value::Null)
        }
        "saveCollection" => Ok(bridge::save_collection(app, arg(&a, 0))?),
        "validate" => Ok(bridge::validate_model(app, arg(&a, 0))?),
        "hashPassword" => Ok(json!(s(&a, 0))),
        "validatePassword" => {
            let (_, rec, meta) = bridge::record_in(app, arg(&a, 0))?;
            let hash = meta
                .original
                .as_ref()
                .map(|o| o.get_str("password").to_string())
                .unwrap_or_else(|| rec.get_str("password").to_string());
            Ok(json!(crate::auth::password::verify(&s(&a, 1), &hash)))
        }
        "newToken" => bridge::new_token(app, arg(&a, 0), &s(&a, 1), int(&a, 2), &s(&a, 3))
            .map(Value::String)
            .map_err(OpError::Go),
        "findAuthRecordByToken" => Ok(bridge::find_by_token(app, &s(&a, 0))?),
        "expandRecords" => Ok(bridge::expand_records(app, &a)?),
        "enrichRecords" => Ok(bridge::enrich_records(app, &a)?),
        "canAccessRecord" => Ok(json!(bridge::can_access(app, &a)?)),
        "recordAuthResponse" => Ok(bridge::auth_response(app, &a)?),
        "dbQuery" | "dbExecute" | "buildExpr" | "exprParams" | "sqlInsert" | "sqlUpdate"
        | "sqlDelete" => db_op(app, op, &a),
        "tableColumns" => {
            let t = s(&a, 0);
            Ok(json!(read(app, move |c| dbx::table_columns(c, &t))?))
        }
        "hasTable" => {
            let t = s(&a, 0);
            Ok(json!(
                !read(app, move |c| dbx::table_columns(c, &t))?.is_empty()
            ))
        }
        "txBegin" => {
            if Tx::current().is_some() || SESSIONS.with(|s| !s.borrow().is_empty()) {
                return Ok(json!(0));
            }
            let sess = app.db().begin_session()?;
            SESSIONS.with(|s| s.borrow_mut().push(sess));
            Ok(json!(1))
        }
        "txEnd" => {
            if int(&a, 0) == 1 {
                if let Some(sess) = SESSIONS.with(|s| s.borrow_mut().pop()) {
                    sess.finish(arg(&a, 1).as_bool() == Some(true))?;
                }
            }
            Ok(Value::Null)
        }
        "isTransactional" => Ok(json!(
            Tx::current().is_some() || SESSIONS.with(|s| !s.borrow().is_empty())
        )),
        "settings" => Ok(json!({ "__settings": bridge::settings_json(app) })),
        "saveSettings" => {
            let body = arg(&a, 0).clone();
            let app2 = app.clone();
            write(app, move |tx| {
                crate::services::settings::save_in(&app2, tx, &body)
            })?;
            Ok(Value::Null)
        }
        "isDev" => Ok(json!(app.is_dev())),
        "dataDir" => Ok(json!(app.data_dir().to_string_lossy())),
        "isBootstrapped" => Ok(json!(sh
            .bootstrapped
            .load(std::sync::atomic::Ordering::Relaxed))),
        "storeGet" => Ok(sh
            .store
            .lock()
            .get(&s(&a, 0))
            .cloned()
            .unwrap_or(Value::Null)),
        "storeSet" => {
            sh.store.lock().insert(s(&a, 0), arg(&a, 1).clone());
            Ok(Value::Null)
        }
        "storeHas" => Ok(json!(sh.store.lock().contains_key(&s(&a, 0)))),
        "storeRemove" => {
            sh.store.lock().remove(&s(&a, 0));
            Ok(Value::Null)
        }
        "storeAll" => Ok(Value::Object(sh.store.lock().clone())),
        "storeReset" => {
            let m = arg(&a, 0).as_object().cloned().unwrap_or_default();
            *sh.store.lock() = m;
            Ok(Value::Null)
        }
        "cronJobs" => Ok(sh.crons.list_json()),
        "cronAdd" => sh
            .crons
            .add_runtime(&s(&a, 0), &s(&a, 1), &s(&a, 2))
            .map(|_| Value::Null)
            .map_err(OpError::Go),
        "cronRemove" => {
            sh.crons.remove(&s(&a, 0));
            Ok(Value::Null)
        }
        "log" => {
            let msg = s(&a, 1);
            let extra = arg(&a, 2).to_string();
            match s(&a, 0).as_str() {
                "error" => tracing::error!(target: "jsvm", "{msg} {extra}"),
                "warn" => tracing::warn!(target: "jsvm", "{msg} {extra}"),
                _ => tracing::info!(target: "jsvm", "{msg} {extra}"),
            }
            Ok(Value::Null)
        }
        "sendMail" | "mailsSend" => super::mails::dispatch(app, op, &a).map_err(OpError::Go),
        "fileFromPath" | "fileFromBytes" | "fileFromURL" | "fileFromMultipart" | "readerText" => {
            super::files::dispatch(op, &a).map_err(OpError::Go)
        }
        _ => super::ops_sys::dispatch(op, &a).map_err(OpError::Go),
    }
}

fn bytes_of(v: &Value) -> Vec<u8> {
    match v {
        Value::Array(a) => a.iter().map(|x| x.as_u64().unwrap_or(0) as u8).collect(),
        Value::String(s) => s.as_bytes().to_vec(),
        _ => Vec::new(),
    }
}

fn list_of_strings(v: &Value) -> Vec<String> {
    match v {
        Value::Array(a) => a
            .iter()
            .map(|x| match x {
                Value::String(s) => s.clone(),
                other => other.to_string(),
            })
            .collect(),
        Value::String(s) => vec![s.clone()],
        _ => Vec::new(),
    }
}

fn collections_now(app: &App) -> Result<Vec<Arc<crate::model::Collection>>, AppError> {
    if let Some(tx) = Tx::current() {
        return Ok(app.collections_in(&tx)?.into_iter().map(Arc::new).collect());
    }
    Ok(app.collections().as_ref().clone())
}

/// A collection by name or id, as the current transaction sees it.
pub fn find_collection(app: &App, name: &str) -> Result<Arc<crate::model::Collection>, AppError> {
    if let Some(tx) = Tx::current() {
        return app
            .find_collection_in(&tx, name)?
            .ok_or_else(AppError::not_found);
    }
    app.find_collection(name).ok_or_else(AppError::not_found)
}

fn records_out(c: &crate::model::Collection, recs: &[Record]) -> Value {
    Value::Array(recs.iter().map(|r| bridge::record_out(c, r)).collect())
}

/// Replaces `{:name}` placeholders of a filter with literals of the given params (PocketBase does the same
/// before parsing).
pub fn fill_placeholders(filter: &str, params: &Map<String, Value>) -> String {
    let mut out = String::new();
    let mut rest = filter;
    while let Some(i) = rest.find("{:") {
        out.push_str(&rest[..i]);
        let r = &rest[i + 2..];
        match r.find('}') {
            Some(end) if params.contains_key(&r[..end]) => {
                out.push_str(&literal(&params[&r[..end]]));
                rest = &r[end + 1..];
            }
            _ => {
                out.push_str("{:");
                rest = r;
            }
        }
    }
    out.push_str(rest);
    out
}

fn literal(v: &Value) -> String {
    match v {
        Value::Null => "null".into(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        Value::String(s) => format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\"")),
        other => format!(
            "\"{}\"",
            other.to_string().replace('\\', "\\\\").replace('"', "\\\"")
        ),
    }
}

fn records_query(app: &App, op: &str, a: &[Value]) -> OpResult {
    let c = find_collection(app, &s(a, 0))?;
    let (filter, sort, limit, offset, exprs) = match op {
        "findRecordsByFilter" => {
            let params = arg(a, 5).as_object().cloned().unwrap_or_default();
            (
                fill_placeholders(&s(a, 1), &params),
                s(a, 2),
                int(a, 3),
                int(a, 4),
                Value::Null,
            )
        }
        "findFirstRecordByFilter" => {
            let params = arg(a, 2).as_object().cloned().unwrap_or_default();
            (
                fill_placeholders(&s(a, 1), &params),
                String::new(),
                1,
                0,
                Value::Null,
            )
        }
        _ => (String::new(), String::new(), 0, 0, arg(a, 1).clone()),
    };
    let all = app.collections();
    let page = crate::services::records::filter_statement(&c, &all, &filter, &sort)?;
    let c2 = c.clone();
    let count = op == "countRecords";
    let where_expr = match &exprs {
        Value::Array(list) if !list.is_empty() => {
            Some(dbx::build_expr(&json!({"kind": "and", "args": list})).map_err(OpError::Go)?)
        }
        _ => None,
    };
    let (recs, n) = read(app, move |conn| {
        crate::services::records::run_filter_statement(
            conn,
            &c2,
            page,
            where_expr.as_ref(),
            limit,
            offset,
            count,
        )
    })?;
    match op {
        "countRecords" => Ok(json!(n)),
        "findFirstRecordByFilter" => {
            let r = recs.first().ok_or_else(AppError::not_found)?;
            Ok(bridge::record_out(&c, r))
        }
        _ => Ok(records_out(&c, &recs)),
    }
}

fn db_op(app: &App, op: &str, a: &[Value]) -> OpResult {
    match op {
        "buildExpr" => {
            let b = dbx::build_expr(arg(a, 0)).map_err(OpError::Go)?;
            Ok(json!(b.sql))
        }
        "exprParams" => {
            let b = dbx::build_expr(arg(a, 0)).map_err(OpError::Go)?;
            Ok(Value::Object(b.params.into_iter().collect()))
        }
        "sqlInsert" => Ok(json!(dbx::insert_sql(
            &s(a, 0),
            &arg(a, 1).as_object().cloned().unwrap_or_default()
        ))),
        "sqlUpdate" => {
            let b = dbx::build_expr(arg(a, 2)).map_err(OpError::Go)?;
            Ok(json!(dbx::update_sql(
                &s(a, 0),
                &arg(a, 1).as_object().cloned().unwrap_or_default(),
                &b.sql
            )))
        }
        "sqlDelete" => {
            let b = dbx::build_expr(arg(a, 1)).map_err(OpError::Go)?;
            Ok(json!(dbx::delete_sql(&s(a, 0), &b.sql)))
        }
        "dbQuery" => {
            let spec = arg(a, 0);
            let records = spec
                .get("records")
                .and_then(Value::as_str)
                .filter(|s| !s.is_empty());
            let coll = match records {
                Some(name) => Some(find_collection(app, name)?),
                None => None,
            };
            let built = dbx::build_query(spec, coll.as_ref().map(|c| c.name.as_str()))
                .map_err(OpError::Go)?;
            let rows = read(app, move |conn| dbx::query(conn, &built)).map_err(go_sql)?;
            match coll {
                Some(c) => Ok(Value::Array(
                    rows.into_iter()
                        .map(|row| bridge::record_out(&c, &bridge::record_from_row(&c, row)))
                        .collect(),
                )),
                None => Ok(Value::Array(rows.into_iter().map(Value::Object).collect())),
            }
        }
        _ => {
            let built = dbx::build_query(arg(a, 0), None).map_err(OpError::Go)?;
            let (n, last) = write(app, move |tx| {
                tx.with(|conn| dbx::execute(conn, &built))
                    .map_err(AppError::from)
            })
            .map_err(go_sql)?;
            Ok(json!({ "rowsAffected": n, "lastInsertId": last }))
        }
    }
}

fn go_sql(e: AppError) -> OpError {
    match e {
        AppError::Internal(m) => OpError::Go(m.trim_start_matches("sqlite: ").to_string()),
        other => OpError::App(other),
    }
}

/// `console.*`: one timestamped line on stdout (log/info/debug) or stderr (warn/error).
pub fn console(level: &str, text: &str) {
    use std::io::Write;
    let line = format!(
        "{} {text}\n",
        chrono::Local::now().format("%Y/%m/%d %H:%M:%S")
    );
    if matches!(level, "warn" | "error") {
        let _ = std::io::stderr().write_all(line.as_bytes());
    } else {
        let mut out = std::io::stdout();
        let _ = out.write_all(line.as_bytes());
        let _ = out.flush();
    }
}

/// A short map type used by the bridge for headers and the like.
pub type StrMap = HashMap<String, Vec<String>>;
