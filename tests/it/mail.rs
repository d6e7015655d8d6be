//! Mail flows against a real SMTP server on loopback (Python `aiosmtpd`, started per test): test email,
//! password reset, verification, email change, OTP sign-in, MFA and the new-location alert.

use crate::support::{assert_error, Server, ADMIN_EMAIL};
use serde_json::{json, Value};
use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A running `aiosmtpd` that writes each received mail as JSON into its folder.
pub(crate) struct Smtpd {
    child: Child,
    dir: tempfile::TempDir,
    pub(crate) port: u16,
}

impl Smtpd {
    pub(crate) fn start() -> Smtpd {
        let probe = Command::new("python3")
            .args(["-c", "import aiosmtpd"])
            .output()
            .expect("python3 must be installed for the mail tests");
        assert!(
            probe.status.success(),
            "the mail tests need the Python package aiosmtpd (pip install aiosmtpd): {}",
            String::from_utf8_lossy(&probe.stderr)
        );
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("free port")
            .port();
        let dir = tempfile::tempdir().expect("tempdir");
        let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/it/mail_smtpd.py");
        let mut child = Command::new("python3")
            .arg(script)
            .arg(port.to_string())
            .arg(dir.path())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start aiosmtpd");
        let mut line = String::new();
        BufReader::new(child.stdout.take().expect("stdout"))
            .read_line(&mut line)
            .expect("read smtpd");
        assert_eq!(line.trim(), "ready", "the SMTP server did not start");
        Smtpd { child, dir, port }
    }

