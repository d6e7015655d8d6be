//! JSON text exactly as PocketBase's migration templates print it: Go's `json.MarshalIndent` of maps
//! (keys sorted, numbers as float64) followed by PocketBase's "unescape" pass, which turns every
//! backslash-`u` sequence of the encoded text back into the character it names.

use serde_json::{Map, Value};
use std::fmt::Write;

/// `v` as indented JSON: `prefix` starts every line but the first, `indent` is one nesting level.
/// Fails like PocketBase when a string holds a backslash followed by `u` and no valid code point.
pub fn marshal_indent(v: &Value, prefix: &str, indent: &str) -> Result<String, String> {
    let mut out = String::new();
    write_value(&mut out, v, &Layout::Pretty { prefix, indent }, 0);
    unescape_u(&out)
}

/// `v` as compact JSON with sorted keys: the form PocketBase compares values by.
pub fn compact(v: &Value) -> String {
    let mut out = String::new();
    write_value(&mut out, v, &Layout::Compact, 0);
    out
}

enum Layout<'a> {
    Compact,
    Pretty { prefix: &'a str, indent: &'a str },
}

impl Layout<'_> {
    fn newline(&self, out: &mut String, depth: usize) {
        if let Layout::Pretty { prefix, indent } = self {
            out.push('\n');
            out.push_str(prefix);
            for _ in 0..depth {
                out.push_str(indent);
            }
        }
    }

    fn colon(&self) -> &'static str {
        match self {
            Layout::Compact => ":",
            Layout::Pretty { .. } => ": ",
        }
    }
}

fn write_value(out: &mut String, v: &Value, layout: &Layout, depth: usize) {
    match v {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => out.push_str(&go_float(n.as_f64().unwrap_or(0.0))),
        Value::String(s) => write_string(out, s),
        Value::Array(items) if items.is_empty() => out.push_str("[]"),
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                layout.newline(out, depth + 1);
                write_value(out, item, layout, depth + 1);
            }
            layout.newline(out, depth);
            out.push(']');
        }
        Value::Object(m) if m.is_empty() => out.push_str("{}"),
        Value::Object(m) => write_object(out, m, layout, depth),
    }
}

fn write_object(out: &mut String, m: &Map<String, Value>, layout: &Layout, depth: usize) {
    let mut keys: Vec<&String> = m.keys().collect();
    keys.sort();
    out.push('{');
    for (i, k) in keys.into_iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        layout.newline(out, depth + 1);
        write_string(out, k);
        out.push_str(layout.colon());
        write_value(out, &m[k], layout, depth + 1);
    }
    layout.newline(out, depth);
    out.push('}');
}

/// Go's string encoding with HTML escaping (`<`, `>`, `&`, U+2028 and U+2029 as `\u` escapes).
fn write_string(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 || matches!(c, '<' | '>' | '&' | '\u{2028}' | '\u{2029}') => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

/// A float64 the way Go's JSON encoder prints it: plain decimals between 1e-6 and 1e21, else the
/// shortest exponent form (`1e-7`, `1e+21`).
fn go_float(f: f64) -> String {
    let abs = f.abs();
    if abs == 0.0 || (1e-6..1e21).contains(&abs) {
        return format!("{f}");
    }
    let e = format!("{f:e}");
    let (mantissa, exp) = e.split_once('e').unwrap_or((&e, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    if exp < 0 {
        format!("{mantissa}e-{}", -exp)
    } else {
        format!("{mantissa}e+{exp:02}")
    }
}

/// PocketBase's unescape pass over encoded JSON: a backslash followed by `u` and four hex digits
/// becomes that character (even when the backslash itself was an escaped one); any other backslash
/// stays. A backslash-`u` without a valid code point is an error, as it is in PocketBase.
fn unescape_u(text: &str) -> Result<String, String> {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(pos) = rest.find('\\') {
        out.push_str(&rest[..pos]);
        let after = &rest[pos + 1..];
        if let Some(hex) = after.strip_prefix('u') {
            let c = hex
                .get(..4)
                .filter(|h| h.chars().all(|c| c.is_ascii_hexdigit()))
                .and_then(|h| u32::from_str_radix(h, 16).ok())
                .and_then(char::from_u32)
                .ok_or_else(|| "invalid syntax".to_string())?;
            out.push(c);
            rest = &hex[4..];
        } else {
            out.push('\\');
            rest = after;
        }
    }
    out.push_str(rest);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn indents_with_prefix_and_sorts_keys() {
        let v = json!({"b": [1, {"d": null, "c": true}], "a": {}, "e": []});
        assert_eq!(
            marshal_indent(&v, "  ", "  ").unwrap(),
            "{\n    \"a\": {},\n    \"b\": [\n      1,\n      {\n        \"c\": true,\n        \"d\": null\n      }\n    ],\n    \"e\": []\n  }"
        );
        assert_eq!(
            compact(&v),
            r#"{"a":{},"b":[1,{"c":true,"d":null}],"e":[]}"#
        );
    }

    #[test]
    fn html_and_unicode_are_not_escaped_but_quotes_and_newlines_are() {
        let v = json!("<a href=\"x\">&ü\n\u{2028}\u{1}");
        assert_eq!(
            marshal_indent(&v, "", "").unwrap(),
            "\"<a href=\\\"x\\\">&ü\\n\u{2028}\u{1}\""
        );
    }

    #[test]
    fn a_literal_backslash_u_is_decoded_or_fails_like_pocketbase() {
        // the text `\u0041` (backslash, u, 0041) comes out as a backslash and `A`
        assert_eq!(
            marshal_indent(&json!("\\u0041"), "", "").unwrap(),
            "\"\\A\""
        );
        assert!(marshal_indent(&json!("C:\\users"), "", "").is_err());
        assert_eq!(
            marshal_indent(&json!("a\\b"), "", "").unwrap(),
            "\"a\\\\b\""
        );
    }

    #[test]
    fn numbers_print_as_go_float64() {
        for (v, want) in [
            (json!(432000), "432000"),
            (json!(0.5), "0.5"),
            (json!(-0.0), "-0"),
            (json!(1e20), "100000000000000000000"),
            (json!(1e21), "1e+21"),
            (json!(1.5e-7), "1.5e-7"),
            (json!(2.5e-12), "2.5e-12"),
            (json!(0.000001), "0.000001"),
            (json!(9007199254740993u64), "9007199254740992"),
        ] {
            assert_eq!(compact(&v), want, "{v}");
        }
    }
}
