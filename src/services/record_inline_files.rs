//! Files set on a record's file fields as values (JS `$filesystem` files: `{reader: {path} | {bytes:
//! base64}, name, originalName, size}`) instead of multipart uploads. `stage` runs at the start of a
//! save's validation (after the hooks that may set them), checks them like uploads, stores them under
//! their `name` and leaves the names in the record; they are removed again when the transaction rolls
//! back (or by the caller when the save fails).

use super::record_files;
use crate::app::{App, AppError};
use crate::files::{normalize_name, record_key, Content};
use crate::model::record::Record;
use crate::model::{Collection, Errors, FieldKind};
use crate::store::Tx;
use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine;
use serde_json::{Map, Value};

/// True for a file value.
pub fn is_file(v: &Value) -> bool {
    v.get("reader").is_some_and(Value::is_object)
        && v.get("name").is_some_and(Value::is_string)
        && v.get("originalName").is_some()
}

/// The content of a file value (read from its path, or its base64 bytes).
pub fn content(v: &Value) -> Result<Vec<u8>, String> {
    reader_content(&v["reader"])
}

/// The content behind a file's `reader` (`{path}` or `{bytes}`).
pub fn reader_content(r: &Value) -> Result<Vec<u8>, String> {
    if let Some(p) = r["path"].as_str() {
        return std::fs::read(p).map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound => format!("open {p}: no such file or directory"),
            _ => format!("open {p}: {e}"),
        });
    }
    match &r["bytes"] {
        Value::String(text) => B64.decode(text).map_err(|e| e.to_string()),
        Value::Array(a) => Ok(a.iter().map(|x| x.as_u64().unwrap_or(0) as u8).collect()),
        _ => Ok(Vec::new()),
    }
}

/// Why staging failed: the files break their field's limits, or storing them failed.
pub enum StageError {
    Invalid(Errors),
    Failed(AppError),
}

fn has_files(c: &Collection, rec: &Record) -> bool {
    c.fields.iter().any(|f| {
        matches!(f.kind, FieldKind::File(_))
            && match rec.get(&f.name) {
                Some(Value::Array(a)) => a.iter().any(is_file),
                Some(v) => is_file(v),
                None => false,
            }
    })
}

/// Takes the file values out of `rec`'s file fields (leaving their names) and stores them. Returns
/// the stored names and storage keys; the files go again if `tx` rolls back.
pub fn stage(
    app: &App,
    tx: &Tx,
    c: &Collection,
    rec: &mut Record,
) -> Result<(Vec<String>, Vec<String>), StageError> {
    if !has_files(c, rec) {
        return Ok((Vec::new(), Vec::new()));
    }
    if rec.id().is_empty() {
        let mut body = Map::new();
        super::record_write::ensure_record_id(c, &mut body);
        if let Some(id) = body.remove("id") {
            rec.set("id", id);
        }
    }
    let mut errors = Errors::new();
    let mut uploads: Vec<(String, String, Content)> = Vec::new();
    for f in &c.fields {
        let FieldKind::File(opts) = &f.kind else {
            continue;
        };
        let Some(value) = rec.get(&f.name).cloned() else {
            continue;
        };
        let was_list = value.is_array();
        let items = match value {
            Value::Array(a) => a,
            other => vec![other],
        };
        if !items.iter().any(is_file) {
            continue;
        }
        let mut out = Vec::new();
        for item in items {
            if !is_file(&item) {
                out.push(item);
                continue;
            }
            let original = item["originalName"].as_str().unwrap_or("").to_string();
            let bytes = content(&item).map_err(|e| StageError::Failed(AppError::internal(e)))?;
            let mut name = item["name"].as_str().unwrap_or("").to_string();
            if name.is_empty() || name.contains(['/', '\\']) || name.starts_with('.') {
                name = normalize_name(&original, &bytes);
            }
            let data = Content::from(bytes);
            if let Err(e) = record_files::check(opts, &original, &name, &data) {
                errors.add(f.name.clone(), e);
                continue;
            }
            out.push(Value::String(name.clone()));
            uploads.push((name, original, data));
        }
        let value = if was_list {
            Value::Array(out)
        } else {
            out.pop().unwrap_or_else(|| Value::String(String::new()))
        };
        rec.set(&f.name, value);
    }
    if !errors.is_empty() {
        return Err(StageError::Invalid(errors));
    }
    let names: Vec<String> = uploads.iter().map(|(n, _, _)| n.clone()).collect();
    let keys: Vec<String> = names
        .iter()
        .map(|n| record_key(&c.id, rec.id(), n))
        .collect();
    let files = app.files();
    let keys2 = keys.clone();
    let written = block_on(async move {
        for (key, (name, original, data)) in keys2.iter().zip(&uploads) {
            if let Err(e) = files.put(key, data, original).await {
                return Err(format!("failed to upload {name}: {e}"));
            }
        }
        Ok(())
    })
    .and_then(|r| r);
    if let Err(e) = written {
        remove_now(app, keys);
        return Err(StageError::Failed(AppError::internal(e)));
    }
    let (app2, keys2) = (app.clone(), keys.clone());
    tx.after_rollback(move || remove_now(&app2, keys2));
    Ok((names, keys))
}

/// Removes stored files right away (the save that stored them failed).
pub fn remove_now(app: &App, keys: Vec<String>) {
    if keys.is_empty() {
        return;
    }
    let app2 = app.clone();
    let _ = block_on(async move { record_files::remove(&app2, &keys).await });
}

/// Runs a future to completion on the calling thread (the writer thread: never an async worker).
fn block_on<F: std::future::Future>(f: F) -> Result<F::Output, String> {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?;
    Ok(rt.block_on(f))
}
