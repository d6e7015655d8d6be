//! Storage backends: one upload → serve (original, Range, thumb) → replace → delete scenario, run
//! against the local directory and against a real S3-compatible server (moto, started on loopback by
//! the test itself), plus `POST /api/settings/test/s3` (spec 06 §3, §6, §7).

use crate::support::{assert_error, Server};
use serde_json::{json, Value};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const BUCKET: &str = "ferrobase-it";

/// moto checks no signature, but anonymous reads meet the bucket's private ACL.
const AUTH: &str = "AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/s3/aws4_request, SignedHeaders=host, Signature=00";

/// The real interpreter behind `python3` (a shim's child would outlive a kill).
fn python() -> String {
    let out = Command::new("python3")
        .args(["-c", "import sys; print(sys.executable)"])
        .output()
        .expect("python3 is needed to run moto (pip install 'moto[server]')");
    let path = String::from_utf8_lossy(&out.stdout).trim().to_string();
    assert!(!path.is_empty(), "python3 did not name its interpreter");
    path
}

/// A moto S3 server on a free loopback port, stopped when dropped.
struct Moto {
    child: Child,
    url: String,
}

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Moto {
    /// Starts `python3 -m moto.server`; fails loudly when moto is not installed.
    async fn start() -> Moto {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("free port")
            .port();
        let child = Command::new(python())
            .args([
                "-m",
                "moto.server",
                "-H",
                "127.0.0.1",
                "-p",
                &port.to_string(),
            ])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("python3 is needed to run moto (pip install 'moto[server]')");
        let mut moto = Moto {
            child,
            url: format!("http://127.0.0.1:{port}"),
        };
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            if let Some(status) = moto.child.try_wait().expect("moto status") {
                panic!(
                    "moto.server exited ({status}): is moto installed? pip install 'moto[server]'"
                );
            }
            if reqwest::get(format!("{}/moto-api/", moto.url))
                .await
                .is_ok()
            {
                break;
            }
            assert!(Instant::now() < deadline, "moto.server did not start");
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        let res = reqwest::Client::new()
            .put(format!("{}/{BUCKET}", moto.url))
            .send()
            .await
            .expect("create bucket");
        assert!(res.status().is_success(), "create bucket: {}", res.status());
        moto
    }

    /// The S3 settings of the bucket.
    fn settings(&self) -> Value {
        json!({"enabled": true, "bucket": BUCKET, "region": "us-east-1", "endpoint": self.url,
               "accessKey": "test", "secret": "test", "forcePathStyle": true})
    }
}

/// Where the test looks at the stored objects, bypassing the server.
enum Backend {
    Local(std::path::PathBuf),
    S3(String),
}

impl Backend {
    /// Every object key under `prefix` (sidecars left out).
    async fn keys(&self, prefix: &str) -> Vec<String> {
        match self {
            Backend::Local(root) => {
                let mut out = Vec::new();
                walk(root, root, &mut out);
                out.retain(|k| k.starts_with(prefix) && !k.ends_with(".attrs"));
                out.sort();
                out
            }
            Backend::S3(url) => {
                let xml = reqwest::Client::new()
                    .get(format!("{url}/{BUCKET}?list-type=2&prefix={prefix}"))
                    .header("Authorization", AUTH)
                    .send()
                    .await
                    .unwrap()
                    .text()
                    .await
                    .unwrap();
                let re = regex::Regex::new("<Key>([^<]*)</Key>").unwrap();
                let mut out: Vec<String> =
                    re.captures_iter(&xml).map(|c| c[1].to_string()).collect();
                out.sort();
                out
            }
        }
    }

