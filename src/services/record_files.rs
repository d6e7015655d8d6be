//! File uploads of record create/update: validating the parts, writing them to storage before the
//! transaction, and deleting replaced files after it commits (or the new ones when it fails).

use crate::app::{App, AppError};
use crate::files::{detect_mime, mime_allowed, normalize_name, record_key, Content};
use crate::model::field::FileOptions;
use crate::model::record::Record;
use crate::model::{Collection, Errors, FieldKind, ValidationError};
use serde_json::{Map, Value};

/// The default per-file size limit (5 MiB).
pub const DEFAULT_MAX_SIZE: i64 = 5 << 20;

/// The bytes the file fields of `c` may take in one request: each field's max size (5 MiB when unset)
/// times its max select (view collections take none).
pub fn upload_allowance(c: &Collection) -> u64 {
    if c.is_view() {
        return 0;
    }
    c.fields
        .iter()
        .filter_map(|f| match &f.kind {
            FieldKind::File(o) => {
                let size = if o.max_size > 0 {
                    o.max_size
                } else {
                    DEFAULT_MAX_SIZE
                };
                Some(size as u64 * o.max_select.max(1) as u64)
            }
            _ => None,
        })
        .fold(0u64, u64::saturating_add)
}

/// One uploaded file part, as the HTTP layer received it.
#[derive(Debug, Clone)]
pub struct FilePart {
    /// The form key: `field`, `field+` or `+field`.
    pub key: String,
    pub filename: String,
    pub content: Content,
}

/// An accepted upload: where it goes and under which stored name.
#[derive(Debug, Clone)]
pub struct Upload {
    pub field: String,
    pub prepend: bool,
    pub append: bool,
    pub name: String,
    part: FilePart,
}

/// Checks every part against its file field (size, MIME) and gives each its stored name.
pub fn plan(c: &Collection, parts: Vec<FilePart>) -> Result<Vec<Upload>, Errors> {
    let mut errors = Errors::new();
    let mut out = Vec::new();
    for part in parts {
        let (name, prepend, append) = if let Some(n) = part.key.strip_prefix('+') {
            (n.to_string(), true, false)
        } else if let Some(n) = part.key.strip_suffix('+') {
            (n.to_string(), false, true)
        } else {
            (part.key.clone(), false, false)
        };
        let Some(field) = c.field(&name) else {
            continue;
        };
        let FieldKind::File(opts) = &field.kind else {
            continue;
        };
        let stored = normalize_name(&part.filename, part.content.head());
        if let Err(e) = check(opts, &part.filename, &stored, &part.content) {
            errors.add(name.clone(), e);
            continue;
        }
        out.push(Upload {
            field: name,
            prepend,
            append,
            name: stored,
            part,
        });
    }
    errors.into_result().map(|_| out)
}

/// Checks one new file of a file field: its size against the field's limit (5 MiB when unset) and its
/// sniffed type against the allowed MIME types. `stored` is the name it will be stored under.
pub fn check(
    opts: &FileOptions,
    filename: &str,
    stored: &str,
    content: &Content,
) -> Result<(), ValidationError> {
    let max = if opts.max_size > 0 {
        opts.max_size
    } else {
        DEFAULT_MAX_SIZE
    };
    if content.len() > max as u64 {
        return Err(ValidationError::new(
            "validation_file_size_limit",
            &format!("Failed to upload {filename} - the maximum allowed file size is {max} bytes."),
        )
        .param("file", filename.to_string())
        .param("maxSize", max));
    }
    if !opts.mime_types.is_empty() && !mime_allowed(&detect_mime(content.head()), &opts.mime_types)
    {
        return Err(ValidationError::new(
            "validation_invalid_mime_type",
            &format!(
                "\"{stored}\" mime type must be one of: {}.",
                opts.mime_types.join(", ")
            ),
        ));
    }
    Ok(())
}

/// Writes the uploads of record `record_id`; on any failure the ones written are removed again.
pub async fn write(
    app: &App,
    c: &Collection,
    record_id: &str,
    uploads: &[Upload],
) -> Result<(), AppError> {
    let mut written = Vec::new();
    for u in uploads {
        let key = record_key(&c.id, record_id, &u.name);
        if let Err(e) = app
            .files()
            .put(&key, &u.part.content, &u.part.filename)
            .await
        {
            remove(app, &written).await;
            return Err(AppError::internal(format!(
                "failed to upload {}: {e}",
                u.name
            )));
        }
        written.push(key);
    }
    Ok(())
}

