//! `GET|HEAD /api/files/{collection}/{recordId}/{filename}` (serving with ranges, conditionals and
//! PocketBase's headers) and `POST /api/files/token`.

use super::error::ApiError;
use super::extract::{Auth, PathParams, QueryMap, ReqInfo};
use crate::app::App;
use crate::files::serve::{self, Conditions, Precondition, RangeError, Segment};
use crate::files::StoredObject;
use crate::services::file_access::{self, DownloadRequest};
use axum::body::{Body, Bytes};
use axum::extract::{ConnectInfo, State};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, HeaderName, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use futures_util::StreamExt;
use serde_json::{json, Value};
use std::net::SocketAddr;

/// Marks a response the security-headers layer leaves without `X-Frame-Options` (files may be
/// embedded).
#[derive(Debug, Clone, Copy)]
pub struct AllowFraming;

fn set(h: &mut HeaderMap, name: HeaderName, value: &str) {
    if let Ok(v) = HeaderValue::from_bytes(value.as_bytes()) {
        h.insert(name, v);
    }
}

fn first(headers: &HeaderMap, name: HeaderName) -> Option<String> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string)
}

/// Streams the segments, reading the object's slices as they are needed.
fn stream_body(object: StoredObject, segments: Vec<Segment>) -> Body {
    let stream = futures_util::stream::iter(segments).flat_map(move |segment| match segment {
        Segment::Bytes(b) => {
            futures_util::stream::once(async move { Ok::<_, std::io::Error>(Bytes::from(b)) })
                .boxed()
        }
        Segment::File { start, length } => object.read_range(start, length),
    });
    Body::from_stream(stream)
}

fn finish(status: StatusCode, headers: HeaderMap, body: Body) -> Response {
    let mut res = (status, headers, body).into_response();
    res.extensions_mut().insert(AllowFraming);
    res
}

/// `GET|HEAD /api/files/{collection}/{recordId}/{filename}`.
pub async fn download(
    State(app): State<App>,
    parts: Parts,
    PathParams((collection, record_id, filename)): PathParams<(String, String, String)>,
    QueryMap(q): QueryMap,
    ReqInfo(info): ReqInfo,
) -> Response {
    let remote = parts
        .extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip());
    let request = DownloadRequest {
        collection,
        record_id,
        filename,
        thumb: q.get("thumb").cloned(),
        token: q.get("token").cloned(),
        ip: super::middleware::real_ip(&app, &parts.headers, remote),
        info,
    };
    let dl = match file_access::download(&app, request).await {
        Ok(d) => d,
        Err(e) => return ApiError::from(e).into_response(),
    };
    let force = q
        .get("download")
        .and_then(|v| serve::parse_bool(v))
        .unwrap_or(false);
    let stored = dl.object.content_type.as_str();
    let content_type = serve::content_type(&dl.name, stored);
    let mut h = HeaderMap::new();
    set(
        &mut h,
        header::CONTENT_DISPOSITION,
        &serve::content_disposition(&dl.name, stored, force),
    );
    set(&mut h, header::CONTENT_TYPE, &content_type);
    set(&mut h, header::CONTENT_SECURITY_POLICY, serve::CSP);
    set(&mut h, header::CACHE_CONTROL, serve::CACHE_CONTROL);
    set(
        &mut h,
        header::LAST_MODIFIED,
        &serve::http_date(dl.object.modified),
    );
    let conditions = Conditions {
        method: parts.method.as_str().to_string(),
        if_match: first(&parts.headers, header::IF_MATCH),
        if_unmodified_since: first(&parts.headers, header::IF_UNMODIFIED_SINCE),
        if_none_match: first(&parts.headers, header::IF_NONE_MATCH),
        if_modified_since: first(&parts.headers, header::IF_MODIFIED_SINCE),
        if_range: first(&parts.headers, header::IF_RANGE),
        range: first(&parts.headers, header::RANGE),
    };
    let range = match serve::check_preconditions(&conditions, dl.object.modified) {
        Precondition::Failed => return finish(StatusCode::PRECONDITION_FAILED, h, Body::empty()),
        Precondition::NotModified => {
            h.remove(header::CONTENT_TYPE);
            return finish(StatusCode::NOT_MODIFIED, h, Body::empty());
        }
        Precondition::Proceed(range) => range,
    };
    let size = dl.object.size;
    let mut ranges = match range.map(|r| serve::parse_range(&r, size)) {
        None => Vec::new(),
        Some(Ok(r)) => r,
        Some(Err(RangeError::NoOverlap)) if size == 0 => Vec::new(),
        Some(Err(e)) => {
            h.remove(header::CACHE_CONTROL);
            h.remove(header::LAST_MODIFIED);
            if e == RangeError::NoOverlap {
                set(&mut h, header::CONTENT_RANGE, &format!("bytes */{size}"));
            }
            set(&mut h, header::CONTENT_TYPE, "application/json");
            let body =
                serde_json::json!({"data": {}, "message": e.message(), "status": 416}).to_string();
            return finish(StatusCode::RANGE_NOT_SATISFIABLE, h, Body::from(body));
        }
    };
    if ranges.iter().map(|r| r.length).sum::<u64>() > size {
        ranges.clear();
    }
    let (status, segments) = match ranges.as_slice() {
        [] => (
            StatusCode::OK,
            vec![Segment::File {
                start: 0,
                length: size,
            }],
        ),
        [one] => {
            set(&mut h, header::CONTENT_RANGE, &one.content_range(size));
            (
                StatusCode::PARTIAL_CONTENT,
                vec![Segment::File {
                    start: one.start,
                    length: one.length,
                }],
            )
        }
        many => {
            let boundary = serve::random_boundary();
            set(
                &mut h,
                header::CONTENT_TYPE,
                &format!("multipart/byteranges; boundary={boundary}"),
            );
            (
                StatusCode::PARTIAL_CONTENT,
                serve::multipart_body(many, &content_type, size, &boundary),
            )
        }
    };
    let length: u64 = segments.iter().map(Segment::len).sum();
    set(&mut h, header::ACCEPT_RANGES, "bytes");
    set(&mut h, header::CONTENT_LENGTH, &length.to_string());
    let body = if parts.method == axum::http::Method::HEAD {
        Body::empty()
    } else {
        stream_body(dl.object, segments)
    };
    finish(status, h, body)
}

/// `POST /api/files/token`.
pub async fn token(State(app): State<App>, Auth(auth): Auth) -> Result<Json<Value>, ApiError> {
    let token = file_access::file_token_request(&app, &auth).await?;
    Ok(Json(json!({ "token": token })))
}
