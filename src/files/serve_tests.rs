//! Tests of the serving rules: quoting, headers, preconditions and ranges.

use super::*;

#[test]
fn quotes_like_go() {
    assert_eq!(go_quote("a.png"), "\"a.png\"");
    assert_eq!(go_quote("a\"b\\c\n"), "\"a\\\"b\\\\c\\n\"");
    assert_eq!(go_quote("\u{1}x\u{7f}"), "\"\\x01x\\x7f\"");
    assert_eq!(go_quote("caf\u{e9}"), "\"caf\u{e9}\"");
}

#[test]
fn disposition_and_type() {
    assert_eq!(
        content_disposition("my_photo_7yyfebd9vi.final.PNG", "image/png", false),
        "inline; filename=\"my_photo_7yyfebd9vi.final.PNG\""
    );
    assert_eq!(
        content_disposition("doc.txt", "text/plain; charset=utf-8", false),
        "attachment; filename=\"doc.txt\""
    );
    assert_eq!(
        content_disposition("a.png", "image/png", true),
        "attachment; filename=\"a.png\""
    );
    assert_eq!(
        content_type("a.svg", "text/plain; charset=utf-8"),
        "image/svg+xml"
    );
    assert_eq!(content_type("a.mjs", "text/plain"), "text/javascript");
    assert_eq!(content_type("a.final.PNG", "image/png"), "image/png");
    assert_eq!(content_type("a.SVG", "text/plain"), "text/plain");
    for t in ["1", "t", "T", "true", "TRUE", "True"] {
        assert_eq!(parse_bool(t), Some(true));
    }
    assert_eq!(parse_bool("yes"), None);
}

fn r(start: u64, length: u64) -> ByteRange {
    ByteRange { start, length }
}

#[test]
fn ranges_like_go() {
    assert_eq!(parse_range("bytes=2-4", 12), Ok(vec![r(2, 3)]));
    assert_eq!(
        parse_range("bytes=0-1,4-5,-2", 12),
        Ok(vec![r(0, 2), r(4, 2), r(10, 2)])
    );
    assert_eq!(parse_range("bytes=5-", 12), Ok(vec![r(5, 7)]));
    assert_eq!(parse_range("bytes=-50", 12), Ok(vec![r(0, 12)]));
    assert_eq!(parse_range("bytes=3-100", 12), Ok(vec![r(3, 9)]));
    assert_eq!(parse_range("bytes= 1 - 2 ,", 12), Ok(vec![r(1, 2)]));
    assert_eq!(parse_range("bytes=+1-2", 12), Ok(vec![r(1, 2)]));
    assert_eq!(parse_range("bytes=50-60", 12), Err(RangeError::NoOverlap));
    assert_eq!(parse_range("bytes=50-60,1-2", 12), Ok(vec![r(1, 2)]));
    for bad in [
        "garbage",
        "bytes=4-2",
        "bytes=-",
        "bytes=--1",
        "bytes=a-b",
        "bytes=1",
        "items=1-2",
        "bytes=-1-2",
        "bytes=99999999999999999999-",
    ] {
        assert_eq!(parse_range(bad, 12), Err(RangeError::Invalid), "{bad}");
    }
    assert_eq!(r(2, 3).content_range(12), "bytes 2-4/12");
}

#[test]
fn multipart_layout() {
    let body = multipart_body(&[r(0, 2), r(4, 2)], "text/plain", 12, "B");
    let text: Vec<String> = body
        .iter()
        .map(|s| match s {
            Segment::Bytes(b) => String::from_utf8_lossy(b).into_owned(),
            Segment::File { start, length } => format!("<{start}+{length}>"),
        })
        .collect();
    assert_eq!(
        text.concat(),
        "--B\r\nContent-Range: bytes 0-1/12\r\nContent-Type: text/plain\r\n\r\n<0+2>\r\n--B\r\nContent-Range: bytes 4-5/12\r\nContent-Type: text/plain\r\n\r\n<4+2>\r\n--B--\r\n"
    );
    assert_eq!(random_boundary().len(), 60);
}

#[test]
fn preconditions_like_go() {
    let modified = UNIX_EPOCH + Duration::from_millis(1_795_722_639_500);
    let lm = http_date(modified);
    let get = |f: &dyn Fn(&mut Conditions)| {
        let mut c = Conditions {
            method: "GET".into(),
            ..Default::default()
        };
        f(&mut c);
        check_preconditions(&c, modified)
    };
    assert_eq!(get(&|_| {}), Precondition::Proceed(None));
    assert_eq!(
        get(&|c| c.if_modified_since = Some(lm.clone())),
        Precondition::NotModified
    );
    assert_eq!(
        get(&|c| c.if_modified_since = Some("Thu, 01 Jan 2015 00:00:00 GMT".into())),
        Precondition::Proceed(None)
    );
    assert_eq!(
        get(&|c| c.if_modified_since = Some("garbage".into())),
        Precondition::Proceed(None)
    );
    assert_eq!(
        get(&|c| c.if_none_match = Some("*".into())),
        Precondition::NotModified
    );
    // an entity tag (never matching: no ETag is sent) disables If-Modified-Since
    assert_eq!(
        get(&|c| {
            c.if_none_match = Some("\"x\"".into());
            c.if_modified_since = Some(lm.clone());
        }),
        Precondition::Proceed(None)
    );
    assert_eq!(
        get(&|c| c.if_match = Some("\"x\"".into())),
        Precondition::Failed
    );
    assert_eq!(
        get(&|c| c.if_match = Some("*".into())),
        Precondition::Proceed(None)
    );
    assert_eq!(
        get(&|c| c.if_unmodified_since = Some("Thu, 01 Jan 2015 00:00:00 GMT".into())),
        Precondition::Failed
    );
    assert_eq!(
        get(&|c| c.if_unmodified_since = Some(lm.clone())),
        Precondition::Proceed(None)
    );
    let ranged = |c: &mut Conditions| c.range = Some("bytes=0-1".into());
    assert_eq!(
        get(&ranged),
        Precondition::Proceed(Some("bytes=0-1".into()))
    );
    assert_eq!(
        get(&|c| {
            ranged(c);
            c.if_range = Some("\"abc\"".into());
        }),
        Precondition::Proceed(None)
    );
    assert_eq!(
        get(&|c| {
            ranged(c);
            c.if_range = Some(lm.clone());
        }),
        Precondition::Proceed(Some("bytes=0-1".into()))
    );
}
