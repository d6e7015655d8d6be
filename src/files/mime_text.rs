//! Text formats of content sniffing (HTML, SVG, XML, JSON, CSV, scripts…) and their charset.

use super::mime::Detected;

const fn d(mime: &'static str, ext: &'static str) -> Detected {
    Detected { mime, ext }
}

const BOMS: &[(&[u8], &str)] = &[
    (b"\xef\xbb\xbf", "utf-8"),
    (b"\0\0\xfe\xff", "utf-32be"),
    (b"\xff\xfe\0\0", "utf-32le"),
    (b"\xfe\xff", "utf-16be"),
    (b"\xff\xfe", "utf-16le"),
];

fn from_bom(raw: &[u8]) -> Option<&'static str> {
    BOMS.iter()
        .find(|(b, _)| raw.starts_with(b))
        .map(|(_, c)| *c)
}

/// Plain text: a byte-order mark, or no "binary data byte" of the MIME sniffing standard.
fn is_text(raw: &[u8]) -> bool {
    from_bom(raw).is_some()
        || !raw.iter().any(|&b| {
            b <= 0x08 || b == 0x0B || (0x0E..=0x1A).contains(&b) || (0x1C..=0x1F).contains(&b)
        })
}

fn is_ws(b: u8) -> bool {
    matches!(b, b'\t' | b'\n' | b'\x0c' | b'\r' | b' ')
}

fn trim_lws(raw: &[u8]) -> &[u8] {
    let start = raw.iter().position(|&b| !is_ws(b)).unwrap_or(raw.len());
    &raw[start..]
}

fn trim_ws(raw: &[u8]) -> &[u8] {
    let raw = trim_lws(raw);
    let end = raw.iter().rposition(|&b| !is_ws(b)).map_or(0, |i| i + 1);
    &raw[..end]
}

fn starts_with_ci(raw: &[u8], sig: &[u8]) -> bool {
    raw.len() >= sig.len() && raw[..sig.len()].eq_ignore_ascii_case(sig)
}

/// A markup signature (case-insensitive) after leading space, followed by a space or `>`.
fn markup(raw: &[u8], sigs: &[&[u8]]) -> bool {
    let raw = trim_lws(raw.strip_prefix(b"\xef\xbb\xbf").unwrap_or(raw));
    sigs.iter().any(|sig| {
        starts_with_ci(raw, sig) && raw.get(sig.len()).is_some_and(|&b| is_ws(b) || b == b'>')
    })
}

fn first_line(raw: &[u8]) -> &[u8] {
    let line = raw.split(|&b| b == b'\n').next().unwrap_or(&[]);
    line.strip_suffix(b"\r").unwrap_or(line)
}

fn shebang(raw: &[u8], interpreters: &[&str]) -> bool {
    let line = first_line(raw);
    line.starts_with(b"#!")
        && interpreters
            .iter()
            .any(|i| trim_ws(&line[2..]) == i.as_bytes())
}

/// An SVG document: `<svg` after optional space, XML declaration, comments and doctype.
fn is_svg(raw: &[u8]) -> bool {
    let mut s = trim_lws(raw.strip_prefix(b"\xef\xbb\xbf").unwrap_or(raw));
    loop {
        let skip_to = |s: &[u8], end: &[u8]| {
            s.windows(end.len())
                .position(|w| w == end)
                .map(|i| i + end.len())
        };
        let next = if s.starts_with(b"<?") {
            skip_to(s, b"?>")
        } else if s.starts_with(b"<!--") {
            skip_to(s, b"-->")
        } else if starts_with_ci(s, b"<!doctype") {
            skip_to(s, b">")
        } else {
            break;
        };
        match next {
            Some(i) => s = trim_lws(&s[i..]),
            None => return false,
        }
    }
    s.starts_with(b"<svg")
        && s.get(4)
            .is_some_and(|&b| is_ws(b) || b == b'>' || b == b'/')
}

/// Valid JSON; for a sample cut at the read limit, a valid prefix.
fn json_ok(raw: &[u8], truncated: bool) -> bool {
    match serde_json::from_slice::<serde::de::IgnoredAny>(raw) {
        Ok(_) => true,
        Err(e) => truncated && e.is_eof(),
    }
}

