//! The HTTP rules of serving a stored file, free of any web framework: disposition and type headers,
//! conditional requests and byte ranges with Go's `http.ServeContent` semantics.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// Types served `inline`; everything else is an `attachment`.
const INLINE_TYPES: &[&str] = &[
    "image/png",
    "image/jpg",
    "image/jpeg",
    "image/gif",
    "image/webp",
    "image/x-icon",
    "image/bmp",
    "video/webm",
    "video/mp4",
    "video/3gpp",
    "video/quicktime",
    "video/x-ms-wmv",
    "audio/basic",
    "audio/aiff",
    "audio/mpeg",
    "audio/midi",
    "audio/mp3",
    "audio/wave",
    "audio/wav",
    "audio/x-wav",
    "audio/x-mpeg",
    "audio/x-m4a",
    "audio/aac",
    "application/pdf",
    "application/x-pdf",
];

/// `Content-Security-Policy` of every served file.
pub const CSP: &str = "default-src 'none'; media-src 'self'; style-src 'unsafe-inline'; sandbox";

/// `Cache-Control` of every served file.
pub const CACHE_CONTROL: &str = "max-age=2592000, stale-while-revalidate=86400";

/// Go's `strconv.Quote`: a double-quoted string with Go escapes.
pub fn go_quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\u{7}' => out.push_str("\\a"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{b}' => out.push_str("\\v"),
            c if (c as u32) < 0x20 || c as u32 == 0x7f => {
                out.push_str(&format!("\\x{:02x}", c as u32))
            }
            c if c.is_control() || c == '\u{fffd}' => {
                if (c as u32) < 0x10000 {
                    out.push_str(&format!("\\u{:04x}", c as u32))
                } else {
                    out.push_str(&format!("\\U{:08x}", c as u32))
                }
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Go's `strconv.ParseBool`.
pub fn parse_bool(s: &str) -> Option<bool> {
    match s {
        "1" | "t" | "T" | "true" | "TRUE" | "True" => Some(true),
        "0" | "f" | "F" | "false" | "FALSE" | "False" => Some(false),
        _ => None,
    }
}

/// `Content-Disposition` for a served name and its stored type.
pub fn content_disposition(name: &str, stored_type: &str, force_download: bool) -> String {
    let inline = !force_download && INLINE_TYPES.contains(&stored_type);
    let kind = if inline { "inline" } else { "attachment" };
    format!("{kind}; filename={}", go_quote(name))
}

/// The `Content-Type` to send: some extensions override the stored type.
pub fn content_type(name: &str, stored_type: &str) -> String {
    let ext = name.rfind('.').map(|i| &name[i..]).unwrap_or("");
    let forced = match ext {
        ".svg" => "image/svg+xml",
        ".css" => "text/css",
        ".js" | ".mjs" => "text/javascript",
        ".xlsx" => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ".docx" => "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ".pptx" => "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        _ => stored_type,
    };
    forced.to_string()
}

/// `Last-Modified` text (whole seconds, GMT).
pub fn http_date(t: SystemTime) -> String {
    httpdate::fmt_http_date(t)
}

fn parse_http_date(s: &str) -> Option<SystemTime> {
    httpdate::parse_http_date(s.trim()).ok()
}

fn unix_secs(t: SystemTime) -> i64 {
    match t.duration_since(UNIX_EPOCH) {
        Ok(d) => d.as_secs() as i64,
        Err(e) => -(e.duration().as_secs() as i64) - i64::from(e.duration().subsec_nanos() > 0),
    }
}

/// Seconds since the epoch, truncated (what `Last-Modified` can express).
fn truncated(t: SystemTime) -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(unix_secs(t).max(0) as u64)
}

/// The request headers that drive conditional and range handling.
#[derive(Debug, Clone, Default)]
pub struct Conditions {
    pub method: String,
    pub if_match: Option<String>,
    pub if_unmodified_since: Option<String>,
    pub if_none_match: Option<String>,
    pub if_modified_since: Option<String>,
    pub if_range: Option<String>,
    pub range: Option<String>,
}

/// What the preconditions decided.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Precondition {
    /// Serve the content; honour this `Range` header when present.
    Proceed(Option<String>),
    NotModified,
    Failed,
}

/// A quoted entity tag at the start of `s`: `(tag, rest)`.
fn scan_etag(s: &str) -> Option<(&str, &str)> {
    let s = s.trim_matches([' ', '\t', '\r', '\n']);
    let start = if s.starts_with("W/") { 2 } else { 0 };
    let body = s.get(start..)?;
    if body.len() < 2 || !body.starts_with('"') {
        return None;
    }
    for (i, c) in body.char_indices().skip(1) {
        match c {
            '"' => return Some((&s[..start + i + 1], &s[start + i + 1..])),
            '\u{21}' | '\u{23}'..='\u{7e}' => {}
            c if (c as u32) >= 0x80 => {}
            _ => return None,
        }
    }
    None
}

/// Evaluates an `If-Match`/`If-None-Match` list; no `ETag` is ever sent, so only `*` matches.
fn etag_list_has_star(header: &str) -> Option<bool> {
    let mut s = header;
    loop {
        s = s.trim_matches([' ', '\t', '\r', '\n']);
        if s.is_empty() {
            return Some(false);
        }
        if let Some(rest) = s.strip_prefix(',') {
            s = rest;
            continue;
        }
        if s.starts_with('*') {
            return Some(true);
        }
        let (_, rest) = scan_etag(s)?;
        s = rest;
    }
}

