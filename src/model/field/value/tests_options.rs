//! Unit tests for field-settings validation and pattern generation (expectations observed on PocketBase 0.40.6).

use super::*;
use crate::model::field::Field;
use regex::Regex;
use serde_json::{json, Value};

fn field(def: Value) -> Field {
    let mut def = def;
    if def.get("name").is_none() {
        def["name"] = json!("x");
    }
    serde_json::from_value(def).expect("valid field json")
}

fn opts(def: Value) -> Value {
    validate_options(&field(def)).to_json()
}

fn min_err(t: i64) -> Value {
    json!({"code": "validation_min_greater_equal_than_required", "message": format!("Must be no less than {t}."), "params": {"threshold": t}})
}

fn max_err(t: i64) -> Value {
    json!({"code": "validation_max_less_equal_than_required", "message": format!("Must be no greater than {t}."), "params": {"threshold": t}})
}

fn required() -> Value {
    json!({"code": "validation_required", "message": "Cannot be blank."})
}

#[test]
fn text_options() {
    assert_eq!(
        opts(json!({"type": "text", "min": -1})),
        json!({"min": min_err(0)})
    );
    assert_eq!(
        opts(json!({"type": "text", "min": -1, "max": 0})),
        json!({"min": min_err(0)})
    );
    assert_eq!(
        opts(json!({"type": "text", "min": 5, "max": 3})),
        json!({"max": min_err(5)})
    );
    assert_eq!(
        opts(json!({"type": "text", "max": -1})),
        json!({"max": min_err(0)})
    );
    assert_eq!(
        opts(json!({"type": "text", "max": 9007199254740992i64})),
        json!({"max": max_err(9007199254740991)})
    );
    assert_eq!(
        opts(json!({"type": "text", "min": 9007199254740992i64})),
        json!({"min": max_err(9007199254740991)})
    );
    assert_eq!(opts(json!({"type": "text", "min": 3, "max": 0})), json!({}));
    assert_eq!(
        opts(json!({"type": "text", "pattern": "[a-"})),
        json!({"pattern": {"code": "validation_invalid_regex", "message": "Error parsing regexp: missing closing ]: `[a-`."}})
    );
    assert_eq!(
        opts(json!({"type": "text", "autogeneratePattern": "[a-"})),
        json!({"autogeneratePattern": {"code": "validation_invalid_regex", "message": "Error parsing regexp: missing closing ]: `[a-`."}})
    );
    let help = "a".repeat(301);
    assert_eq!(
        opts(json!({"type": "text", "help": help})),
        json!({"help": {"code": "validation_length_out_of_range", "message": "The length must be between 1 and 300.", "params": {"min": 1, "max": 300}}})
    );
    assert_eq!(
        opts(json!({"type": "text", "help": "é".repeat(300)})),
        json!({})
    );
    assert_eq!(
        opts(json!({"type": "text", "name": "id", "primaryKey": true})),
        json!({"pattern": required(), "required": required()})
    );
    assert_eq!(
        opts(
            json!({"type": "text", "name": "id", "primaryKey": true, "required": true, "pattern": "^[a-z0-9]+$", "min": 15, "max": 15, "autogeneratePattern": "[a-z0-9]{15}"})
        ),
        json!({})
    );
}

#[test]
fn autogenerate_samples_must_validate() {
    let re = Regex::new(
        r#"^The provided autogenerate pattern could produce invalid field values, ex\.: "[a-z]{3}"\.$"#,
    )
    .expect("re");
    for def in [
        json!({"type": "text", "autogeneratePattern": "[a-z]{3}", "max": 2}),
        json!({"type": "text", "autogeneratePattern": "[a-z]{3}", "pattern": "^[0-9]+$"}),
    ] {
        let e = opts(def);
        let err = &e["autogeneratePattern"];
        assert_eq!(err["code"], "validation_invalid_autogenerate_pattern_value");
        let msg = err["message"].as_str().unwrap_or_default();
        assert!(re.is_match(msg), "{msg}");
    }
    let both = opts(json!({"type": "text", "autogeneratePattern": "[a-z]{3}", "min": 4, "max": 2}));
    assert_eq!(both["max"], min_err(4));
    assert_eq!(
        both["autogeneratePattern"]["code"],
        "validation_invalid_autogenerate_pattern_value"
    );
    assert_eq!(
        opts(json!({"type": "text", "autogeneratePattern": "[a-z]{3}", "max": 3})),
        json!({})
    );
}

