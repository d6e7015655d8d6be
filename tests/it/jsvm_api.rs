//! The JS API beyond records and routes, on a real server: `$filesystem` files stored by `$app.save`
//! (and removed again when the save or its transaction fails), uploaded files of custom routes,
//! `FormData` sent by `$http.send`, `$mails`, `$app.newMailClient()` and the mailer hooks (against a
//! real SMTP server on loopback).

use crate::mail::Smtpd;
use crate::support::Server;
use serde_json::{json, Value};
use std::path::Path;
use std::time::Duration;

async fn start(files: &[(&str, &str)]) -> (Server, tempfile::TempDir) {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path().join("pb_hooks");
    std::fs::create_dir_all(&dir).expect("mkdir");
    for (name, content) in files {
        std::fs::write(dir.join(name), content).expect("write hook file");
    }
    let s = Server::start_with_hooks(&dir, Duration::from_secs(30)).await;
    (s, tmp)
}

/// A `docs` collection anyone may read: a required title and three file fields.
async fn create_docs(s: &Server) -> String {
    let admin = s.admin_token().await;
    let res = s
        .req(
            "POST",
            "/api/collections",
            Some(&admin),
            Some(json!({
                "name": "docs",
                "type": "base",
                "listRule": "",
                "viewRule": "",
                "fields": [
                    {"name": "title", "type": "text", "required": true},
                    {"name": "one", "type": "file", "maxSelect": 1},
                    {"name": "many", "type": "file", "maxSelect": 5},
                    {"name": "small", "type": "file", "maxSelect": 1, "maxSize": 10},
                ],
            })),
        )
        .await;
    assert_eq!(res.status, 200, "{:?}", res.body);
    res.body["id"].as_str().expect("id").to_string()
}

/// The stored files (not their `.attrs` sidecars) under a collection's storage folder.
fn stored_files(s: &Server, cid: &str) -> Vec<String> {
    fn walk(dir: &Path, out: &mut Vec<String>) {
        for e in std::fs::read_dir(dir).into_iter().flatten().flatten() {
            let p = e.path();
            if p.is_dir() {
                walk(&p, out);
            } else if p.extension().is_none_or(|x| x != "attrs") {
                out.push(p.file_name().unwrap().to_string_lossy().to_string());
            }
        }
    }
    let mut out = Vec::new();
    walk(&s.data_dir().join("storage").join(cid), &mut out);
    out.sort();
    out
}

async fn download(s: &Server, cid: &str, rid: &str, name: &str) -> (u16, String) {
    let res = s
        .client
        .get(format!("{}/api/files/{cid}/{rid}/{name}", s.url))
        .send()
        .await
        .expect("download");
    let status = res.status().as_u16();
    (status, res.text().await.unwrap_or_default())
}

/// `name` is `base_` + 10 random `[a-z0-9]` + `ext`.
fn assert_stored_name(name: &str, base: &str, ext: &str) {
    let rest = name
        .strip_prefix(base)
        .and_then(|r| r.strip_suffix(ext))
        .unwrap_or_else(|| panic!("{name} is not {base}…{ext}"));
    assert_eq!(rest.len(), 11, "{name}");
    assert!(rest.starts_with('_'), "{name}");
    assert!(
        rest[1..]
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit()),
        "{name}"
    );
}

