//! `$filesystem` files in JS: making them (`fileFromPath/Bytes/URL/Multipart`), the uploaded files of a
//! JS route's multipart body, and `multipart/form-data` bodies for `$http.send` with a `FormData`.
//! A record save stores the files its file fields hold (`services::record_inline_files`).
//!
//! A file is plain JSON on both sides — `{reader: {path} | {bytes: base64}, name, originalName, size}` —
//! so it survives every trip between Rust and JS; `name` is the stored name, made like an API upload's.

use crate::files::normalize_name;
use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine;
use serde_json::{json, Value};
use std::io::Read;
use std::time::Duration;

type R = Result<Value, String>;

/// How much of a file is read to guess its extension (what the type sniffer looks at).
const HEAD_BYTES: u64 = 4096;

pub use crate::services::record_inline_files::{content, is_file, reader_content};

fn s(a: &[Value], i: usize) -> String {
    match a.get(i) {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Null) | None => String::new(),
        Some(other) => other.to_string(),
    }
}

fn bytes_arg(v: Option<&Value>) -> Vec<u8> {
    match v {
        Some(Value::Array(a)) => a.iter().map(|x| x.as_u64().unwrap_or(0) as u8).collect(),
        Some(Value::String(s)) => s.as_bytes().to_vec(),
        _ => Vec::new(),
    }
}

/// A file holding `bytes` (kept base64-encoded in JS).
pub fn from_bytes(bytes: &[u8], original: &str, name_hint: Option<&str>) -> Value {
    let name = normalize_name(name_hint.unwrap_or(original), bytes);
    json!({
        "reader": {"bytes": B64.encode(bytes)},
        "name": name,
        "originalName": original,
        "size": bytes.len(),
    })
}

fn io_text(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "no such file or directory".into(),
        std::io::ErrorKind::PermissionDenied => "permission denied".into(),
        _ => e.to_string(),
    }
}

/// The `$filesystem` ops.
pub fn dispatch(op: &str, a: &[Value]) -> R {
    match op {
        "fileFromPath" => from_path(&s(a, 0)),
        "fileFromBytes" => Ok(from_bytes(&bytes_arg(a.first()), &s(a, 1), None)),
        "fileFromURL" => from_url(&s(a, 0), a.get(1).and_then(Value::as_f64).unwrap_or(120.0)),
        "fileFromMultipart" => from_multipart(a.first().unwrap_or(&Value::Null)),
        // an opened reader (`file.reader.open()`) read whole, for `toString(reader)`
        "readerText" => reader_content(a.first().unwrap_or(&Value::Null))
            .map(|b| Value::String(String::from_utf8_lossy(&b).into_owned())),
        other => Err(format!("unknown native operation {other:?}")),
    }
}

fn from_path(p: &str) -> R {
    let meta = std::fs::metadata(p).map_err(|e| format!("stat {p}: {}", io_text(&e)))?;
    if meta.is_dir() {
        return Err(format!("read {p}: is a directory"));
    }
    let mut head = Vec::new();
    std::fs::File::open(p)
        .and_then(|f| f.take(HEAD_BYTES).read_to_end(&mut head))
        .map_err(|e| format!("open {p}: {}", io_text(&e)))?;
    let original = p.rsplit('/').next().unwrap_or(p);
    Ok(json!({
        "reader": {"path": p},
        "name": normalize_name(original, &head),
        "originalName": original,
        "size": meta.len(),
    }))
}

/// The extension a download's Content-Type stands for (used when its URL names none).
fn extension_of(content_type: &str) -> &'static str {
    let essence = content_type.split(';').next().unwrap_or("").trim();
    match essence {
        "application/json" => ".json",
        "text/html" => ".html",
        "text/plain" => ".txt",
        "text/css" => ".css",
        "text/csv" => ".csv",
        "application/pdf" => ".pdf",
        "image/png" => ".png",
        "image/jpeg" => ".jpg",
        "image/gif" => ".gif",
        "image/webp" => ".webp",
        "image/svg+xml" => ".svg",
        _ => "",
    }
}

fn from_url(url: &str, secs: f64) -> R {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?;
    let (status, ctype, body) = rt.block_on(async {
        let client = reqwest::Client::builder()
            .timeout(Duration::from_secs_f64(secs.max(0.001)))
            .build()
            .map_err(|e| e.to_string())?;
        let res = client
            .get(url)
            .send()
            .await
            .map_err(|e| format!("Get {url:?}: {}", super::ops_sys::root_cause(&e)))?;
        let status = res.status().as_u16();
        let ctype = res
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_string();
        let body = res.bytes().await.map_err(|e| e.to_string())?;
        Ok::<_, String>((status, ctype, body))
    })?;
    if !(200..300).contains(&status) {
        return Err(format!("failed to download url {url} ({status})"));
    }
    let original = url.rsplit('/').next().unwrap_or(url);
    let hint = if original.contains('.') {
        original.to_string()
    } else {
        format!("{original}{}", extension_of(&ctype))
    };
    Ok(from_bytes(&body, original, Some(&hint)))
}