#[test]
fn regex_messages() {
    let cases = [
        ("(", "missing closing ): `(`"),
        ("x(a", "missing closing ): `x(a`"),
        ("a)", "unexpected ): `a)`"),
        ("[z-a]", "invalid character class range: `z-a`"),
        ("\\q", "invalid escape sequence: `\\q`"),
        ("a\\", "trailing backslash at end of expression: ``"),
        ("*a", "missing argument to repetition operator: `*`"),
        ("x[a-", "missing closing ]: `[a-`"),
        ("a{1001}", "invalid repeat count: `{1001}`"),
        ("x{1,1001}", "invalid repeat count: `{1,1001}`"),
        ("a{2,1}", "invalid repeat count: `{2,1}`"),
        ("a**", "invalid nested repetition operator: `**`"),
        ("a++", "invalid nested repetition operator: `++`"),
        ("a*?+", "invalid nested repetition operator: `*?+`"),
        ("a???", "invalid nested repetition operator: `???`"),
        ("a{2}{3}", "invalid nested repetition operator: `{2}{3}`"),
        ("(?=a)", "invalid or unsupported Perl syntax: `(?=`"),
        ("\\1", "invalid escape sequence: `\\1`"),
        ("\\pX", "invalid character class range: `\\pX`"),
    ];
    for (pattern, want) in cases {
        let got = opts(json!({"type": "password", "pattern": pattern}));
        assert_eq!(
            got["pattern"]["code"], "validation_invalid_regex",
            "{pattern}"
        );
        assert_eq!(
            got["pattern"]["message"],
            format!("Error parsing regexp: {want}."),
            "{pattern}"
        );
    }
    for ok in [
        "^[a-z0-9]+$",
        "\\p{Greek}",
        "a{1000}",
        "\\{1001}",
        "",
        "a*?",
        "(?i)a+",
        "[*+]+",
        "a??",
        "\\z",
        "(a*)*",
    ] {
        assert_eq!(
            opts(json!({"type": "text", "pattern": ok})),
            json!({}),
            "{ok}"
        );
    }
}

#[test]
fn number_options() {
    let only_int = json!({"code": "validation_only_int_constraint", "message": "Decimal numbers are not allowed."});
    assert_eq!(
        opts(json!({"type": "number", "min": 1.5, "onlyInt": true})),
        json!({"min": only_int})
    );
    assert_eq!(
        opts(json!({"type": "number", "max": 1.5, "onlyInt": true})),
        json!({"max": only_int})
    );
    assert_eq!(
        opts(json!({"type": "number", "min": 1.5, "max": 2.5, "onlyInt": true})),
        json!({"min": only_int, "max": only_int})
    );
    let gte = |m: Value| json!({"code": "validation_min_number_constraint", "message": format!("Must be greater or equal than {m}."), "params": {"min": m}});
    assert_eq!(
        opts(json!({"type": "number", "min": 5, "max": 3})),
        json!({"max": gte(json!(5))})
    );
    assert_eq!(
        opts(json!({"type": "number", "min": 5, "max": 0})),
        json!({"max": gte(json!(5))})
    );
    assert_eq!(
        opts(json!({"type": "number", "min": -5, "max": -10})),
        json!({"max": gte(json!(-5))})
    );
    assert_eq!(
        opts(json!({"type": "number", "min": 5, "max": 5})),
        json!({})
    );
    assert_eq!(opts(json!({"type": "number", "min": -5})), json!({}));
}

#[test]
fn password_options() {
    assert_eq!(opts(json!({"type": "password", "min": 0})), json!({}));
    assert_eq!(
        opts(json!({"type": "password", "min": 8, "max": 0})),
        json!({})
    );
    assert_eq!(
        opts(json!({"type": "password", "min": 72})),
        json!({"min": max_err(71)})
    );
    assert_eq!(
        opts(json!({"type": "password", "min": -1})),
        json!({"min": min_err(1)})
    );
    assert_eq!(
        opts(json!({"type": "password", "min": 5, "max": 3})),
        json!({"max": min_err(5)})
    );
    assert_eq!(
        opts(json!({"type": "password", "max": 72})),
        json!({"max": max_err(71)})
    );
    assert_eq!(
        opts(json!({"type": "password", "max": -1})),
        json!({"max": min_err(0)})
    );
    assert_eq!(
        opts(json!({"type": "password", "cost": 3})),
        json!({"cost": min_err(4)})
    );
    assert_eq!(
        opts(json!({"type": "password", "cost": 32})),
        json!({"cost": max_err(31)})
    );
}

