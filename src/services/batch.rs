//! `POST /api/batch`: create/update/upsert/delete sub-requests run in order inside one transaction.

use super::auth_state::Requester;
use super::rate_limit;
use super::record_files::{self, FilePart};
use super::record_json::{record_json, visibility_for};
use super::record_write::{create_in, delete_in, ensure_record_id, update_in, RecordInput};
use crate::app::events::BatchRequestEvent;
use crate::app::{App, AppError};
use crate::model::{Errors, ValidationError};
use crate::store::resolver::RequestInfo;
use crate::store::{self};
use serde_json::{Map, Value};
use std::collections::HashMap;
use std::time::{Duration, Instant};

/// One sub-request's answer: status, body, and its own query parameters (for `fields`/`expand`).
pub struct BatchResponse {
    pub status: u16,
    pub body: Value,
    pub query: HashMap<String, String>,
}

/// Why a batch failed: either the envelope itself, or sub-request `index` with its error.
pub enum BatchError {
    Envelope(AppError),
    Request { index: usize, error: AppError },
}

impl From<AppError> for BatchError {
    fn from(e: AppError) -> Self {
        BatchError::Envelope(e)
    }
}

struct SubRequest {
    method: String,
    collection: String,
    id: Option<String>,
    query: HashMap<String, String>,
    input: RecordInput,
}

fn invalid(msg_errors: Errors) -> AppError {
    AppError::validation("Invalid batch request data.", msg_errors)
}

/// Parses `/api/collections/{c}/records[/{id}][?query]`.
fn parse_url(url: &str) -> Option<(String, Option<String>, HashMap<String, String>)> {
    let (path, query) = url.split_once('?').unwrap_or((url, ""));
    let rest = path.strip_prefix("/api/collections/")?;
    let mut parts = rest.split('/');
    let collection = parts.next().filter(|s| !s.is_empty())?.to_string();
    if parts.next()? != "records" {
        return None;
    }
    let id = parts.next().filter(|s| !s.is_empty()).map(String::from);
    if parts.next().is_some() {
        return None;
    }
    let mut q = HashMap::new();
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        q.entry(percent_decode(k))
            .or_insert_with(|| percent_decode(v));
    }
    Some((
        percent_decode(&collection),
        id.map(|i| percent_decode(&i)),
        q,
    ))
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => match u8::from_str_radix(&s[i + 1..i + 3], 16) {
                Ok(b) => {
                    out.push(b);
                    i += 2;
                }
                Err(_) => out.push(b'%'),
            },
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn parse_entry(v: &Value) -> Option<SubRequest> {
    let obj = v.as_object()?;
    let method = obj.get("method")?.as_str()?.to_uppercase();
    let url = obj.get("url")?.as_str()?;
    let (collection, id, query) = parse_url(url)?;
    let body = match obj.get("body") {
        None | Some(Value::Null) => Map::new(),
        Some(Value::Object(m)) => m.clone(),
        Some(_) => return None,
    };
    let valid = matches!(
        (method.as_str(), id.is_some()),
        ("POST", false) | ("PUT", false) | ("PATCH", true) | ("DELETE", true)
    );
    valid.then_some(SubRequest {
        method,
        collection,
        id,
        query,
        input: RecordInput {
            body,
            uploads: Vec::new(),
        },
    })
}

