//! Unit tests for value validation and blank checks (expectations observed on PocketBase 0.40.6).

use super::*;
use crate::model::field::Field;
use serde_json::{json, Value};

fn field(def: Value) -> Field {
    let mut def = def;
    if def.get("name").is_none() {
        def["name"] = json!("f");
    }
    serde_json::from_value(def).expect("valid field json")
}

fn err_json(f: &Field, v: &Value) -> Value {
    match validate(f, &prepare(f, v)) {
        Ok(()) => Value::Null,
        Err(e) => e.to_json(),
    }
}

fn code(f: &Field, v: &Value) -> String {
    match validate(f, &prepare(f, v)) {
        Ok(()) => "ok".into(),
        Err(e) => e.code,
    }
}

#[test]
fn text_validation() {
    let f = field(json!({"type": "text", "min": 3, "max": 5, "pattern": "^[a-z]+$"}));
    assert_eq!(
        err_json(&f, &json!("ab")),
        json!({"code": "validation_min_text_constraint", "message": "Must be at least 3 character(s).", "params": {"min": 3}})
    );
    assert_eq!(
        err_json(&f, &json!("abcdef")),
        json!({"code": "validation_max_text_constraint", "message": "Must be no more than 5 character(s).", "params": {"max": 5}})
    );
    assert_eq!(code(&f, &json!("AB")), "validation_min_text_constraint");
    assert_eq!(
        code(&f, &json!("ABCDEFG")),
        "validation_max_text_constraint"
    );
    assert_eq!(
        err_json(&f, &json!("ééé")),
        json!({"code": "validation_invalid_format", "message": "Invalid value format."})
    );
    assert_eq!(code(&f, &json!("éééééé")), "validation_max_text_constraint");
    assert_eq!(code(&f, &json!("abc")), "ok");
    assert_eq!(code(&f, &json!("")), "ok");
    let plain = field(json!({"type": "text"}));
    assert_eq!(code(&plain, &json!("é".repeat(5000))), "ok");
    assert_eq!(
        err_json(&plain, &json!("é".repeat(5001))),
        json!({"code": "validation_max_text_constraint", "message": "Must be no more than 5000 character(s).", "params": {"max": 5000}})
    );
    let req = field(json!({"type": "text", "required": true}));
    assert_eq!(
        err_json(&req, &json!("")),
        json!({"code": "validation_required", "message": "Cannot be blank."})
    );
    assert_eq!(code(&req, &json!("  ")), "ok");
}

#[test]
fn editor_validation() {
    let f = field(json!({"type": "editor", "maxSize": 10}));
    assert_eq!(
        err_json(&f, &json!("12345678901")),
        json!({"code": "validation_content_size_limit", "message": "The maximum allowed content size is 10 bytes.", "params": {"maxSize": 10}})
    );
    assert_eq!(code(&f, &json!("ééééé")), "ok");
    assert_eq!(code(&f, &json!("éééééé")), "validation_content_size_limit");
    let dflt = field(json!({"type": "editor"}));
    let e = validate(&dflt, &json!("a".repeat(5 * 1024 * 1024 + 1))).expect_err("too big");
    assert_eq!(
        e.message,
        "The maximum allowed content size is 5242880 bytes."
    );
}

#[test]
fn number_validation() {
    let f = field(json!({"type": "number", "min": 1, "max": 10, "onlyInt": true}));
    assert_eq!(
        err_json(&f, &json!(1.5)),
        json!({"code": "validation_only_int_constraint", "message": "Decimal numbers are not allowed."})
    );
    assert_eq!(code(&f, &json!(0.5)), "validation_only_int_constraint");
    assert_eq!(code(&f, &json!(1e300)), "validation_only_int_constraint");
    assert_eq!(
        err_json(&f, &json!(11)),
        json!({"code": "validation_max_number_constraint", "message": "Must be less or equal than 10.", "params": {"max": 10}})
    );
    assert_eq!(code(&f, &json!(0)), "ok");
    let g = field(json!({"type": "number", "min": -1.5, "max": 2.5}));
    assert_eq!(
        err_json(&g, &json!(3)),
        json!({"code": "validation_max_number_constraint", "message": "Must be less or equal than 2.5.", "params": {"max": 2.5}})
    );
    assert_eq!(
        err_json(&g, &json!(-2)),
        json!({"code": "validation_min_number_constraint", "message": "Must be greater or equal than -1.5.", "params": {"min": -1.5}})
    );
    let req = field(json!({"type": "number", "required": true}));
    assert_eq!(code(&req, &json!(-0.0)), "validation_required");
    assert_eq!(code(&req, &json!(0.1)), "ok");
}

