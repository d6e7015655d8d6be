//! Serving record files (spec 06 §4–§5): finding the record and the file field, the protected-file
//! check with a `file` token and the view rule, view records served from their source record,
//! thumbs, and issuing file tokens.

use super::auth_state::{load_token, Requester};
use super::rules::{self, RequestInfo};
use crate::app::events::{FileDownloadRequestEvent, FileTokenRequestEvent};
use crate::app::{App, AppError};
use crate::auth::token::{self, TokenType};
use crate::files::{self, StoredObject, DEFAULT_THUMBS, THUMB_SOURCE_TYPES};
use crate::model::field::canonical_thumb;
use crate::model::field::FieldKind;
use crate::model::record::Record;
use crate::model::{Collection, Field};
use crate::store::records::ListQuery;
use crate::store::{self, view_inspect};
use std::net::IpAddr;
use std::sync::Arc;

/// How deep view-on-view file lookups may go.
const MAX_VIEW_DEPTH: usize = 5;

/// The object to serve and the name it is served under (`<thumb>_<name>` for thumbs).
#[derive(Debug, Clone)]
pub struct Download {
    pub object: StoredObject,
    pub name: String,
}

/// One `GET /api/files/{collection}/{recordId}/{filename}` request.
#[derive(Debug, Clone, Default)]
pub struct DownloadRequest {
    pub collection: String,
    pub record_id: String,
    pub filename: String,
    pub thumb: Option<String>,
    /// `?token=` (the `Authorization` header is not used for files).
    pub token: Option<String>,
    /// The client IP (for `superuserIPs`).
    pub ip: String,
    /// The request data for `@request.*` in the view rule (auth and context are replaced).
    pub info: RequestInfo,
}

/// The values of a file field as a list of names.
fn file_names(record: &Record, field: &Field) -> Vec<String> {
    match record.get(&field.name) {
        Some(serde_json::Value::String(s)) if !s.is_empty() => vec![s.clone()],
        Some(serde_json::Value::Array(a)) => a
            .iter()
            .filter_map(|v| v.as_str().map(str::to_string))
            .collect(),
        _ => Vec::new(),
    }
}

/// The file field of `record` that holds `filename`.
fn field_with_file<'a>(c: &'a Collection, record: &Record, filename: &str) -> Option<&'a Field> {
    c.fields
        .iter()
        .filter(|f| matches!(f.kind, FieldKind::File(_)))
        .find(|f| file_names(record, f).iter().any(|n| n == filename))
}

/// True when `ip` is in one of the IPs or CIDR ranges of `list` (an empty list allows every IP).
pub fn ip_allowed(ip: &str, list: &[String]) -> bool {
    let entries: Vec<&str> = list
        .iter()
        .map(|s| s.trim())
        .filter(|s| !s.is_empty())
        .collect();
    if entries.is_empty() {
        return true;
    }
    let Ok(ip) = ip.parse::<IpAddr>() else {
        return false;
    };
    entries.iter().any(|entry| {
        let (addr, bits) = match entry.split_once('/') {
            Some((a, b)) => (a, b.parse::<u32>().ok()),
            None => (*entry, None),
        };
        match (addr.parse::<IpAddr>(), ip) {
            (Ok(IpAddr::V4(net)), IpAddr::V4(ip)) => {
                let bits = bits.unwrap_or(32).min(32);
                let mask = if bits == 0 {
                    0
                } else {
                    u32::MAX << (32 - bits)
                };
                u32::from(net) & mask == u32::from(ip) & mask
            }
            (Ok(IpAddr::V6(net)), IpAddr::V6(ip)) => {
                let bits = bits.unwrap_or(128).min(128);
                let mask = if bits == 0 {
                    0
                } else {
                    u128::MAX << (128 - bits)
                };
                u128::from(net) & mask == u128::from(ip) & mask
            }
            _ => false,
        }
    })
}

/// The requester of a protected file: the record of a valid `file` token (a superuser only from an
/// allowed IP), else a guest.
async fn file_requester(app: &App, token: Option<&str>, ip: &str) -> Requester {
    let auth = load_token(app, token.filter(|t| !t.is_empty())?, &[TokenType::File]).await?;
    if auth.is_superuser() && !ip_allowed(ip, &app.settings().superuser_ips) {
        return None;
    }
    Some(auth)
}