const FILES_HOOKS: &str = r#"
onRecordCreateRequest((e) => {
  if (e.record.getString("title") === "hooked") e.record.set("many+", $filesystem.fileFromBytes("from hook", "hook.txt"));
  e.next();
}, "docs");
routerAdd("POST", "/t/save", (e) => {
  const r = new Record($app.findCollectionByNameOrId("docs"));
  r.set("title", "t");
  const one = $filesystem.fileFromPath(e.request.url.query().get("path"));
  r.set("one", one);
  const before = r.get("one");
  const strBefore = r.getString("one");
  r.set("many+", $filesystem.fileFromBytes("first", "a.txt"));
  r.set("many+", $filesystem.fileFromBytes([115, 101, 99], "Second File.md"));
  $app.save(r);
  return e.json(200, {
    id: r.id, one: r.get("one"), many: r.get("many"), file: one, keys: Object.keys(one),
    beforeName: before.name, str: strBefore,
  });
});
routerAdd("POST", "/t/fail", (e) => {
  const r = new Record($app.findCollectionByNameOrId("docs"));
  r.set("one", $filesystem.fileFromBytes("x", "x.txt"));
  let err = "";
  try { $app.save(r); } catch (x) { err = String(x); }
  let txErr = "";
  try {
    $app.runInTransaction((tx) => {
      const r2 = new Record(tx.findCollectionByNameOrId("docs"));
      r2.set("title", "in tx");
      r2.set("one", $filesystem.fileFromBytes("y", "y.txt"));
      tx.save(r2);
      throw new Error("roll back");
    });
  } catch (x) { txErr = String(x); }
  return e.json(200, { err, txErr });
});
routerAdd("POST", "/t/big", (e) => {
  const r = new Record($app.findCollectionByNameOrId("docs"));
  r.set("title", "big");
  r.set("small", $filesystem.fileFromBytes("0123456789abcdef", "big.txt"));
  try { $app.save(r); } catch (x) { return e.json(400, { err: String(x) }); }
  return e.json(200, {});
});
routerAdd("GET", "/t/errors", (e) => {
  const out = {};
  try { $filesystem.fileFromPath("/nope/missing.txt"); } catch (x) { out.path = String(x); }
  try { $filesystem.fileFromURL("http://127.0.0.1:" + e.request.url.query().get("port") + "/missing.png"); } catch (x) { out.url = String(x); }
  const f = $filesystem.fileFromURL("http://127.0.0.1:" + e.request.url.query().get("port") + "/api/health");
  out.urlFile = { name: f.name, originalName: f.originalName, size: f.size };
  return e.json(200, out);
});
routerAdd("POST", "/t/upload", (e) => {
  const files = e.findUploadedFiles("doc");
  const r = new Record($app.findCollectionByNameOrId("docs"));
  r.set("title", e.request.formValue("title"));
  r.set("many", files);
  r.set("one", $filesystem.fileFromMultipart(e.request.formFile("single")[1]));
  $app.save(r);
  return e.json(200, { id: r.id, files: files, many: r.get("many"), one: r.get("one") });
});
routerAdd("POST", "/t/noupload", (e) => {
  try { e.findUploadedFiles("doc"); return e.json(200, {}); } catch (x) { return e.json(400, { err: String(x) }); }
});
"#;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn files_set_on_a_record_are_stored_by_save() {
    let (s, tmp) = start(&[("files.pb.js", FILES_HOOKS)]).await;
    let cid = create_docs(&s).await;
    let src = tmp.path().join("Hello World.txt");
    std::fs::write(&src, "hello from disk").expect("write");
    let path = src.to_string_lossy().to_string();

    let res = s
        .req("POST", &format!("/t/save?path={path}"), None, None)
        .await;
    assert_eq!(res.status, 200, "{:?}", res.body);
    let b = &res.body;
    // a file answers name/originalName/size in JSON; its keys are PocketBase's
    assert_eq!(b["file"]["originalName"], "Hello World.txt");
    assert_eq!(b["file"]["size"], 15);
    assert_eq!(
        b["file"].as_object().unwrap().keys().collect::<Vec<_>>(),
        ["name", "originalName", "size"]
    );
    assert_eq!(b["keys"], json!(["reader", "name", "originalName", "size"]));
    assert_eq!(b["str"], "");
    let one = b["one"].as_str().expect("one is a name after the save");
    assert_eq!(one, b["file"]["name"]);
    assert_eq!(one, b["beforeName"]);
    assert_stored_name(one, "hello_world", ".txt");
    let many: Vec<&str> = b["many"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    assert_eq!(many.len(), 2);
    assert_stored_name(&many[0][11..], "", ".txt");
    assert_stored_name(many[1], "second_file", ".md");

    let rid = b["id"].as_str().unwrap();
    assert_eq!(
        download(&s, &cid, rid, one).await,
        (200, "hello from disk".into())
    );
    assert_eq!(
        download(&s, &cid, rid, many[0]).await,
        (200, "first".into())
    );
    assert_eq!(download(&s, &cid, rid, many[1]).await, (200, "sec".into()));
    let mut names = vec![one.to_string(), many[0].to_string(), many[1].to_string()];
    names.sort();
    assert_eq!(stored_files(&s, &cid), names);

    // a failed save and a rolled-back transaction leave no file behind
    let res = s.req("POST", "/t/fail", None, None).await;
    assert_eq!(res.status, 200, "{:?}", res.body);
    assert!(
        res.body["err"].as_str().unwrap().contains("title"),
        "{:?}",
        res.body
    );
    assert!(
        res.body["txErr"].as_str().unwrap().contains("roll back"),
        "{:?}",
        res.body
    );
    assert_eq!(stored_files(&s, &cid), names);
    let list = s.get("/api/collections/docs/records", None).await;
    assert_eq!(list.body["totalItems"], 1, "{:?}", list.body);

    // a file set by a request hook is stored with the API create
    let admin = s.admin_token().await;
    let res = s
        .req(
            "POST",
            "/api/collections/docs/records",
            Some(&admin),
            Some(json!({"title": "hooked"})),
        )
        .await;
    assert_eq!(res.status, 200, "{:?}", res.body);
    let hooked = res.body["many"][0].as_str().expect("hook file");
    assert_stored_name(hooked, "hook", ".txt");
    let hid = res.body["id"].as_str().unwrap();
    assert_eq!(
        download(&s, &cid, hid, hooked).await,
        (200, "from hook".into())
    );
    names.push(hooked.to_string());
    names.sort();
    assert_eq!(stored_files(&s, &cid), names);

    // the field's size limit holds for JS files too
    let res = s.req("POST", "/t/big", None, None).await;
    assert_eq!(res.status, 400);
    assert!(
        res.body["err"]
            .as_str()
            .unwrap()
            .contains("maximum allowed file size is 10 bytes"),
        "{:?}",
        res.body
    );
    assert_eq!(stored_files(&s, &cid), names);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn files_from_paths_and_urls_report_errors_like_pocketbase() {
    let (s, _tmp) = start(&[("files.pb.js", FILES_HOOKS)]).await;
    let port = s.url.rsplit(':').next().unwrap().to_string();
    let res = s.get(&format!("/t/errors?port={port}"), None).await;
    assert_eq!(res.status, 200, "{:?}", res.body);
    assert_eq!(
        res.body["path"],
        "GoError: stat /nope/missing.txt: no such file or directory"
    );
    assert_eq!(
        res.body["url"],
        format!("GoError: failed to download url http://127.0.0.1:{port}/missing.png (404)")
    );
    let f = &res.body["urlFile"];
    assert_eq!(f["originalName"], "health");
    assert_stored_name(f["name"].as_str().unwrap(), "health", ".json");
    assert!(f["size"].as_u64().unwrap() > 10, "{f:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn uploaded_files_of_a_custom_route_can_be_saved() {
    let (s, _tmp) = start(&[("files.pb.js", FILES_HOOKS)]).await;
    let cid = create_docs(&s).await;
    let (ct, body) = crate::s3::multipart(
        &[("title", "uploaded")],
        &[
            ("doc", "One.txt", b"doc one"),
            ("doc", "two.csv", b"doc two"),
            ("single", "single.txt", b"single!"),
        ],
    );
    let res = s
        .client
        .post(format!("{}/t/upload", s.url))
        .header("content-type", ct)
        .body(body)
        .send()
        .await
        .expect("upload");
    assert_eq!(res.status().as_u16(), 200);
    let b: Value = res.json().await.expect("json");
    assert_eq!(b["files"][0]["originalName"], "One.txt");
    assert_eq!(b["files"][0]["size"], 7);
    assert_eq!(b["files"][1]["originalName"], "two.csv");
    assert_eq!(
        b["many"],
        json!([b["files"][0]["name"], b["files"][1]["name"]])
    );
    let rid = b["id"].as_str().unwrap();
    let one = b["one"].as_str().unwrap();
    assert_stored_name(one, "single", ".txt");
    assert_eq!(
        download(&s, &cid, rid, b["many"][1].as_str().unwrap()).await,
        (200, "doc two".into())
    );
    assert_eq!(download(&s, &cid, rid, one).await, (200, "single!".into()));
    let rec = s
        .get(&format!("/api/collections/docs/records/{rid}"), None)
        .await;
    assert_eq!(rec.body["title"], "uploaded");

    // a multipart body without that key, and a JSON body
    let (ct, body) = crate::s3::multipart(&[("x", "1")], &[]);
    let res = s
        .client
        .post(format!("{}/t/noupload", s.url))
        .header("content-type", ct)
        .body(body)
        .send()
        .await
        .expect("post");
    let b: Value = res.json().await.expect("json");
    assert_eq!(b["err"], "GoError: http: no such file");
    let res = s
        .req("POST", "/t/noupload", None, Some(json!({"doc": 1})))
        .await;
    assert_eq!(
        res.body["err"],
        "GoError: request Content-Type isn't multipart/form-data"
    );
}

const FORM_HOOKS: &str = r#"
routerAdd("POST", "/t/echo", (e) => {
  const files = e.findUploadedFiles("f");
  const r = new Record($app.findCollectionByNameOrId("docs"));
  r.set("title", e.requestInfo().body.title);
  r.set("one", files[0]);
  $app.save(r);
  return e.json(200, {
    ct: e.request.header.get("content-type"), a: e.request.formValue("a"), id: r.id, one: r.get("one"),
    originalName: files[0].originalName, size: files[0].size,
  });
});
routerAdd("GET", "/t/send", (e) => {
  const fd = new FormData();
  fd.append("a", "1");
  fd.append("a", "2");
  fd.append("gone", "x");
  fd.set("title", "first");
  fd.set("title", "via form");
  fd.delete("gone");
  fd.append("f", $filesystem.fileFromBytes("form file body", "form.txt"));
  const res = $http.send({
    url: "http://127.0.0.1:" + e.request.url.query().get("port") + "/t/echo",
    method: "POST",
    body: fd,
    headers: { "content-type": "application/json" },
  });
  return e.json(200, {
    status: res.statusCode, echo: res.json, keys: fd.keys(), all: fd.getAll("a"), get: fd.get("title"),
    missing: fd.get("zz"), has: [fd.has("a"), fd.has("gone")], entries: fd.entries().length,
    values: fd.values().length, json: JSON.stringify(fd),
  });
});
"#;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn form_data_is_sent_as_multipart() {
    let (s, _tmp) = start(&[("form.pb.js", FORM_HOOKS)]).await;
    let cid = create_docs(&s).await;
    let port = s.url.rsplit(':').next().unwrap().to_string();
    let res = s.get(&format!("/t/send?port={port}"), None).await;
    assert_eq!(res.status, 200, "{:?}", res.body);
    let b = &res.body;
    assert_eq!(b["keys"], json!(["a", "title", "f"]));
    assert_eq!(b["all"], json!(["1", "2"]));
    assert_eq!(b["get"], "via form");
    assert_eq!(b["missing"], Value::Null);
    assert_eq!(b["has"], json!([true, false]));
    assert_eq!(b["entries"], 4);
    assert_eq!(b["values"], 4);
    assert_eq!(b["json"], "{}");
    assert_eq!(b["status"], 200, "{b:?}");
    let echo = &b["echo"];
    assert!(
        echo["ct"]
            .as_str()
            .unwrap()
            .starts_with("multipart/form-data; boundary="),
        "{echo:?}"
    );
    assert_eq!(echo["a"], "1");
    assert_eq!(echo["originalName"], "form.txt");
    assert_eq!(echo["size"], 14);
    let rid = echo["id"].as_str().unwrap();
    assert_eq!(
        download(&s, &cid, rid, echo["one"].as_str().unwrap()).await,
        (200, "form file body".into())
    );
    let rec = s
        .get(&format!("/api/collections/docs/records/{rid}"), None)
        .await;
    assert_eq!(rec.body["title"], "via form");
}

const MAIL_HOOKS: &str = r#"
onMailerSend((e) => {
  if (e.message.subject.indexOf("BLOCK") >= 0) { $app.store().set("blocked", true); return; }
  e.message.subject = e.message.subject + " [hooked]";
  if (e.message.subject.indexOf("Custom") === 0) {
    $app.store().set("seen", { headers: e.message.headers, attachments: Object.keys(e.message.attachments),
      inline: Object.keys(e.message.inlineAttachments), text: toString(e.message.attachments["open.txt"]) });
    e.message.headers["X-Hooked"] = "1";
  }
  e.next();
});
onMailerRecordVerificationSend((e) => {
  $app.store().set("verifyCount", ($app.store().get("verifyCount") || 0) + 1);
  $app.store().set("verify", { meta: e.meta, email: e.record.email(), to: e.message.to[0].address, mailer: typeof e.mailer });
  e.next();
}, "users");
onMailerRecordPasswordResetSend((e) => { $app.store().set("resetOther", true); e.next(); }, "not_users");
onMailerRecordOTPSend((e) => { $app.store().set("otp", e.meta); e.next(); });
onMailerRecordEmailChangeSend((e) => { $app.store().set("change", e.meta); e.next(); }, "_pb_users_auth_");
onMailerRecordAuthAlertSend((e) => { $app.store().set("alert", e.meta); });
routerAdd("POST", "/t/mails", (e) => {
  const r = $app.findAuthRecordByEmail("users", "u@example.com");
  $mails.sendRecordPasswordReset($app, r);
  $mails.sendRecordVerification($app, r);
  $mails.sendRecordChangeEmail($app, r, "new@example.com");
  $mails.sendRecordOTP($app, r, "OTPID123", "654321");
  $mails.sendRecordAuthAlert($app, r, "some info");
  $app.newMailClient().send(new MailerMessage({
    from: { address: "x@example.com", name: "X" }, to: [{ address: "to@example.com", name: "To Person" }],
    cc: [{ address: "cc@example.com" }], subject: "Custom", html: "<p>hi</p>", text: "plain hi",
    headers: { "Reply-To": "reply@example.com", "X-Custom": "yes" },
    attachments: {
      "open.txt": $filesystem.fileFromBytes(toBytes("opened reader"), "a.txt").reader.open(),
      "file.txt": $filesystem.fileFromBytes(toBytes("a whole file"), "b.txt"),
    },
    inlineAttachments: { "logo.png": $filesystem.fileFromBytes(toBytes("inline text"), "c.txt").reader.open() },
  }));
  $app.newMailClient().send(new MailerMessage({ to: [{ address: "to@example.com" }], subject: "BLOCK me", html: "x" }));
  // an attachment whose file is gone by the time of sending: the send throws, nothing goes out
  const gone = $os.tempDir() + "/gone-" + $security.randomString(8) + ".txt";
  $os.writeFile(gone, "x", 0o644);
  const goneFile = $filesystem.fileFromPath(gone);
  $os.remove(gone);
  let missing = "";
  try {
    $app.newMailClient().send(new MailerMessage({ to: [{ address: "gone@example.com" }], subject: "Gone", html: "x", attachments: { "g.txt": goneFile.reader.open() } }));
  } catch (err) { missing = String(err); }
  const st = $app.store();
  return e.json(200, {
    verify: st.get("verify"), otp: st.get("otp"), change: st.get("change"), alert: st.get("alert"),
    resetOther: st.get("resetOther"), blocked: st.get("blocked"), seen: st.get("seen"), missing: missing,
  });
});
routerAdd("GET", "/t/verifyCount", (e) => e.json(200, { n: $app.store().get("verifyCount") }));
"#;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn mails_go_through_the_mailer_hooks() {
    let smtpd = Smtpd::start();
    let (s, _tmp) = start(&[("mails.pb.js", MAIL_HOOKS)]).await;
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
    let res = s
        .req(
            "POST",
            "/api/collections/users/records",
            None,
            Some(json!({"email": "u@example.com", "password": "1234567890", "passwordConfirm": "1234567890"})),
        )
        .await;
    assert_eq!(res.status, 200, "{:?}", res.body);

    let res = s.req("POST", "/t/mails", None, None).await;
    assert_eq!(res.status, 200, "{:?}", res.body);
    let b = &res.body;
    // the record hooks see the record, the message and the meta; tags pick the collection
    assert_eq!(b["verify"]["email"], "u@example.com");
    assert_eq!(b["verify"]["to"], "u@example.com");
    assert_eq!(b["verify"]["mailer"], "object");
    let token = b["verify"]["meta"]["token"].as_str().expect("token");
    assert_eq!(token.split('.').count(), 3, "{token}");
    assert_eq!(b["otp"], json!({"otpId": "OTPID123", "password": "654321"}));
    assert_eq!(b["change"]["newEmail"], "new@example.com");
    assert!(b["change"]["token"].is_string(), "{b:?}");
    assert_eq!(b["alert"], json!({"info": "some info"}));
    assert_eq!(b["resetOther"], Value::Null);
    assert_eq!(b["blocked"], true);
    assert!(
        b["missing"]
            .as_str()
            .is_some_and(|m| m.contains("no such file")),
        "{b:?}"
    );
    assert!(smtpd.mails_to("gone@example.com", "").is_empty());

    // onMailerSend changed every subject; the alert (no e.next()) and the blocked mail were not sent
    let to_user = smtpd.mails_to("u@example.com", "");
    let subjects: Vec<&str> = to_user
        .iter()
        .map(|m| m["subject"].as_str().unwrap())
        .collect();
    assert_eq!(subjects.len(), 3, "{subjects:?}");
    assert!(
        subjects.iter().all(|s| s.ends_with(" [hooked]")),
        "{subjects:?}"
    );
    assert!(
        subjects.iter().any(|s| s.starts_with("Reset")),
        "{subjects:?}"
    );
    assert!(
        subjects.iter().any(|s| s.starts_with("Verify")),
        "{subjects:?}"
    );
    assert!(
        subjects.iter().any(|s| s.starts_with("OTP")),
        "{subjects:?}"
    );
    let change = smtpd.mails_to("new@example.com", "");
    assert_eq!(change.len(), 1);
    assert!(change[0]["html"]
        .as_str()
        .unwrap()
        .contains("http://app.test"));
    let custom = smtpd.mails_to("to@example.com", "");
    assert_eq!(custom.len(), 1, "{custom:?}");
    assert_eq!(custom[0]["subject"], "Custom [hooked]");
    assert_eq!(custom[0]["from"], "X <x@example.com>");
    assert_eq!(custom[0]["to"], "To Person <to@example.com>");
    assert_eq!(
        custom[0]["envelope_to"],
        json!(["to@example.com", "cc@example.com"])
    );
    assert_eq!(custom[0]["text"].as_str().unwrap().trim(), "plain hi");
    // headers and files: onMailerSend saw and changed them; what an opened reader or a file holds is sent
    assert_eq!(
        b["seen"],
        json!({"headers": {"Reply-To": "reply@example.com", "X-Custom": "yes"},
               "attachments": ["open.txt", "file.txt"], "inline": ["logo.png"], "text": "opened reader"})
    );
    let h = &custom[0]["headers"];
    assert_eq!(
        (&h["Reply-To"], &h["X-Custom"], &h["X-Hooked"]),
        (&json!("reply@example.com"), &json!("yes"), &json!("1")),
        "{h:?}"
    );
    assert_eq!(custom[0]["content_type"], "multipart/mixed");
    assert_eq!(custom[0]["html"], "<p>hi</p>");
    let mut files: Vec<_> = custom[0]["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["disposition"].as_str().unwrap(),
                f["filename"].as_str().unwrap(),
                f["content_type"].as_str().unwrap(),
                f["content"].as_str().unwrap(),
            )
        })
        .collect();
    files.sort();
    assert_eq!(
        files,
        [
            ("attachment", "file.txt", "text/plain", "a whole file"),
            ("attachment", "open.txt", "text/plain", "opened reader"),
            ("inline", "logo.png", "text/plain", "inline text"),
        ]
    );
    // a mail without files stays multipart/alternative
    assert_eq!(to_user[0]["content_type"], "multipart/alternative");

    // mails the API sends go through the same hooks
    let res = s
        .req(
            "POST",
            "/api/collections/users/request-verification",
            None,
            Some(json!({"email": "u@example.com"})),
        )
        .await;
    assert_eq!(res.status, 204, "{:?}", res.body);
    let mail = smtpd.wait_for("u@example.com", "Verify", 2).await;
    assert!(mail["subject"].as_str().unwrap().ends_with(" [hooked]"));
    let n = s.get("/t/verifyCount", None).await;
    assert_eq!(n.body["n"], 2);
}

