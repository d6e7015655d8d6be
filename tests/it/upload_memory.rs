//! A 200 MB upload to the real binary streams to storage: the server's peak memory stays well under
//! 100 MB above its idle size (read from /proc, so Linux only).

use serde_json::{json, Value};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};

const UPLOAD: usize = 200 << 20;

struct Proc(Child);

impl Drop for Proc {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn status_kb(pid: u32, key: &str) -> u64 {
    let text = std::fs::read_to_string(format!("/proc/{pid}/status")).expect("proc status");
    text.lines()
        .find_map(|l| l.strip_prefix(key))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or_else(|| panic!("{key} missing"))
}

/// One HTTP/1.1 request on a fresh connection; the body is written by `write_body`.
fn request(
    addr: &str,
    head: &str,
    write_body: impl FnOnce(&mut TcpStream) -> std::io::Result<()>,
) -> (u16, Value) {
    let mut s = TcpStream::connect(addr).expect("connect");
    s.write_all(head.as_bytes()).expect("head");
    write_body(&mut s).expect("body");
    let mut reader = BufReader::new(s);
    let mut status_line = String::new();
    reader.read_line(&mut status_line).unwrap();
    let status: u16 = status_line.split(' ').nth(1).unwrap().parse().unwrap();
    let mut len = 0usize;
    loop {
        let mut line = String::new();
        reader.read_line(&mut line).unwrap();
        if line == "\r\n" {
            break;
        }
        if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
            len = v.trim().parse().unwrap();
        }
    }
    let mut body = vec![0u8; len];
    reader.read_exact(&mut body).unwrap();
    (status, serde_json::from_slice(&body).unwrap_or(Value::Null))
}

fn json_request(addr: &str, method: &str, path: &str, token: &str, body: &Value) -> (u16, Value) {
    let text = body.to_string();
    let head = format!(
        "{method} {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\nAuthorization: {token}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n",
        text.len()
    );
    request(addr, &head, |s| s.write_all(text.as_bytes()))
}

#[test]
fn a_200_mb_upload_streams_to_storage() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("pb_data");
    let bin = env!("CARGO_BIN_EXE_ferrobase");
    let ok = Command::new(bin)
        .args([
            "superuser",
            "upsert",
            "big@example.com",
            "Passw0rd123",
            "--dir",
        ])
        .arg(&data)
        .output()
        .unwrap();
    assert!(ok.status.success(), "{ok:?}");
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let addr = format!("127.0.0.1:{port}");
    let child = Command::new(bin)
        .args(["serve", "--http", &addr, "--dir"])
        .arg(&data)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let server = Proc(child);
    let pid = server.0.id();
    for _ in 0..100 {
        if TcpStream::connect(&addr).is_ok() {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    let (st, auth) = json_request(
        &addr,
        "POST",
        "/api/collections/_superusers/auth-with-password",
        "",
        &json!({"identity": "big@example.com", "password": "Passw0rd123"}),
    );
    assert_eq!(st, 200, "{auth}");
    let token = auth["token"].as_str().unwrap().to_string();
    let (st, res) = json_request(
        &addr,
        "POST",
        "/api/collections",
        &token,
        &json!({"name": "big", "type": "base", "createRule": "", "fields": [
            {"name": "title", "type": "text"},
            {"name": "doc", "type": "file", "maxSelect": 1, "maxSize": 300 << 20}]}),
    );
    assert_eq!(st, 200, "{res}");
    std::thread::sleep(std::time::Duration::from_millis(300));
    let idle_kb = status_kb(pid, "VmRSS:");

    let boundary = "ferrobaseboundary";
    let preamble = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"title\"\r\n\r\nbig one\r\n--{boundary}\r\nContent-Disposition: form-data; name=\"doc\"; filename=\"big.bin\"\r\nContent-Type: application/octet-stream\r\n\r\n"
    );
    let closing = format!("\r\n--{boundary}--\r\n");
    let head = format!(
        "POST /api/collections/big/records HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Type: multipart/form-data; boundary={boundary}\r\nContent-Length: {}\r\n\r\n",
        preamble.len() + UPLOAD + closing.len()
    );
    let chunk: Vec<u8> = (0..1 << 20).map(|i| (i % 251) as u8).collect();
    let (st, record) = request(&addr, &head, |s| {
        s.write_all(preamble.as_bytes())?;
        for _ in 0..UPLOAD / chunk.len() {
            s.write_all(&chunk)?;
        }
        s.write_all(closing.as_bytes())
    });
    assert_eq!(st, 200, "{record}");
    let peak_kb = status_kb(pid, "VmHWM:");
    let grown_mb = peak_kb.saturating_sub(idle_kb) / 1024;
    assert!(
        grown_mb < 100,
        "peak {peak_kb} kB vs idle {idle_kb} kB: grew {grown_mb} MB during a 200 MB upload"
    );
    let name = record["doc"].as_str().unwrap();
    let cid = res["id"].as_str().unwrap();
    let id = record["id"].as_str().unwrap();
    let stored = data.join(format!("storage/{cid}/{id}/{name}"));
    assert_eq!(std::fs::metadata(&stored).unwrap().len(), UPLOAD as u64);
    let mut f = std::fs::File::open(&stored).unwrap();
    let mut first = vec![0u8; chunk.len()];
    f.read_exact(&mut first).unwrap();
    assert_eq!(first, chunk);
}