/// True when the requester may read the protected files of `record` (the view rule with
/// `@request.context = "protectedFile"`; superusers always).
async fn can_access(
    app: &App,
    c: &Arc<Collection>,
    record_id: &str,
    requester: &Requester,
    mut info: RequestInfo,
) -> bool {
    if requester.as_ref().is_some_and(|a| a.is_superuser()) {
        return true;
    }
    let Some(rule) = c.view_rule.as_deref() else {
        return false;
    };
    if rule.trim().is_empty() {
        return true;
    }
    info.context = "protectedFile".into();
    info.auth = requester
        .as_ref()
        .map(|a| (a.collection.clone(), a.record.data.clone()));
    rules::record_matches_with(app, c, rule, record_id, &info)
        .await
        .unwrap_or(false)
}

/// Text of a filter string literal.
fn quoted(s: &str) -> String {
    format!("'{}'", s.replace('\\', "\\\\").replace('\'', "\\'"))
}

/// The `(collectionId, recordId)` directory that holds a view record's file: the base record whose
/// source field (followed through nested views) contains `filename`.
async fn view_file_source(
    app: &App,
    view: &Collection,
    field: &str,
    filename: &str,
) -> Result<(String, String), AppError> {
    let mut current = view.clone();
    let mut field = field.to_string();
    for _ in 0..MAX_VIEW_DEPTH {
        let query = current.view_query.trim().trim_end_matches(';').to_string();
        let columns = app
            .db()
            .read(move |conn| view_inspect::inspect(conn, &query))
            .await?;
        let (table, column) = columns
            .into_iter()
            .find(|c| c.name == field)
            .and_then(|c| c.origin)
            .ok_or_else(AppError::not_found)?;
        let source = app
            .find_collection(&table)
            .ok_or_else(AppError::not_found)?;
        if source.is_view() {
            current = (*source).clone();
            field = column;
            continue;
        }
        let source_field = source.field(&column).ok_or_else(AppError::not_found)?;
        let filter = if source_field.is_multiple() {
            format!("{column}:each ?= {}", quoted(filename))
        } else {
            format!("{column} = {}", quoted(filename))
        };
        let all = app.collections();
        let (joins, where_sql, params) =
            rules::build_condition(&source, &all, &filter, &RequestInfo::default(), true, "vf")?;
        let s2 = source.clone();
        let found = app
            .db()
            .read(move |conn| {
                store::records::list(
                    conn,
                    &ListQuery {
                        collection: &s2,
                        joins,
                        where_sql,
                        order_sql: String::new(),
                        params,
                        limit: 1,
                        offset: 0,
                    },
                )
            })
            .await?;
        let record = found.into_iter().next().ok_or_else(AppError::not_found)?;
        return Ok((source.id.clone(), record.id().to_string()));
    }
    Err(AppError::not_found())
}

