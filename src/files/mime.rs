//! Content sniffing: the MIME type (and extension) of a file from its first bytes, with the names,
//! aliases and order of the detection library PocketBase uses, and the `mimeTypes` matching rule.

use super::{mime_binary::binary, mime_text};

/// How many leading bytes detection looks at.
pub const READ_LIMIT: usize = 4096;

/// A detected type: its name (no parameters), its extension and whether a charset is appended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Detected {
    pub mime: &'static str,
    pub ext: &'static str,
}

/// The detected content type, e.g. `image/png` or `text/plain; charset=utf-8`.
pub fn detect_mime(content: &[u8]) -> String {
    let raw = &content[..content.len().min(READ_LIMIT)];
    let truncated = content.len() >= READ_LIMIT;
    match binary(raw) {
        Some(found) => found.mime.to_string(),
        None => mime_text::detect_text(raw, truncated)
            .map(|(found, charset)| match charset {
                Some(c) => format!("{}; charset={c}", found.mime),
                None => found.mime.to_string(),
            })
            .unwrap_or_else(|| "application/octet-stream".to_string()),
    }
}

/// The extension (with its dot) of the detected type, "" when unknown.
pub fn detect_extension(content: &[u8]) -> &'static str {
    let raw = &content[..content.len().min(READ_LIMIT)];
    let truncated = content.len() >= READ_LIMIT;
    match binary(raw) {
        Some(found) => found.ext,
        None => mime_text::detect_text(raw, truncated)
            .map(|(found, _)| found.ext)
            .unwrap_or(""),
    }
}

/// Aliases accepted in a field's `mimeTypes` for a detected type.
const ALIASES: &[(&str, &[&str])] = &[
    (
        "application/gzip",
        &[
            "application/x-gzip",
            "application/x-gunzip",
            "application/gzipped",
            "application/gzip-compressed",
            "application/x-gzip-compressed",
            "gzip/document",
        ],
    ),
    (
        "application/zip",
        &["application/x-zip", "application/x-zip-compressed"],
    ),
    ("application/pdf", &["application/x-pdf"]),
    (
        "application/java-archive",
        &[
            "application/jar",
            "application/jar-archive",
            "application/x-java-archive",
        ],
    ),
    ("application/msword", &["application/vnd.ms-word"]),
    (
        "application/vnd.ms-powerpoint",
        &["application/mspowerpoint"],
    ),
    ("application/vnd.ms-excel", &["application/msexcel"]),
    ("application/fits", &["image/fits"]),
    ("application/ogg", &["application/x-ogg"]),
    ("text/xml", &["application/xml"]),
    ("text/rtf", &["application/rtf"]),
    (
        "text/javascript",
        &["application/x-javascript", "application/javascript"],
    ),
    ("application/x-subrip", &["application/x-srt", "text/x-srt"]),
    (
        "text/x-python",
        &["text/x-script.python", "application/x-python"],
    ),
    ("text/x-ruby", &["application/x-ruby"]),
    (
        "text/x-shellscript",
        &["text/x-sh", "application/x-shellscript", "application/x-sh"],
    ),
    ("text/x-tcl", &["application/x-tcl"]),
    ("application/rss+xml", &["text/rss"]),
    ("image/bmp", &["image/x-bmp", "image/x-ms-bmp"]),
    (
        "image/vnd.adobe.photoshop",
        &["image/x-psd", "application/photoshop"],
    ),
    ("image/jxr", &["image/vnd.ms-photo"]),
    ("audio/mpeg", &["audio/x-mpeg", "audio/mp3"]),
    (
        "audio/midi",
        &["audio/mid", "audio/sp-midi", "audio/x-mid", "audio/x-midi"],
    ),
    (
        "audio/wav",
        &["audio/x-wav", "audio/vnd.wave", "audio/wave"],
    ),
    ("audio/aiff", &["audio/x-aiff"]),
    ("audio/amr", &["audio/amr-nb"]),
    ("audio/mp4", &["audio/x-mp4a"]),
    ("video/webm", &["audio/webm"]),
    ("video/3gpp", &["video/3gp", "audio/3gpp"]),
    ("video/3gpp2", &["video/3g2", "audio/3gpp2"]),
    ("video/x-msvideo", &["video/avi", "video/msvideo"]),
    ("video/x-ms-asf", &["video/asf", "video/x-ms-wmv"]),
    (
        "font/ttf",
        &[
            "font/sfnt",
            "application/x-font-ttf",
            "application/font-sfnt",
        ],
    ),
    (
        "application/vnd.rar",
        &["application/x-rar-compressed", "application/x-rar"],
    ),
    ("application/vnd.sqlite3", &["application/x-sqlite3"]),
    ("application/x-archive", &["application/x-unix-archive"]),
    ("application/lzip", &["application/x-lzip"]),
    ("application/vnd.apple.mpegurl", &["audio/mpegurl"]),
    (
        "application/x-ms-installer",
        &["application/x-windows-installer", "application/x-msi"],
    ),
];

/// `type/subtype` of a media type: parameters dropped, trimmed, lower-cased; "" when malformed.
pub fn media_type(value: &str) -> String {
    let base = value
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    let valid = |s: &str| {
        !s.is_empty()
            && s.bytes()
                .all(|b| b.is_ascii_graphic() && !b"()<>@,;:\\\"/[]?=".contains(&b))
    };
    match base.split_once('/') {
        Some((t, s)) if valid(t) && valid(s) => base,
        None if valid(&base) => base,
        _ => String::new(),
    }
}

/// True when the detected type (or one of its aliases) is in `allowed`; parameters and case are
/// ignored. An empty list allows anything.
pub fn mime_allowed(detected: &str, allowed: &[String]) -> bool {
    if allowed.is_empty() {
        return true;
    }
    let found = media_type(detected);
    let aliases: &[&str] = ALIASES
        .iter()
        .find(|(m, _)| *m == found)
        .map(|(_, a)| *a)
        .unwrap_or(&[]);
    allowed.iter().any(|a| {
        let want = media_type(a);
        !want.is_empty() && (want == found || aliases.contains(&want.as_str()))
    })
}

#[cfg(test)]
#[path = "mime_tests.rs"]
mod tests;
