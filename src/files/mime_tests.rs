//! Content sniffing and `mimeTypes` matching, checked against what PocketBase stored for the same bytes.

use super::*;

fn zip(names: &[&str]) -> Vec<u8> {
    let mut out = Vec::new();
    for n in names {
        out.extend_from_slice(b"PK\x03\x04\x14\0\0\0\0\0\0\0\0\0\0\0\0\0\x04\0\0\0\x04\0\0\0");
        out.extend_from_slice(&(n.len() as u16).to_le_bytes());
        out.extend_from_slice(&[0, 0]);
        out.extend_from_slice(n.as_bytes());
        out.extend_from_slice(b"<x/>");
    }
    out
}

#[test]
fn oracle_detections() {
    let x4000 = "x".repeat(4000);
    let big_bad_json = format!("{{\"a\":\"{x4000}");
    let big_json_garbage = format!("{{\"a\":\"{}\"}}zzz", "x".repeat(9000));
    let mut bmp = b"BM".to_vec();
    bmp.extend_from_slice(&[0; 12]);
    bmp.extend_from_slice(&[0x28, 0, 0, 0]);
    bmp.extend_from_slice(&[0; 20]);
    let cases: Vec<(Vec<u8>, &str)> = vec![
        (b"hello world\n".to_vec(), "text/plain; charset=utf-8"),
        (b"".to_vec(), "text/plain"),
        (b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec(), "image/png"),
        (
            b"<!DOCTYPE html><html><body>hi</body></html>".to_vec(),
            "text/html; charset=utf-8",
        ),
        (b"  <html>x".to_vec(), "text/html; charset=utf-8"),
        (
            b"<html><body><svg width=\"10\"></svg></body></html>".to_vec(),
            "text/html; charset=utf-8",
        ),
        (
            b"<html><head><meta charset=\"windows-1252\"></head></html>".to_vec(),
            "text/html; charset=windows-1252",
        ),
        (b"<!-- x --><p>hi</p>".to_vec(), "text/html; charset=utf-8"),
        (b"<div>hi</div>".to_vec(), "text/html; charset=utf-8"),
        (
            b"<svg xmlns=\"http://www.w3.org/2000/svg\"></svg>".to_vec(),
            "image/svg+xml",
        ),
        (
            b"<?xml version=\"1.0\"?><svg xmlns=\"http://www.w3.org/2000/svg\"></svg>".to_vec(),
            "image/svg+xml",
        ),
        (
            b"<!-- c --><svg xmlns=\"http://www.w3.org/2000/svg\"/>".to_vec(),
            "image/svg+xml",
        ),
        (
            b"  <SVG xmlns=\"http://www.w3.org/2000/svg\"></SVG>".to_vec(),
            "text/plain; charset=utf-8",
        ),
        (b"hello <svg> world".to_vec(), "text/plain; charset=utf-8"),
        (
            b"<?xml version=\"1.0\"?><root/>".to_vec(),
            "text/xml; charset=utf-8",
        ),
        (
            b"<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><a/>".to_vec(),
            "text/xml; charset=ISO-8859-1",
        ),
        (b"{\"a\":[1,2,{\"b\":null}]}".to_vec(), "application/json"),
        (b"  \n {\"a\": 1} \n".to_vec(), "application/json"),
        (b"[1,2".to_vec(), "text/plain; charset=utf-8"),
        (b"\"just a string\"".to_vec(), "text/plain; charset=utf-8"),
        (
            b"{\"type\":\"Feature\",\"x\":1}".to_vec(),
            "application/geo+json",
        ),
        (b"{\"a\":1}\n{\"b\":2}\n".to_vec(), "application/x-ndjson"),
        (big_bad_json.into_bytes(), "text/plain; charset=utf-8"),
        (big_json_garbage.into_bytes(), "application/json"),
        (b"a,b,c\n1,2,3\n4,5,6\n".to_vec(), "text/csv"),
        (b"a,b\n".to_vec(), "text/plain; charset=utf-8"),
        (b"a,b\n1,2".to_vec(), "text/csv"),
        (b"#c\na,b\n1,2\n".to_vec(), "text/csv"),
        (b"a,\"b,c\"\n1,2\n".to_vec(), "text/csv"),
        (b"a,b\n\n1,2\n".to_vec(), "text/csv"),
        (b"a\tb\n1\t2\n".to_vec(), "text/tab-separated-values"),
        (b"BEGIN:VCARD\nVERSION:3.0\n".to_vec(), "text/vcard"),
        (
            b"caf\xe9 na\xefve".to_vec(),
            "text/plain; charset=iso-8859-1",
        ),
        (b"\x80abc\x93".to_vec(), "text/plain"),
        ("caf\u{e9}".as_bytes().to_vec(), "text/plain; charset=utf-8"),
        (b"\xff\xfeh\0i\0".to_vec(), "text/plain; charset=utf-16le"),
        (
            b"\xff\xfe\0\0h\0\0\0".to_vec(),
            "text/plain; charset=utf-32le",
        ),
        (b"\xef\xbb\xbfhi".to_vec(), "text/plain; charset=utf-8"),
        (b"\0\x01\x02\x03".to_vec(), "application/octet-stream"),
        (b"%PDF-1.4\n".to_vec(), "application/pdf"),
        (
            zip(&["[Content_Types].xml", "word/document.xml"]),
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ),
        (
            zip(&["[Content_Types].xml", "xl/workbook.xml"]),
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ),
        (
            zip(&["[Content_Types].xml", "ppt/presentation.xml"]),
            "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        ),
        (zip(&["a.txt"]), "application/zip"),
        (b"\x1f\x8b\x08\0\0\0\0\0".to_vec(), "application/gzip"),
        (
            b"ID3\x03\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0".to_vec(),
            "application/octet-stream",
        ),
        (b"RIFF\x24\0\0\0WAVEfmt \0\0\0\0".to_vec(), "audio/wav"),
        (
            b"\0\0\0\x18ftypmp42\0\0\0\0mp42isom\0\0\0\0\0\0\0\0".to_vec(),
            "video/mp4",
        ),
        (
            b"\x1a\x45\xdf\xa3\x9f\x42\x86\x81\x01\x42\xf7\x81\x01\x42\x82\x84webm".to_vec(),
            "video/webm",
        ),
        (b"\0\0\x01\0\x01\0\x10\x10\0\0".to_vec(), "image/x-icon"),
        (
            b"#!/usr/bin/env node\nconsole.log(1)".to_vec(),
            "text/javascript",
        ),
        (b"#!/bin/sh\necho hi\n".to_vec(), "text/x-shellscript"),
        (b"#!/usr/bin/env python\nprint(1)".to_vec(), "text/x-python"),
        (b"<?php echo 1; ?>".to_vec(), "text/x-php"),
        (b"{\\rtf1\\ansi hello}".to_vec(), "text/rtf"),
        (
            b"body { color: red; }".to_vec(),
            "text/plain; charset=utf-8",
        ),
        (b"SQLite format 3\0\0\0".to_vec(), "application/vnd.sqlite3"),
        (
            b"OggS\0\x02\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\x01vorbis".to_vec(),
            "application/ogg",
        ),
        (
            b"\0\0\0\x1cftypavif\0\0\0\0avifmif1miaf".to_vec(),
            "image/avif",
        ),
        (b"\0\0\0\x18ftypheic\0\0\0\0mif1heic".to_vec(), "image/heic"),
        (
            b"\0\0\0\x14ftypqt  \0\0\0\0qt  ".to_vec(),
            "video/quicktime",
        ),
        (b"fLaC\0\0\0\x22".to_vec(), "audio/flac"),
        (
            b"7z\xbc\xaf\x27\x1c\0\x04".to_vec(),
            "application/x-7z-compressed",
        ),
        (b"Rar!\x1a\x07\x01\0\0\0".to_vec(), "application/vnd.rar"),
        (b"wOFF\0\x01\0\0".to_vec(), "font/woff"),
        (b"wOF2\0\x01\0\0".to_vec(), "font/woff2"),
        (
            b"\x7fELF\x02\x01\x01\0\0\0\0\0\0\0\0\0\x02\0\0\0".to_vec(),
            "application/x-executable",
        ),
        (
            b"MZ\x90\0".to_vec(),
            "application/vnd.microsoft.portable-executable",
        ),
        (b"\0asm\x01\0\0\0".to_vec(), "application/wasm"),
        (b"II*\0\x08\0\0\0".to_vec(), "image/tiff"),
        (b"BM\0\0\0\0".to_vec(), "application/octet-stream"),
        (bmp, "image/bmp"),
        (b"MThd\0\0\0\x06".to_vec(), "audio/midi"),
        (b"%!PS-Adobe-3.0\n".to_vec(), "application/postscript"),
        (b"BZh91AY&SY".to_vec(), "application/x-bzip2"),
        (b"\xfd7zXZ\0\0".to_vec(), "application/x-xz"),
        (b"\x28\xb5\x2f\xfd\0\0".to_vec(), "application/zstd"),
        (b"GIF89a\x01\0".to_vec(), "image/gif"),
        (b"\xff\xd8\xff\xe0".to_vec(), "image/jpeg"),
        (b"RIFF\0\0\0\0WEBPVP8 ".to_vec(), "image/webp"),
    ];
    for (content, want) in cases {
        assert_eq!(
            detect_mime(&content),
            want,
            "{:?}",
            String::from_utf8_lossy(&content[..content.len().min(40)])
        );
    }
}

#[test]
fn read_limit_is_4096_bytes() {
    let mut inside = vec![b'x'; 4095];
    inside.push(0);
    assert_eq!(detect_mime(&inside), "application/octet-stream");
    let mut outside = vec![b'x'; 4096];
    outside.push(0);
    assert_eq!(detect_mime(&outside), "text/plain; charset=utf-8");
}

#[test]
fn extensions() {
    assert_eq!(detect_extension(b"\x89PNG\r\n\x1a\n"), ".png");
    assert_eq!(detect_extension(b"hello"), ".txt");
    assert_eq!(detect_extension(b"\0\x01"), "");
}

#[test]
fn matching_uses_aliases_not_parents() {
    let list = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    assert!(mime_allowed(
        "text/plain; charset=utf-8",
        &list(&["text/plain"])
    ));
    assert!(mime_allowed(
        "text/plain; charset=utf-8",
        &list(&["TEXT/PLAIN"])
    ));
    assert!(mime_allowed(
        "text/plain; charset=utf-8",
        &list(&[" text/plain "])
    ));
    assert!(mime_allowed(
        "text/plain; charset=utf-8",
        &list(&["text/plain; charset=utf-8"])
    ));
    assert!(mime_allowed(
        "application/pdf",
        &list(&["application/x-pdf"])
    ));
    assert!(mime_allowed("image/bmp", &list(&["image/x-ms-bmp"])));
    assert!(mime_allowed(
        "application/json",
        &list(&["application/json"])
    ));
    assert!(mime_allowed("anything/at-all", &[]));
    // parents do not match (verified: a docx is not an allowed application/zip)
    assert!(!mime_allowed(
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        &list(&["application/zip"])
    ));
    assert!(!mime_allowed("application/json", &list(&["text/plain"])));
    assert!(!mime_allowed(
        "image/png",
        &list(&["application/octet-stream"])
    ));
    assert!(!mime_allowed("image/svg+xml", &list(&["text/xml"])));
    assert!(!mime_allowed("image/png", &list(&["image/jpeg", "bogus"])));
}
