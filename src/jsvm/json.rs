//! `e.json` of plain data: the JSON text written straight from the JS value, as PocketBase writes it
//! (goja's export, then Go's encoder). Anything that is not plain data (class instances such as
//! records, dates or files; raw JSON, `toJSON`, BigInt, cycles) makes it answer `undefined`, and the
//! prelude's encoder (`enc`, then `JSON.stringify`) takes over.

use rquickjs::{Ctx, Object, Type, Value as JsValue};
use std::fmt::Write;

/// Deeper data goes to the encoder (which handles, or rejects, cycles).
const MAX_DEPTH: u32 = 64;

/// `__fbJson(value, Object.prototype)`: the JSON text of `value`, or `undefined` when it is not plain
/// data (objects are plain when their prototype is the given one).
pub fn plain_json<'js>(
    ctx: Ctx<'js>,
    v: JsValue<'js>,
    object_proto: Object<'js>,
) -> rquickjs::Result<JsValue<'js>> {
    let mut out = String::with_capacity(128);
    match write_value(&v, &object_proto.into_value(), &mut out, 0) {
        Ok(true) => rquickjs::String::from_str(ctx, &out).map(|s| s.into_value()),
        // a string that is not UTF-8 (lone surrogates) or a getter that threw: the encoder decides
        Ok(false) | Err(_) => Ok(JsValue::new_undefined(ctx)),
    }
}

/// Writes `v`; false when it is not plain data.
fn write_value<'js>(
    v: &JsValue<'js>,
    object_proto: &JsValue<'js>,
    out: &mut String,
    depth: u32,
) -> rquickjs::Result<bool> {
    match v.type_of() {
        // goja exports undefined as nil: null, in objects too (JSON.stringify would drop the key)
        Type::Undefined | Type::Null | Type::Uninitialized => out.push_str("null"),
        Type::Bool => out.push_str(if v.as_bool().unwrap_or(false) {
            "true"
        } else {
            "false"
        }),
        Type::Int => out.push_str(itoa::Buffer::new().format(v.as_int().unwrap_or(0))),
        Type::Float => write_number(v.as_float().unwrap_or(f64::NAN), out),
        Type::String => {
            let s: String = v.get()?;
            write_string(&s, out);
        }
        Type::Array => {
            if depth >= MAX_DEPTH {
                return Ok(false);
            }
            let a = v.as_array().expect("an array");
            out.push('[');
            for i in 0..a.len() {
                if i > 0 {
                    out.push(',');
                }
                let item: JsValue = a.get(i)?;
                if item.is_function() || item.type_of() == Type::Symbol {
                    out.push_str("null");
                } else if !write_value(&item, object_proto, out, depth + 1)? {
                    return Ok(false);
                }
            }
            out.push(']');
        }
        Type::Object => {
            if depth >= MAX_DEPTH {
                return Ok(false);
            }
            let o = v.as_object().expect("an object");
            match o.get_prototype() {
                Some(p) if p.as_value() == object_proto => {}
                _ => return Ok(false),
            }
            out.push('{');
            let mut first = true;
            for prop in o.props::<String, JsValue>() {
                let (k, x) = prop?;
                // the encoder's cases: raw JSON, toJSON, files ({reader, name, originalName, size})
                if k == "__jsonRaw" || k == "toJSON" || k == "originalName" {
                    return Ok(false);
                }
                if x.is_function() || x.type_of() == Type::Symbol {
                    continue;
                }
                if !first {
                    out.push(',');
                }
                first = false;
                write_string(&k, out);
                out.push(':');
                if !write_value(&x, object_proto, out, depth + 1)? {
                    return Ok(false);
                }
            }
            out.push('}');
        }
        _ => return Ok(false),
    }
    Ok(true)
}

