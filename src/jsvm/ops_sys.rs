//! Native ops that need no app: `$security`, `$os`, `$http`, `$filepath`, `require` resolution and byte
//! encodings.

use base64::Engine;
use hmac_sha::{hmac_hex, md5_hex, sha_hex};
use serde_json::{json, Map, Value};
use std::path::{Component, Path, PathBuf};
use std::time::Duration;

type R = Result<Value, String>;

fn s(a: &[Value], i: usize) -> String {
    match a.get(i) {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Null) | None => String::new(),
        Some(other) => other.to_string(),
    }
}

fn n(a: &[Value], i: usize) -> i64 {
    a.get(i).and_then(Value::as_f64).unwrap_or(0.0) as i64
}

fn bytes(v: Option<&Value>) -> Vec<u8> {
    match v {
        Some(Value::Array(a)) => a.iter().map(|x| x.as_u64().unwrap_or(0) as u8).collect(),
        Some(Value::String(s)) => s.as_bytes().to_vec(),
        _ => Vec::new(),
    }
}

const ALPHANUM: &str = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

fn random_with(n: i64, alphabet: &str) -> String {
    use rand::Rng;
    let chars: Vec<char> = alphabet.chars().collect();
    if chars.is_empty() {
        return String::new();
    }
    let mut rng = rand::thread_rng();
    (0..n.max(0))
        .map(|_| chars[rng.gen_range(0..chars.len())])
        .collect()
}