/// RFC 7232 §6 in Go's order.
pub fn check_preconditions(c: &Conditions, modified: SystemTime) -> Precondition {
    let get_or_head = c.method == "GET" || c.method == "HEAD";
    let modified = truncated(modified);
    let mut unmodified_ok = None;
    if let Some(im) = c.if_match.as_deref().filter(|v| !v.is_empty()) {
        unmodified_ok = Some(etag_list_has_star(im).unwrap_or(false));
    } else if let Some(t) = c
        .if_unmodified_since
        .as_deref()
        .filter(|v| !v.is_empty())
        .and_then(parse_http_date)
    {
        unmodified_ok = Some(modified <= t);
    }
    if unmodified_ok == Some(false) {
        return Precondition::Failed;
    }
    if let Some(inm) = c.if_none_match.as_deref().filter(|v| !v.is_empty()) {
        if etag_list_has_star(inm) == Some(true) {
            return if get_or_head {
                Precondition::NotModified
            } else {
                Precondition::Failed
            };
        }
    } else if get_or_head {
        if let Some(t) = c
            .if_modified_since
            .as_deref()
            .filter(|v| !v.is_empty())
            .and_then(parse_http_date)
        {
            if modified <= t {
                return Precondition::NotModified;
            }
        }
    }
    let mut range = c.range.clone().filter(|r| !r.is_empty());
    if range.is_some() && get_or_head {
        if let Some(ir) = c.if_range.as_deref().filter(|v| !v.is_empty()) {
            let keep = scan_etag(ir).is_none()
                && parse_http_date(ir).is_some_and(|t| unix_secs(t) == unix_secs(modified));
            if !keep {
                range = None;
            }
        }
    }
    Precondition::Proceed(range)
}

/// One satisfiable byte range.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ByteRange {
    pub start: u64,
    pub length: u64,
}

impl ByteRange {
    /// `bytes a-b/size`.
    pub fn content_range(&self, size: u64) -> String {
        format!(
            "bytes {}-{}/{size}",
            self.start,
            self.start + self.length - 1
        )
    }
}

/// Why a `Range` header cannot be served (416).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RangeError {
    Invalid,
    NoOverlap,
}

impl RangeError {
    /// Go's error text (the 416 body, followed by a newline).
    pub fn message(self) -> &'static str {
        match self {
            RangeError::Invalid => "Invalid Range header.",
            RangeError::NoOverlap => "The requested range is not satisfiable.",
        }
    }
}

fn parse_i64(s: &str) -> Option<i64> {
    let digits = s.strip_prefix(['+', '-']).unwrap_or(s);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

/// Parses a `Range` header against a size, like Go's `parseRange`.
pub fn parse_range(header: &str, size: u64) -> Result<Vec<ByteRange>, RangeError> {
    let size = size as i64;
    let spec = header.strip_prefix("bytes=").ok_or(RangeError::Invalid)?;
    let trim = |s: &str| s.trim_matches([' ', '\t', '\r', '\n']).to_string();
    let mut ranges = Vec::new();
    let mut no_overlap = false;
    for part in spec.split(',') {
        let part = trim(part);
        if part.is_empty() {
            continue;
        }
        let (start, end) = part.split_once('-').ok_or(RangeError::Invalid)?;
        let (start, end) = (trim(start), trim(end));
        let (s, len) = if start.is_empty() {
            if end.is_empty() || end.starts_with('-') {
                return Err(RangeError::Invalid);
            }
            let n = parse_i64(&end)
                .filter(|n| *n >= 0)
                .ok_or(RangeError::Invalid)?;
            let n = n.min(size);
            (size - n, n)
        } else {
            let s = parse_i64(&start)
                .filter(|n| *n >= 0)
                .ok_or(RangeError::Invalid)?;
            if s >= size {
                no_overlap = true;
                continue;
            }
            if end.is_empty() {
                (s, size - s)
            } else {
                let e = parse_i64(&end)
                    .filter(|e| s <= *e)
                    .ok_or(RangeError::Invalid)?;
                let e = e.min(size - 1);
                (s, e - s + 1)
            }
        };
        ranges.push(ByteRange {
            start: s as u64,
            length: len as u64,
        });
    }
    if no_overlap && ranges.is_empty() {
        return Err(RangeError::NoOverlap);
    }
    Ok(ranges)
}

/// A piece of a response body: literal bytes or a slice of the stored file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Segment {
    Bytes(Vec<u8>),
    File { start: u64, length: u64 },
}

impl Segment {
    pub fn len(&self) -> u64 {
        match self {
            Segment::Bytes(b) => b.len() as u64,
            Segment::File { length, .. } => *length,
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// The `multipart/byteranges` body of several ranges, as Go's multipart writer lays it out.
pub fn multipart_body(
    ranges: &[ByteRange],
    content_type: &str,
    size: u64,
    boundary: &str,
) -> Vec<Segment> {
    let mut out = Vec::new();
    for (i, r) in ranges.iter().enumerate() {
        let lead = if i == 0 { "" } else { "\r\n" };
        let head = format!(
            "{lead}--{boundary}\r\nContent-Range: {}\r\nContent-Type: {content_type}\r\n\r\n",
            r.content_range(size)
        );
        out.push(Segment::Bytes(head.into_bytes()));
        out.push(Segment::File {
            start: r.start,
            length: r.length,
        });
    }
    out.push(Segment::Bytes(
        format!("\r\n--{boundary}--\r\n").into_bytes(),
    ));
    out
}

/// A random multipart boundary (60 hex characters, like Go's).
pub fn random_boundary() -> String {
    use rand::RngCore;
    let mut buf = [0u8; 30];
    rand::thread_rng().fill_bytes(&mut buf);
    buf.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
#[path = "serve_tests.rs"]
mod tests;