const TEMPLATE_HOOKS: &str = r#"
routerAdd("GET", "/t/tpl", (e) => {
  const one = (t, d) => { try { return $template.loadString(t).render(d); } catch (x) { return "ERR " + x; } };
  return e.json(200, [
    one("Hello {{.name}}!", { name: "Bob<b>" }),
    one("{{.missing}}|{{.n}}|{{.f}}|{{.arr}}|{{.obj}}", { n: 3, f: 1.5, arr: [1, "a"], obj: { x: 1, a: "q" } }),
    one("{{if .a}}yes{{else if .b}}b{{else}}no{{end}}", { a: "", b: [1] }),
    one("{{range $i, $v := .items}}[{{$i}}:{{$v}}]{{else}}empty{{end}}|{{range .none}}x{{else}}none{{end}}", { items: ["x", "y"], none: [] }),
    one("{{with .u}}{{.name}}{{end}}|{{printf \"%s-%d\" .s .n}}|{{len .items}}|{{index .items 1}}|{{.s | printf \"%s!\"}}|{{eq .n 3}}", { u: { name: "U" }, s: "a\"b", n: 3, items: [1, 2] }),
    one("{{raw .h}}|{{.h}}", { h: "<i>it's + \"q\"</i>" }),
    one("{{- .a -}}  \n  {{.b}} {{/* comment */}}x{{$x := 5}}{{$x}}{{$x = 6}}{{$x}}", { a: "A", b: "B" }),
    one("{{define \"t\"}}T({{.}}){{end}}{{template \"t\" .v}}", { v: "V" }),
    one("<a href=\"{{.u}}\" title=\"{{.t}}\">x</a><script>var x = {{.t}};</script>", { u: "javascript:alert(1)", t: "a\"b<c" }),
    one("{{.bad", {}),
    one("{{nofunc 1}}", {}),
    $template.loadFiles(__hooks + "/views/layout.html", __hooks + "/views/page.html").render({ name: "N<" }),
  ]);
});
"#;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn templates_render_go_html_template_syntax() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path().join("pb_hooks");
    std::fs::create_dir_all(dir.join("views")).expect("mkdir");
    std::fs::write(dir.join("tpl.pb.js"), TEMPLATE_HOOKS).expect("write");
    std::fs::write(
        dir.join("views/layout.html"),
        "<html>{{template \"content\" .}}</html>\n{{define \"title\"}}t{{end}}\n",
    )
    .expect("write");
    std::fs::write(
        dir.join("views/page.html"),
        "{{define \"content\"}}<h1>{{.name}}</h1>{{block \"extra\" .}}blk{{end}}{{end}}\nignored\n",
    )
    .expect("write");
    let s = Server::start_with_hooks(&dir, Duration::from_secs(30)).await;
    let res = s.get("/t/tpl", None).await;
    assert_eq!(res.status, 200, "{:?}", res.body);
    // every expectation below is what PocketBase 0.40.6 renders
    let want = json!([
        "Hello Bob&lt;b&gt;!",
        "|3|1.5|[1 a]|map[a:q x:1]",
        "b",
        "[0:x][1:y]|none",
        "U|a&#34;b-3|2|2|a&#34;b!|true",
        "<i>it's + \"q\"</i>|&lt;i&gt;it&#39;s &#43; &#34;q&#34;&lt;/i&gt;",
        "AB x56",
        "T(V)",
        "<a href=\"#ZgotmplZ\" title=\"a&#34;b&lt;c\">x</a><script>var x = \"a\\\"b\\u003cc\";</script>",
        "ERR GoError: template: :1: unclosed action",
        "ERR GoError: template: :1: function \"nofunc\" not defined",
        "<html><h1>N&lt;</h1>blk</html>\n\n",
    ]);
    assert_eq!(res.body, want);
}

