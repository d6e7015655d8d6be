//! Unit tests for zero values, input coercion and SQL mapping (expectations observed on PocketBase 0.40.6).

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

#[test]
fn zero_values() {
    let cases = [
        (json!({"type": "text"}), json!("")),
        (json!({"type": "editor"}), json!("")),
        (json!({"type": "number"}), json!(0)),
        (json!({"type": "bool"}), json!(false)),
        (json!({"type": "email"}), json!("")),
        (json!({"type": "url"}), json!("")),
        (json!({"type": "date"}), json!("")),
        (json!({"type": "autodate", "onCreate": true}), json!("")),
        (json!({"type": "select", "values": ["a"]}), json!("")),
        (
            json!({"type": "select", "values": ["a", "b"], "maxSelect": 2}),
            json!([]),
        ),
        (json!({"type": "file"}), json!("")),
        (json!({"type": "file", "maxSelect": 3}), json!([])),
        (json!({"type": "relation", "collectionId": "x"}), json!("")),
        (
            json!({"type": "relation", "collectionId": "x", "maxSelect": 1}),
            json!(""),
        ),
        (
            json!({"type": "relation", "collectionId": "x", "maxSelect": 5}),
            json!([]),
        ),
        (json!({"type": "json"}), Value::Null),
        (json!({"type": "password"}), json!("")),
        (json!({"type": "geoPoint"}), json!({"lon": 0, "lat": 0})),
    ];
    for (def, want) in cases {
        let f = field(def.clone());
        assert_eq!(zero_value(&f), want, "{def}");
        assert_eq!(zero_value(&f).to_string(), want.to_string(), "{def}");
    }
}

#[test]
fn text_like_coercion() {
    let f = field(json!({"type": "text"}));
    let cases = [
        (json!(123), "123"),
        (json!(12.5), "12.5"),
        (json!(1e21), "1000000000000000000000"),
        (json!(1e-7), "0.0000001"),
        (json!(1.0), "1"),
        (json!(true), "true"),
        (Value::Null, ""),
        (json!(["a"]), ""),
        (json!({"a": 1}), ""),
        (json!("as is "), "as is "),
    ];
    for (input, want) in cases {
        assert_eq!(prepare(&f, &input), json!(want), "{input}");
    }
    for ty in ["editor", "email", "url", "password"] {
        let f = field(json!({"type": ty}));
        assert_eq!(prepare(&f, &json!(12)), json!("12"), "{ty}");
        assert_eq!(prepare(&f, &json!([1])), json!(""), "{ty}");
    }
}

#[test]
fn number_coercion() {
    let f = field(json!({"type": "number"}));
    let cases = [
        (json!("12.5"), json!(12.5)),
        (json!("12abc"), json!(0)),
        (json!(" 12"), json!(0)),
        (json!("12 "), json!(0)),
        (json!("1e3"), json!(1000)),
        (json!("1E3"), json!(1000)),
        (json!("1e+3"), json!(1000)),
        (json!("0x10"), json!(0)),
        (json!("0x1p-2"), json!(0.25)),
        (json!("0X1P4"), json!(16)),
        (json!("0x_1p0"), json!(1)),
        (json!("0x1.8p1"), json!(3)),
        (json!("0x.p1"), json!(0)),
        (json!("0x1p-1074"), json!(5e-324)),
        (json!("0x1p-1080"), json!(0)),
        (json!("0x1e1p1"), json!(962)),
        (json!("1_000"), json!(1000)),
        (json!("1__0"), json!(0)),
        (json!("1_.5"), json!(0)),
        (json!("_1"), json!(0)),
        (json!("1e3_0"), json!(1e30)),
        (json!("+5"), json!(5)),
        (json!("-+5"), json!(0)),
        (json!(".5"), json!(0.5)),
        (json!("5."), json!(5)),
        (json!("."), json!(0)),
        (json!("1e"), json!(0)),
        (json!("e5"), json!(0)),
        (json!("1,5"), json!(0)),
        (json!("007"), json!(7)),
        (json!("1e400"), json!(0)),
        (json!("+nan"), json!(0)),
        (json!("-nan"), json!(0)),
        (json!(true), json!(1)),
        (json!(false), json!(0)),
        (Value::Null, json!(0)),
        (json!([1]), json!(0)),
        (json!({"a": 1}), json!(0)),
        (json!(""), json!(0)),
        (json!(10.0), json!(10)),
        (json!(-2.5), json!(-2.5)),
    ];
    for (input, want) in cases {
        let got = prepare(&f, &input);
        assert_eq!(got, want, "{input}");
        assert_eq!(got.to_string(), want.to_string(), "{input}");
    }
    // NaN and ±Inf cannot be JSON numbers: they are kept as markers and rejected by validation
    for s in ["NaN", "Inf", "-inf", "+Inf", "infinity"] {
        let got = prepare(&f, &json!(s));
        assert!(got.is_string(), "{s}");
        assert_eq!(
            err_json(&f, &json!(s)),
            json!({"code": "validation_not_a_number", "message": "The submitted number is not properly formatted."})
        );
    }
}