fn is_json(raw: &[u8], truncated: bool) -> bool {
    let t = trim_lws(raw);
    t.len() >= 2 && (t[0] == b'[' || t[0] == b'{') && json_ok(t, truncated)
}

fn is_geojson(raw: &[u8]) -> bool {
    let t = trim_lws(raw);
    if !t.starts_with(b"{") {
        return false;
    }
    let Some(i) = t.windows(6).position(|w| w == b"\"type\"") else {
        return false;
    };
    let rest = trim_lws(&t[i + 6..]);
    let Some(rest) = rest.strip_prefix(b":") else {
        return false;
    };
    let rest = trim_lws(rest);
    [
        "Feature",
        "FeatureCollection",
        "Point",
        "LineString",
        "Polygon",
        "MultiPoint",
        "MultiLineString",
        "MultiPolygon",
        "GeometryCollection",
    ]
    .iter()
    .any(|t| rest.starts_with(format!("\"{t}\"").as_bytes()))
}

/// Drops the last (possibly cut) line of a sample cut at the read limit.
fn drop_last_line(raw: &[u8], truncated: bool) -> &[u8] {
    if !truncated {
        return raw;
    }
    match raw.iter().rposition(|&b| b == b'\n') {
        Some(i) => &raw[..i],
        None => &[],
    }
}

fn is_ndjson(raw: &[u8], truncated: bool) -> bool {
    let mut lines = 0;
    let mut structured = false;
    for line in drop_last_line(raw, truncated).split(|&b| b == b'\n') {
        let l = trim_ws(line);
        if l.is_empty() {
            continue;
        }
        if serde_json::from_slice::<serde::de::IgnoredAny>(l).is_err() {
            return false;
        }
        structured |= l[0] == b'[' || l[0] == b'{';
        lines += 1;
    }
    lines > 1 && structured
}

/// The field counts of the records of a separated-values text (quotes respected, `#` comment
/// lines and empty lines skipped).
fn sv_records(raw: &[u8], sep: u8) -> Vec<usize> {
    let mut records = Vec::new();
    let mut i = 0;
    while i < raw.len() {
        if raw[i] == b'#' || raw[i] == b'\n' || (raw[i] == b'\r' && raw.get(i + 1) == Some(&b'\n'))
        {
            i += raw[i..]
                .iter()
                .position(|&b| b == b'\n')
                .map_or(raw.len() - i, |p| p + 1);
            continue;
        }
        let mut fields = 1;
        let mut quoted = false;
        let mut at_field_start = true;
        while i < raw.len() {
            let b = raw[i];
            i += 1;
            if quoted {
                if b == b'"' {
                    if raw.get(i) == Some(&b'"') {
                        i += 1;
                    } else {
                        quoted = false;
                    }
                }
                continue;
            }
            if b == b'"' && at_field_start {
                quoted = true;
            } else if b == sep {
                fields += 1;
                at_field_start = true;
                continue;
            } else if b == b'\n' {
                break;
            }
            at_field_start = false;
        }
        records.push(fields);
    }
    records
}

fn is_sv(raw: &[u8], sep: u8, truncated: bool) -> bool {
    let records = sv_records(drop_last_line(raw, truncated), sep);
    match records.split_first() {
        Some((&header, rest)) => {
            header >= 2 && !rest.is_empty() && rest.iter().all(|&n| n == header)
        }
        None => false,
    }
}

const SHELLS: &[&str] = &[
    "/bin/sh",
    "/bin/bash",
    "/usr/local/bin/bash",
    "/usr/bin/env bash",
    "/bin/csh",
    "/usr/local/bin/csh",
    "/usr/bin/env csh",
    "/bin/dash",
    "/usr/local/bin/dash",
    "/usr/bin/env dash",
    "/bin/ksh",
    "/usr/local/bin/ksh",
    "/usr/bin/env ksh",
    "/bin/tcsh",
    "/usr/local/bin/tcsh",
    "/usr/bin/env tcsh",
    "/bin/zsh",
    "/usr/local/bin/zsh",
    "/usr/bin/env zsh",
];

const HTML_SIGS: &[&[u8]] = &[
    b"<!DOCTYPE HTML",
    b"<HTML",
    b"<HEAD",
    b"<SCRIPT",
    b"<IFRAME",
    b"<H1",
    b"<DIV",
    b"<FONT",
    b"<TABLE",
    b"<A",
    b"<STYLE",
    b"<TITLE",
    b"<B",
    b"<BODY",
    b"<BR",
    b"<P",
    b"<!--",
];

