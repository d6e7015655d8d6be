//! Request extractors that answer bad input with `ApiError`: bodies (JSON, urlencoded, multipart text fields),
//! query strings and the requester's auth state.

use super::error::ApiError;
use crate::services::auth_state::Requester;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use serde_json::{Map, Value};
use std::collections::HashMap;

/// The request's Content-Type, lower-cased ("" when missing).
fn content_type(req: &Request) -> String {
    req.headers()
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_lowercase()
}

/// A parsed request body. JSON bodies keep their shape; forms become string values. Empty → `{}`.
pub struct Body(pub Value);

impl<S: Send + Sync> FromRequest<S> for Body {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let content_type = content_type(&req);
        if content_type.starts_with("multipart/form-data") {
            let mut mp = axum::extract::Multipart::from_request(req, state)
                .await
                .map_err(|_| {
                    ApiError::bad_request(
                        "Failed to load the submitted data due to invalid formatting.",
                    )
                })?;
            let mut map = Map::new();
            while let Some(field) = mp
                .next_field()
                .await
                .map_err(|e| body_error(e.status().as_u16()))?
            {
                let name = field.name().unwrap_or("").to_string();
                if field.file_name().is_some() {
                    continue;
                }
                let text = field
                    .text()
                    .await
                    .map_err(|e| body_error(e.status().as_u16()))?;
                if name == "@jsonPayload" {
                    if let Ok(Value::Object(m)) = serde_json::from_str::<Value>(&text) {
                        map.extend(m);
                    }
                    continue;
                }
                push_form_value(&mut map, name, text);
            }
            return Ok(Body(Value::Object(map)));
        }
        let bytes = axum::body::Bytes::from_request(req, state)
            .await
            .map_err(|e| body_error(e.status().as_u16()))?;
        if bytes.iter().all(u8::is_ascii_whitespace) {
            return Ok(Body(Value::Object(Map::new())));
        }
        if content_type.starts_with("application/x-www-form-urlencoded") {
            let mut map = Map::new();
            for (k, v) in form_urlencoded_pairs(&bytes) {
                push_form_value(&mut map, k, v);
            }
            return Ok(Body(Value::Object(map)));
        }
        serde_json::from_slice(&bytes).map(Body).map_err(|_| {
            ApiError::bad_request("Failed to load the submitted data due to invalid formatting.")
        })
    }
}

fn body_error(status: u16) -> ApiError {
    if status == 413 {
        ApiError::too_large()
    } else {
        ApiError::bad_request("Failed to load the submitted data due to invalid formatting.")
    }
}

/// Repeated form keys become arrays.
fn push_form_value(map: &mut Map<String, Value>, key: String, value: String) {
    match map.get_mut(&key) {
        Some(Value::Array(a)) => a.push(Value::String(value)),
        Some(existing) => {
            let first = existing.take();
            *existing = Value::Array(vec![first, Value::String(value)]);
        }
        None => {
            map.insert(key, Value::String(value));
        }
    }
}

fn form_urlencoded_pairs(bytes: &[u8]) -> Vec<(String, String)> {
    let text = String::from_utf8_lossy(bytes);
    text.split('&')
        .filter(|p| !p.is_empty())
        .map(|pair| {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            (percent_decode(k), percent_decode(v))
        })
        .collect()
}

/// Decodes `%XX` and `+` (invalid escapes are kept as written).
pub fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => {
                let hex = std::str::from_utf8(&bytes[i + 1..i + 3])
                    .ok()
                    .and_then(|h| u8::from_str_radix(h, 16).ok());
                match hex {
                    Some(b) => {
                        out.push(b);
                        i += 2;
                    }
                    None => out.push(b'%'),
                }
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The query string as a map (first value of each key); never rejects.
pub struct QueryMap(pub HashMap<String, String>);

impl<S: Send + Sync> FromRequestParts<S> for QueryMap {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let mut map = HashMap::new();
        if let Some(q) = parts.uri.query() {
            for (k, v) in form_urlencoded_pairs(q.as_bytes()) {
                map.entry(k).or_insert(v);
            }
        }
        Ok(QueryMap(map))
    }
}

/// The requester, loaded by the auth middleware.
pub struct Auth(pub Requester);

impl<S: Send + Sync> FromRequestParts<S> for Auth {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(Auth(parts.extensions.get::<Requester>().cloned().flatten()))
    }
}