/// Runs a batch for `requester`; `base` carries the outer request's headers and query.
pub async fn run(
    app: &App,
    envelope: Value,
    requester: &Requester,
    base: RequestInfo,
    files: Vec<FilePart>,
    client_ip: String,
) -> Result<Vec<BatchResponse>, BatchError> {
    let settings = app.settings();
    if !settings.batch.enabled {
        return Err(AppError::Forbidden("Batch requests are not allowed.".into()).into());
    }
    let requests = match envelope.get("requests") {
        Some(Value::Array(r)) if !r.is_empty() => r.clone(),
        Some(Value::Array(_)) | None | Some(Value::Null) => {
            let mut e = Errors::new();
            e.add("requests", ValidationError::required());
            return Err(invalid(e).into());
        }
        Some(_) => {
            return Err(AppError::bad_request("Failed to read the submitted batch data.").into())
        }
    };
    let max = settings.batch.max_requests;
    if max > 0 && requests.len() as i64 > max {
        let mut e = Errors::new();
        e.add(
            "requests",
            ValidationError::new(
                "validation_length_too_long",
                "The length must be no more than {max}.",
            )
            .param("max", max)
            .param("min", 0),
        );
        return Err(invalid(e).into());
    }
    let requests = if app.hooks().on_batch_request.is_empty() {
        requests
    } else {
        let ev = BatchRequestEvent {
            app: app.clone(),
            batch: requests,
            request: super::record_write::request_data(requester, &base),
        };
        super::hook_run::trigger_detached(app, |h| &h.on_batch_request, ev)
            .await?
            .ok_or(AppError::Stopped)?
            .batch
    };
    let timeout = Duration::from_secs(settings.batch.timeout.max(1) as u64);
    let mut subs: Vec<Option<SubRequest>> = requests.iter().map(parse_entry).collect();
    let written = attach_uploads(app, &mut subs, files).await?;
    let app2 = app.clone();
    let requester2 = requester.clone();
    let result = app
        .db()
        .write(move |tx| {
            let started = Instant::now();
            let mut out = Vec::with_capacity(requests.len());
            for (index, sub) in subs.into_iter().enumerate() {
                if started.elapsed() > timeout {
                    return Err(BatchError::Envelope(AppError::bad_request(
                        "Batch transaction timeout.",
                    )));
                }
                let fail = |error: AppError| BatchError::Request { index, error };
                let sub = sub.ok_or_else(|| fail(AppError::bad_request("")))?;
                let c = app2
                    .find_collection_in(tx, &sub.collection)
                    .map_err(|e| fail(e.into()))?
                    .ok_or_else(|| {
                        fail(AppError::NotFound("Missing collection context.".into()))
                    })?;
                let mut info = base.clone();
                info.context = "batch".into();
                info.method = sub.method.clone();
                let limit = |tag: &str| {
                    let path = match &sub.id {
                        Some(id) => format!("/api/collections/{}/records/{id}", sub.collection),
                        None => format!("/api/collections/{}/records", sub.collection),
                    };
                    let client = rate_limit::Client {
                        ip: &client_ip,
                        requester: &requester2,
                    };
                    rate_limit::check_collection(
                        &app2,
                        &c,
                        &[tag],
                        (&sub.method, &path, ""),
                        client,
                    )
                    .map_err(fail)
                };
                let record = match (sub.method.as_str(), &sub.id) {
                    ("POST", _) => {
                        limit("create")?;
                        Some(create_in(&app2, tx, &c, &sub.input, &requester2, &mut info))
                    }
                    ("PUT", _) => {
                        let id = sub
                            .input
                            .body
                            .get("id")
                            .and_then(Value::as_str)
                            .unwrap_or("")
                            .to_string();
                        let exists = !id.is_empty()
                            && tx
                                .with(|conn| store::records::exists(conn, &c, &id))
                                .map_err(|e| fail(e.into()))?;
                        limit(if exists { "update" } else { "create" })?;
                        if exists {
                            Some(update_in(
                                &app2,
                                tx,
                                &c,
                                &id,
                                &sub.input,
                                &requester2,
                                &mut info,
                            ))
                        } else {
                            Some(create_in(&app2, tx, &c, &sub.input, &requester2, &mut info))
                        }
                    }
                    ("PATCH", Some(id)) => {
                        limit("update")?;
                        Some(update_in(
                            &app2,
                            tx,
                            &c,
                            id,
                            &sub.input,
                            &requester2,
                            &mut info,
                        ))
                    }
                    (_, Some(id)) => {
                        limit("delete")?;
                        delete_in(&app2, tx, &c, id, &requester2, &mut info).map_err(fail)?;
                        None
                    }
                    _ => return Err(fail(AppError::bad_request(""))),
                };
                match record {
                    Some(res) => {
                        let rec = res.map_err(fail)?;
                        let body = record_json(&c, &rec, visibility_for(&c, &rec, &requester2));
                        let body =
                            super::record_enrich::enrich(&app2, &c, &rec, body, &requester2, &info)
                                .map_err(fail)?;
                        out.push(BatchResponse {
                            status: 200,
                            body,
                            query: sub.query,
                        });
                    }
                    None => out.push(BatchResponse {
                        status: 204,
                        body: Value::Null,
                        query: sub.query,
                    }),
                }
            }
            Ok(out)
        })
        .await;
    if result.is_err() {
        record_files::remove(app, &written).await;
    }
    result
}