fn text_kind(raw: &[u8], truncated: bool) -> Detected {
    if is_svg(raw) {
        return d("image/svg+xml", ".svg");
    }
    if markup(raw, HTML_SIGS) {
        return d("text/html", ".html");
    }
    if markup(raw, &[b"<?XML"]) {
        return d("text/xml", ".xml");
    }
    if [&b"<?PHP"[..], b"<?\n", b"<?\r", b"<? "]
        .iter()
        .any(|s| starts_with_ci(raw, s))
        || shebang(
            raw,
            &["/usr/local/bin/php", "/usr/bin/php", "/usr/bin/env php"],
        )
    {
        return d("text/x-php", ".php");
    }
    let node = [
        "/bin/node",
        "/usr/bin/node",
        "/bin/nodejs",
        "/usr/bin/nodejs",
        "/usr/bin/env node",
        "/usr/bin/env nodejs",
    ];
    if shebang(raw, &node) {
        return d("text/javascript", ".js");
    }
    if shebang(
        raw,
        &["/usr/bin/lua", "/usr/local/bin/lua", "/usr/bin/env lua"],
    ) {
        return d("text/x-lua", ".lua");
    }
    if shebang(raw, &["/usr/bin/perl", "/usr/bin/env perl"]) {
        return d("text/x-perl", ".pl");
    }
    if shebang(
        raw,
        &[
            "/usr/bin/python",
            "/usr/local/bin/python",
            "/usr/bin/env python",
        ],
    ) {
        return d("text/x-python", ".py");
    }
    if shebang(
        raw,
        &["/usr/local/bin/ruby", "/usr/bin/ruby", "/usr/bin/env ruby"],
    ) {
        return d("text/x-ruby", ".rb");
    }
    if is_json(raw, truncated) {
        if is_geojson(raw) {
            return d("application/geo+json", ".geojson");
        }
        return d("application/json", ".json");
    }
    if is_ndjson(raw, truncated) {
        return d("application/x-ndjson", ".ndjson");
    }
    if raw.starts_with(b"{\\rtf") {
        return d("text/rtf", ".rtf");
    }
    let tcl = [
        "/usr/bin/tcl",
        "/usr/local/bin/tcl",
        "/usr/bin/env tcl",
        "/usr/bin/tclsh",
        "/usr/local/bin/tclsh",
        "/usr/bin/env tclsh",
        "/usr/bin/wish",
        "/usr/local/bin/wish",
        "/usr/bin/env wish",
    ];
    if shebang(raw, &tcl) {
        return d("text/x-tcl", ".tcl");
    }
    if is_sv(raw, b',', truncated) {
        return d("text/csv", ".csv");
    }
    if is_sv(raw, b'\t', truncated) {
        return d("text/tab-separated-values", ".tsv");
    }
    if starts_with_ci(raw, b"BEGIN:VCARD\n") || starts_with_ci(raw, b"BEGIN:VCARD\r\n") {
        return d("text/vcard", ".vcf");
    }
    if starts_with_ci(raw, b"BEGIN:VCALENDAR\n") || starts_with_ci(raw, b"BEGIN:VCALENDAR\r\n") {
        return d("text/calendar", ".ics");
    }
    if raw.starts_with(b"WARC/1.0") || raw.starts_with(b"WARC/1.1") {
        return d("application/warc", ".warc");
    }
    let vtt = raw.strip_prefix(b"\xef\xbb\xbf").unwrap_or(raw);
    if vtt == b"WEBVTT"
        || (vtt.starts_with(b"WEBVTT")
            && vtt
                .get(6)
                .is_some_and(|&b| matches!(b, b'\n' | b'\r' | b' ' | b'\t')))
    {
        return d("text/vtt", ".vtt");
    }
    if shebang(raw, SHELLS) {
        return d("text/x-shellscript", ".sh");
    }
    d("text/plain", ".txt")
}