#[test]
fn select_options() {
    assert_eq!(
        opts(json!({"type": "select"})),
        json!({"values": required()})
    );
    assert_eq!(
        opts(json!({"type": "select", "values": []})),
        json!({"values": required()})
    );
    assert_eq!(
        opts(json!({"type": "select", "values": ["a"], "maxSelect": 2})),
        json!({"maxSelect": max_err(1)})
    );
    assert_eq!(
        opts(json!({"type": "select", "values": ["a", "b"], "maxSelect": -1})),
        json!({"maxSelect": min_err(0)})
    );
    assert_eq!(
        opts(json!({"type": "select", "maxSelect": 2})),
        json!({"values": required(), "maxSelect": max_err(0)})
    );
    assert_eq!(
        opts(json!({"type": "select", "values": ["a", "a", ""]})),
        json!({})
    );
}

#[test]
fn file_options() {
    let big = 9007199254740992i64;
    assert_eq!(
        opts(json!({"type": "file", "maxSelect": -1})),
        json!({"maxSelect": min_err(0)})
    );
    assert_eq!(
        opts(json!({"type": "file", "maxSelect": big})),
        json!({"maxSelect": max_err(9007199254740991)})
    );
    assert_eq!(
        opts(json!({"type": "file", "maxSize": -1})),
        json!({"maxSize": min_err(0)})
    );
    assert_eq!(
        opts(json!({"type": "file", "maxSize": big})),
        json!({"maxSize": max_err(9007199254740991)})
    );
    let not_in = json!({"code": "validation_not_in_invalid", "message": "Must not be in list."});
    let bad = json!({"code": "validation_match_invalid", "message": "Must be in a valid format."});
    assert_eq!(
        opts(
            json!({"type": "file", "thumbs": ["100x100", "0x50", "100x0t", "100x100b", "100x100f", "0x0", "0x0t", "abc", "100X100", "100x!"]})
        ),
        json!({"thumbs": {"5": not_in, "6": not_in, "7": bad, "8": bad, "9": bad}})
    );
    // the guide's aliases are accepted and stored in PocketBase's forms
    let aliased: crate::model::field::FileOptions =
        serde_json::from_value(json!({"thumbs": ["100x100!", "100x", "x100", "x", "100x100t"]}))
            .unwrap();
    assert_eq!(
        aliased.thumbs,
        ["100x100", "100x0", "0x100", "x", "100x100t"]
    );
    assert_eq!(
        opts(json!({"type": "file", "thumbs": ["100x100!", "100x", "x100"]})),
        json!({})
    );
    assert_eq!(
        opts(
            json!({"type": "file", "thumbs": ["0x0b", "0x0f", "00x0", "0x00", "10x0f", "1x1x", ""]})
        ),
        json!({"thumbs": {"0": not_in, "1": not_in, "5": bad}})
    );
}

#[test]
fn relation_options() {
    assert_eq!(
        opts(json!({"type": "relation"})),
        json!({"collectionId": required()})
    );
    assert_eq!(
        opts(json!({"type": "relation", "collectionId": "c", "minSelect": 3, "maxSelect": 2})),
        json!({"maxSelect": min_err(3)})
    );
    assert_eq!(
        opts(json!({"type": "relation", "collectionId": "c", "minSelect": 3})),
        json!({"maxSelect": required()})
    );
    assert_eq!(
        opts(json!({"type": "relation", "collectionId": "c", "minSelect": -1, "maxSelect": -1})),
        json!({"minSelect": min_err(0)})
    );
    assert_eq!(
        opts(json!({"type": "relation", "collectionId": "c", "maxSelect": -1})),
        json!({"maxSelect": min_err(0)})
    );
    assert_eq!(
        opts(json!({"type": "relation", "collectionId": "c", "minSelect": 2, "maxSelect": 3})),
        json!({})
    );
}