/// Dispatches a system op.
pub fn dispatch(op: &str, a: &[Value]) -> R {
    match op {
        "randomString" => Ok(json!(random_with(n(a, 0), ALPHANUM))),
        "randomStringWithAlphabet" => Ok(json!(random_with(n(a, 0), &s(a, 1)))),
        "hash" => {
            let data = s(a, 1);
            Ok(json!(match s(a, 0).as_str() {
                "md5" => md5_hex(data.as_bytes()),
                "sha512" => sha_hex(data.as_bytes(), true),
                _ => sha_hex(data.as_bytes(), false),
            }))
        }
        "hmac" => Ok(json!(hmac_hex(
            s(a, 0) == "sha512",
            s(a, 2).as_bytes(),
            s(a, 1).as_bytes()
        ))),
        "equal" => {
            let (x, y) = (s(a, 0), s(a, 1));
            let same = x.len() == y.len()
                && x.bytes()
                    .zip(y.bytes())
                    .fold(0u8, |acc, (p, q)| acc | (p ^ q))
                    == 0;
            Ok(json!(same))
        }
        "encrypt" => {
            crate::auth::encryption::encrypt(s(a, 0).as_bytes(), &s(a, 1)).map(Value::String)
        }
        "decrypt" => crate::auth::encryption::decrypt(&s(a, 0), &s(a, 1))
            .map(|b| json!(String::from_utf8_lossy(&b))),
        "createJWT" => create_jwt(a.first().cloned().unwrap_or(Value::Null), &s(a, 1), n(a, 2)),
        "parseJWT" => parse_jwt(&s(a, 0), &s(a, 1)),
        "parseUnverifiedJWT" => parse_unverified(&s(a, 0)),
        "getenv" => Ok(json!(std::env::var(s(a, 0)).unwrap_or_default())),
        "environ" => Ok(Value::Object(
            std::env::vars()
                .map(|(k, v)| (k, Value::String(v)))
                .collect(),
        )),
        "args" => Ok(json!(std::env::args().collect::<Vec<_>>())),
        "exit" => std::process::exit(n(a, 0) as i32),
        "getwd" => Ok(json!(std::env::current_dir()
            .map(|p| p.to_string_lossy().to_string())
            .unwrap_or_default())),
        "tempDir" => Ok(json!(std::env::temp_dir().to_string_lossy())),
        "readFile" => std::fs::read(s(a, 0))
            .map(|b| json!(b))
            .map_err(|e| format!("open {}: {}", s(a, 0), io_text(&e))),
        "writeFile" => std::fs::write(s(a, 0), bytes(a.get(1)))
            .map(|_| Value::Null)
            .map_err(|e| e.to_string()),
        "mkdir" => {
            let p = s(a, 0);
            let r = if a.get(1).and_then(Value::as_bool) == Some(true) {
                std::fs::create_dir_all(&p)
            } else {
                std::fs::create_dir(&p)
            };
            r.map(|_| Value::Null).map_err(|e| e.to_string())
        }
        "remove" => {
            let p = s(a, 0);
            let all = a.get(1).and_then(Value::as_bool) == Some(true);
            let path = Path::new(&p);
            let r = if path.is_dir() {
                if all {
                    std::fs::remove_dir_all(path)
                } else {
                    std::fs::remove_dir(path)
                }
            } else if !path.exists() && all {
                Ok(())
            } else {
                std::fs::remove_file(path)
            };
            r.map(|_| Value::Null).map_err(|e| e.to_string())
        }
        "rename" => std::fs::rename(s(a, 0), s(a, 1))
            .map(|_| Value::Null)
            .map_err(|e| e.to_string()),
        "stat" => {
            let p = s(a, 0);
            let m = std::fs::metadata(&p).map_err(|e| format!("stat {p}: {}", io_text(&e)))?;
            Ok(json!({
                "name": Path::new(&p).file_name().map(|n| n.to_string_lossy().to_string()).unwrap_or_default(),
                "size": m.len(),
                "isDir": m.is_dir(),
                "mode": 0,
                "modTime": m.modified().ok().map(|t| chrono::DateTime::<chrono::Utc>::from(t).to_rfc3339()).unwrap_or_default(),
            }))
        }
        "readDir" => {
            let mut out = Vec::new();
            for e in std::fs::read_dir(s(a, 0))
                .map_err(|e| e.to_string())?
                .flatten()
            {
                out.push(json!({
                    "name": e.file_name().to_string_lossy(),
                    "isDir": e.file_type().map(|t| t.is_dir()).unwrap_or(false),
                }));
            }
            out.sort_by(|x, y| x["name"].as_str().cmp(&y["name"].as_str()));
            Ok(Value::Array(out))
        }
        "cmd" => run_cmd(a),
        "httpSend" => http_send(a.first().cloned().unwrap_or(Value::Null)),
        "filepath" => filepath(&s(a, 0), a.get(1).unwrap_or(&Value::Null)),
        "resolveModule" => resolve_module(&s(a, 0), a.get(1).and_then(Value::as_str)),
        "readModule" => std::fs::read_to_string(s(a, 0))
            .map(Value::String)
            .map_err(|_| "Invalid module".to_string()),
        "decodeString" => {
            let text = s(a, 0);
            let b = match s(a, 1).as_str() {
                "base64" => base64::engine::general_purpose::STANDARD
                    .decode(text.as_bytes())
                    .map_err(|e| e.to_string())?,
                "hex" => (0..text.len() / 2)
                    .filter_map(|i| u8::from_str_radix(&text[2 * i..2 * i + 2], 16).ok())
                    .collect(),
                _ => text.into_bytes(),
            };
            Ok(json!(b))
        }
        "encodeBytes" => {
            let b = bytes(a.first());
            Ok(json!(match s(a, 1).as_str() {
                "base64" => base64::engine::general_purpose::STANDARD.encode(&b),
                "hex" => b.iter().map(|x| format!("{x:02x}")).collect::<String>(),
                _ => String::from_utf8_lossy(&b).to_string(),
            }))
        }
        other => Err(format!("unknown native operation {other:?}")),
    }
}

fn io_text(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "no such file or directory".into(),
        _ => e.to_string(),
    }
}

fn create_jwt(claims: Value, key: &str, secs: i64) -> R {
    let mut m = claims.as_object().cloned().unwrap_or_default();
    if secs > 0 {
        m.insert("exp".into(), json!(chrono::Utc::now().timestamp() + secs));
    }
    jsonwebtoken::encode(
        &jsonwebtoken::Header::new(jsonwebtoken::Algorithm::HS256),
        &m,
        &jsonwebtoken::EncodingKey::from_secret(key.as_bytes()),
    )
    .map(Value::String)
    .map_err(|e| e.to_string())
}