/// Like `Auth`, but answers 401/403 unless the requester is a superuser.
pub struct Superuser(pub Requester);

impl<S: Send + Sync> FromRequestParts<S> for Superuser {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let Auth(r) = Auth::from_request_parts(parts, state).await?;
        match &r {
            None => Err(ApiError::unauthorized(
                "The request requires valid record authorization token.",
            )),
            Some(a) if !a.is_superuser() => Err(ApiError::forbidden(
                "The authorized record is not allowed to perform this action.",
            )),
            Some(_) => Ok(Superuser(r)),
        }
    }
}

/// Path parameters; a path that does not decode answers 404 in the error JSON.
pub struct PathParams<T>(pub T);

impl<S, T> FromRequestParts<S> for PathParams<T>
where
    S: Send + Sync,
    T: serde::de::DeserializeOwned + Send,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        axum::extract::Path::<T>::from_request_parts(parts, state)
            .await
            .map(|p| PathParams(p.0))
            .map_err(|_| ApiError::not_found())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_percent_and_plus() {
        assert_eq!(percent_decode("a%20b+c"), "a b c");
        assert_eq!(percent_decode("100%"), "100%");
        assert_eq!(percent_decode("%zz"), "%zz");
    }
}

/// One uploaded file part of a multipart body.
#[derive(Debug, Clone)]
pub struct UploadedFile {
    /// The form key it came in (`field`, `field+` or `+field`).
    pub key: String,
    pub filename: String,
    pub content_type: String,
    /// In memory when small, else a temporary file (see [`crate::files::Spool`]).
    pub content: crate::files::Content,
}

impl From<UploadedFile> for crate::services::record_files::FilePart {
    fn from(f: UploadedFile) -> Self {
        crate::services::record_files::FilePart {
            key: f.key,
            filename: f.filename,
            content: f.content,
        }
    }
}

/// The body size a route allows, set by a route layer when it differs from the default (record
/// create/update: the default plus what the collection's file fields may take). With it, the body is
/// read without axum's default limit and counted here instead.
#[derive(Debug, Clone, Copy)]
pub struct BodyLimit(pub u64);

/// A record create/update body: JSON, urlencoded or multipart (with typed form values and file parts).
/// File parts are spooled chunk by chunk, so a large upload never sits in memory whole.
pub struct RecordBody {
    pub data: Map<String, Value>,
    pub files: Vec<UploadedFile>,
}

fn spool_error(e: std::io::Error) -> ApiError {
    crate::app::AppError::internal(format!("spooling an upload: {e}")).into()
}

/// Reads one multipart field chunk by chunk into a spool, counting against the body limit.
async fn spool_field(
    field: &mut axum::extract::multipart::Field<'_>,
    used: &mut u64,
    limit: Option<u64>,
) -> Result<crate::files::Spool, ApiError> {
    let mut spool = crate::files::Spool::new();
    while let Some(chunk) = field
        .chunk()
        .await
        .map_err(|e| body_error(e.status().as_u16()))?
    {
        *used += chunk.len() as u64;
        if limit.is_some_and(|l| *used > l) {
            return Err(ApiError::too_large());
        }
        spool.push(&chunk).map_err(spool_error)?;
    }
    Ok(spool)
}