#[test]
fn size_autodate_and_domain_options() {
    for ty in ["json", "editor"] {
        assert_eq!(
            opts(json!({"type": ty, "maxSize": -1})),
            json!({"maxSize": min_err(0)}),
            "{ty}"
        );
        assert_eq!(
            opts(json!({"type": ty, "maxSize": 9007199254740992i64})),
            json!({"maxSize": max_err(9007199254740991)}),
            "{ty}"
        );
    }
    let either = json!({"code": "validation_required", "message": "Either onCreate or onUpdate must be enabled."});
    assert_eq!(
        opts(json!({"type": "autodate"})),
        json!({"onCreate": either, "onUpdate": either})
    );
    assert_eq!(
        opts(json!({"type": "autodate", "onUpdate": true})),
        json!({})
    );
    let blank = json!({"code": "validation_empty", "message": "Must be blank."});
    for ty in ["email", "url"] {
        assert_eq!(
            opts(json!({"type": ty, "onlyDomains": ["bad domain"], "exceptDomains": ["b.com"]})),
            json!({"exceptDomains": blank, "onlyDomains": blank})
        );
    }
    let dom = json!({"code": "validation_is_domain", "message": "Must be a valid domain."});
    assert_eq!(
        opts(json!({"type": "email", "onlyDomains": ["not a domain"]})),
        json!({"onlyDomains": {"0": dom}})
    );
    let list = [
        ("A.COM", true),
        ("a.c", true),
        ("a.co1", false),
        ("xn--80a.xn--p1ai", false),
        ("localhost", false),
        ("a-.com", false),
        ("1.com", true),
        ("a.b.c.com", true),
        ("a.123", false),
        ("a--b.com", true),
        ("a_b.com", false),
        ("ü.com", false),
        ("a.com.", false),
        ("x", false),
        ("-a.com", false),
        ("", true),
        ("ab.c-d", false),
        ("a.co-m", false),
        ("a.xn--abc", false),
    ];
    let mut doms: Vec<String> = list.iter().map(|(d, _)| d.to_string()).collect();
    doms.push(format!("{}.com", "a".repeat(63)));
    doms.push(format!("{}.com", "a".repeat(64)));
    doms.push(format!("a.{}", "a".repeat(64)));
    doms.push(format!("{}com", format!("{}.", "a".repeat(60)).repeat(4)));
    doms.push(format!("{}com", format!("{}.", "a".repeat(60)).repeat(5)));
    let mut want: Vec<bool> = list.iter().map(|(_, ok)| *ok).collect();
    want.extend([true, false, false, true, false]);
    let got = opts(json!({"type": "url", "exceptDomains": doms}));
    for (i, ok) in want.iter().enumerate() {
        let flagged = got["exceptDomains"].get(i.to_string()).is_some();
        assert_eq!(!flagged, *ok, "{}", doms[i]);
    }
}

#[test]
fn plain_types_only_check_help() {
    for ty in ["bool", "date", "geoPoint"] {
        assert_eq!(opts(json!({"type": ty})), json!({}), "{ty}");
        assert!(
            opts(json!({"type": ty, "help": "h".repeat(301)}))
                .get("help")
                .is_some(),
            "{ty}"
        );
    }
    assert_eq!(
        opts(json!({"type": "date", "min": "2025-01-01", "max": "2024-01-01"})),
        json!({})
    );
}

#[test]
fn generated_values_match_their_pattern() {
    let patterns = [
        "[a-z0-9]{15}",
        "[a-zA-Z0-9]{50}",
        "pre-[A-Z]{5}",
        "^[a-z]{3,6}$",
        "\\d{4}-[a-f\\-]{2}",
        "x[ab]?y+z*",
        "[a-c]{2,}_\\w{3}",
        "a\\.b",
        "[-a]{4}",
        "[a-]{4}",
    ];
    for p in patterns {
        let re = Regex::new(&format!(
            "^(?:{})$",
            p.trim_start_matches('^').trim_end_matches('$')
        ))
        .expect("test regex");
        for _ in 0..20 {
            let s = generate_from_pattern(p).unwrap_or_else(|| panic!("supported: {p}"));
            assert!(re.is_match(&s), "{p} => {s}");
        }
    }
    assert_eq!(
        generate_from_pattern("[a-z0-9]{15}").map(|s| s.len()),
        Some(15)
    );
    assert_eq!(generate_from_pattern("").as_deref(), Some(""));
    for unsupported in [
        "(a|b)",
        "a.b",
        "[^a]",
        "[a-",
        "a{2",
        "a{1001}",
        "[z-a]",
        "\\q",
        "a**",
        "{3}",
        "a|b",
        "[[:alpha:]]",
    ] {
        assert_eq!(generate_from_pattern(unsupported), None, "{unsupported}");
    }
}