    /// The stored content type and original-filename metadata of an object.
    async fn meta(&self, key: &str) -> (String, String) {
        match self {
            Backend::Local(root) => {
                let raw = std::fs::read(root.join(format!("{key}.attrs"))).unwrap();
                let v: Value = serde_json::from_slice(&raw).unwrap();
                let name = v["user.metadata"]["original-filename"]
                    .as_str()
                    .unwrap_or("");
                (
                    v["user.content_type"].as_str().unwrap().to_string(),
                    name.to_string(),
                )
            }
            Backend::S3(url) => {
                let res = reqwest::Client::new()
                    .head(format!("{url}/{BUCKET}/{key}"))
                    .header("Authorization", AUTH)
                    .send()
                    .await
                    .unwrap();
                assert_eq!(res.status(), 200, "{key}");
                let h = |n: &str| {
                    res.headers()
                        .get(n)
                        .map(|v| v.to_str().unwrap().to_string())
                        .unwrap_or_default()
                };
                (h("content-type"), h("x-amz-meta-original-filename"))
            }
        }
    }

    /// Waits (background deletes) until no key under `prefix` is left.
    async fn wait_gone(&self, prefix: &str) {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let left = self.keys(prefix).await;
            if left.is_empty() {
                return;
            }
            assert!(Instant::now() < deadline, "still stored: {left:?}");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
}

fn walk(root: &std::path::Path, dir: &std::path::Path, out: &mut Vec<String>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            walk(root, &p, out);
        } else {
            out.push(
                p.strip_prefix(root)
                    .unwrap()
                    .to_string_lossy()
                    .replace('\\', "/"),
            );
        }
    }
}

fn png(w: u32, h: u32) -> Vec<u8> {
    let img = image::RgbaImage::from_fn(w, h, |x, y| image::Rgba([x as u8, y as u8, 7, 255]));
    let mut out = std::io::Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Png).unwrap();
    out.into_inner()
}