/// The sub-request index and field of a batch file part (`requests.N.field` or `requests[N].field`).
fn file_target(key: &str) -> Option<(usize, String)> {
    let rest = key.strip_prefix("requests")?;
    let (index, field) = if let Some(r) = rest.strip_prefix('[') {
        let (n, f) = r.split_once(']')?;
        (n, f.strip_prefix('.')?)
    } else {
        rest.strip_prefix('.')?.split_once('.')?
    };
    Some((index.parse().ok()?, field.to_string()))
}

/// Validates and writes the files of every sub-request before the transaction; returns the written keys.
async fn attach_uploads(
    app: &App,
    subs: &mut [Option<SubRequest>],
    files: Vec<FilePart>,
) -> Result<Vec<String>, BatchError> {
    let mut per_request: HashMap<usize, Vec<FilePart>> = HashMap::new();
    for part in files {
        if let Some((index, field)) = file_target(&part.key) {
            // the batch layer names the part once, the record layer once more (two suffixes, like PocketBase)
            let filename = crate::files::normalize_name(&part.filename, part.content.head());
            per_request.entry(index).or_default().push(FilePart {
                key: field,
                filename,
                content: part.content,
            });
        }
    }
    let mut written = Vec::new();
    let mut indexes: Vec<usize> = per_request.keys().copied().collect();
    indexes.sort_unstable();
    for index in indexes {
        let parts = per_request.remove(&index).unwrap_or_default();
        let Some(Some(sub)) = subs.get_mut(index) else {
            continue;
        };
        let Some(c) = app.find_collection(&sub.collection) else {
            continue;
        };
        let is_new = sub.method == "POST" || (sub.method == "PUT" && sub.id.is_none());
        let failure = if is_new {
            "Failed to create record."
        } else {
            "Failed to update record."
        };
        let uploads = match record_files::plan(&c, parts) {
            Ok(u) => u,
            Err(e) => {
                record_files::remove(app, &written).await;
                return Err(BatchError::Request {
                    index,
                    error: AppError::validation(failure, e),
                });
            }
        };
        if is_new {
            ensure_record_id(&c, &mut sub.input.body);
        }
        let record_id = sub
            .id
            .clone()
            .or_else(|| {
                sub.input
                    .body
                    .get("id")
                    .and_then(Value::as_str)
                    .map(String::from)
            })
            .unwrap_or_default();
        if let Err(error) = record_files::write(app, &c, &record_id, &uploads).await {
            record_files::remove(app, &written).await;
            return Err(BatchError::Request { index, error });
        }
        written.extend(record_files::keys(&c, &record_id, &uploads));
        sub.input.uploads = uploads;
    }
    Ok(written)
}

impl From<store::StoreError> for BatchError {
    fn from(e: store::StoreError) -> Self {
        BatchError::Envelope(e.into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls() {
        let (c, id, q) =
            parse_url("/api/collections/notes/records/abc?fields=id%2Ctext&expand=a").unwrap();
        assert_eq!((c.as_str(), id.as_deref()), ("notes", Some("abc")));
        assert_eq!(q.get("fields").map(String::as_str), Some("id,text"));
        assert!(parse_url("/api/collections/notes/auth-refresh").is_none());
        assert!(parse_url("/api/health").is_none());
        assert!(parse_entry(&Value::Null).is_none());
        assert!(parse_entry(&serde_json::json!({"method": 5, "url": "/x"})).is_none());
        assert!(parse_entry(
            &serde_json::json!({"method": "GET", "url": "/api/collections/a/records"})
        )
        .is_none());
    }
}