const AUTH_HOOKS: &str = r#"
// handlers do not see a file's top-level names: each one reaches the helper through require
onRecordAuthRefreshRequest((e) => {
  require(`${__hooks}/log.js`).log("refresh", { email: e.record.email(), auth: e.auth ? e.auth.email() : null, collection: e.collection.name });
  e.record.set("name", "from hook");
  e.next();
}, "users");
onRecordRequestVerificationRequest((e) => { require(`${__hooks}/log.js`).log("requestVerification", e.record.email()); e.next(); });
onRecordConfirmVerificationRequest((e) => { require(`${__hooks}/log.js`).log("confirmVerification", e.record.verified()); e.next(); });
// no e.next(): the mail is not sent and the request ends with an empty 200
onRecordRequestPasswordResetRequest((e) => { require(`${__hooks}/log.js`).log("requestPasswordReset", e.record.email()); });
onRecordConfirmPasswordResetRequest((e) => { require(`${__hooks}/log.js`).log("confirmPasswordReset", e.record.email()); e.next(); });
onRecordRequestEmailChangeRequest((e) => { require(`${__hooks}/log.js`).log("requestEmailChange", e.newEmail); e.next(); });
onRecordConfirmEmailChangeRequest((e) => { require(`${__hooks}/log.js`).log("confirmEmailChange", e.newEmail); e.newEmail = "hooked@example.com"; e.next(); });
onRecordRequestOTPRequest((e) => {
  require(`${__hooks}/log.js`).log(e.record ? "requestOTP" : "requestOTPUnknown", e.password.length);
  e.password = "424242";
  e.next();
});
onRecordAuthWithOTPRequest((e) => { require(`${__hooks}/log.js`).log("authWithOTP", { otp: e.otp.id, email: e.record.email() }); e.next(); });
onRecordAuthWithOTPRequest((e) => { throw new BadRequestError("tagged for another collection"); }, "other");
routerAdd("GET", "/t/log", (e) => e.json(200, $app.store().get("log") || {}));
routerAdd("GET", "/t/tokens/{email}", (e) => {
  const r = $app.findAuthRecordByEmail("users", e.request.pathValue("email"));
  return e.json(200, { v: r.newVerificationToken(), p: r.newPasswordResetToken(), c: r.newEmailChangeToken("new@example.com") });
});
"#;