impl<S: Send + Sync> FromRequest<S> for RecordBody {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let content_type = content_type(&req);
        let limit = req.extensions().get::<BodyLimit>().map(|l| l.0);
        let generic =
            || ApiError::bad_request("Something went wrong while processing your request.");
        if content_type.starts_with("multipart/form-data") {
            let mut mp = axum::extract::Multipart::from_request(req, state)
                .await
                .map_err(|_| generic())?;
            let mut data = Map::new();
            let mut json_payload = None;
            let mut files = Vec::new();
            let mut used = 0u64;
            while let Some(mut field) = mp
                .next_field()
                .await
                .map_err(|e| body_error(e.status().as_u16()))?
            {
                let key = field.name().unwrap_or("").to_string();
                let filename = field.file_name().map(String::from);
                let part_type = field
                    .content_type()
                    .unwrap_or("application/octet-stream")
                    .to_string();
                let spool = spool_field(&mut field, &mut used, limit).await?;
                if let Some(filename) = filename {
                    files.push(UploadedFile {
                        key,
                        filename,
                        content_type: part_type,
                        content: spool.finish().map_err(spool_error)?,
                    });
                    continue;
                }
                let text = match spool.finish() {
                    Ok(crate::files::Content::Memory(b)) => {
                        String::from_utf8(b.to_vec()).map_err(|_| body_error(400))?
                    }
                    Ok(crate::files::Content::Disk(d)) => {
                        std::fs::read_to_string(&d.path).map_err(|_| body_error(400))?
                    }
                    Err(e) => return Err(spool_error(e)),
                };
                if key == "@jsonPayload" {
                    json_payload = Some(text);
                    continue;
                }
                push_typed(&mut data, key, &text);
            }
            if let Some(payload) = json_payload {
                if let Ok(Value::Object(m)) = serde_json::from_str::<Value>(&payload) {
                    data.extend(m);
                }
            }
            return Ok(RecordBody { data, files });
        }
        let bytes = match limit {
            Some(l) => axum::body::to_bytes(req.into_body(), l as usize)
                .await
                .map_err(|_| ApiError::too_large())?,
            None => axum::body::Bytes::from_request(req, state)
                .await
                .map_err(|e| body_error(e.status().as_u16()))?,
        };
        if bytes.iter().all(u8::is_ascii_whitespace) {
            return Ok(RecordBody {
                data: Map::new(),
                files: Vec::new(),
            });
        }
        if content_type.starts_with("application/x-www-form-urlencoded") {
            let mut data = Map::new();
            for (k, v) in form_urlencoded_pairs(&bytes) {
                push_typed(&mut data, k, &v);
            }
            return Ok(RecordBody {
                data,
                files: Vec::new(),
            });
        }
        if !content_type.is_empty() && !content_type.starts_with("application/json") {
            return Err(ApiError::bad_request("Unsupported Content-Type."));
        }
        // trailing bytes after the first JSON value are ignored, as PocketBase does
        let first = serde_json::Deserializer::from_slice(&bytes)
            .into_iter::<Value>()
            .next();
        match first {
            Some(Ok(Value::Object(data))) => Ok(RecordBody {
                data,
                files: Vec::new(),
            }),
            _ => Err(generic()),
        }
    }
}

/// Adds a form value with PocketBase's type inference; repeated keys become arrays.
fn push_typed(map: &mut Map<String, Value>, key: String, text: &str) {
    let value = crate::model::record_body::infer_form_value(text);
    match map.get_mut(&key) {
        Some(Value::Array(a)) => a.push(value),
        Some(existing) => {
            let first = existing.take();
            *existing = Value::Array(vec![first, value]);
        }
        None => {
            map.insert(key, value);
        }
    }
}

/// The request data API rules read through `@request.*` (method, query, headers, auth; the body and
/// context are filled in by the use-case).
pub struct ReqInfo(pub crate::store::resolver::RequestInfo);

impl<S: Send + Sync> FromRequestParts<S> for ReqInfo {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let method = parts.method.as_str();
        let mut info = crate::store::resolver::RequestInfo {
            method: if method.bytes().any(|b| b.is_ascii_lowercase()) {
                method.to_uppercase()
            } else {
                method.to_string()
            },
            ..Default::default()
        };
        if let Some(q) = parts.uri.query() {
            for (k, v) in form_urlencoded_pairs(q.as_bytes()) {
                info.query.entry(k).or_insert(Value::String(v));
            }
        }
        for (name, value) in parts.headers.iter() {
            // header names are lowercase already
            let key: String = name
                .as_str()
                .chars()
                .map(|c| if c == '-' { '_' } else { c })
                .collect();
            if let Ok(v) = value.to_str() {
                info.headers
                    .entry(key)
                    .or_insert(Value::String(v.to_string()));
            }
        }
        if let Some(Some(a)) = parts.extensions.get::<Requester>() {
            info.auth = Some((a.collection.clone(), a.record.data.clone()));
        }
        Ok(ReqInfo(info))
    }
}

/// The client of the request: real IP (trusted-proxy aware) and User-Agent, for the sign-in pipeline.
pub struct Client(pub crate::services::auth_pipeline::ClientInfo);

impl FromRequestParts<crate::app::App> for Client {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        app: &crate::app::App,
    ) -> Result<Self, Self::Rejection> {
        let remote = parts
            .extensions
            .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
            .map(|c| c.0.ip());
        let user_agent = parts
            .headers
            .get(axum::http::header::USER_AGENT)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_string();
        Ok(Client(crate::services::auth_pipeline::ClientInfo {
            ip: super::middleware::real_ip(app, &parts.headers, remote),
            user_agent,
        }))
    }
}