/// `fileFromMultipart(header)`: a header from `e.request.formFile(key)[1]`.
fn from_multipart(h: &Value) -> R {
    let Some(data) = h["__content"].as_str() else {
        return Err("invalid multipart file header".into());
    };
    let bytes = B64.decode(data).map_err(|e| e.to_string())?;
    Ok(from_bytes(
        &bytes,
        h["filename"].as_str().unwrap_or(""),
        None,
    ))
}

/// A `multipart/form-data` body from `FormData` entries (`[key, string | file]`): its content type and
/// bytes. File parts carry their original name and `application/octet-stream`.
pub fn multipart_body(entries: &[Value]) -> Result<(String, Vec<u8>), String> {
    use rand::RngCore;
    let mut raw = [0u8; 30];
    rand::thread_rng().fill_bytes(&mut raw);
    let boundary: String = raw.iter().map(|b| format!("{b:02x}")).collect();
    let mut body = Vec::new();
    let quote = |t: &str| t.replace('\\', "\\\\").replace('"', "\\\"");
    for e in entries {
        let key = e[0].as_str().unwrap_or("");
        let v = &e[1];
        body.extend_from_slice(format!("--{boundary}\r\n").as_bytes());
        if is_file(v) {
            let fname = v["originalName"].as_str().unwrap_or("");
            body.extend_from_slice(
                format!(
                    "Content-Disposition: form-data; name=\"{}\"; filename=\"{}\"\r\nContent-Type: application/octet-stream\r\n\r\n",
                    quote(key),
                    quote(fname)
                )
                .as_bytes(),
            );
            body.extend_from_slice(&content(v)?);
        } else {
            let text = match v {
                Value::String(t) => t.clone(),
                Value::Null => String::new(),
                other => other.to_string(),
            };
            body.extend_from_slice(
                format!(
                    "Content-Disposition: form-data; name=\"{}\"\r\n\r\n{text}",
                    quote(key)
                )
                .as_bytes(),
            );
        }
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    Ok((format!("multipart/form-data; boundary={boundary}"), body))
}

/// The parts of a `multipart/form-data` request body for a JS route: `{form: {key: [text]}, files: {key:
/// [header]}}` where a header is `{filename, size, header, __content}` (`e.findUploadedFiles`,
/// `e.request.formFile`). None for other bodies.
pub async fn parse_multipart(content_type: &str, body: bytes::Bytes) -> Option<Value> {
    use axum::extract::FromRequest;
    if !content_type.starts_with("multipart/form-data") {
        return None;
    }
    let req = axum::http::Request::builder()
        .header("content-type", content_type)
        .body(axum::body::Body::from(body))
        .ok()?;
    let mut mp = axum::extract::Multipart::from_request(req, &())
        .await
        .ok()?;
    let mut form = serde_json::Map::new();
    let mut files = serde_json::Map::new();
    while let Ok(Some(field)) = mp.next_field().await {
        let key = field.name().unwrap_or("").to_string();
        let filename = field.file_name().map(str::to_string);
        let ctype = field.content_type().unwrap_or("").to_string();
        let Ok(data) = field.bytes().await else {
            break;
        };
        let (target, item) = match filename {
            Some(filename) => (
                &mut files,
                json!({
                    "filename": filename,
                    "size": data.len(),
                    "header": {"Content-Type": [ctype]},
                    "__content": B64.encode(&data),
                }),
            ),
            None => (&mut form, json!(String::from_utf8_lossy(&data))),
        };
        match target.get_mut(&key) {
            Some(Value::Array(list)) => list.push(item),
            _ => {
                target.insert(key, json!([item]));
            }
        }
    }
    Some(json!({ "form": form, "files": files }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bytes_round_trip_and_names() {
        let f = from_bytes(b"abc", "My File.TXT", None);
        assert!(is_file(&f));
        assert_eq!(content(&f).unwrap(), b"abc");
        assert_eq!(f["size"], 3);
        let name = f["name"].as_str().unwrap();
        assert!(
            name.starts_with("my_file_") && name.ends_with(".TXT"),
            "{name}"
        );
        assert!(!is_file(&json!({"name": "x"})));
    }

    #[test]
    fn multipart_has_every_part() {
        let f = from_bytes(b"xyz", "f.txt", None);
        let (ct, body) = multipart_body(&[json!(["a", "1"]), json!(["f", f])]).unwrap();
        let boundary = ct.strip_prefix("multipart/form-data; boundary=").unwrap();
        let text = String::from_utf8(body).unwrap();
        assert!(text.starts_with(&format!("--{boundary}\r\n")));
        assert!(text.contains("name=\"a\"\r\n\r\n1\r\n"));
        assert!(text.contains("name=\"f\"; filename=\"f.txt\"\r\nContent-Type: application/octet-stream\r\n\r\nxyz\r\n"));
        assert!(text.ends_with(&format!("--{boundary}--\r\n")));
    }
}