const AUTH_HOOKS_LOG: &str = r#"
module.exports = { log: (k, v) => { const all = $app.store().get("log") || {}; all[k] = v; $app.store().set("log", all); } };
"#;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn auth_request_hooks_fire_and_change_what_the_action_uses() {
    let smtpd = Smtpd::start();
    let (s, _tmp) = start(&[("auth.pb.js", AUTH_HOOKS), ("log.js", AUTH_HOOKS_LOG)]).await;
    let admin = s.admin_token().await;
    let res = s
        .req(
            "PATCH",
            "/api/settings",
            Some(&admin),
            Some(json!({"smtp": {"enabled": true, "host": "127.0.0.1", "port": smtpd.port}})),
        )
        .await;
    assert_eq!(res.status, 200, "{:?}", res.body);
    let res = s
        .req(
            "PATCH",
            "/api/collections/users",
            Some(&admin),
            Some(json!({"otp": {"enabled": true}})),
        )
        .await;
    assert_eq!(res.status, 200, "{:?}", res.body);
    let users = "/api/collections/users";
    let post = |path: &str, token: Option<&str>, body: Value| {
        let path = format!("{users}/{path}");
        let token = token.map(str::to_string);
        let s = &s;
        async move { s.req("POST", &path, token.as_deref(), Some(body)).await }
    };
    let res = post(
        "records",
        None,
        json!({"email": "u@example.com", "password": "1234567890", "passwordConfirm": "1234567890"}),
    )
    .await;
    assert_eq!(res.status, 200, "{:?}", res.body);
    let id = res.body["id"].as_str().unwrap().to_string();
    let res = post(
        "auth-with-password",
        None,
        json!({"identity": "u@example.com", "password": "1234567890"}),
    )
    .await;
    assert_eq!(res.status, 200, "{:?}", res.body);
    let token = res.body["token"].as_str().unwrap().to_string();

    // auth refresh answers with the record as the handler left it
    let res = post("auth-refresh", Some(&token), json!({})).await;
    assert_eq!(res.status, 200, "{:?}", res.body);
    assert_eq!(res.body["record"]["name"], "from hook");

    let res = post(
        "request-verification",
        None,
        json!({"email": "u@example.com"}),
    )
    .await;
    assert_eq!(res.status, 204, "{:?}", res.body);
    smtpd.wait_for("u@example.com", "Verify", 1).await;
    let tokens = s.get("/t/tokens/u@example.com", None).await.body;
    let res = post("confirm-verification", None, json!({"token": tokens["v"]})).await;
    assert_eq!(res.status, 204, "{:?}", res.body);

    // the handler did not call e.next(): no mail, an empty 200
    let res = post(
        "request-password-reset",
        None,
        json!({"email": "u@example.com"}),
    )
    .await;
    assert_eq!(res.status, 200, "{:?}", res.body);

    let res = post(
        "request-email-change",
        Some(&token),
        json!({"newEmail": "new@example.com"}),
    )
    .await;
    assert_eq!(res.status, 204, "{:?}", res.body);
    let res = post(
        "confirm-email-change",
        None,
        json!({"token": tokens["c"], "password": "1234567890"}),
    )
    .await;
    assert_eq!(res.status, 204, "{:?}", res.body);
    let rec = s
        .get(&format!("{users}/records/{id}"), Some(&admin))
        .await
        .body;
    assert_eq!(
        (&rec["email"], &rec["verified"]),
        (&json!("hooked@example.com"), &json!(true)),
        "the email the handler picked was set"
    );

    let tokens = s.get("/t/tokens/hooked@example.com", None).await.body;
    let res = post(
        "confirm-password-reset",
        None,
        json!({"token": tokens["p"], "password": "abcdefghij", "passwordConfirm": "abcdefghij"}),
    )
    .await;
    assert_eq!(res.status, 204, "{:?}", res.body);

    // OTP: the code the handler set is the one that signs in
    let res = post("request-otp", None, json!({"email": "nobody@example.com"})).await;
    assert_eq!(res.status, 200, "{:?}", res.body);
    let res = post("request-otp", None, json!({"email": "hooked@example.com"})).await;
    assert_eq!(res.status, 200, "{:?}", res.body);
    let otp_id = res.body["otpId"].as_str().unwrap().to_string();
    let mail = smtpd.wait_for("hooked@example.com", "OTP", 1).await;
    assert!(
        mail["html"].as_str().unwrap().contains("424242"),
        "{mail:?}"
    );
    let res = post(
        "auth-with-otp",
        None,
        json!({"otpId": otp_id, "password": "424242"}),
    )
    .await;
    assert_eq!(res.status, 200, "{:?}", res.body);
    assert_eq!(res.body["record"]["email"], "hooked@example.com");

    let log = s.get("/t/log", None).await.body;
    assert_eq!(
        log,
        json!({
            "refresh": {"email": "u@example.com", "auth": "u@example.com", "collection": "users"},
            "requestVerification": "u@example.com",
            "confirmVerification": false,
            "requestPasswordReset": "u@example.com",
            "requestEmailChange": "new@example.com",
            "confirmEmailChange": "new@example.com",
            "confirmPasswordReset": "hooked@example.com",
            "requestOTPUnknown": 8,
            "requestOTP": 8,
            "authWithOTP": {"otp": otp_id, "email": "hooked@example.com"},
        })
    );
    assert!(
        smtpd.mails_to("u@example.com", "Reset").is_empty(),
        "the stopped password reset sent a mail"
    );
}

