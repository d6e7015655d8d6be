//! Test helpers: a server on a random port over a temp data dir, and a tiny HTTP client.

use ferrobase::app::{App, AppConfig};
use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::time::Duration;

pub const ADMIN_EMAIL: &str = "admin@example.com";
pub const ADMIN_PASSWORD: &str = "Passw0rd123";

/// A running server; dropped at the end of the test (its runtime goes with it).
pub struct Server {
    pub url: String,
    pub app: App,
    pub client: reqwest::Client,
    /// The JS hook runtime, when started with [`Server::start_with_hooks`].
    pub jsvm: Option<ferrobase::jsvm::Jsvm>,
    _dir: Option<tempfile::TempDir>,
    _shutdown: tokio::sync::oneshot::Sender<()>,
}

/// The answer of one request: status and JSON body (`Null` when empty or not JSON).
#[derive(Debug)]
pub struct Res {
    pub status: u16,
    pub body: Value,
    pub headers: reqwest::header::HeaderMap,
}

impl Server {
    /// A fresh data dir with one superuser.
    pub async fn start() -> Server {
        Self::start_with(|_| {}).await
    }

    /// A fresh data dir with one superuser, the app configured by `configure` first.
    pub async fn start_with(configure: impl FnOnce(&mut AppConfig)) -> Server {
        let (app, dir) = fresh_app_with(configure).await;
        Self::serve(app, Some(dir)).await
    }

    /// A fresh data dir with one superuser, serving the JS hooks of `hooks_dir` as `serve` does
    /// (`--hooksDir`, watched for changes, `--hooksTimeout=timeout`, a small executor pool).
    pub async fn start_with_hooks(hooks_dir: &Path, timeout: Duration) -> Server {
        let (app, dir) = fresh_app().await;
        let config = ferrobase::jsvm::JsConfig {
            hooks_dir: std::path::absolute(hooks_dir).expect("absolute hooks dir"),
            watch: true,
            pool_size: 4,
            timeout,
        };
        let a = app.clone();
        let vm = tokio::task::spawn_blocking(move || ferrobase::jsvm::Jsvm::start(&a, config))
            .await
            .expect("join")
            .expect("load the hooks");
        Self::serve_with(app, Some(dir), Some(vm)).await
    }

    /// Serves an existing data dir (e.g. a copy of a fixture).
    pub async fn start_on(data: &Path) -> Server {
        let app = App::open(AppConfig::new(data)).expect("open app");
        Self::serve(app, None).await
    }

    async fn serve(app: App, dir: Option<tempfile::TempDir>) -> Server {
        Self::serve_with(app, dir, None).await
    }

    async fn serve_with(
        app: App,
        dir: Option<tempfile::TempDir>,
        jsvm: Option<ferrobase::jsvm::Jsvm>,
    ) -> Server {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let addr = listener.local_addr().expect("addr");
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        let a = app.clone();
        let vm = jsvm.clone();
        tokio::spawn(async move {
            let shutdown = async {
                let _ = rx.await;
            };
            let _ = match vm {
                Some(vm) => {
                    ferrobase::http::serve_with(
                        a,
                        listener,
                        shutdown,
                        Some(ferrobase::jsvm::routes::wrap(vm)),
                    )
                    .await
                }
                None => ferrobase::http::serve(a, listener, shutdown).await,
            };
        });
        Server {
            url: format!("http://{addr}"),
            app,
            client: reqwest::Client::new(),
            jsvm,
            _dir: dir,
            _shutdown: tx,
        }
    }

    pub fn data_dir(&self) -> PathBuf {
        self.app.data_dir().to_path_buf()
    }

    /// Sends a request; `body` is JSON unless it is a string (sent raw).
    pub async fn req(
        &self,
        method: &str,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> Res {
        let method = reqwest::Method::from_bytes(method.as_bytes()).expect("method");
        let mut rb = self.client.request(method, format!("{}{}", self.url, path));
        if let Some(t) = token {
            rb = rb.header("Authorization", t);
        }
        match body {
            Some(Value::String(raw)) => {
                rb = rb.header("content-type", "application/json").body(raw)
            }
            Some(v) => rb = rb.json(&v),
            None => {}
        }
        let res = rb.send().await.expect("send");
        let status = res.status().as_u16();
        let headers = res.headers().clone();
        let bytes = res.bytes().await.expect("body");
        Res {
            status,
            body: serde_json::from_slice(&bytes).unwrap_or(Value::Null),
            headers,
        }
    }

    pub async fn get(&self, path: &str, token: Option<&str>) -> Res {
        self.req("GET", path, token, None).await
    }

    /// Signs in to an auth collection and returns the token.
    pub async fn login(&self, collection: &str, identity: &str, password: &str) -> String {
        let res = self
            .req(
                "POST",
                &format!("/api/collections/{collection}/auth-with-password"),
                None,
                Some(json!({"identity": identity, "password": password})),
            )
            .await;
        assert_eq!(res.status, 200, "login failed: {:?}", res.body);
        res.body["token"].as_str().expect("token").to_string()
    }

    pub async fn admin_token(&self) -> String {
        self.login("_superusers", ADMIN_EMAIL, ADMIN_PASSWORD).await
    }

    /// The level and `data` of the request-log row with `message`, once the log writer has flushed it
    /// (it writes every 3 s); `None` after 10 s.
    pub async fn logged(&self, message: &str) -> Option<(i64, Value)> {
        let aux = self.data_dir().join("auxiliary.db");
        for _ in 0..50 {
            tokio::time::sleep(Duration::from_millis(200)).await;
            let conn = rusqlite::Connection::open(&aux).expect("auxiliary.db");
            let row: Option<(i64, String)> = conn
                .query_row(
                    "SELECT level, data FROM _logs WHERE message = ?1",
                    [message],
                    |r| Ok((r.get(0)?, r.get(1)?)),
                )
                .ok();
            if let Some((level, data)) = row {
                return Some((level, serde_json::from_str(&data).expect("log data")));
            }
        }
        None
    }
}

/// Opens a fresh data dir in a temp dir and adds the test superuser.
async fn fresh_app() -> (App, tempfile::TempDir) {
    fresh_app_with(|_| {}).await
}

async fn fresh_app_with(configure: impl FnOnce(&mut AppConfig)) -> (App, tempfile::TempDir) {
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().join("pb_data");
    let mut config = AppConfig::new(&data);
    configure(&mut config);
    let app = App::open(config).expect("open app");
    let a = app.clone();
    tokio::task::spawn_blocking(move || {
        ferrobase::services::superusers::upsert(&a, ADMIN_EMAIL, ADMIN_PASSWORD)
    })
    .await
    .expect("join")
    .expect("superuser");
    (app, dir)
}

/// Asserts an error answer: status, message and the codes of `data` (top-level keys only).
pub fn assert_error(res: &Res, status: u16, message: &str) {
    assert_eq!(res.status, status, "unexpected answer: {:?}", res.body);
    assert_eq!(res.body["status"], json!(status), "{:?}", res.body);
    assert_eq!(res.body["message"], json!(message), "{:?}", res.body);
    assert!(res.body["data"].is_object(), "{:?}", res.body);
}

/// Copies a directory tree (for fixtures that must never be written to).
pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for entry in std::fs::read_dir(from).expect("read_dir") {
        let entry = entry.expect("entry");
        let target = to.join(entry.file_name());
        if entry.file_type().expect("type").is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).expect("copy");
        }
    }
}

/// The shared fixtures folder, beside the checkout.
pub fn shared_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared")
}