#[test]
fn bool_validation() {
    let req = field(json!({"type": "bool", "required": true}));
    assert_eq!(code(&req, &json!(false)), "validation_required");
    assert_eq!(code(&req, &json!(true)), "ok");
    let opt = field(json!({"type": "bool"}));
    assert_eq!(code(&opt, &json!(false)), "ok");
}

#[test]
fn email_validation() {
    let only = field(json!({"type": "email", "onlyDomains": ["a.com"]}));
    let except = field(json!({"type": "email", "exceptDomains": ["b.com"]}));
    assert_eq!(
        err_json(&only, &json!("x@b.com")),
        json!({"code": "validation_email_domain_not_allowed", "message": "Email domain is not allowed."})
    );
    assert_eq!(
        code(&except, &json!("x@b.com")),
        "validation_email_domain_not_allowed"
    );
    assert_eq!(
        err_json(&only, &json!("notanemail")),
        json!({"code": "validation_is_email", "message": "Must be a valid email address."})
    );
    assert_eq!(
        code(&only, &json!("x@A.com")),
        "validation_email_domain_not_allowed"
    );
    assert_eq!(
        code(&only, &json!("a@a.com.")),
        "validation_email_domain_not_allowed"
    );
    assert_eq!(code(&only, &json!("x@a.com")), "ok");
    let valid = [
        "ü@a.com",
        "a+b@a.com",
        "a/b@a.com",
        "a@a_b.com",
        "a@a~b.com",
        "a@a.c",
        "A@a.com",
        "a@xn--80a.com",
        "a@ü.com",
        "a@a.ü",
        "a@a.c~m",
        "a@b.a1.com",
        "a@a.b.c.d.e",
        "a~!#$%&*+/=?^_`{|}@a.com",
        "'@a.com",
        "a@a.C",
        "a\u{a0}b@a.com",
        "\u{d7ff}@a.com",
        "a@\u{ffef}.com",
        "a@a.com.x",
        "a@a.c_m",
        "a-b@a.com",
        "a@b.c",
        "a@sub.a.com",
        "a@1.com",
        "a@a.c-m",
        "a@a.com.",
        "a@a.com",
    ];
    let invalid = [
        "a@b",
        "a@b.c1",
        "a..b@c.com",
        "a@-b.com",
        "\"a b\"@a.com",
        ".a@a.com",
        "a.@a.com",
        "a@a..com",
        "a@a.com ",
        " a@a.com",
        "a@b@a.com",
        "a b@a.com",
        "\"ab\"@a.com",
        "a@[1.2.3.4]",
        "a@1.2.3.4",
        "a@a-.com",
        "a@a.-com",
        "a@a.com-",
        "a@_a.com",
        "a@a._com",
        "a@a.com_",
        "a@a_.com",
        "a\"b@a.com",
        "a@a.a1",
        "a@a.1a",
        "a\\b@a.com",
        "a@a.com\n",
        "a@a",
        "\u{7f}@a.com",
        "a@\u{fff0}.com",
        "a(b)@a.com",
        "a,b@a.com",
        "a;b@a.com",
        "a@a.com..",
        "a@.a.com",
        "@a.com",
        "a@",
        "12",
    ];
    let plain = field(json!({"type": "email"}));
    for s in valid {
        assert_eq!(code(&plain, &json!(s)), "ok", "{s}");
    }
    for s in invalid {
        assert_eq!(code(&plain, &json!(s)), "validation_is_email", "{s}");
    }
}