const SETTINGS_HOOKS: &str = r#"
onSettingsListRequest((e) => { e.settings.meta.appName = "Listed " + e.settings.meta.appName; e.next(); });
onSettingsUpdateRequest((e) => {
  $app.store().set("update", { old: e.oldSettings.meta.appName, new: e.newSettings.meta.appName, auth: e.auth.email() });
  e.newSettings.meta.appURL = "http://hooked.test";
  e.next();
});
onSettingsReload((e) => { $app.store().set("reloads", ($app.store().get("reloads") || 0) + 1); e.next(); });
routerAdd("GET", "/t/settings", (e) => e.json(200, {
  update: $app.store().get("update"), reloads: $app.store().get("reloads"), appName: $app.settings().meta.appName,
}));
"#;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn settings_hooks_change_what_is_listed_and_saved() {
    let (s, _tmp) = start(&[("settings.pb.js", SETTINGS_HOOKS)]).await;
    let admin = s.admin_token().await;
    let res = s
        .req(
            "PATCH",
            "/api/settings",
            Some(&admin),
            Some(json!({"meta": {"appName": "Renamed"}})),
        )
        .await;
    assert_eq!(res.status, 200, "{:?}", res.body);
    assert_eq!(res.body["meta"]["appURL"], "http://hooked.test");
    assert_eq!(res.body["meta"]["appName"], "Renamed");
    let res = s.get("/api/settings", Some(&admin)).await;
    assert_eq!(res.status, 200, "{:?}", res.body);
    assert_eq!(res.body["meta"]["appName"], "Listed Renamed");
    assert_eq!(res.body["meta"]["appURL"], "http://hooked.test");
    assert!(
        res.body["smtp"].get("password").is_none(),
        "secrets stay out: {:?}",
        res.body["smtp"]
    );
    let seen = s.get("/t/settings", None).await.body;
    assert_eq!(seen["update"]["new"], "Renamed");
    assert_eq!(seen["update"]["auth"], crate::support::ADMIN_EMAIL);
    assert_ne!(seen["update"]["old"], "Renamed");
    assert_eq!(seen["reloads"], 1);
    assert_eq!(
        seen["appName"], "Renamed",
        "listing changed only the answer"
    );
}