/// A multipart body of `(field, filename, bytes)` file parts plus plain fields.
pub(crate) fn multipart(
    fields: &[(&str, &str)],
    files: &[(&str, &str, &[u8])],
) -> (String, Vec<u8>) {
    let boundary = "ferrobaseS3Boundary7MA4YWxk";
    let mut body = Vec::new();
    for (k, v) in fields {
        body.extend_from_slice(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n")
                .as_bytes(),
        );
    }
    for (field, name, bytes) in files {
        body.extend_from_slice(format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{field}\"; filename=\"{name}\"\r\nContent-Type: application/octet-stream\r\n\r\n").as_bytes());
        body.extend_from_slice(bytes);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

async fn send_form(
    s: &Server,
    t: &str,
    method: &str,
    path: &str,
    body: (String, Vec<u8>),
) -> Value {
    let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
    let res = s
        .client
        .request(method, format!("{}{path}", s.url))
        .header("Authorization", t)
        .header("content-type", body.0)
        .body(body.1)
        .send()
        .await
        .unwrap();
    let status = res.status();
    let v: Value = res.json().await.unwrap();
    assert_eq!(status, 200, "{v}");
    v
}

async fn get(s: &Server, path: &str, headers: &[(&str, &str)]) -> reqwest::Response {
    let mut rb = s.client.get(format!("{}{path}", s.url));
    for (k, v) in headers {
        rb = rb.header(*k, *v);
    }
    rb.send().await.unwrap()
}

fn header(res: &reqwest::Response, name: &str) -> String {
    res.headers()
        .get(name)
        .map(|v| v.to_str().unwrap().to_string())
        .unwrap_or_default()
}

/// Upload → serve (original, Range, conditional, thumb generated once and cached) → replace →
/// delete, checking the stored objects of `backend` at each step.
async fn upload_serve_delete(s: &Server, t: &str, backend: &Backend) {
    let res = s
        .req(
            "POST",
            "/api/collections",
            Some(t),
            Some(json!({"name": "docs", "viewRule": "",
            "fields": [{"name": "one", "type": "file", "maxSelect": 1, "thumbs": ["50x50"]},
                       {"name": "many", "type": "file", "maxSelect": 5, "maxSize": 10485760}]})),
        )
        .await;
    assert_eq!(res.status, 200, "{:?}", res.body);
    let cid = res.body["id"].as_str().unwrap().to_string();
    let photo = png(200, 100);
    // past 1 MiB the upload spills to a temporary file and is stored from there
    let big: Vec<u8> = (0..3 * 1024 * 1024u32).map(|i| (i % 251) as u8).collect();
    let rec = send_form(
        s,
        t,
        "POST",
        "/api/collections/docs/records",
        multipart(
            &[],
            &[
                ("one", "My Photo.png", &photo),
                ("many", "doc.txt", b"hello world\n"),
                ("many", "big.bin", &big),
            ],
        ),
    )
    .await;
    let id = rec["id"].as_str().unwrap().to_string();
    let one = rec["one"].as_str().unwrap().to_string();
    let many: Vec<String> = serde_json::from_value(rec["many"].clone()).unwrap();
    let (doc, bin) = (&many[0], &many[1]);
    assert!(one.starts_with("my_photo_") && doc.starts_with("doc_") && bin.starts_with("big_"));
    let dir = format!("{cid}/{id}/");
    let mut expected = vec![
        format!("{dir}{one}"),
        format!("{dir}{doc}"),
        format!("{dir}{bin}"),
    ];
    expected.sort();
    assert_eq!(backend.keys(&dir).await, expected);
    assert_eq!(
        backend.meta(&format!("{dir}{one}")).await,
        ("image/png".to_string(), "My Photo.png".to_string())
    );
    assert_eq!(
        backend.meta(&format!("{dir}{doc}")).await,
        (
            "text/plain; charset=utf-8".to_string(),
            "doc.txt".to_string()
        )
    );
    assert_eq!(backend.meta(&format!("{dir}{bin}")).await.1, "big.bin");

    // serving: the original, a range, a conditional request
    let res = get(s, &format!("/api/files/docs/{id}/{one}"), &[]).await;
    assert_eq!(res.status(), 200);
    assert_eq!(header(&res, "content-type"), "image/png");
    assert_eq!(
        header(&res, "content-disposition"),
        format!("inline; filename=\"{one}\"")
    );
    let last_modified = header(&res, "last-modified");
    assert_eq!(res.bytes().await.unwrap().to_vec(), photo);
    let res = get(
        s,
        &format!("/api/files/docs/{id}/{doc}"),
        &[("Range", "bytes=2-4")],
    )
    .await;
    assert_eq!(res.status(), 206);
    assert_eq!(header(&res, "content-range"), "bytes 2-4/12");
    assert_eq!(res.text().await.unwrap(), "llo");
    let res = get(
        s,
        &format!("/api/files/docs/{id}/{one}"),
        &[("If-Modified-Since", last_modified.as_str())],
    )
    .await;
    assert_eq!(res.status(), 304);
    let res = get(s, &format!("/api/files/docs/{id}/{bin}"), &[]).await;
    assert_eq!(header(&res, "content-length"), big.len().to_string());
    assert!(
        res.bytes().await.unwrap().to_vec() == big,
        "big file served whole"
    );
    let res = get(
        s,
        &format!("/api/files/docs/{id}/{bin}"),
        &[("Range", "bytes=-100")],
    )
    .await;
    assert_eq!(res.status(), 206);
    assert!(res.bytes().await.unwrap().to_vec() == big[big.len() - 100..]);

    // a thumb is generated once, stored beside the original and then served from storage
    let thumb_key = format!("{dir}thumbs_{one}/50x50_{one}");
    let res = get(s, &format!("/api/files/docs/{id}/{one}?thumb=50x50"), &[]).await;
    assert_eq!(res.status(), 200);
    assert_eq!(
        header(&res, "content-disposition"),
        format!("inline; filename=\"50x50_{one}\"")
    );
    let img = image::load_from_memory(&res.bytes().await.unwrap()).unwrap();
    assert_eq!((img.width(), img.height()), (50, 50));
    assert!(backend.keys(&dir).await.contains(&thumb_key));
    assert_eq!(backend.meta(&thumb_key).await.0, "image/png");
    s.app
        .files()
        .put_typed(&thumb_key, png(3, 3), "image/png")
        .await
        .unwrap();
    let res = get(s, &format!("/api/files/docs/{id}/{one}?thumb=50x50"), &[]).await;
    let img = image::load_from_memory(&res.bytes().await.unwrap()).unwrap();
    assert_eq!(
        (img.width(), img.height()),
        (3, 3),
        "the stored thumb is served"
    );

    // replacing the single file deletes the old one and its thumbs after the update
    let rec = send_form(
        s,
        t,
        "PATCH",
        &format!("/api/collections/docs/records/{id}"),
        multipart(&[], &[("one", "next.png", &png(10, 10))]),
    )
    .await;
    let next = rec["one"].as_str().unwrap().to_string();
    backend.wait_gone(&format!("{dir}{one}")).await;
    backend.wait_gone(&format!("{dir}thumbs_{one}/")).await;
    assert!(backend.keys(&dir).await.contains(&format!("{dir}{next}")));
    let res = get(s, &format!("/api/files/docs/{id}/{next}"), &[]).await;
    assert_eq!(res.status(), 200);
    assert_eq!(
        get(s, &format!("/api/files/docs/{id}/{one}"), &[])
            .await
            .status(),
        404
    );

    // deleting the record removes its whole directory
    let res = s
        .req(
            "DELETE",
            &format!("/api/collections/docs/records/{id}"),
            Some(t),
            None,
        )
        .await;
    assert_eq!(res.status, 204);
    backend.wait_gone(&dir).await;
}

#[tokio::test]
async fn local_storage_scenario() {
    let s = Server::start().await;
    let t = s.admin_token().await;
    assert!(!s.app.files().is_s3());
    let root = s.data_dir().join("storage");
    upload_serve_delete(&s, &t, &Backend::Local(root)).await;
}

#[tokio::test]
async fn s3_storage_scenario() {
    let moto = Moto::start().await;
    let s = Server::start().await;
    let t = s.admin_token().await;
    let res = s
        .req(
            "PATCH",
            "/api/settings",
            Some(&t),
            Some(json!({"s3": moto.settings()})),
        )
        .await;
    assert_eq!(res.status, 200, "{:?}", res.body);
    assert!(res.body["s3"].get("secret").is_none());
    assert!(s.app.files().is_s3(), "the store follows the settings");
    upload_serve_delete(&s, &t, &Backend::S3(moto.url.clone())).await;
    assert!(
        walk_is_empty(&s.data_dir().join("storage")),
        "nothing was written locally"
    );
    // switching back to local storage
    let res = s
        .req(
            "PATCH",
            "/api/settings",
            Some(&t),
            Some(json!({"s3": {"enabled": false}})),
        )
        .await;
    assert_eq!(res.status, 200);
    assert!(!s.app.files().is_s3());
}

fn walk_is_empty(dir: &std::path::Path) -> bool {
    let mut out = Vec::new();
    walk(dir, dir, &mut out);
    out.is_empty()
}

#[tokio::test]
async fn settings_test_s3() {
    let moto = Moto::start().await;
    let s = Server::start().await;
    let t = s.admin_token().await;
    let test = |body: Value| {
        let (s, t) = (&s, t.clone());
        async move {
            s.req("POST", "/api/settings/test/s3", Some(&t), Some(body))
                .await
        }
    };
    let res = test(json!({})).await;
    assert_error(&res, 400, "Failed to test the S3 filesystem.");
    assert_eq!(
        res.body["data"]["filesystem"]["code"],
        "validation_required"
    );
    let res = test(json!({"filesystem": "x"})).await;
    assert_error(&res, 400, "Failed to test the S3 filesystem.");
    assert_eq!(
        res.body["data"]["filesystem"]["code"],
        "validation_in_invalid"
    );
    for fs in ["storage", "backups"] {
        let res = test(json!({"filesystem": fs})).await;
        assert_error(
            &res,
            400,
            "Failed to test the S3 filesystem. Raw error: \nS3 storage filesystem is not enabled.",
        );
    }
    let guest = s
        .req(
            "POST",
            "/api/settings/test/s3",
            None,
            Some(json!({"filesystem": "storage"})),
        )
        .await;
    assert_eq!(guest.status, 401);

    // a reachable bucket: 204, and the test object is gone again
    let res = s
        .req(
            "PATCH",
            "/api/settings",
            Some(&t),
            Some(json!({"s3": moto.settings(),
            "backups": {"s3": moto.settings()}})),
        )
        .await;
    assert_eq!(res.status, 200, "{:?}", res.body);
    for fs in ["storage", "backups"] {
        let res = test(json!({"filesystem": fs})).await;
        assert_eq!(res.status, 204, "{fs}: {:?}", res.body);
    }
    assert!(Backend::S3(moto.url.clone())
        .keys("pb_settings_test_")
        .await
        .is_empty());

    // a missing bucket answers 400 with the raw error
    let mut missing = moto.settings();
    missing["bucket"] = json!("no-such-bucket");
    let res = s
        .req(
            "PATCH",
            "/api/settings",
            Some(&t),
            Some(json!({"s3": missing})),
        )
        .await;
    assert_eq!(res.status, 200);
    let res = test(json!({"filesystem": "storage"})).await;
    assert_eq!(res.status, 400, "{:?}", res.body);
    let message = res.body["message"].as_str().unwrap();
    assert!(
        message.starts_with("Failed to test the S3 filesystem. Raw error: \nfailed to upload a test file: [key: pb_settings_test_"),
        "{message}"
    );
}

/// A `pb_config.yaml` beside `pb_data` selects the bucket at start; enabled API settings win.
#[tokio::test]
async fn pb_config_yaml_selects_the_bucket() {
    let moto = Moto::start().await;
    let dir = tempfile::tempdir().unwrap();
    let yaml = format!(
        "filesystem:\n  endpoint: {}\n  bucket: {BUCKET}\n  region: us-east-1\n  accessKey: test\n  secretKey: test\n  forcePathStyle: true\n",
        moto.url
    );
    std::fs::write(dir.path().join("pb_config.yaml"), yaml).unwrap();
    let s = Server::start_on(&dir.path().join("pb_data")).await;
    let files = s.app.files();
    assert!(files.is_s3(), "pb_config.yaml names a bucket");
    let content = ferrobase::files::Content::from(b"yaml".to_vec());
    files.put("cfg/rec/a.txt", &content, "a.txt").await.unwrap();
    let backend = Backend::S3(moto.url.clone());
    assert_eq!(
        backend.keys("cfg/").await,
        vec!["cfg/rec/a.txt".to_string()]
    );
    assert_eq!(backend.meta("cfg/rec/a.txt").await.1, "a.txt");
    assert_eq!(files.read("cfg/rec/a.txt").await.unwrap(), b"yaml");
    files.delete_prefix("cfg/").await.unwrap();
    backend.wait_gone("cfg/").await;
    // the API settings win: another bucket, which does not exist, is now used
    let mut other = s.app.settings().as_ref().clone();
    other.s3.enabled = true;
    other.s3.bucket = "api-bucket".into();
    other.s3.endpoint = moto.url.clone();
    other.s3.region = "us-east-1".into();
    other.s3.access_key = "test".into();
    other.s3.secret = "test".into();
    other.s3.force_path_style = true;
    s.app.set_settings(other);
    s.app.reload_files().await.unwrap();
    let err = s.app.files().put("cfg/rec/b.txt", &content, "b.txt").await;
    assert!(err.is_err(), "the API's (missing) bucket is used");
    assert!(backend.keys("cfg/").await.is_empty());
}