#[test]
fn bool_coercion() {
    let f = field(json!({"type": "bool"}));
    let truthy = [
        json!("1"),
        json!(1),
        json!("true"),
        json!("t"),
        json!("T"),
        json!("TRUE"),
        json!("True"),
        json!(2),
        json!(0.5),
        json!(-1),
        json!(true),
    ];
    let falsy = [
        json!("yes"),
        json!("on"),
        json!("tRue"),
        json!("2"),
        json!(" true"),
        json!("1.0"),
        json!("F"),
        json!([true]),
        json!({"a": 1}),
        Value::Null,
        json!(0),
        json!(false),
    ];
    for v in truthy {
        assert_eq!(prepare(&f, &v), json!(true), "{v}");
    }
    for v in falsy {
        assert_eq!(prepare(&f, &v), json!(false), "{v}");
    }
}

#[test]
fn date_coercion() {
    let f = field(json!({"type": "date"}));
    let cases = [
        (json!("2024-05-06"), "2024-05-06 00:00:00.000Z"),
        (
            json!("2024-05-06T10:11:12+02:00"),
            "2024-05-06 08:11:12.000Z",
        ),
        (json!("2024-01-01T10:00:00"), "2024-01-01 10:00:00.000Z"),
        (
            json!("2024-01-01 10:00:00.123456Z"),
            "2024-01-01 10:00:00.123Z",
        ),
        (
            json!("2024-01-01 10:00:00.999999999Z"),
            "2024-01-01 10:00:00.999Z",
        ),
        (
            json!("2024-01-01T10:00:00.5+01:00"),
            "2024-01-01 09:00:00.500Z",
        ),
        (
            json!("2024-01-01 10:00:00 +0200"),
            "2024-01-01 08:00:00.000Z",
        ),
        (
            json!("2024-01-01 10:00:00.000 +0000 UTC"),
            "2024-01-01 10:00:00.000Z",
        ),
        (json!(" 2024-01-01 "), ""),
        (json!("2024-1-1"), ""),
        (json!("2024-02-30"), ""),
        (json!("20240101"), ""),
        (json!("2024-01-01 10:00"), ""),
        (json!("2024-01-01 10:00:00 "), ""),
        (json!("bad"), ""),
        (json!(1700000000), ""),
        (json!(true), ""),
        (Value::Null, ""),
    ];
    for (input, want) in cases {
        assert_eq!(prepare(&f, &input), json!(want), "{input}");
    }
}

#[test]
fn autodate_and_password_pass_through() {
    let f = field(json!({"type": "autodate", "onCreate": true}));
    assert_eq!(prepare(&f, &json!(123)), json!(123));
    let f = field(json!({"type": "password"}));
    assert_eq!(prepare(&f, &json!("secret")), json!("secret"));
    assert_eq!(prepare(&f, &json!(true)), json!("true"));
}

