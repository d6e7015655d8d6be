//! The `superuser` CLI commands against a stopped data dir and a running server's data dir; `serve` stopping.

use crate::support::Server;
use std::process::Command;

fn run(dir: &std::path::Path, args: &[&str]) -> (bool, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_ferrobase"))
        .args(args)
        .arg("--dir")
        .arg(dir)
        .output()
        .expect("run ferrobase");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).trim().to_string(),
        String::from_utf8_lossy(&out.stderr).trim().to_string(),
    )
}

#[tokio::test]
async fn superuser_commands() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("pb_data");
    let (ok, out, _) = run(
        &dir,
        &["superuser", "upsert", "a@example.com", "Passw0rd123"],
    );
    assert!(ok);
    assert_eq!(out, "Successfully saved superuser \"a@example.com\"!");
    let (ok, _, err) = run(&dir, &["superuser", "upsert"]);
    assert!(!ok);
    assert!(
        err.contains("missing email and password arguments"),
        "{err}"
    );
    let (ok, _, err) = run(
        &dir,
        &["superuser", "upsert", "not-an-email", "Passw0rd123"],
    );
    assert!(
        !ok && err.contains("missing or invalid email address"),
        "{err}"
    );
    let (ok, _, err) = run(
        &dir,
        &["superuser", "create", "a@example.com", "Passw0rd123"],
    );
    assert!(
        !ok && err.contains("failed to create new superuser account"),
        "{err}"
    );
    assert!(err.contains("email: Value must be unique."), "{err}");
    let (ok, _, err) = run(&dir, &["superuser", "create", "b@example.com", "short"]);
    assert!(
        !ok && err.contains("password: Must be at least 8 character(s)."),
        "{err}"
    );
    let (ok, out, _) = run(
        &dir,
        &["superuser", "create", "b@example.com", "Passw0rd456"],
    );
    assert!(ok, "{out}");
    let (ok, _, err) = run(
        &dir,
        &["superuser", "update", "ghost@example.com", "Passw0rd123"],
    );
    assert!(
        !ok && err.contains("superuser with email \"ghost@example.com\" doesn't exist"),
        "{err}"
    );

    // a running server sees CLI changes made on its data dir
    let s = Server::start_on(&dir).await;
    s.login("_superusers", "b@example.com", "Passw0rd456").await;
    let (ok, out, _) = run(
        &dir,
        &["superuser", "update", "b@example.com", "NewPassw0rd"],
    );
    assert!(ok, "{out}");
    s.login("_superusers", "b@example.com", "NewPassw0rd").await;
    let (ok, out, _) = run(&dir, &["superuser", "delete", "a@example.com"]);
    assert!(
        ok && out == "Successfully deleted superuser \"a@example.com\"!",
        "{out}"
    );
    let (ok, _, err) = run(&dir, &["superuser", "delete", "b@example.com"]);
    assert!(
        !ok && err.contains("You can't delete the only existing superuser."),
        "{err}"
    );
}

#[tokio::test]
async fn superuser_otp_signs_in_through_mfa() {
    let s = Server::start().await;
    let dir = s.data_dir();
    let (ok, _, err) = run(&dir, &["superuser", "otp"]);
    assert!(
        !ok && err.contains("invalid or missing email address"),
        "{err}"
    );
    let (ok, _, err) = run(&dir, &["superuser", "otp", "ghost@example.com"]);
    assert!(
        !ok && err.contains("superuser with email \"ghost@example.com\" doesn't exist"),
        "{err}"
    );
    let (ok, _, err) = run(&dir, &["superuser", "otp", crate::support::ADMIN_EMAIL]);
    assert!(
        !ok && err.contains("OTP auth is not enabled for the _superusers collection"),
        "{err}"
    );
    let admin = s.admin_token().await;
    let res = s
        .req(
            "PATCH",
            "/api/collections/_superusers",
            Some(&admin),
            Some(serde_json::json!({"otp": {"enabled": true}})),
        )
        .await;
    assert_eq!(res.status, 200, "{:?}", res.body);
    let (ok, out, _) = run(&dir, &["superuser", "otp", crate::support::ADMIN_EMAIL]);
    assert!(ok, "{out}");
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(
        lines[0],
        format!(
            "Successfully created OTP for superuser \"{}\":",
            crate::support::ADMIN_EMAIL
        )
    );
    assert_eq!(lines[3], "└─ Valid: 180s");
    let id = lines[1].strip_prefix("├─ Id:    ").expect("id line");
    let pass = lines[2].strip_prefix("├─ Pass:  ").expect("pass line");
    assert_eq!(pass.len(), 8);

    // OTP on superusers forces MFA: password first, then the CLI code
    let res = s
        .req(
            "POST",
            "/api/collections/_superusers/auth-with-password",
            None,
            Some(serde_json::json!({"identity": crate::support::ADMIN_EMAIL, "password": crate::support::ADMIN_PASSWORD})),
        )
        .await;
    assert_eq!(res.status, 401, "{:?}", res.body);
    let mfa = res.body["mfaId"].as_str().unwrap();
    let res = s
        .req(
            "POST",
            "/api/collections/_superusers/auth-with-otp",
            None,
            Some(serde_json::json!({"otpId": id, "password": pass, "mfaId": mfa})),
        )
        .await;
    assert_eq!(res.status, 200, "{:?}", res.body);
}

/// SIGTERM stops `serve` without losing the request logs still queued for `auxiliary.db`.
#[test]
fn serve_writes_queued_request_logs_when_stopped() {
    use std::io::{Read, Write};
    let tmp = tempfile::tempdir().expect("tmp");
    let data = tmp.path().join("pb_data");
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("free port")
        .port();
    let addr = format!("127.0.0.1:{port}");
    let mut child = Command::new(env!("CARGO_BIN_EXE_ferrobase"))
        .args(["serve", "--http", &addr, "--dir"])
        .arg(&data)
        .args(["--hooksDir", &tmp.path().join("none").to_string_lossy()])
        .args([
            "--migrationsDir",
            &tmp.path().join("none").to_string_lossy(),
        ])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("serve");
    let mut up = false;
    for _ in 0..200 {
        if std::net::TcpStream::connect(&addr).is_ok() {
            up = true;
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(25));
    }
    assert!(up, "serve did not start");
    for i in 0..3 {
        let mut s = std::net::TcpStream::connect(&addr).expect("connect");
        let req = format!(
            "GET /api/collections/missing{i}/records HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
        );
        s.write_all(req.as_bytes()).expect("send");
        let mut answer = String::new();
        s.read_to_string(&mut answer).expect("read");
        assert!(answer.starts_with("HTTP/1.1 404"), "{answer}");
    }
    // well within the 3 s flush interval: the rows are still queued
    let killed = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .expect("kill");
    assert!(killed.success());
    let status = child.wait().expect("wait");
    assert!(status.success(), "{status:?}");
    let conn = ferrobase::store::Connection::open(data.join("auxiliary.db")).expect("open aux");
    let logged: i64 = conn
        .query_row(
            "SELECT count(*) FROM _logs WHERE json_extract(data, '$.url') LIKE '/api/collections/missing%'",
            [],
            |r| r.get(0),
        )
        .expect("count");
    assert_eq!(logged, 3);
}