#[test]
fn url_validation() {
    let plain = field(json!({"type": "url"}));
    let valid = [
        "example.com",
        "http://example.com",
        "https://a",
        "http://localhost",
        "http://localhost:8080/x",
        "ftp://a.com",
        "mailto:a@b.com",
        "a.com:80",
        "localhost:80",
        "http://1.2.3.4",
        "http://[::1]:80/",
        "http://user:pass@a.com",
        "http://a.com?x=1#f",
        "http://a_b.com",
        "http://ü.com",
        "http://a.com:99999",
        "http://a.com.",
        "http://a.c",
        "http://a",
        "https://a1",
        "wss://a.com/x",
        "http://a.com/%20",
        "http://a.com?%zz",
        "a.co",
    ];
    let invalid = [
        "//a.com",
        "http://",
        "http://a.com/path with space",
        "http://a b.com",
        "javascript:alert(1)",
        "abc",
        "/path/x.y",
        "http://-a.com",
        "HTTP://A.COM",
        "foo://a.com",
        "http://.a.com",
        ".a.com",
        "http://a..com",
        "irc://a.com",
        "http://a.com/%zz",
        "http://a.1",
        "http://a.com#%zz",
        "a.c",
        "http://[zz]/",
        "http://a.com:",
        "http://a.com:8a",
        "http://a{b.com",
        "http://user name@a.com",
        "http://us\"er@a.com",
    ];
    for s in valid {
        assert_eq!(code(&plain, &json!(s)), "ok", "{s}");
    }
    for s in invalid {
        assert_eq!(
            err_json(&plain, &json!(s)),
            json!({"code": "validation_invalid_url", "message": "Must be a valid url."}),
            "{s}"
        );
    }
    let only = field(json!({"type": "url", "onlyDomains": ["example.com"]}));
    assert_eq!(
        err_json(&only, &json!("http://other.com")),
        json!({"code": "validation_url_domain_not_allowed", "message": "Url domain is not allowed."})
    );
    assert_eq!(code(&only, &json!("https://example.com/x")), "ok");
    assert_eq!(
        code(&only, &json!("example.com")),
        "validation_url_domain_not_allowed"
    );
    assert_eq!(
        code(&only, &json!("http://example.com:80")),
        "validation_url_domain_not_allowed"
    );
    let except = field(json!({"type": "url", "exceptDomains": ["bad.com"]}));
    assert_eq!(
        code(&except, &json!("https://bad.com/x")),
        "validation_url_domain_not_allowed"
    );
    assert_eq!(
        code(&except, &json!("ftp://bad.com")),
        "validation_url_domain_not_allowed"
    );
    assert_eq!(code(&except, &json!("https://good.com/x")), "ok");
}

#[test]
fn date_validation() {
    let f = field(
        json!({"type": "date", "min": "2024-01-01 00:00:00.000Z", "max": "2025-01-01 10:00:00.123Z"}),
    );
    assert_eq!(
        err_json(&f, &json!("2023-01-01")),
        json!({"code": "validation_min_greater_equal_than_required", "message": "Must be no less than 2024-01-01 00:00:00 +0000 UTC.", "params": {"threshold": "2024-01-01T00:00:00Z"}})
    );
    assert_eq!(
        err_json(&f, &json!("2026-01-01")),
        json!({"code": "validation_max_less_equal_than_required", "message": "Must be no greater than 2025-01-01 10:00:00.123 +0000 UTC.", "params": {"threshold": "2025-01-01T10:00:00.123Z"}})
    );
    assert_eq!(code(&f, &json!("2024-06-01")), "ok");
    assert_eq!(code(&f, &json!("2024-01-01 00:00:00.000Z")), "ok");
    let req = field(json!({"type": "date", "required": true}));
    assert_eq!(code(&req, &json!("bad")), "validation_required");
}