fn parse_jwt(token: &str, key: &str) -> R {
    let mut v = jsonwebtoken::Validation::new(jsonwebtoken::Algorithm::HS256);
    v.required_spec_claims.clear();
    v.validate_exp = true;
    v.leeway = 0;
    jsonwebtoken::decode::<Map<String, Value>>(
        token,
        &jsonwebtoken::DecodingKey::from_secret(key.as_bytes()),
        &v,
    )
    .map(|d| Value::Object(d.claims))
    .map_err(|e| match e.kind() {
        jsonwebtoken::errors::ErrorKind::InvalidSignature => {
            "token signature is invalid: signature is invalid".to_string()
        }
        jsonwebtoken::errors::ErrorKind::ExpiredSignature => {
            "token has invalid claims: token is expired".to_string()
        }
        _ => format!("token is malformed: {e}"),
    })
}

fn parse_unverified(token: &str) -> R {
    let part = token.split('.').nth(1).ok_or("token is malformed")?;
    let raw = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(part.trim_end_matches('='))
        .map_err(|e| e.to_string())?;
    serde_json::from_slice(&raw).map_err(|e| e.to_string())
}

fn run_cmd(a: &[Value]) -> R {
    let name = s(a, 0);
    let args: Vec<String> = a
        .get(1)
        .and_then(Value::as_array)
        .map(|l| {
            l.iter()
                .filter_map(|x| x.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default();
    let mut cmd = std::process::Command::new(&name);
    cmd.args(&args);
    let dir = s(a, 2);
    if !dir.is_empty() {
        cmd.current_dir(dir);
    }
    if let Some(env) = a.get(3).and_then(Value::as_array) {
        for kv in env.iter().filter_map(Value::as_str) {
            if let Some((k, v)) = kv.split_once('=') {
                cmd.env(k, v);
            }
        }
    }
    let out = cmd.output().map_err(|e| format!("exec: {name:?}: {e}"))?;
    let mut b = out.stdout;
    if a.get(4).and_then(Value::as_bool) == Some(true) {
        b.extend(out.stderr);
    } else if !out.status.success() {
        return Err(format!("exit status {}", out.status.code().unwrap_or(-1)));
    }
    Ok(json!(b))
}

fn http_send(o: Value) -> R {
    let url = o["url"].as_str().unwrap_or("").to_string();
    let method = o["method"].as_str().unwrap_or("GET").to_string();
    let mut body = o["body"].as_str().unwrap_or("").as_bytes().to_vec();
    let mut form_type = None;
    if let Some(entries) = o["multipart"].as_array() {
        let (ct, b) = super::files::multipart_body(entries)?;
        body = b;
        form_type = Some(ct);
    }
    let timeout = o["timeout"].as_f64().unwrap_or(120.0).max(0.001);
    let headers = o["headers"].as_object().cloned().unwrap_or_default();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?;
    rt.block_on(async move {
        let client = reqwest::Client::builder()
            .timeout(Duration::from_secs_f64(timeout))
            .build()
            .map_err(|e| e.to_string())?;
        let m = reqwest::Method::from_bytes(method.as_bytes()).map_err(|e| e.to_string())?;
        let mut req = client.request(m, &url);
        for (k, v) in &headers {
            let multipart_type = form_type.is_some() && k.eq_ignore_ascii_case("content-type");
            if !multipart_type {
                req = req.header(k.as_str(), v.as_str().unwrap_or(""));
            }
        }
        if let Some(ct) = &form_type {
            req = req.header("Content-Type", ct.as_str());
        }
        if !body.is_empty() {
            req = req.body(body);
        }
        let res = req
            .send()
            .await
            .map_err(|e| format!("{} {:?}: {}", method_word(&method), url, root_cause(&e)))?;
        let status = res.status().as_u16();
        let mut hs: Map<String, Value> = Map::new();
        let mut cookies: Map<String, Value> = Map::new();
        for (k, v) in res.headers() {
            let name = canonical(k.as_str());
            let val = v.to_str().unwrap_or("").to_string();
            if name == "Set-Cookie" {
                if let Some((cn, rest)) = val.split_once('=') {
                    let cv = rest.split(';').next().unwrap_or("");
                    cookies.insert(cn.to_string(), json!({"name": cn, "value": cv, "raw": val}));
                }
            }
            match hs.get_mut(&name) {
                Some(Value::Array(list)) => list.push(Value::String(val)),
                _ => {
                    hs.insert(name, json!([val]));
                }
            }
        }
        let bytes = res.bytes().await.map_err(|e| e.to_string())?;
        Ok(json!({
            "statusCode": status,
            "headers": hs,
            "cookies": cookies,
            "body": bytes.to_vec(),
            "text": String::from_utf8_lossy(&bytes),
        }))
    })
}

fn method_word(m: &str) -> String {
    let mut c = m.to_lowercase();
    if let Some(f) = c.get_mut(0..1) {
        f.make_ascii_uppercase();
    }
    c
}

pub(super) fn root_cause(e: &dyn std::error::Error) -> String {
    let mut cur = e;
    while let Some(next) = cur.source() {
        cur = next;
    }
    cur.to_string()
}

fn canonical(name: &str) -> String {
    name.split('-')
        .map(|p| {
            let mut c = p.chars();
            match c.next() {
                Some(f) => f.to_uppercase().collect::<String>() + &c.as_str().to_lowercase(),
                None => String::new(),
            }
        })
        .collect::<Vec<_>>()
        .join("-")
}

/// Lexical cleaning of a path, Go's `filepath.Clean`.
pub fn clean(p: &str) -> String {
    if p.is_empty() {
        return ".".into();
    }
    let abs = p.starts_with('/');
    let mut parts: Vec<&str> = Vec::new();
    for seg in p.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                if parts.last().is_some_and(|l| *l != "..") {
                    parts.pop();
                } else if !abs {
                    parts.push("..");
                }
            }
            other => parts.push(other),
        }
    }
    let joined = parts.join("/");
    match (abs, joined.is_empty()) {
        (true, _) => format!("/{joined}"),
        (false, true) => ".".into(),
        (false, false) => joined,
    }
}