const FILE_HOOKS: &str = r#"
onFileDownloadRequest((e) => {
  $app.store().set("download", { name: e.servedName, field: e.fileField.name, title: e.record.get("title"),
    collection: e.collection.name, pathEnds: e.servedPath.endsWith("/" + e.servedName) });
  e.servedName = "renamed.txt";
  e.next();
}, "docs");
onFileDownloadRequest((e) => { throw new BadRequestError("tagged for another collection"); }, "other");
onFileTokenRequest((e) => { $app.store().set("token", e.record.email()); e.token = "custom-" + e.token.length; e.next(); });
routerAdd("POST", "/t/mkdoc", (e) => {
  const r = new Record($app.findCollectionByNameOrId("docs"));
  r.set("title", "hello");
  r.set("one", $filesystem.fileFromBytes(toBytes("file body"), "a.txt"));
  $app.save(r);
  return e.json(200, { id: r.id, one: r.get("one") });
});
routerAdd("GET", "/t/files", (e) => e.json(200, { download: $app.store().get("download"), token: $app.store().get("token") }));
"#;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn file_hooks_see_the_download_and_change_the_token() {
    let (s, _tmp) = start(&[("files.pb.js", FILE_HOOKS)]).await;
    let cid = create_docs(&s).await;
    let doc = s.req("POST", "/t/mkdoc", None, None).await;
    assert_eq!(doc.status, 200, "{:?}", doc.body);
    let (id, one) = (
        doc.body["id"].as_str().unwrap(),
        doc.body["one"].as_str().unwrap(),
    );
    let res = s
        .client
        .get(format!("{}/api/files/{cid}/{id}/{one}", s.url))
        .send()
        .await
        .expect("download");
    assert_eq!(res.status().as_u16(), 200);
    let disposition = res
        .headers()
        .get("content-disposition")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    assert!(disposition.contains("renamed.txt"), "{disposition}");
    assert_eq!(res.text().await.unwrap(), "file body");

    let res = s
        .req(
            "POST",
            "/api/collections/users/records",
            None,
            Some(json!({"email": "f@example.com", "password": "1234567890", "passwordConfirm": "1234567890"})),
        )
        .await;
    assert_eq!(res.status, 200, "{:?}", res.body);
    let res = s
        .req(
            "POST",
            "/api/collections/users/auth-with-password",
            None,
            Some(json!({"identity": "f@example.com", "password": "1234567890"})),
        )
        .await;
    let user = res.body["token"].as_str().unwrap().to_string();
    let res = s.req("POST", "/api/files/token", Some(&user), None).await;
    assert_eq!(res.status, 200, "{:?}", res.body);
    let token = res.body["token"].as_str().unwrap();
    assert!(token.starts_with("custom-"), "{token}");

    let seen = s.get("/t/files", None).await.body;
    assert_eq!(
        seen,
        json!({
            "download": {"name": one, "field": "one", "title": "hello", "collection": "docs", "pathEnds": true},
            "token": "f@example.com",
        })
    );
}