#[test]
fn select_validation() {
    let single = field(json!({"type": "select", "values": ["a", "b", "c"]}));
    assert_eq!(
        err_json(&single, &json!("z")),
        json!({"code": "validation_invalid_value", "message": "Invalid value z.", "params": {"value": "z"}})
    );
    assert_eq!(code(&single, &json!(["a", "b"])), "ok");
    assert_eq!(
        err_json(&single, &json!(" a")),
        json!({"code": "validation_invalid_value", "message": "Invalid value  a.", "params": {"value": " a"}})
    );
    let multi = field(json!({"type": "select", "values": ["a", "b", "c"], "maxSelect": 2}));
    assert_eq!(
        err_json(&multi, &json!(["a", "b", "c"])),
        json!({"code": "validation_too_many_values", "message": "Select no more than 2.", "params": {"maxSelect": 2}})
    );
    assert_eq!(
        code(&multi, &json!(["a", "z", "y"])),
        "validation_too_many_values"
    );
    assert_eq!(code(&multi, &json!(["a", "z"])), "validation_invalid_value");
    assert_eq!(code(&multi, &json!("a,b")), "validation_invalid_value");
    assert_eq!(code(&multi, &json!([1.5])), "validation_invalid_value");
    assert_eq!(code(&multi, &json!(["b", "b", "a"])), "ok");
    let req = field(json!({"type": "select", "values": ["a"], "required": true}));
    assert_eq!(code(&req, &json!([])), "validation_required");
}

#[test]
fn relation_and_file_validation() {
    let f = field(json!({"type": "relation", "collectionId": "x", "minSelect": 2, "maxSelect": 3}));
    assert_eq!(code(&f, &json!([])), "ok");
    assert_eq!(
        err_json(&f, &json!(["a"])),
        json!({"code": "validation_not_enough_values", "message": "Select at least 2.", "params": {"minSelect": 2}})
    );
    assert_eq!(
        err_json(&f, &json!(["a", "b", "c", "d"])),
        json!({"code": "validation_too_many_values", "message": "Select no more than 3.", "params": {"maxSelect": 3}})
    );
    assert_eq!(code(&f, &json!(["x", "x", "y"])), "ok");
    let req = field(json!({"type": "relation", "collectionId": "x", "required": true}));
    assert_eq!(code(&req, &json!("")), "validation_required");
    let files = field(json!({"type": "file", "maxSelect": 2}));
    assert_eq!(
        validate(&files, &json!(["a", "b", "c"])).map_err(|e| e.to_json()),
        Err(
            json!({"code": "validation_too_many_files", "message": "The maximum allowed files is 2.", "params": {"maxSelect": 2}})
        )
    );
    assert_eq!(code(&files, &json!(["a", "b"])), "ok");
    let req = field(json!({"type": "file", "required": true}));
    assert_eq!(code(&req, &Value::Null), "validation_required");
}

#[test]
fn json_validation() {
    let f = field(json!({"type": "json", "maxSize": 20}));
    let too_big = json!({"code": "validation_json_size_limit", "message": "The maximum allowed JSON size is 20 bytes.", "params": {"maxSize": 20}});
    assert_eq!(
        err_json(&f, &json!("{\"a\":\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\"}")),
        too_big
    );
    assert_eq!(code(&f, &json!("[1,2,3,4,5,6,7,8,99]")), "ok");
    assert_eq!(err_json(&f, &json!("[1,2,3,4,5,6,7,8,999]")), too_big);
    assert_eq!(code(&f, &json!("<<<<<<<<<<<<<<<")), "ok");
    assert_eq!(code(&f, &json!(["<<<<<<<<<<<<<<"])), "ok");
    let req = field(json!({"type": "json", "required": true}));
    for blank in [
        Value::Null,
        json!(""),
        json!("[]"),
        json!({}),
        json!("{}"),
        json!("null"),
    ] {
        assert_eq!(code(&req, &blank), "validation_required", "{blank}");
    }
    for filled in [json!(0), json!(false), json!("0"), json!(" ")] {
        assert_eq!(code(&req, &filled), "ok", "{filled}");
    }
}