#[test]
fn list_coercion() {
    let multi = field(json!({"type": "select", "values": ["a", "b", "c"], "maxSelect": 5}));
    let cases = [
        (json!("a"), json!(["a"])),
        (json!("[\"a\",\"b\"]"), json!(["a", "b"])),
        (json!("a,b"), json!(["a,b"])),
        (json!("[1,2]"), json!(["[1,2]"])),
        (json!("[bad"), json!(["[bad"])),
        (json!([1, "a"]), json!(["1", "a"])),
        (json!([1.5]), json!(["1.5"])),
        (json!([true]), json!(["true"])),
        (json!(["b", "b", "a"]), json!(["b", "a"])),
        (Value::Null, json!([])),
        (json!(""), json!([])),
        (json!(["", ""]), json!([])),
        (json!(["a", ""]), json!(["a"])),
        (json!(1), json!(["1"])),
        (json!([["a"]]), json!([])),
        (json!([null]), json!([])),
        (json!({"a": 1}), json!([])),
    ];
    for (input, want) in cases {
        assert_eq!(prepare(&multi, &input), want, "{input}");
    }
    let single = field(json!({"type": "select", "values": ["a", "b"]}));
    let cases = [
        (json!(["a", "b"]), json!("b")),
        (json!(["x", "y"]), json!("y")),
        (json!(["b", "a", ""]), json!("a")),
        (json!([]), json!("")),
        (json!("[\"a\",\"b\"]"), json!("b")),
        (json!(1), json!("1")),
        (json!(true), json!("true")),
        (json!(["a", null]), json!("a")),
        (Value::Null, json!("")),
    ];
    for (input, want) in cases {
        assert_eq!(prepare(&single, &input), want, "{input}");
    }
    let rel = field(json!({"type": "relation", "collectionId": "x"}));
    assert_eq!(prepare(&rel, &json!(["r1", "r2"])), json!("r2"));
    let rels = field(json!({"type": "relation", "collectionId": "x", "maxSelect": 3}));
    assert_eq!(
        prepare(&rels, &json!(["r1", "r1", "r2"])),
        json!(["r1", "r2"])
    );
    let file = field(json!({"type": "file"}));
    assert_eq!(prepare(&file, &json!(["x", "y"])), json!("y"));
}