fn filepath(op: &str, arg: &Value) -> R {
    let p = arg.as_str().unwrap_or("").to_string();
    Ok(match op {
        "base" => {
            let c = clean(&p);
            json!(if c == "/" {
                "/".to_string()
            } else {
                c.rsplit('/').next().unwrap_or("").to_string()
            })
        }
        "dir" => {
            let c = clean(&p);
            json!(match c.rfind('/') {
                Some(0) => "/".to_string(),
                Some(i) => c[..i].to_string(),
                None => ".".to_string(),
            })
        }
        "ext" => {
            let base = p.rsplit('/').next().unwrap_or("");
            json!(base
                .rfind('.')
                .map(|i| base[i..].to_string())
                .unwrap_or_default())
        }
        "clean" => json!(clean(&p)),
        "join" => {
            let parts: Vec<String> = arg
                .as_array()
                .map(|l| {
                    l.iter()
                        .filter_map(|x| x.as_str())
                        .filter(|x| !x.is_empty())
                        .map(str::to_string)
                        .collect()
                })
                .unwrap_or_default();
            json!(if parts.is_empty() {
                String::new()
            } else {
                clean(&parts.join("/"))
            })
        }
        other => return Err(format!("unknown filepath op {other}")),
    })
}

/// Resolves a `require` specifier: relative to the process cwd at the top level, to the requiring module's
/// folder inside a module; bare names from `node_modules` upwards. Errors read `Invalid module`.
fn resolve_module(spec: &str, base: Option<&str>) -> R {
    let cwd = std::env::current_dir().map_err(|e| e.to_string())?;
    let base_dir = base.map(PathBuf::from).unwrap_or_else(|| cwd.clone());
    let candidates: Vec<PathBuf> = if spec.starts_with('/') {
        vec![PathBuf::from(spec)]
    } else if spec.starts_with("./") || spec.starts_with("../") {
        vec![base_dir.join(spec)]
    } else {
        let mut dirs = Vec::new();
        let mut cur: Option<&Path> = Some(base_dir.as_path());
        while let Some(d) = cur {
            dirs.push(d.join("node_modules").join(spec));
            cur = d.parent();
        }
        dirs
    };
    for c in candidates {
        if let Some(found) = try_file(&normalize(&c)) {
            return Ok(json!(found.to_string_lossy()));
        }
    }
    Err("Invalid module".into())
}