/// The charset of plain text: from the BOM, `utf-8` for ASCII or valid UTF-8, else a Latin one.
fn from_plain(raw: &[u8]) -> Option<String> {
    if raw.is_empty() {
        return None;
    }
    if let Some(c) = from_bom(raw) {
        return Some(c.to_string());
    }
    // a rune cut by the read limit does not make the text invalid
    let content = match std::str::from_utf8(raw) {
        Err(e) if e.error_len().is_none() => &raw[..e.valid_up_to()],
        _ => raw,
    };
    if content.iter().any(|&b| b >= 0x80) && std::str::from_utf8(content).is_ok() {
        return Some("utf-8".into());
    }
    let ascii = |b: u8| matches!(b, 7..=13 | 27 | 0x20..=0x7E | 0x85);
    if raw.iter().all(|&b| ascii(b)) {
        return Some("utf-8".into());
    }
    let mut c1 = false;
    for &b in raw {
        let latin = ascii(b) || b >= 0xA0;
        if !latin {
            return None;
        }
        c1 |= (0x80..=0x9F).contains(&b);
    }
    Some(if c1 { "windows-1252" } else { "iso-8859-1" }.into())
}

/// The value of attribute `name` inside a tag's text (quoted or bare).
fn attribute<'a>(tag: &'a [u8], name: &[u8]) -> Option<&'a [u8]> {
    let lower = tag.to_ascii_lowercase();
    let mut from = 0;
    while let Some(pos) = lower[from..].windows(name.len()).position(|w| w == name) {
        let start = from + pos;
        from = start + name.len();
        if start > 0 && !is_ws(lower[start - 1]) {
            continue;
        }
        let rest = trim_lws(&tag[from..]);
        let Some(rest) = rest.strip_prefix(b"=") else {
            continue;
        };
        let rest = trim_lws(rest);
        return Some(match rest.first() {
            Some(&q @ (b'"' | b'\'')) => rest[1..].split(|&b| b == q).next().unwrap_or(&[]),
            _ => rest
                .split(|&b| is_ws(b) || b == b'>' || b == b';')
                .next()
                .unwrap_or(&[]),
        });
    }
    None
}

fn from_html(raw: &[u8]) -> Option<String> {
    if let Some(c) = from_bom(raw) {
        return Some(c.to_string());
    }
    let lower = raw.to_ascii_lowercase();
    let mut from = 0;
    while let Some(pos) = lower[from..].windows(5).position(|w| w == b"<meta") {
        let start = from + pos + 5;
        from = start;
        if !lower.get(start).is_some_and(|&b| is_ws(b) || b == b'/') {
            continue;
        }
        let end = lower[start..]
            .iter()
            .position(|&b| b == b'>')
            .map_or(raw.len(), |e| start + e);
        let tag = &raw[start..end];
        if let Some(c) = attribute(tag, b"charset").filter(|c| !c.is_empty()) {
            return Some(String::from_utf8_lossy(c).trim().to_string());
        }
        let pragma =
            attribute(tag, b"http-equiv").is_some_and(|v| v.eq_ignore_ascii_case(b"content-type"));
        if let (true, Some(content)) = (pragma, attribute(tag, b"content")) {
            if let Some(c) =
                attribute(&[b" ", content].concat(), b"charset").filter(|c| !c.is_empty())
            {
                return Some(String::from_utf8_lossy(c).trim().to_string());
            }
        }
    }
    from_plain(raw)
}

fn from_xml(raw: &[u8]) -> Option<String> {
    let lower = raw.to_ascii_lowercase();
    if let Some(pos) = lower.windows(5).position(|w| w == b"<?xml") {
        let end = lower[pos..]
            .windows(2)
            .position(|w| w == b"?>")
            .map_or(raw.len(), |e| pos + e);
        if let Some(c) = attribute(&raw[pos + 5..end], b"encoding").filter(|c| !c.is_empty()) {
            return Some(String::from_utf8_lossy(c).to_string());
        }
    }
    from_plain(raw)
}

/// The text type of `raw` and its charset (for `text/plain`, `text/html`, `text/xml`); `None` when
/// the content is not text.
pub fn detect_text(raw: &[u8], truncated: bool) -> Option<(Detected, Option<String>)> {
    if !is_text(raw) {
        return None;
    }
    let kind = text_kind(raw, truncated);
    let charset = match kind.mime {
        "text/plain" => from_plain(raw),
        "text/html" => from_html(raw),
        "text/xml" => from_xml(raw),
        _ => None,
    };
    Some((kind, charset))
}