    /// Every mail received so far, oldest first.
    pub(crate) fn mails(&self) -> Vec<Value> {
        let mut names: Vec<PathBuf> = std::fs::read_dir(self.dir.path())
            .expect("read mails")
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "json"))
            .collect();
        names.sort();
        names
            .iter()
            .map(|p| serde_json::from_slice(&std::fs::read(p).expect("mail")).expect("json"))
            .collect()
    }

    /// The mails to `to` whose subject contains `subject`.
    pub(crate) fn mails_to(&self, to: &str, subject: &str) -> Vec<Value> {
        self.mails()
            .into_iter()
            .filter(|m| {
                m["envelope_to"][0] == to && m["subject"].as_str().unwrap_or("").contains(subject)
            })
            .collect()
    }

    /// Waits (up to 15 s) until there are `n` such mails; returns the newest.
    pub(crate) async fn wait_for(&self, to: &str, subject: &str, n: usize) -> Value {
        let start = Instant::now();
        loop {
            let found = self.mails_to(to, subject);
            if found.len() >= n {
                return found[n - 1].clone();
            }
            assert!(
                start.elapsed() < Duration::from_secs(15),
                "no mail #{n} to {to} with subject containing {subject:?}; got {:?}",
                self.mails()
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

impl Drop for Smtpd {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A server whose SMTP settings point at a fresh `aiosmtpd`.
async fn setup() -> (Server, Smtpd, String) {
    let smtpd = Smtpd::start();
    let s = Server::start().await;
    let admin = s.admin_token().await;
    let res = s
        .req(
            "PATCH",
            "/api/settings",
            Some(&admin),
            Some(json!({
                "smtp": {"enabled": true, "host": "127.0.0.1", "port": smtpd.port},
                "meta": {"appName": "Ferro Test", "appURL": "http://app.test"},
            })),
        )
        .await;
    assert_eq!(res.status, 200, "{:?}", res.body);
    (s, smtpd, admin)
}

async fn sign_up(s: &Server, email: &str, password: &str) -> String {
    let res = s
        .req(
            "POST",
            "/api/collections/users/records",
            None,
            Some(json!({"email": email, "password": password, "passwordConfirm": password})),
        )
        .await;
    assert_eq!(res.status, 200, "{:?}", res.body);
    res.body["id"].as_str().unwrap().to_string()
}

/// The token in a mail's action link `…/<action>/<token>`.
fn link_token(mail: &Value, action: &str) -> String {
    let html = mail["html"].as_str().expect("html part");
    let re = regex::Regex::new(&format!(
        r"{action}/([A-Za-z0-9_\-]+\.[A-Za-z0-9_\-]+\.[A-Za-z0-9_\-]+)"
    ))
    .unwrap();
    re.captures(html)
        .unwrap_or_else(|| panic!("no {action} link in {html}"))[1]
        .to_string()
}

/// The OTP code of an OTP mail (the digits in its text part).
fn otp_code(mail: &Value) -> String {
    let text = mail["text"].as_str().expect("text part");
    let re = regex::Regex::new(r"\b(\d{8})\b").unwrap();
    re.captures(text)
        .unwrap_or_else(|| panic!("no code in {text}"))[1]
        .to_string()
}

async fn post(s: &Server, path: &str, token: Option<&str>, body: Value) -> crate::support::Res {
    s.req("POST", path, token, Some(body)).await
}

#[tokio::test]
async fn test_email_is_multipart_and_validated() {
    let (s, smtpd, admin) = setup().await;
    let res = post(
        &s,
        "/api/settings/test/email",
        Some(&admin),
        json!({"email": "probe@example.com", "template": "verification", "collection": "users"}),
    )
    .await;
    assert_eq!(res.status, 204, "{:?}", res.body);
    let mail = smtpd
        .wait_for("probe@example.com", "Verify your Ferro Test email", 1)
        .await;
    assert_eq!(mail["from"], "Support <support@example.com>");
    assert_eq!(mail["content_type"], "multipart/alternative");
    let text = mail["text"].as_str().unwrap();
    assert!(
        text.contains("http://app.test/_/#/auth/confirm-verification/"),
        "{text}"
    );
    assert!(!text.contains('<'), "the text part is plain: {text}");
    assert!(mail["html"].as_str().unwrap().contains("<html"));

    let res = post(
        &s,
        "/api/settings/test/email",
        Some(&admin),
        json!({"email": "x", "template": "nope", "collection": "nope"}),
    )
    .await;
    assert_error(&res, 400, "Failed to send the test email.");
    assert_eq!(res.body["data"]["email"]["code"], "validation_is_email");
    assert_eq!(
        res.body["data"]["template"]["code"],
        "validation_in_invalid"
    );
    assert_eq!(
        res.body["data"]["collection"]["code"],
        "validation_invalid_auth_collection"
    );
    let res = post(&s, "/api/settings/test/email", None, json!({})).await;
    assert_eq!(res.status, 401);

    // an SMTP server that is not there: the raw error comes back
    let res = s
        .req(
            "PATCH",
            "/api/settings",
            Some(&admin),
            Some(json!({"smtp": {"port": 1}})),
        )
        .await;
    assert_eq!(res.status, 200);
    let res = post(
        &s,
        "/api/settings/test/email",
        Some(&admin),
        json!({"email": "probe@example.com", "template": "otp"}),
    )
    .await;
    assert_eq!(res.status, 400);
    let msg = res.body["message"].as_str().unwrap();
    assert!(
        msg.starts_with("Failed to send the test email. Raw error: \n"),
        "{msg}"
    );
}

#[tokio::test]
async fn password_reset_from_the_mail() {
    let (s, smtpd, _) = setup().await;
    let email = "reset@example.com";
    sign_up(&s, email, "OldPassw0rd").await;
    let old_token = s.login("users", email, "OldPassw0rd").await;
    let url = "/api/collections/users/request-password-reset";
    assert_eq!(
        post(&s, url, None, json!({"email": email})).await.status,
        204
    );
    let mail = smtpd
        .wait_for(email, "Reset your Ferro Test password", 1)
        .await;
    let token = link_token(&mail, "confirm-password-reset");

    // unknown emails answer the same, and a second request within 2 minutes sends nothing
    assert_eq!(
        post(&s, url, None, json!({"email": "ghost@example.com"}))
            .await
            .status,
        204
    );
    assert_eq!(
        post(&s, url, None, json!({"email": email})).await.status,
        204
    );
    let res = post(&s, url, None, json!({"email": "nope"})).await;
    assert_eq!(res.body["data"]["email"]["code"], "validation_is_email");

    let confirm = "/api/collections/users/confirm-password-reset";
    let res = post(
        &s,
        confirm,
        None,
        json!({"token": token, "password": "short", "passwordConfirm": "other"}),
    )
    .await;
    assert_error(
        &res,
        400,
        "An error occurred while validating the submitted data.",
    );
    assert_eq!(
        res.body["data"]["password"],
        json!({"code": "validation_length_out_of_range", "message": "The length must be between 8 and 255.", "params": {"max": 255, "min": 8}})
    );
    assert_eq!(
        res.body["data"]["passwordConfirm"]["code"],
        "validation_values_mismatch"
    );
    let body = json!({"token": token, "password": "NewPassw0rd", "passwordConfirm": "NewPassw0rd"});
    assert_eq!(post(&s, confirm, None, body.clone()).await.status, 204);
    s.login("users", email, "NewPassw0rd").await;
    let res = post(
        &s,
        "/api/collections/users/auth-with-password",
        None,
        json!({"identity": email, "password": "OldPassw0rd"}),
    )
    .await;
    assert_eq!(res.status, 400);
    // the tokenKey rotated: the reset token and the old auth token are dead
    let res = post(&s, confirm, None, body).await;
    assert_eq!(
        res.body["data"]["token"]["code"],
        "validation_invalid_token"
    );
    let res = post(
        &s,
        "/api/collections/users/auth-refresh",
        Some(&old_token),
        json!({}),
    )
    .await;
    assert_eq!(res.status, 401);
    // the reset proved the address
    let res = s
        .get(
            "/api/collections/users/records?filter=(email='reset@example.com')",
            Some(&s.admin_token().await),
        )
        .await;
    assert_eq!(res.body["items"][0]["verified"], true);
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(
        smtpd.mails_to(email, "Reset").len(),
        1,
        "the resend block held"
    );
    assert!(smtpd.mails_to("ghost@example.com", "").is_empty());
}

#[tokio::test]
async fn verification_from_the_mail() {
    let (s, smtpd, admin) = setup().await;
    let email = "verify@example.com";
    let id = sign_up(&s, email, "Passw0rd123").await;
    let user_token = s.login("users", email, "Passw0rd123").await;
    let url = "/api/collections/users/request-verification";
    assert_eq!(
        post(&s, url, None, json!({"email": email})).await.status,
        204
    );
    let mail = smtpd
        .wait_for(email, "Verify your Ferro Test email", 1)
        .await;
    let token = link_token(&mail, "confirm-verification");
    let res = post(
        &s,
        "/api/collections/_superusers/request-verification",
        None,
        json!({"email": ADMIN_EMAIL}),
    )
    .await;
    assert_error(&res, 400, "All superusers are verified by default.");

    let confirm = "/api/collections/users/confirm-verification";
    let res = post(&s, confirm, None, json!({"token": "abc"})).await;
    assert_eq!(
        res.body["data"]["token"]["code"],
        "validation_invalid_token_claims"
    );
    assert_eq!(
        post(&s, confirm, None, json!({"token": token}))
            .await
            .status,
        204
    );
    assert_eq!(
        post(&s, confirm, None, json!({"token": token}))
            .await
            .status,
        204
    );
    let res = s
        .get(
            &format!("/api/collections/users/records/{id}"),
            Some(&admin),
        )
        .await;
    assert_eq!(res.body["verified"], true);
    // verifying keeps the tokenKey
    let res = post(
        &s,
        "/api/collections/users/auth-refresh",
        Some(&user_token),
        json!({}),
    )
    .await;
    assert_eq!(res.status, 200);
    // already verified: nothing more is sent
    assert_eq!(
        post(&s, url, None, json!({"email": email})).await.status,
        204
    );
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(smtpd.mails_to(email, "Verify").len(), 1);
}

#[tokio::test]
async fn email_change_from_the_mail() {
    let (s, smtpd, _) = setup().await;
    let (old, new) = ("before@example.com", "after@example.com");
    sign_up(&s, old, "Passw0rd123").await;
    sign_up(&s, "taken@example.com", "Passw0rd123").await;
    let token = s.login("users", old, "Passw0rd123").await;
    let url = "/api/collections/users/request-email-change";
    let res = post(&s, url, None, json!({"newEmail": new})).await;
    assert_eq!(res.status, 401);
    let res = post(&s, url, Some(&token), json!({"newEmail": old})).await;
    assert_eq!(
        res.body["data"]["newEmail"]["code"],
        "validation_not_in_invalid"
    );
    let res = post(
        &s,
        url,
        Some(&token),
        json!({"newEmail": "taken@example.com"}),
    )
    .await;
    assert_eq!(
        res.body["data"]["newEmail"]["code"],
        "validation_invalid_new_email"
    );
    assert_eq!(
        post(&s, url, Some(&token), json!({"newEmail": new}))
            .await
            .status,
        204
    );
    let mail = smtpd
        .wait_for(new, "Confirm your Ferro Test new email address", 1)
        .await;
    let change = link_token(&mail, "confirm-email-change");

    let confirm = "/api/collections/users/confirm-email-change";
    let res = post(
        &s,
        confirm,
        None,
        json!({"token": change, "password": "wrong"}),
    )
    .await;
    assert_eq!(
        res.body["data"]["password"]["code"],
        "validation_invalid_password"
    );
    let res = post(
        &s,
        confirm,
        None,
        json!({"token": change, "password": "Passw0rd123"}),
    )
    .await;
    assert_eq!(res.status, 204, "{:?}", res.body);
    let res = post(
        &s,
        "/api/collections/users/auth-refresh",
        Some(&token),
        json!({}),
    )
    .await;
    assert_eq!(res.status, 401, "the old auth token died with the tokenKey");
    let res = post(
        &s,
        "/api/collections/users/auth-with-password",
        None,
        json!({"identity": new, "password": "Passw0rd123"}),
    )
    .await;
    assert_eq!(res.status, 200);
    assert_eq!(res.body["record"]["email"], new);
    assert_eq!(res.body["record"]["verified"], true);
}

/// Turns on OTP (and optionally MFA) for `users`.
async fn enable(s: &Server, admin: &str, body: Value) {
    let res = s
        .req("PATCH", "/api/collections/users", Some(admin), Some(body))
        .await;
    assert_eq!(res.status, 200, "{:?}", res.body);
}

async fn request_otp(s: &Server, smtpd: &Smtpd, email: &str, n: usize) -> (String, String) {
    let res = post(
        s,
        "/api/collections/users/request-otp",
        None,
        json!({"email": email}),
    )
    .await;
    assert_eq!(res.status, 200, "{:?}", res.body);
    let id = res.body["otpId"].as_str().unwrap().to_string();
    let mail = smtpd.wait_for(email, "OTP for Ferro Test", n).await;
    (id, otp_code(&mail))
}

#[tokio::test]
async fn otp_sign_in_from_the_mail() {
    let (s, smtpd, admin) = setup().await;
    let email = "otp@example.com";
    sign_up(&s, email, "Passw0rd123").await;
    let res = post(
        &s,
        "/api/collections/users/request-otp",
        None,
        json!({"email": email}),
    )
    .await;
    assert_error(
        &res,
        403,
        "The collection is not configured to allow OTP authentication.",
    );
    enable(&s, &admin, json!({"otp": {"enabled": true}})).await;

    let res = post(
        &s,
        "/api/collections/users/request-otp",
        None,
        json!({"email": "ghost@example.com"}),
    )
    .await;
    assert_eq!(res.status, 200);
    assert_eq!(res.body["otpId"].as_str().unwrap().len(), 15);

    let (id, code) = request_otp(&s, &smtpd, email, 1).await;
    let url = "/api/collections/users/auth-with-otp";
    let res = post(&s, url, None, json!({"otpId": id, "password": "00000000x"})).await;
    assert_error(&res, 400, "Invalid or expired OTP.");
    let res = post(&s, url, None, json!({"otpId": id, "password": code})).await;
    assert_eq!(res.status, 200, "{:?}", res.body);
    assert_eq!(res.body["record"]["email"], email);
    assert_eq!(
        res.body["record"]["verified"], true,
        "the code went to this address"
    );
    let res = post(&s, url, None, json!({"otpId": id, "password": code})).await;
    assert_error(&res, 400, "Invalid or expired OTP.");

    // five attempts per record and client in 180 s (the two above counted too), then 429
    let (id, _) = request_otp(&s, &smtpd, email, 2).await;
    for _ in 0..3 {
        let res = post(&s, url, None, json!({"otpId": id, "password": "1"})).await;
        assert_eq!(res.status, 400);
    }
    let res = post(&s, url, None, json!({"otpId": id, "password": "1"})).await;
    assert_error(
        &res,
        429,
        "Too many attempts, please try again later with a new OTP.",
    );
}

#[tokio::test]
async fn mfa_password_then_otp() {
    let (s, smtpd, admin) = setup().await;
    let email = "mfa@example.com";
    sign_up(&s, email, "Passw0rd123").await;
    enable(
        &s,
        &admin,
        json!({"otp": {"enabled": true}, "mfa": {"enabled": true}}),
    )
    .await;
    let pw = "/api/collections/users/auth-with-password";
    let creds = json!({"identity": email, "password": "Passw0rd123"});
    let res = post(&s, pw, None, creds.clone()).await;
    assert_eq!(res.status, 401);
    let keys: Vec<&String> = res.body.as_object().unwrap().keys().collect();
    assert_eq!(keys, ["mfaId"], "a bare body: {:?}", res.body);
    let mfa = res.body["mfaId"].as_str().unwrap().to_string();

    let res = post(&s, &format!("{pw}?mfaId={mfa}"), None, creds.clone()).await;
    assert_error(&res, 400, "A different authentication method is required.");
    let res = post(
        &s,
        pw,
        None,
        json!({"identity": email, "password": "Passw0rd123", "mfaId": "nope"}),
    )
    .await;
    assert_error(&res, 400, "Invalid or expired MFA session.");

    let (id, code) = request_otp(&s, &smtpd, email, 1).await;
    let res = post(
        &s,
        "/api/collections/users/auth-with-otp",
        None,
        json!({"otpId": id, "password": code, "mfaId": mfa}),
    )
    .await;
    assert_eq!(res.status, 200, "{:?}", res.body);
    assert!(res.body["token"].as_str().is_some());
    let res = post(&s, &format!("{pw}?mfaId={mfa}"), None, creds).await;
    assert_error(&res, 400, "Invalid or expired MFA session.");
}

#[tokio::test]
async fn login_alert_for_a_new_location() {
    let (s, smtpd, _) = setup().await;
    let email = "alert@example.com";
    sign_up(&s, email, "Passw0rd123").await;
    let login = |ua: &'static str| {
        s.client
            .post(format!(
                "{}/api/collections/users/auth-with-password",
                s.url
            ))
            .header("user-agent", ua)
            .json(&json!({"identity": email, "password": "Passw0rd123"}))
            .send()
    };
    assert_eq!(login("device-one").await.unwrap().status(), 200);
    assert_eq!(login("device-one").await.unwrap().status(), 200);
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(
        smtpd.mails_to(email, "").is_empty(),
        "no alert for the first or a known location"
    );
    assert_eq!(login("device-two").await.unwrap().status(), 200);
    let mail = smtpd.wait_for(email, "Login from a new location", 1).await;
    let text = mail["text"].as_str().unwrap();
    assert!(text.contains("127.0.0.1 device-two"), "{text}");
}