#[test]
fn geo_point_validation() {
    let f = field(json!({"type": "geoPoint"}));
    assert_eq!(
        err_json(&f, &json!({"lat": 91, "lon": 181})),
        json!({"code": "validation_invalid_latitude", "message": "Latitude must be between -90 and 90 degrees."})
    );
    assert_eq!(
        err_json(&f, &json!({"lat": 0, "lon": -181})),
        json!({"code": "validation_invalid_longitude", "message": "Longitude must be between -180 and 180 degrees."})
    );
    assert_eq!(code(&f, &json!({"lat": -90, "lon": 180})), "ok");
    let req = field(json!({"type": "geoPoint", "required": true}));
    assert_eq!(
        code(&req, &json!({"lon": 0, "lat": 0})),
        "validation_required"
    );
    assert_eq!(code(&req, &json!({"lon": 0, "lat": 0.0001})), "ok");
}

#[test]
fn password_validation() {
    let f = field(json!({"type": "password", "min": 5, "max": 10, "pattern": "^[a-z0-9]+$"}));
    assert_eq!(
        validate_password_plain(&f, "ab").map_err(|e| e.to_json()),
        Err(
            json!({"code": "validation_min_text_constraint", "message": "Must be at least 5 character(s)."})
        )
    );
    assert_eq!(
        validate_password_plain(&f, "abcdefghijklmn").map_err(|e| e.to_json()),
        Err(
            json!({"code": "validation_max_text_constraint", "message": "Must be less than 10 character(s)."})
        )
    );
    assert_eq!(
        validate_password_plain(&f, "abcdé").map_err(|e| e.code),
        Err("validation_invalid_format".into())
    );
    assert_eq!(
        validate_password_plain(&f, "Abcdef").map_err(|e| e.code),
        Err("validation_invalid_format".into())
    );
    assert_eq!(
        validate_password_plain(&f, "123"),
        validate_password_plain(&f, "ab")
    );
    assert!(validate_password_plain(&f, "abcde").is_ok());
    let dflt = field(json!({"type": "password"}));
    assert!(validate_password_plain(&dflt, &"a".repeat(71)).is_ok());
    assert_eq!(
        validate_password_plain(&dflt, &"a".repeat(72)).map_err(|e| e.message),
        Err("Must be less than 71 character(s).".into())
    );
    assert_eq!(
        validate_password_plain(&dflt, &"é".repeat(40)).map_err(|e| e.to_json()),
        Err(json!({"code": "validation_invalid_value", "message": "Invalid value."}))
    );
    let req = field(json!({"type": "password", "required": true}));
    assert_eq!(
        validate(&req, &json!("")).map_err(|e| e.code),
        Err("validation_required".into())
    );
    assert!(validate(&req, &json!("$2a$10$hash")).is_ok());
}

#[test]
fn blank_values() {
    let cases = [
        (json!({"type": "text"}), json!(""), true),
        (json!({"type": "text"}), json!(" "), false),
        (json!({"type": "number"}), json!(0), true),
        (json!({"type": "number"}), json!("NaN"), false),
        (json!({"type": "bool"}), json!(false), true),
        (json!({"type": "bool"}), json!(true), false),
        (
            json!({"type": "select", "values": ["a"], "maxSelect": 2}),
            json!([]),
            true,
        ),
        (json!({"type": "select", "values": ["a"]}), json!(""), true),
        (json!({"type": "json"}), json!(0), false),
        (json!({"type": "json"}), json!([]), true),
        (
            json!({"type": "geoPoint"}),
            json!({"lon": 0, "lat": 0}),
            true,
        ),
        (
            json!({"type": "autodate", "onCreate": true}),
            json!(""),
            true,
        ),
    ];
    for (def, v, want) in cases {
        assert_eq!(is_blank(&field(def.clone()), &v), want, "{def} {v}");
    }
}

#[test]
fn autodate_never_fails() {
    let f = field(json!({"type": "autodate", "onCreate": true}));
    assert!(validate(&f, &json!("")).is_ok());
}