const BATCH_HOOKS: &str = r#"
onBatchRequest((e) => {
  $app.store().set("batch", { n: e.batch.length, first: e.batch[0].url, auth: e.auth ? e.auth.email() : null });
  e.batch[0].body.title = "hooked";
  e.batch.push({ method: "POST", url: "/api/collections/docs/records", body: { title: "added by the hook" } });
  e.next();
});
routerAdd("GET", "/t/batch", (e) => e.json(200, $app.store().get("batch")));
"#;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn batch_hook_sees_and_changes_the_sub_requests() {
    let (s, _tmp) = start(&[("batch.pb.js", BATCH_HOOKS)]).await;
    create_docs(&s).await;
    let admin = s.admin_token().await;
    let res = s
        .req(
            "PATCH",
            "/api/settings",
            Some(&admin),
            Some(json!({"batch": {"enabled": true}})),
        )
        .await;
    assert_eq!(res.status, 200, "{:?}", res.body);
    let res = s
        .req(
            "POST",
            "/api/batch",
            Some(&admin),
            Some(json!({"requests": [
                {"method": "POST", "url": "/api/collections/docs/records", "body": {"title": "sent"}}
            ]})),
        )
        .await;
    assert_eq!(res.status, 200, "{:?}", res.body);
    let titles: Vec<&Value> = res
        .body
        .as_array()
        .expect("list")
        .iter()
        .map(|r| &r["body"]["title"])
        .collect();
    assert_eq!(titles, [&json!("hooked"), &json!("added by the hook")]);
    let seen = s.get("/t/batch", None).await.body;
    assert_eq!(
        seen,
        json!({"n": 1, "first": "/api/collections/docs/records", "auth": crate::support::ADMIN_EMAIL})
    );
}

const IMPORT_HOOKS: &str = r#"
onCollectionsImportRequest((e) => {
  $app.store().set("import", { names: e.collectionsData.map((c) => c.name), deleteMissing: e.deleteMissing });
  e.collectionsData.push({ name: "added_by_hook", type: "base", fields: [{ name: "title", type: "text" }] });
  e.next();
});
routerAdd("GET", "/t/import", (e) => e.json(200, $app.store().get("import")));
"#;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn collections_import_hook_changes_what_is_imported() {
    let (s, _tmp) = start(&[("import.pb.js", IMPORT_HOOKS)]).await;
    let admin = s.admin_token().await;
    let res = s
        .req(
            "PUT",
            "/api/collections/import",
            Some(&admin),
            Some(json!({"collections": [
                {"name": "sent_one", "type": "base", "fields": [{"name": "a", "type": "text"}]}
            ]})),
        )
        .await;
    assert_eq!(res.status, 204, "{:?}", res.body);
    for name in ["sent_one", "added_by_hook"] {
        let res = s
            .get(&format!("/api/collections/{name}"), Some(&admin))
            .await;
        assert_eq!(res.status, 200, "{name}: {:?}", res.body);
    }
    let seen = s.get("/t/import", None).await.body;
    assert_eq!(seen, json!({"names": ["sent_one"], "deleteMissing": false}));
}