/// Removes storage keys (failures are logged).
pub async fn remove(app: &App, keys: &[String]) {
    for key in keys {
        if let Err(e) = app.files().delete(key).await {
            tracing::warn!("failed to delete {key}: {e}");
        }
    }
}

/// The storage keys of a record's uploads (to undo them).
pub fn keys(c: &Collection, record_id: &str, uploads: &[Upload]) -> Vec<String> {
    uploads
        .iter()
        .map(|u| record_key(&c.id, record_id, &u.name))
        .collect()
}

/// Adds the uploaded names to the record's file fields: a plain key replaces (kept names first, then the
/// uploads), `field+` appends, `+field` prepends. Returns the names of the new files.
pub fn apply(
    c: &Collection,
    rec: &mut Record,
    uploads: &[Upload],
    body: &Map<String, Value>,
) -> Vec<String> {
    for f in c
        .fields
        .iter()
        .filter(|f| matches!(f.kind, FieldKind::File(_)))
    {
        let mine: Vec<&Upload> = uploads.iter().filter(|u| u.field == f.name).collect();
        if mine.is_empty() {
            continue;
        }
        let mut current: Vec<String> = names_of(rec.get(&f.name));
        let replaced = mine.iter().any(|u| !u.append && !u.prepend);
        if replaced && !body.contains_key(&f.name) {
            current.clear();
        }
        let front: Vec<String> = mine
            .iter()
            .filter(|u| u.prepend)
            .map(|u| u.name.clone())
            .collect();
        let back: Vec<String> = mine
            .iter()
            .filter(|u| !u.prepend)
            .map(|u| u.name.clone())
            .collect();
        let all: Vec<Value> = front
            .into_iter()
            .chain(current)
            .chain(back)
            .map(Value::String)
            .collect();
        let value = if f.is_multiple() {
            Value::Array(all)
        } else {
            all.last().cloned().unwrap_or(Value::String(String::new()))
        };
        rec.set(&f.name, value);
    }
    uploads.iter().map(|u| u.name.clone()).collect()
}

/// The file names a value holds.
pub fn names_of(v: Option<&Value>) -> Vec<String> {
    match v {
        Some(Value::String(s)) if !s.is_empty() => vec![s.clone()],
        Some(Value::Array(a)) => a
            .iter()
            .filter_map(|x| x.as_str().map(String::from))
            .collect(),
        _ => Vec::new(),
    }
}

/// File names of `old` that `new` no longer holds.
pub fn removed_names(c: &Collection, old: &Record, new: Option<&Record>) -> Vec<String> {
    let mut out = Vec::new();
    for f in c
        .fields
        .iter()
        .filter(|f| matches!(f.kind, FieldKind::File(_)))
    {
        let kept = new.map(|n| names_of(n.get(&f.name))).unwrap_or_default();
        for name in names_of(old.get(&f.name)) {
            if !kept.contains(&name) {
                out.push(name);
            }
        }
    }
    out
}

/// Deletes files (and their thumbs) in the background once the transaction committed.
pub fn delete_after_commit(
    app: &App,
    tx: &crate::store::Tx,
    collection_id: &str,
    record_id: &str,
    names: Vec<String>,
    whole_record: bool,
) {
    if names.is_empty() && !whole_record {
        return;
    }
    let app2 = app.clone();
    let (cid, rid) = (collection_id.to_string(), record_id.to_string());
    tx.after_commit(move || {
        let app3 = app2.clone();
        app2.spawn(async move {
            let files = app3.files();
            if whole_record {
                if let Err(e) = files.delete_prefix(&format!("{cid}/{rid}/")).await {
                    tracing::warn!("failed to delete the files of {cid}/{rid}: {e}");
                }
                return;
            }
            for name in names
                .iter()
                .filter(|n| !n.contains('/') && !n.contains('\\'))
            {
                let _ = files.delete(&record_key(&cid, &rid, name)).await;
                let _ = files
                    .delete_prefix(&format!("{cid}/{rid}/thumbs_{name}/"))
                    .await;
            }
        });
    });
}