#[test]
fn json_coercion() {
    let f = field(json!({"type": "json"}));
    let cases = [
        (json!("{bad"), json!("{bad")),
        (json!("123"), json!(123)),
        (json!("true"), json!(true)),
        (json!(""), json!("")),
        (json!("null"), Value::Null),
        (json!(" 123"), json!(" 123")),
        (json!("-1"), json!(-1)),
        (json!("-x"), json!("-x")),
        (json!("[1, 2]"), json!([1, 2])),
        (json!("\"q\""), json!("q")),
        (json!("1abc"), json!("1abc")),
        (json!("nul"), json!("nul")),
        (json!("12 "), json!(12)),
        (json!("[1] x"), json!("[1] x")),
        (json!("true "), json!("true ")),
        (json!("False"), json!("False")),
        (json!("+1"), json!("+1")),
        (json!("NaN"), json!("NaN")),
        (json!("0"), json!(0)),
        (json!(1.5), json!(1.5)),
        (json!(false), json!(false)),
        (json!([]), json!([])),
        (json!({}), json!({})),
        (Value::Null, Value::Null),
    ];
    for (input, want) in cases {
        assert_eq!(prepare(&f, &input), want, "{input}");
    }
    // objects are re-encoded with sorted keys; raw JSON strings keep their key order
    let sorted = prepare(
        &f,
        &json!({"b": {"d": 1, "c": 2}, "a": [{"z": 1, "y": 2.0}]}),
    );
    assert_eq!(
        sorted.to_string(),
        r#"{"a":[{"y":2,"z":1}],"b":{"c":2,"d":1}}"#
    );
    let raw = prepare(&f, &json!("{\"b\":1,\"a\":2}"));
    assert_eq!(raw.to_string(), r#"{"b":1,"a":2}"#);
    assert_eq!(prepare(&f, &json!("1.0")).to_string(), "1.0");
}

#[test]
fn geo_point_coercion() {
    let f = field(json!({"type": "geoPoint"}));
    let cases = [
        (json!({"lon": 1.5}), r#"{"lon":1.5,"lat":0}"#),
        (json!({"lat": "2", "lon": "x"}), r#"{"lon":0,"lat":0}"#),
        (json!({"lon": 1, "lat": "2"}), r#"{"lon":1,"lat":0}"#),
        (json!("{\"lon\":1,\"lat\":2}"), r#"{"lon":1,"lat":2}"#),
        (json!("{\"lon\":1,\"lat\":\"x\"}"), r#"{"lon":1,"lat":0}"#),
        (json!([1, 2]), r#"{"lon":0,"lat":0}"#),
        (Value::Null, r#"{"lon":0,"lat":0}"#),
        (json!(""), r#"{"lon":0,"lat":0}"#),
        (json!("bad"), r#"{"lon":0,"lat":0}"#),
        (json!({"lon": 1, "lat": 2, "x": 3}), r#"{"lon":1,"lat":2}"#),
        (json!({"lon": true, "lat": null}), r#"{"lon":0,"lat":0}"#),
        (json!({"Lon": 5}), r#"{"lon":0,"lat":0}"#),
        (json!(5), r#"{"lon":0,"lat":0}"#),
        (json!({"lon": 10.0}), r#"{"lon":10,"lat":0}"#),
    ];
    for (input, want) in cases {
        assert_eq!(prepare(&f, &input).to_string(), want, "{input}");
    }
}

#[test]
fn sql_round_trips() {
    let cases = [
        (
            json!({"type": "text"}),
            json!("hello"),
            SqlScalar::Text("hello".into()),
        ),
        (
            json!({"type": "number"}),
            json!(12.5),
            SqlScalar::Real(12.5),
        ),
        (json!({"type": "number"}), json!(10), SqlScalar::Int(10)),
        (json!({"type": "number"}), json!(-3), SqlScalar::Int(-3)),
        (json!({"type": "bool"}), json!(true), SqlScalar::Int(1)),
        (json!({"type": "bool"}), json!(false), SqlScalar::Int(0)),
        (
            json!({"type": "date"}),
            json!("2024-01-02 03:04:05.123Z"),
            SqlScalar::Text("2024-01-02 03:04:05.123Z".into()),
        ),
        (
            json!({"type": "date"}),
            json!(""),
            SqlScalar::Text("".into()),
        ),
        (
            json!({"type": "select", "values": ["a", "b"]}),
            json!("a"),
            SqlScalar::Text("a".into()),
        ),
        (
            json!({"type": "select", "values": ["a", "b"], "maxSelect": 2}),
            json!(["a", "b"]),
            SqlScalar::Text(r#"["a","b"]"#.into()),
        ),
        (
            json!({"type": "select", "values": ["a", "b"], "maxSelect": 2}),
            json!([]),
            SqlScalar::Text("[]".into()),
        ),
        (
            json!({"type": "relation", "collectionId": "x", "maxSelect": 9}),
            json!(["r1"]),
            SqlScalar::Text(r#"["r1"]"#.into()),
        ),
        (
            json!({"type": "file"}),
            json!("f.txt"),
            SqlScalar::Text("f.txt".into()),
        ),
        (json!({"type": "json"}), Value::Null, SqlScalar::Null),
        (
            json!({"type": "json"}),
            json!("{bad"),
            SqlScalar::Text(r#""{bad""#.into()),
        ),
        (
            json!({"type": "json"}),
            json!({"a": [1, 2]}),
            SqlScalar::Text(r#"{"a":[1,2]}"#.into()),
        ),
        (
            json!({"type": "json"}),
            json!(""),
            SqlScalar::Text(r#""""#.into()),
        ),
        (
            json!({"type": "geoPoint"}),
            json!({"lon": 23.3, "lat": 42.7}),
            SqlScalar::Text(r#"{"lon":23.3,"lat":42.7}"#.into()),
        ),
        (
            json!({"type": "geoPoint"}),
            json!({"lon": 0, "lat": 0}),
            SqlScalar::Text(r#"{"lon":0,"lat":0}"#.into()),
        ),
        (
            json!({"type": "password"}),
            json!("$2a$10$x"),
            SqlScalar::Text("$2a$10$x".into()),
        ),
    ];
    for (def, value, sql) in cases {
        let f = field(def.clone());
        assert_eq!(to_sql_value(&f, &value), sql, "{def} {value}");
        let back = from_sql_value(&f, sql);
        assert_eq!(back, value, "{def}");
        assert_eq!(back.to_string(), value.to_string(), "{def}");
    }
}

#[test]
fn sql_reads_are_lenient() {
    let num = field(json!({"type": "number"}));
    assert_eq!(
        from_sql_value(&num, SqlScalar::Text("12.5".into())),
        json!(12.5)
    );
    assert_eq!(
        from_sql_value(&num, SqlScalar::Text("abc".into())),
        json!(0)
    );
    assert_eq!(from_sql_value(&num, SqlScalar::Null), json!(0));
    assert_eq!(from_sql_value(&num, SqlScalar::Real(3.0)).to_string(), "3");
    assert_eq!(from_sql_value(&num, SqlScalar::Real(f64::NAN)), json!(0));
    let b = field(json!({"type": "bool"}));
    assert_eq!(
        from_sql_value(&b, SqlScalar::Text("true".into())),
        json!(true)
    );
    assert_eq!(from_sql_value(&b, SqlScalar::Text("1".into())), json!(true));
    assert_eq!(
        from_sql_value(&b, SqlScalar::Text("0".into())),
        json!(false)
    );
    assert_eq!(from_sql_value(&b, SqlScalar::Null), json!(false));
    let multi = field(json!({"type": "select", "values": ["a", "b"], "maxSelect": 2}));
    assert_eq!(
        from_sql_value(&multi, SqlScalar::Text("".into())),
        json!([])
    );
    assert_eq!(from_sql_value(&multi, SqlScalar::Null), json!([]));
    assert_eq!(
        from_sql_value(&multi, SqlScalar::Text("a".into())),
        json!(["a"])
    );
    let single = field(json!({"type": "relation", "collectionId": "x"}));
    assert_eq!(
        from_sql_value(&single, SqlScalar::Text(r#"["a","b"]"#.into())),
        json!("b")
    );
    assert_eq!(from_sql_value(&single, SqlScalar::Null), json!(""));
    let j = field(json!({"type": "json"}));
    assert_eq!(from_sql_value(&j, SqlScalar::Int(123)), json!(123));
    assert_eq!(from_sql_value(&j, SqlScalar::Real(1e21)), json!(1e21));
    assert_eq!(
        from_sql_value(&j, SqlScalar::Text("null".into())),
        Value::Null
    );
    assert_eq!(
        from_sql_value(&j, SqlScalar::Text("not json".into())),
        json!("not json")
    );
    assert_eq!(from_sql_value(&j, SqlScalar::Text("".into())), Value::Null);
    let g = field(json!({"type": "geoPoint"}));
    assert_eq!(
        from_sql_value(&g, SqlScalar::Text("garbage".into())),
        json!({"lon": 0, "lat": 0})
    );
    assert_eq!(
        from_sql_value(&g, SqlScalar::Null),
        json!({"lon": 0, "lat": 0})
    );
    let t = field(json!({"type": "text"}));
    assert_eq!(from_sql_value(&t, SqlScalar::Int(5)), json!("5"));
    assert_eq!(from_sql_value(&t, SqlScalar::Real(2.5)), json!("2.5"));
    assert_eq!(from_sql_value(&t, SqlScalar::Null), json!(""));
    let d = field(json!({"type": "date"}));
    assert_eq!(
        from_sql_value(&d, SqlScalar::Text("garbage".into())),
        json!("")
    );
    assert_eq!(from_sql_value(&d, SqlScalar::Int(5)), json!(""));
}