/// A number as JavaScript (and Go's encoder) writes it: shortest round-trip digits, exponent form
/// from 1e21 up and below 1e-6; -0 stays -0 as goja's float64 does; NaN and infinities are null.
fn write_number(x: f64, out: &mut String) {
    if !x.is_finite() {
        out.push_str("null");
        return;
    }
    if x == 0.0 {
        out.push_str(if x.is_sign_negative() { "-0" } else { "0" });
        return;
    }
    let abs = x.abs();
    if (1e-6..1e21).contains(&abs) {
        let _ = write!(out, "{x}");
    } else {
        let e = format!("{x:e}");
        match e.split_once('e') {
            Some((m, exp)) if !exp.starts_with('-') => {
                let _ = write!(out, "{m}e+{exp}");
            }
            _ => out.push_str(&e),
        }
    }
}

/// A JSON string as `JSON.stringify` writes it.
fn write_string(s: &str, out: &mut String) {
    out.push('"');
    let mut start = 0;
    for (i, b) in s.bytes().enumerate() {
        let esc = match b {
            b'"' => "\\\"",
            b'\\' => "\\\\",
            b'\n' => "\\n",
            b'\r' => "\\r",
            b'\t' => "\\t",
            0x08 => "\\b",
            0x0c => "\\f",
            0..=0x1f => "",
            _ => continue,
        };
        out.push_str(&s[start..i]);
        if esc.is_empty() {
            let _ = write!(out, "\\u{b:04x}");
        } else {
            out.push_str(esc);
        }
        start = i + 1;
    }
    out.push_str(&s[start..]);
    out.push('"');
}

#[cfg(test)]
mod tests {
    use rquickjs::{Context, Function, Runtime};

    /// Every plain value is written as `JSON.stringify` writes it (bar goja's -0 and undefined-as-null),
    /// and everything else is left to the encoder.
    #[test]
    fn plain_data_is_written_as_json_stringify_writes_it() {
        let rt = Runtime::new().expect("runtime");
        let ctx = Context::full(&rt).expect("context");
        ctx.with(|ctx| {
            let f = Function::new(ctx.clone(), super::plain_json).expect("fn");
            ctx.globals().set("plainJsonOf", f).expect("set");
            let _: () = ctx
                .eval("globalThis.plainJson = (v) => plainJsonOf(v, Object.prototype)")
                .expect("wrapper");
            let cases = r#"[
              0, 1, -1, 42, 2147483647, -2147483648, 2147483648, 1.5, -2.25, 0.1, 0.2 + 0.1, 3.14159,
              1e21, 1e20, 123456789012345680000, 1.5e-7, 1e-6, 0.000001234, 5e-324, 1.7976931348623157e308,
              -1e-7, 1 / 3, 100, 1e300, 2 ** 53, 2 ** 53 + 2,
              "", "plain", "quote \" backslash \\ slash /", "\n\r\t\b\f", "\u0000\u0001\u001f\u007f",
              "<a>&", "\u2028\u2029", "é ü 漢字 😀",
              true, false, null, [], {}, [1, [2, [3, []]]], { a: { b: { c: {} } } },
              { "2": 1, "1": 2, b: 3, a: 4 }, [1, , 3], { f: function () {}, s: Symbol("x"), k: 1 },
              [function () {}, Symbol("y")], { nested: { list: [1, 2.5, "three", null, true], empty: {} } }
            ]"#;
            let ok: bool = ctx
                .eval(format!(
                    "(() => {{ const cases = {cases}; for (const c of cases) {{ \
                       const want = JSON.stringify(c); const got = plainJson(c); \
                       if (got !== want) throw new Error('case ' + want + ': got ' + got); }} return true; }})()"
                ))
                .expect("plain cases");
            assert!(ok);
            let s: String = ctx
                .eval("plainJson({ a: undefined, b: [undefined], z: -0, x: NaN, y: -Infinity })")
                .expect("goja cases");
            assert_eq!(s, r#"{"a":null,"b":[null],"z":-0,"x":null,"y":null}"#);
            let bail: bool = ctx
                .eval(
                    "[new Date(0), { d: new Date(0) }, { toJSON() { return 1 } }, { __jsonRaw: 1 }, \
                     { reader: {}, name: 'a', originalName: 'a' }, Object.create(null), [10n], \
                     new (class X {})(), (() => { const o = {}; o.o = o; return o })(), '\\ud800']\
                     .every((v) => plainJson(v) === undefined)",
                )
                .expect("bail cases");
            assert!(bail, "a non-plain value was written");
        });
    }
}