/// Resolves a file request to the stored object (every failure is a 404).
pub async fn download(app: &App, req: DownloadRequest) -> Result<Download, AppError> {
    let c = app
        .find_collection(&req.collection)
        .ok_or_else(|| AppError::NotFound("Missing or invalid collection context.".into()))?;
    let (c2, id) = (c.clone(), req.record_id.clone());
    let record = app
        .db()
        .read(move |conn| store::records::find_by_id(conn, &c2, &id))
        .await?
        .ok_or_else(AppError::not_found)?;
    let field = field_with_file(&c, &record, &req.filename).ok_or_else(AppError::not_found)?;
    let FieldKind::File(options) = &field.kind else {
        return Err(AppError::not_found());
    };
    let mut requester = None;
    if options.protected {
        requester = file_requester(app, req.token.as_deref(), &req.ip).await;
        if !can_access(app, &c, record.id(), &requester, req.info.clone()).await {
            return Err(AppError::not_found());
        }
    }
    let (dir_col, dir_rec) = if c.is_view() {
        view_file_source(app, &c, &field.name, &req.filename).await?
    } else {
        (c.id.clone(), record.id().to_string())
    };
    let store = app.files();
    let original = files::record_key(&dir_col, &dir_rec, &req.filename);
    let mut served = (original.clone(), req.filename.clone());
    if let Some(thumb) = req.thumb.as_deref().filter(|t| !t.is_empty()) {
        let thumb = canonical_thumb(thumb);
        let thumb = thumb.as_str();
        let allowed = DEFAULT_THUMBS.contains(&thumb) || options.thumbs.iter().any(|t| t == thumb);
        if allowed {
            let attrs = store
                .get(&original)
                .await
                .map_err(|_| AppError::not_found())?;
            if THUMB_SOURCE_TYPES.contains(&attrs.content_type.as_str()) {
                let key = files::thumb_key(&dir_col, &dir_rec, &req.filename, thumb);
                match store.ensure_thumb(&original, &key, thumb).await {
                    Ok(()) => served = (key, format!("{thumb}_{}", req.filename)),
                    Err(e) => tracing::warn!("failed to create thumb {thumb} of {original}: {e}"),
                }
            }
        }
    }
    if !app.hooks().on_file_download_request.is_empty() {
        let ev = FileDownloadRequestEvent {
            app: app.clone(),
            collection: c.clone(),
            file_field: serde_json::to_value(field).unwrap_or_default(),
            record,
            served_path: served.0,
            served_name: served.1,
            request: super::record_write::request_data(&requester, &req.info),
        };
        let ev = super::hook_run::trigger_detached(app, |h| &h.on_file_download_request, ev)
            .await?
            .ok_or(AppError::Stopped)?;
        served = (ev.served_path, ev.served_name);
    }
    let object = store
        .get(&served.0)
        .await
        .map_err(|_| AppError::not_found())?;
    Ok(Download {
        object,
        name: served.1,
    })
}

/// `POST /api/files/token` through `onFileTokenRequest`.
pub async fn file_token_request(app: &App, requester: &Requester) -> Result<String, AppError> {
    let token = file_token(requester)?;
    let (Some(auth), false) = (requester, app.hooks().on_file_token_request.is_empty()) else {
        return Ok(token);
    };
    let info = rules::request_info(requester, "POST", "default");
    let ev = FileTokenRequestEvent {
        app: app.clone(),
        collection: auth.collection.clone(),
        record: auth.record.clone(),
        token,
        request: super::record_write::request_data(requester, &info),
    };
    let ev = super::hook_run::trigger_detached(app, |h| &h.on_file_token_request, ev)
        .await?
        .ok_or(AppError::Stopped)?;
    Ok(ev.token)
}

/// A short-lived `file` token for the signed-in record.
pub fn file_token(requester: &Requester) -> Result<String, AppError> {
    let auth = requester.as_ref().ok_or_else(|| {
        AppError::Unauthorized("The request requires valid record authorization token.".into())
    })?;
    let options = auth
        .collection
        .auth
        .as_ref()
        .ok_or_else(AppError::not_found)?;
    token::new_token(
        TokenType::File,
        auth.record.id(),
        &auth.collection.id,
        options.file_token.duration,
        auth.record.get_str("tokenKey"),
        &options.file_token.secret,
    )
    .map_err(AppError::internal)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn superuser_ips() {
        let list = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert!(ip_allowed("1.2.3.4", &[]));
        assert!(ip_allowed("1.2.3.4", &list(&[""])));
        assert!(ip_allowed("127.0.0.1", &list(&["127.0.0.1"])));
        assert!(ip_allowed("10.1.2.3", &list(&["10.0.0.0/8"])));
        assert!(!ip_allowed("11.1.2.3", &list(&["10.0.0.0/8"])));
        assert!(ip_allowed("::1", &list(&["::1"])));
        assert!(ip_allowed("fe80::1", &list(&["fe80::/10"])));
        assert!(!ip_allowed("127.0.0.1", &list(&["::1"])));
        assert!(!ip_allowed("garbage", &list(&["127.0.0.1"])));
        assert!(ip_allowed("5.6.7.8", &list(&["0.0.0.0/0"])));
    }

    #[test]
    fn filter_literals_are_escaped() {
        assert_eq!(quoted("a'b\\c"), "'a\\'b\\\\c'");
    }
}