fn normalize(p: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in p.components() {
        match c {
            Component::ParentDir => {
                out.pop();
            }
            Component::CurDir => {}
            other => out.push(other),
        }
    }
    out
}

fn try_file(p: &Path) -> Option<PathBuf> {
    if p.is_file() {
        return Some(p.to_path_buf());
    }
    for ext in ["js", "json"] {
        let with = PathBuf::from(format!("{}.{ext}", p.display()));
        if with.is_file() {
            return Some(with);
        }
    }
    if p.is_dir() {
        let pkg = p.join("package.json");
        if let Ok(text) = std::fs::read_to_string(&pkg) {
            if let Some(main) = serde_json::from_str::<Value>(&text)
                .ok()
                .and_then(|v| v["main"].as_str().map(str::to_string))
            {
                if let Some(f) = try_file(&normalize(&p.join(main))) {
                    return Some(f);
                }
            }
        }
        let idx = p.join("index.js");
        if idx.is_file() {
            return Some(idx);
        }
    }
    None
}

mod hmac_sha {
    //! Hex digests for `$security`.
    use md5::Md5;
    use sha2::{Digest, Sha256, Sha512};

    fn hex(b: &[u8]) -> String {
        b.iter().map(|x| format!("{x:02x}")).collect()
    }

    pub fn md5_hex(data: &[u8]) -> String {
        hex(&Md5::digest(data))
    }

    pub fn sha_hex(data: &[u8], sha512: bool) -> String {
        if sha512 {
            hex(&Sha512::digest(data))
        } else {
            hex(&Sha256::digest(data))
        }
    }

    /// HMAC (RFC 2104) over SHA-256 or SHA-512.
    pub fn hmac_hex(sha512: bool, key: &[u8], msg: &[u8]) -> String {
        let block = if sha512 { 128 } else { 64 };
        let mut k = if key.len() > block {
            if sha512 {
                Sha512::digest(key).to_vec()
            } else {
                Sha256::digest(key).to_vec()
            }
        } else {
            key.to_vec()
        };
        k.resize(block, 0);
        let ipad: Vec<u8> = k.iter().map(|b| b ^ 0x36).collect();
        let opad: Vec<u8> = k.iter().map(|b| b ^ 0x5c).collect();
        let inner = if sha512 {
            Sha512::new()
                .chain_update(&ipad)
                .chain_update(msg)
                .finalize()
                .to_vec()
        } else {
            Sha256::new()
                .chain_update(&ipad)
                .chain_update(msg)
                .finalize()
                .to_vec()
        };
        let outer = if sha512 {
            Sha512::new()
                .chain_update(&opad)
                .chain_update(&inner)
                .finalize()
                .to_vec()
        } else {
            Sha256::new()
                .chain_update(&opad)
                .chain_update(&inner)
                .finalize()
                .to_vec()
        };
        hex(&outer)
    }

    #[cfg(test)]
    mod tests {
        #[test]
        fn reference_vectors() {
            assert_eq!(super::md5_hex(b"abc"), "900150983cd24fb0d6963f7d28e17f72");
            assert_eq!(
                super::hmac_hex(false, b"secret", b"data"),
                "1b2c16b75bd2a870c114153ccda5bcfca63314bc722fa160d690de133ccbb9db"
            );
        }
    }
}
