//! JS hooks (`pb_hooks/*.pb.js`) on a real server: hot reload under load, the handler time limit,
//! transactions around record hooks, handler isolation, the declared globals, and the repo's
//! `pb_hooks/` examples.

use crate::support::{copy_dir, Server};
use ferrobase::jsvm::hooks::ALL_HOOK_NAMES;
use ferrobase::services::js_types::DECLARATIONS;
use serde_json::{json, Value};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

const GENERIC: &str = "Something went wrong while processing your request.";

/// A temp dir holding `pb_hooks/` with `files` (relative path, content).
fn hooks_dir(files: &[(&str, &str)]) -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path().join("pb_hooks");
    for (name, content) in files {
        let path = dir.join(name);
        std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        std::fs::write(path, content).expect("write hook file");
    }
    std::fs::create_dir_all(&dir).expect("mkdir");
    (tmp, dir)
}

async fn start(files: &[(&str, &str)], timeout_secs: u64) -> (Server, tempfile::TempDir) {
    let (tmp, dir) = hooks_dir(files);
    let s = Server::start_with_hooks(&dir, Duration::from_secs(timeout_secs)).await;
    (s, tmp)
}

async fn create_collection(s: &Server, token: &str, body: Value) {
    let res = s
        .req("POST", "/api/collections", Some(token), Some(body))
        .await;
    assert_eq!(res.status, 200, "create collection: {:?}", res.body);
}

async fn total_items(s: &Server, token: &str, collection: &str) -> u64 {
    let res = s
        .get(
            &format!("/api/collections/{collection}/records?perPage=1"),
            Some(token),
        )
        .await;
    assert_eq!(res.status, 200, "{:?}", res.body);
    res.body["totalItems"].as_u64().expect("totalItems")
}

/// Polls `path` until `done(answer)` holds, at most `limit`; returns the time it took.
async fn wait_for(
    s: &Server,
    path: &str,
    limit: Duration,
    done: impl Fn(u16, &Value) -> bool,
) -> Result<Duration, String> {
    let t0 = Instant::now();
    loop {
        let res = s.get(path, None).await;
        if done(res.status, &res.body) {
            return Ok(t0.elapsed());
        }
        if t0.elapsed() > limit {
            return Err(format!("{path}: last answer {} {}", res.status, res.body));
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

// ---------- hot reload under load ----------

fn route_x(v: &str) -> String {
    format!("routerAdd(\"GET\", \"/hr/x\", (e) => e.json(200, {{ v: \"{v}\" }}))\n")
}

/// One answer of the load: when the request was sent, when its answer arrived, and the version.
struct Answer {
    sent: Instant,
    got: Instant,
    version: usize,
}

/// Sends `GET /hr/x` in a loop until `stop`; every answer must be a 200 `{"v":"vN"}`.
async fn load(url: String, stop: Arc<AtomicBool>) -> (Vec<Answer>, Vec<String>) {
    let client = reqwest::Client::new();
    let (mut answers, mut failures) = (Vec::new(), Vec::new());
    while !stop.load(Ordering::Relaxed) {
        let sent = Instant::now();
        let res = client.get(format!("{url}/hr/x")).send().await;
        let (status, text) = match res {
            Ok(r) => (r.status().as_u16(), r.text().await.unwrap_or_default()),
            Err(e) => {
                failures.push(format!("request error: {e}"));
                continue;
            }
        };
        let version = serde_json::from_str::<Value>(&text)
            .ok()
            .and_then(|b| b["v"].as_str()?.strip_prefix('v')?.parse::<usize>().ok());
        match version {
            Some(version) if status == 200 => answers.push(Answer {
                sent,
                got: Instant::now(),
                version,
            }),
            _ => failures.push(format!("{status} {text}")),
        }
    }
    (answers, failures)
}

/// Writes a hook file in place, or the way editors save (a hidden temp file renamed over it).
fn write_hook(dir: &Path, name: &str, content: &str, atomic: bool) {
    if atomic {
        let tmp = dir.join(format!(".{name}.swp"));
        std::fs::write(&tmp, content).expect("write temp");
        std::fs::rename(&tmp, dir.join(name)).expect("rename");
    } else {
        std::fs::write(dir.join(name), content).expect("write");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn hot_reload_under_load_fails_no_request_and_shows_each_edit_quickly() {
    let (tmp, dir) = hooks_dir(&[("a.pb.js", &route_x("v0"))]);
    let s = Server::start_with_hooks(&dir, Duration::from_secs(30)).await;
    assert_eq!(s.get("/hr/x", None).await.body, json!({"v": "v0"}));
    assert_eq!(s.get("/hr/y", None).await.status, 404);

    let stop = Arc::new(AtomicBool::new(false));
    let tasks: Vec<_> = (0..4)
        .map(|_| tokio::spawn(load(s.url.clone(), stop.clone())))
        .collect();
    tokio::time::sleep(Duration::from_millis(300)).await;

    // every edit must show within this time (the watcher debounces 50 ms, then reloads)
    let limit = Duration::from_secs(3);
    let mut seen_after = Vec::new();
    let mut problems = Vec::new();
    let started = Instant::now();
    for i in 1..=4usize {
        let v = format!("v{i}");
        write_hook(&dir, "a.pb.js", &route_x(&v), i % 2 == 0);
        match wait_for(&s, "/hr/x", limit, |st, b| st == 200 && b["v"] == v).await {
            Ok(took) => seen_after.push(took),
            Err(e) => problems.push(format!("edit {i} not seen: {e}")),
        }
        // add, then remove, another hook file: the reload keeps serving /hr/x meanwhile
        let b = dir.join("b.pb.js");
        let want = if i % 2 == 1 {
            std::fs::write(
                &b,
                "routerAdd(\"GET\", \"/hr/y\", (e) => e.json(200, { y: 1 }))\n",
            )
            .expect("write b");
            200
        } else {
            std::fs::remove_file(&b).expect("remove b");
            404
        };
        if let Err(e) = wait_for(&s, "/hr/y", limit, |st, _| st == want).await {
            problems.push(format!("b.pb.js change {i} not seen: {e}"));
        }
        tokio::time::sleep(Duration::from_millis(400)).await;
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    stop.store(true, Ordering::Relaxed);

    let (mut answers, mut failures) = (Vec::new(), Vec::new());
    for t in tasks {
        let (a, f) = t.await.expect("load task");
        answers.extend(a);
        failures.extend(f);
    }
    assert!(problems.is_empty(), "{problems:?}");
    let routes = s.jsvm.as_ref().expect("jsvm").current().routes.len();
    assert_eq!(routes, 1, "b.pb.js was removed last: only /hr/x is left");
    assert!(
        failures.is_empty(),
        "{} of {} requests failed during the reloads, e.g. {:?}",
        failures.len(),
        failures.len() + answers.len(),
        &failures[..failures.len().min(5)]
    );
    let secs = started.elapsed().as_secs_f64();
    assert!(
        answers.len() as f64 > 20.0 * secs,
        "too little load to show anything: {} answers in {secs:.1} s",
        answers.len()
    );
    // Once version N was answered, a request sent afterwards never gets an older version.
    let mut first_got: BTreeMap<usize, Instant> = BTreeMap::new();
    for a in &answers {
        let t = first_got.entry(a.version).or_insert(a.got);
        *t = (*t).min(a.got);
    }
    assert_eq!(
        first_got.keys().copied().collect::<Vec<_>>(),
        [0, 1, 2, 3, 4]
    );
    let stale: Vec<_> = answers
        .iter()
        .filter(|a| first_got.iter().any(|(v, t)| *v > a.version && *t < a.sent))
        .collect();
    assert!(
        stale.is_empty(),
        "{} answers came from an older generation",
        stale.len()
    );
    println!(
        "hot reload: {} requests in {secs:.1} s, none failed; edits seen after {seen_after:?}",
        answers.len()
    );
    drop(tmp);
}

// ---------- time limit ----------

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_runaway_handler_is_interrupted_and_the_server_keeps_serving() {
    let (s, _tmp) = start(
        &[(
            "spin.pb.js",
            r#"
routerAdd("GET", "/spin", (e) => { while (true) {} })
// catching the interruption must not keep the handler alive
routerAdd("GET", "/spin-catch", (e) => { for (;;) { try { for (;;) {} } catch (err) {} } })
routerAdd("GET", "/ok", (e) => e.json(200, { ok: true }))
"#,
        )],
        // generous: CI runs this beside a hundred other tests on two cores
        3,
    )
    .await;
    let s = Arc::new(s);
    let t0 = Instant::now();
    let spins: Vec<_> = ["/spin", "/spin-catch"]
        .into_iter()
        .map(|path| {
            let s = s.clone();
            tokio::spawn(async move { (s.get(path, None).await, t0.elapsed()) })
        })
        .collect();
    tokio::time::sleep(Duration::from_millis(200)).await;
    // meanwhile: other requests are answered (the first one is what proves it: it is
    // answered while the spinners run, however slow a loaded machine makes the rest)
    let mut first_ok = None;
    for _ in 0..5 {
        let res = s.get("/ok", None).await;
        assert_eq!(res.status, 200, "{:?}", res.body);
        first_ok.get_or_insert_with(|| t0.elapsed());
        assert_eq!(s.get("/api/health", None).await.status, 200);
    }
    let first_ok = first_ok.expect("five /ok requests");
    for h in spins {
        let (res, took) = h.await.expect("spin task");
        assert!(
            took >= Duration::from_secs(3) && took < Duration::from_secs(15),
            "answered after {took:?}"
        );
        assert!(res.status >= 400, "{} {:?}", res.status, res.body);
        assert_eq!(res.body["status"], json!(res.status), "{:?}", res.body);
        assert!(res.body["message"].as_str().is_some_and(|m| !m.is_empty()));
        assert!(res.body["data"].is_object(), "{:?}", res.body);
        assert!(
            took > first_ok,
            "the spinner answered after {took:?}, before /ok was ({first_ok:?})"
        );
        println!(
            "runaway handler: {} {} after {took:?}",
            res.status, res.body
        );
    }
    // afterwards every pooled runtime (the interrupted ones included) works
    for _ in 0..12 {
        let res = s.get("/ok", None).await;
        assert_eq!((res.status, &res.body), (200, &json!({"ok": true})));
    }
}

#[tokio::test]
async fn endless_recursion_throws_instead_of_taking_the_server_down() {
    let (s, _tmp) = start(
        &[(
            "recurse.pb.js",
            r#"
routerAdd("GET", "/recurse/{n}", (e) => {
  function depth(n) { return n === 0 ? 0 : 1 + depth(n - 1) }
  return e.json(200, { depth: depth(parseInt(e.request.pathValue("n"))) })
})
routerAdd("GET", "/recurse-caught", (e) => {
  let caught = ""
  try { (function f() { f() })() } catch (err) { caught = String(err) }
  return e.json(200, { caught: caught })
})
routerAdd("GET", "/recurse-forever", (e) => { (function f() { f() })() })
// record hooks run on the database writer thread: the same limit holds there
onRecordCreate((e) => { (function f() { f() })() }, "things")
"#,
        )],
        30,
    )
    .await;
    let res = s.get("/recurse/1000", None).await;
    assert_eq!((res.status, &res.body), (200, &json!({"depth": 1000})));
    let res = s.get("/recurse-caught", None).await;
    assert_eq!(res.status, 200, "{:?}", res.body);
    assert!(
        res.body["caught"]
            .as_str()
            .is_some_and(|c| c.starts_with("RangeError: Maximum call stack size exceeded")),
        "{:?}",
        res.body
    );
    let res = s.get("/recurse-forever", None).await;
    crate::support::assert_error(&res, 400, GENERIC);
    let t = s.admin_token().await;
    create_collection(
        &s,
        &t,
        json!({"name": "things", "createRule": "", "fields": [{"name": "title", "type": "text"}]}),
    )
    .await;
    let res = s
        .req(
            "POST",
            "/api/collections/things/records",
            None,
            Some(json!({"title": "x"})),
        )
        .await;
    crate::support::assert_error(&res, 400, GENERIC);
    assert_eq!(total_items(&s, &t, "things").await, 0);
    // the server is still there, and so is every runtime
    for _ in 0..6 {
        let res = s.get("/recurse/100", None).await;
        assert_eq!((res.status, &res.body), (200, &json!({"depth": 100})));
    }
}

// ---------- transactions around record hooks ----------
//
// Ferrobase runs every record write together with its hooks in one transaction, so a hook that throws
// after `e.next()` undoes the record and everything the hook saved. PocketBase 0.40.6 does that only
// inside `$app.runInTransaction`: for a REST API create or a plain `$app.save` it commits at `e.next()`,
// so a later throw answers 400 but keeps both records (checked against the 0.40.6 binary).

const TX_HOOKS: &str = r#"
onRecordCreate((e) => {
  e.next()
  $app.save(new Record($app.findCollectionByNameOrId("audits"), { note: "post " + e.record.id }))
  const title = e.record.getString("title")
  // what this write sees before it commits, and what another connection sees meanwhile
  const outside = $http.send({
    url: $app.store().get("selfUrl") + "/api/collections/posts/records?filter=" + encodeURIComponent("title='" + title + "'"),
    timeout: 10,
  })
  $app.store().set("seen:" + title, {
    tx: $app.isTransactional(),
    post: $app.findRecordById("posts", e.record.id).getString("title"),
    audits: $app.countRecords("audits", $dbx.hashExp({ note: "post " + e.record.id })),
    outside: outside.json.totalItems,
  })
  if (title.startsWith("boom")) throw new BadRequestError("Rolled back.")
}, "posts")

routerAdd("POST", "/self", (e) => {
  $app.store().set("selfUrl", e.requestInfo().body.url)
  return e.noContent(204)
})
routerAdd("GET", "/seen/{title}", (e) => e.json(200, $app.store().get("seen:" + e.request.pathValue("title"))))
routerAdd("POST", "/tx/{title}", (e) => {
  $app.runInTransaction((txApp) => {
    txApp.save(new Record(txApp.findCollectionByNameOrId("posts"), { title: e.request.pathValue("title") }))
  })
  return e.json(200, { made: true })
})
routerAdd("POST", "/make/{title}", (e) => {
  $app.save(new Record($app.findCollectionByNameOrId("posts"), { title: e.request.pathValue("title") }))
  return e.json(200, { made: true })
})
"#;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_record_hook_that_throws_rolls_back_its_whole_write() {
    let (s, _tmp) = start(&[("tx.pb.js", TX_HOOKS)], 30).await;
    let t = s.admin_token().await;
    for name in ["posts", "audits"] {
        create_collection(
            &s,
            &t,
            json!({"name": name, "listRule": "", "createRule": "",
                   "fields": [{"name": "title", "type": "text"}, {"name": "note", "type": "text"}]}),
        )
        .await;
    }
    let res = s
        .req("POST", "/self", None, Some(json!({"url": s.url})))
        .await;
    assert_eq!(res.status, 204);

    // a normal create: the hook sees its own uncommitted post and audit; others do not, yet
    let res = s
        .req(
            "POST",
            "/api/collections/posts/records",
            None,
            Some(json!({"title": "fine"})),
        )
        .await;
    assert_eq!(res.status, 200, "{:?}", res.body);
    let seen = s.get("/seen/fine", None).await.body;
    assert_eq!(
        seen,
        json!({"tx": true, "post": "fine", "audits": 1, "outside": 0})
    );
    assert_eq!(total_items(&s, &t, "posts").await, 1);
    assert_eq!(total_items(&s, &t, "audits").await, 1);

    // the hook throws after saving the audit: neither the post nor the audit is kept
    let res = s
        .req(
            "POST",
            "/api/collections/posts/records",
            None,
            Some(json!({"title": "boom-api"})),
        )
        .await;
    assert_eq!(res.status, 400, "{:?}", res.body);
    assert_eq!(res.body["message"], "Rolled back.");
    let seen = s.get("/seen/boom-api", None).await.body;
    assert_eq!(
        seen,
        json!({"tx": true, "post": "boom-api", "audits": 1, "outside": 0})
    );
    assert_eq!(total_items(&s, &t, "posts").await, 1);
    assert_eq!(total_items(&s, &t, "audits").await, 1);

    // the same through $app.save in a route
    let res = s.req("POST", "/make/boom-route", None, None).await;
    assert_eq!(res.status, 400, "{:?}", res.body);
    assert_eq!(res.body["message"], "Rolled back.");
    assert_eq!(
        s.get("/seen/boom-route", None).await.body["post"],
        "boom-route"
    );
    assert_eq!(total_items(&s, &t, "posts").await, 1);
    assert_eq!(total_items(&s, &t, "audits").await, 1);
    let res = s.req("POST", "/make/kept", None, None).await;
    assert_eq!((res.status, &res.body), (200, &json!({"made": true})));
    assert_eq!(total_items(&s, &t, "posts").await, 2);
    assert_eq!(total_items(&s, &t, "audits").await, 2);

    // inside $app.runInTransaction the hook's $app is the transaction (as in PocketBase)
    let res = s.req("POST", "/tx/boom-tx", None, None).await;
    assert_eq!(res.status, 400, "{:?}", res.body);
    let seen = s.get("/seen/boom-tx", None).await.body;
    assert_eq!(
        seen,
        json!({"tx": true, "post": "boom-tx", "audits": 1, "outside": 0})
    );
    assert_eq!(total_items(&s, &t, "posts").await, 2);
    assert_eq!(total_items(&s, &t, "audits").await, 2);
    let res = s.req("POST", "/tx/kept-tx", None, None).await;
    assert_eq!(res.status, 200, "{:?}", res.body);
    assert_eq!(total_items(&s, &t, "posts").await, 3);
    assert_eq!(total_items(&s, &t, "audits").await, 3);
}

// ---------- isolation ----------

#[tokio::test]
async fn handlers_do_not_see_the_top_level_bindings_of_their_file() {
    let (s, _tmp) = start(
        &[(
            "iso.pb.js",
            r#"
const TOP = "top-level const"
var LOADER_VAR = "top-level var"
function helper() { return 1 }
if (TOP !== "top-level const" || helper() !== 1) throw new Error("the file itself sees them")
routerAdd("GET", "/iso/const", (e) => e.json(200, { v: TOP }))
routerAdd("GET", "/iso/types", (e) => e.json(200, {
  TOP: typeof TOP, LOADER_VAR: typeof LOADER_VAR, helper: typeof helper, routerAdd: typeof routerAdd,
}))
"#,
        )],
        30,
    )
    .await;
    let res = s.get("/iso/const", None).await;
    crate::support::assert_error(&res, 400, GENERIC);
    assert_eq!(res.body["data"], json!({}));
    let res = s.get("/iso/types", None).await;
    assert_eq!(res.status, 200);
    assert_eq!(
        res.body,
        json!({"TOP": "undefined", "LOADER_VAR": "undefined", "helper": "undefined", "routerAdd": "undefined"})
    );
}

// ---------- every bound global is declared ----------

/// Globals of the language itself (ECMAScript, including the proposals QuickJS ships).
const ECMASCRIPT_GLOBALS: &[&str] = &[
    "AggregateError",
    "Array",
    "ArrayBuffer",
    "AsyncDisposableStack",
    "Atomics",
    "BigInt",
    "BigInt64Array",
    "BigUint64Array",
    "Boolean",
    "DataView",
    "Date",
    "DisposableStack",
    "Error",
    "EvalError",
    "FinalizationRegistry",
    "Float16Array",
    "Float32Array",
    "Float64Array",
    "Function",
    "Infinity",
    "Int16Array",
    "Int32Array",
    "Int8Array",
    "Iterator",
    "JSON",
    "Map",
    "Math",
    "NaN",
    "Number",
    "Object",
    "Promise",
    "Proxy",
    "RangeError",
    "ReferenceError",
    "Reflect",
    "RegExp",
    "Set",
    "SharedArrayBuffer",
    "String",
    "SuppressedError",
    "Symbol",
    "SyntaxError",
    "TypeError",
    "URIError",
    "Uint16Array",
    "Uint32Array",
    "Uint8Array",
    "Uint8ClampedArray",
    "WeakMap",
    "WeakRef",
    "WeakSet",
    "decodeURI",
    "decodeURIComponent",
    "encodeURI",
    "encodeURIComponent",
    "escape",
    "eval",
    "globalThis",
    "isFinite",
    "isNaN",
    "parseFloat",
    "parseInt",
    "undefined",
    "unescape",
];

/// The names js-types/types.d.ts declares as runtime globals.
fn declared_globals() -> BTreeSet<String> {
    let re = regex::Regex::new(
        r"(?m)^declare (?:function|var|const|let|class|namespace) ([A-Za-z_$][\w$]*)",
    )
    .expect("regex");
    re.captures_iter(DECLARATIONS)
        .map(|c| c[1].to_string())
        .collect()
}

#[tokio::test]
async fn every_global_the_runtime_binds_is_declared_in_js_types() {
    let (s, _tmp) = start(
        &[(
            "globals.pb.js",
            r#"
$app.store().set("loaderGlobals", Object.getOwnPropertyNames(globalThis))
routerAdd("GET", "/globals", (e) => e.json(200, {
  executor: Object.getOwnPropertyNames(globalThis),
  loader: $app.store().get("loaderGlobals"),
}))
"#,
        )],
        30,
    )
    .await;
    let res = s.get("/globals", None).await;
    assert_eq!(res.status, 200, "{:?}", res.body);
    let names = |k: &str| -> BTreeSet<String> {
        res.body[k]
            .as_array()
            .expect("names")
            .iter()
            .filter_map(|v| v.as_str().map(str::to_string))
            .collect()
    };
    let (executor, loader) = (names("executor"), names("loader"));
    // the loader has the registrars, the executors do not
    for name in ALL_HOOK_NAMES.iter().chain(&["routerAdd", "routerUse"]) {
        assert!(loader.contains(*name), "the loader lacks {name}");
        assert!(!executor.contains(*name), "handlers can call {name}");
    }
    assert_eq!(ALL_HOOK_NAMES.len(), 83);
    for name in ["$app", "$apis", "cronAdd", "require", "Record", "console"] {
        assert!(executor.contains(name), "handlers lack {name}");
    }

    let declared = declared_globals();
    let bound: BTreeSet<&String> = executor
        .iter()
        .chain(&loader)
        .filter(|n| !n.starts_with("__") && !ECMASCRIPT_GLOBALS.contains(&n.as_str()))
        .collect();
    let missing: Vec<_> = bound.iter().filter(|n| !declared.contains(**n)).collect();
    assert!(
        missing.is_empty(),
        "bound but not declared in js-types/types.d.ts: {missing:?}"
    );
    let hooks_missing: Vec<_> = ALL_HOOK_NAMES
        .iter()
        .filter(|n| !declared.contains(**n))
        .collect();
    assert!(hooks_missing.is_empty(), "{hooks_missing:?}");
}

// ---------- the repo's pb_hooks/ examples ----------

/// A server over a copy of the repository's `pb_hooks/` and a `posts` collection.
async fn start_examples() -> (Server, tempfile::TempDir, String) {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path().join("pb_hooks");
    copy_dir(
        &PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("pb_hooks"),
        &dir,
    );
    let s = Server::start_with_hooks(&dir, Duration::from_secs(30)).await;
    let t = s.admin_token().await;
    create_collection(
        &s,
        &t,
        json!({"name": "posts", "listRule": "", "viewRule": "", "createRule": "",
               "fields": [{"name": "title", "type": "text"}, {"name": "slug", "type": "text"},
                          {"name": "views", "type": "number"}]}),
    )
    .await;
    (s, tmp, t)
}

#[tokio::test]
async fn example_hello_route_reads_path_and_query_params() {
    let (s, _tmp, _) = start_examples().await;
    let res = s.get("/api/hello/world?greet=Hi", None).await;
    assert_eq!(
        (res.status, &res.body),
        (200, &json!({"message": "Hi world!"}))
    );
    let res = s.get("/api/hello/dear%20reader", None).await;
    assert_eq!(res.body, json!({"message": "Hello dear reader!"}));
    let res = s.req("POST", "/api/hello/world", None, None).await;
    crate::support::assert_error(&res, 404, "The requested resource wasn't found.");
}

#[tokio::test]
async fn example_record_hook_fills_the_slug_with_the_required_lib() {
    let (s, _tmp, _) = start_examples().await;
    for (body, slug) in [
        (json!({"title": "Héllo, World!"}), "hello-world"),
        (json!({"title": "  --Déjà vu 2--  "}), "deja-vu-2"),
        (json!({"title": "Kept", "slug": "my-own"}), "my-own"),
    ] {
        let res = s
            .req("POST", "/api/collections/posts/records", None, Some(body))
            .await;
        assert_eq!(res.status, 200, "{:?}", res.body);
        assert_eq!(res.body["slug"], slug);
    }
    // other collections are left alone (the hook is tagged "posts")
    let t = s.admin_token().await;
    create_collection(
        &s,
        &t,
        json!({"name": "notes", "createRule": "",
               "fields": [{"name": "title", "type": "text"}, {"name": "slug", "type": "text"}]}),
    )
    .await;
    let res = s
        .req(
            "POST",
            "/api/collections/notes/records",
            None,
            Some(json!({"title": "No Slug"})),
        )
        .await;
    assert_eq!((res.status, &res.body["slug"]), (200, &json!("")));
}

async fn create_user(s: &Server, email: &str) -> (String, String) {
    let res = s
        .req(
            "POST",
            "/api/collections/users/records",
            None,
            Some(json!({"email": email, "password": "Passw0rd123", "passwordConfirm": "Passw0rd123"})),
        )
        .await;
    assert_eq!(res.status, 200, "{:?}", res.body);
    let id = res.body["id"].as_str().expect("id").to_string();
    (id, s.login("users", email, "Passw0rd123").await)
}

#[tokio::test]
async fn example_guarded_route_requires_a_users_token() {
    let (s, _tmp, admin) = start_examples().await;
    let (id, token) = create_user(&s, "u1@example.com").await;
    let res = s.get("/api/me", Some(&token)).await;
    assert_eq!(
        (res.status, &res.body),
        (
            200,
            &json!({"id": id, "email": "u1@example.com", "verified": false})
        )
    );
    let res = s.get("/api/me", None).await;
    crate::support::assert_error(
        &res,
        401,
        "The request requires valid record authorization token.",
    );
    let res = s.get("/api/me", Some(&admin)).await;
    crate::support::assert_error(
        &res,
        403,
        "The authorized record is not allowed to perform this action.",
    );
}

#[tokio::test]
async fn example_cron_job_is_listed_and_runs_on_demand() {
    let (s, _tmp, admin) = start_examples().await;
    create_user(&s, "a@example.com").await;
    create_user(&s, "b@example.com").await;
    let res = s.get("/api/crons", Some(&admin)).await;
    assert_eq!(res.status, 200, "{:?}", res.body);
    assert!(
        res.body
            .as_array()
            .expect("jobs")
            .contains(&json!({"id": "users_stats", "expression": "*/10 * * * *"})),
        "{:?}",
        res.body
    );
    let res = s.get("/api/stats", None).await;
    crate::support::assert_error(&res, 404, "No stats yet: the users_stats job has not run.");
    let res = s
        .req("POST", "/api/crons/users_stats", Some(&admin), None)
        .await;
    assert_eq!(res.status, 204, "{:?}", res.body);
    wait_for(&s, "/api/stats", Duration::from_secs(5), |st, b| {
        st == 200
            && b["users"] == 2
            && b["verified"] == 0
            && b["at"].as_str().is_some_and(|t| t.ends_with('Z'))
    })
    .await
    .expect("the job's numbers");
}

#[tokio::test]
async fn example_report_route_filters_with_bound_params() {
    let (s, _tmp, admin) = start_examples().await;
    for (title, views) in [("Low", 3), ("Mid", 7), ("High", 50), ("Also mid", 7)] {
        let res = s
            .req(
                "POST",
                "/api/collections/posts/records",
                None,
                Some(json!({"title": title, "views": views})),
            )
            .await;
        assert_eq!(res.status, 200, "{:?}", res.body);
    }
    let res = s
        .get("/api/report/top-posts?min=5&limit=2", Some(&admin))
        .await;
    assert_eq!(res.status, 200, "{:?}", res.body);
    assert_eq!(
        res.body,
        json!({"min": 5, "total": 3, "items": [
            {"title": "High", "slug": "high", "views": 50},
            {"title": "Also mid", "slug": "also-mid", "views": 7},
        ]})
    );
    // a filter-like value is bound as a number, never pasted into the filter
    let res = s
        .get("/api/report/top-posts?min=1%20||%201=1", Some(&admin))
        .await;
    assert_eq!(res.body["min"], 1);
    assert_eq!(res.body["total"], 4);
    let res = s.get("/api/report/top-posts", None).await;
    assert_eq!(res.status, 401, "{:?}", res.body);
    let (_, user) = create_user(&s, "u@example.com").await;
    let res = s.get("/api/report/top-posts", Some(&user)).await;
    assert_eq!(res.status, 403, "{:?}", res.body);
}

const ENRICH_HOOKS: &str = r#"
onRecordEnrich((e) => {
  if (String(e.record.get("title")).startsWith("boom")) throw new BadRequestError("nope");
  e.next();
});
onRecordEnrich((e) => {
  e.record.set("title", e.record.get("title") + "!");
  e.record.hide("secret");
  e.record.unhide("hid");
  e.record.withCustomData(true);
  e.record.set("ctx", e.requestInfo.context);
  e.record.set("who", e.requestInfo.auth ? e.requestInfo.auth.id : "guest");
  e.next();
  e.record.set("after", true);
}, "posts");
onRecordEnrich((e) => {
  e.record.withCustomData(true);
  e.record.set("seen", e.requestInfo.context + ":" + e.requestInfo.method);
  e.next();
}, "tags");
routerAdd("GET", "/x/enriched/{id}", (e) => {
  const r = $app.findRecordById("posts", e.request.pathValue("id"));
  $apis.enrichRecord(e, r, "tag");
  return e.json(200, r);
});
routerAdd("GET", "/x/plain/{id}", (e) => e.json(200, $app.findRecordById("posts", e.request.pathValue("id"))));
"#;

/// `onRecordEnrich` changes what list, view, create, expand and `$apis.enrichRecord` answer, as PocketBase
/// 0.40.6 does (checked side by side): values set before or after `e.next()`, `hide` (ignored for
/// superusers), `unhide`, custom data, `e.requestInfo` (context `expand` for expanded records), and a
/// throwing handler fails the answer.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn on_record_enrich_shapes_every_api_answer() {
    let (s, _tmp) = start(&[("enrich.pb.js", ENRICH_HOOKS)], 10).await;
    let su = s.admin_token().await;
    create_collection(
        &s,
        &su,
        json!({"name": "tags", "type": "base", "listRule": "", "viewRule": "",
        "fields": [{"name": "n", "type": "text"}]}),
    )
    .await;
    let tags = s.get("/api/collections/tags", Some(&su)).await;
    create_collection(&s, &su, json!({"name": "posts", "type": "base", "listRule": "", "viewRule": "",
        "createRule": "", "fields": [{"name": "title", "type": "text"}, {"name": "secret", "type": "text"},
        {"name": "hid", "type": "text", "hidden": true},
        {"name": "tag", "type": "relation", "collectionId": tags.body["id"], "maxSelect": 1}]}))
    .await;
    let tag = s
        .req(
            "POST",
            "/api/collections/tags/records",
            Some(&su),
            Some(json!({"n": "t1"})),
        )
        .await;
    assert_eq!(tag.body["seen"], "default:POST", "{:?}", tag.body);
    let tag_id = tag.body["id"].as_str().expect("tag id").to_string();
    let body = json!({"title": "a", "secret": "s", "hid": "H", "tag": tag_id});
    let post = s
        .req(
            "POST",
            "/api/collections/posts/records",
            Some(&su),
            Some(body),
        )
        .await;
    assert_eq!(post.status, 200, "{:?}", post.body);
    assert_eq!(post.body["title"], "a!");
    let id = post.body["id"].as_str().expect("id").to_string();

    let check_guest = |v: &Value| {
        assert_eq!(v["title"], "a!", "{v:?}");
        assert!(v.get("secret").is_none(), "hidden by the handler: {v:?}");
        assert_eq!(v["hid"], "H", "unhidden by the handler: {v:?}");
        assert_eq!(v["who"], "guest");
        assert_eq!(v["after"], true, "set after e.next(): {v:?}");
    };
    let view = s
        .get(
            &format!("/api/collections/posts/records/{id}?expand=tag"),
            None,
        )
        .await;
    assert_eq!(view.status, 200, "{:?}", view.body);
    check_guest(&view.body);
    assert_eq!(view.body["ctx"], "default");
    assert_eq!(view.body["expand"]["tag"]["seen"], "expand:GET");
    let list = s
        .get("/api/collections/posts/records?expand=tag", None)
        .await;
    check_guest(&list.body["items"][0]);
    assert_eq!(list.body["items"][0]["expand"]["tag"]["seen"], "expand:GET");

    let as_su = s
        .get(&format!("/api/collections/posts/records/{id}"), Some(&su))
        .await;
    assert_eq!(
        as_su.body["secret"], "s",
        "hide() is ignored for superusers"
    );
    assert_ne!(as_su.body["who"], "guest");

    let boom = s
        .req(
            "POST",
            "/api/collections/posts/records",
            None,
            Some(json!({"title": "boom"})),
        )
        .await;
    assert_eq!(boom.status, 400, "{:?}", boom.body);
    assert_eq!(boom.body["message"], "Nope.");

    let custom = s.get(&format!("/x/enriched/{id}"), None).await;
    assert_eq!(custom.status, 200, "{:?}", custom.body);
    check_guest(&custom.body);
    assert_eq!(custom.body["expand"]["tag"]["n"], "t1");
    let custom_su = s.get(&format!("/x/enriched/{id}"), Some(&su)).await;
    assert_eq!(custom_su.body["secret"], "s", "{:?}", custom_su.body);
    let plain = s.get(&format!("/x/plain/{id}"), None).await;
    assert_eq!(
        plain.body["title"], "a",
        "custom routes are not enriched: {:?}",
        plain.body
    );
    assert!(plain.body.get("ctx").is_none() && plain.body.get("hid").is_none());
}

/// `$apis.recordAuthResponse` answers the standard auth JSON after `onRecordAuthRequest` (which sets the
/// meta here) and `onRecordEnrich`; a request hook that does not call `e.next()` leaves nothing written.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn record_auth_response_runs_the_auth_request_hook() {
    let hooks = r#"
onRecordAuthRequest((e) => {
  if (e.authMethod === "silent") return;
  e.meta = { via: e.authMethod };
  e.next();
}, "users");
onRecordEnrich((e) => { e.record.withCustomData(true); e.record.set("enriched", true); e.next(); }, "users");
routerAdd("POST", "/x/login/{method}", (e) => {
  const r = $app.findAuthRecordByEmail("users", "u@example.com");
  return $apis.recordAuthResponse(e, r, e.request.pathValue("method"));
});
"#;
    let (s, _tmp) = start(&[("auth.pb.js", hooks)], 10).await;
    let (id, _) = create_user(&s, "u@example.com").await;
    let res = s.req("POST", "/x/login/magic", None, None).await;
    assert_eq!(res.status, 200, "{:?}", res.body);
    assert_eq!(res.body["meta"], json!({"via": "magic"}));
    assert_eq!(res.body["record"]["id"], id.as_str());
    assert_eq!(res.body["record"]["email"], "u@example.com");
    assert_eq!(res.body["record"]["enriched"], true);
    let token = res.body["token"].as_str().expect("token");
    let me = s
        .req(
            "POST",
            "/api/collections/users/auth-refresh",
            Some(token),
            None,
        )
        .await;
    assert_eq!(me.status, 200, "the token signs in: {:?}", me.body);
    let silent = s.req("POST", "/x/login/silent", None, None).await;
    assert_eq!(silent.status, 200);
    assert!(silent.body.is_null(), "{:?}", silent.body);
}

/// The collection request hooks (`onCollectionsListRequest`, `onCollection{View,Create,Update,Delete}Request`)
/// see the collection, may change it before `e.next()` (which writes), and abort with a throw or by never
/// calling `e.next()`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn collection_request_hooks_wrap_the_collections_api() {
    let hooks = r#"
onCollectionCreateRequest((e) => { e.collection.listRule = ""; e.next(); });
onCollectionUpdateRequest((e) => {
  if (e.collection.name === "locked") throw new BadRequestError("locked by a hook");
  e.next();
});
onCollectionDeleteRequest((e) => { if (e.collection.name !== "keep") e.next(); });
onCollectionViewRequest((e) => {
  if (e.collection.name === "secret" && e.auth) throw new ForbiddenError("no");
  e.next();
});
onCollectionsListRequest((e) => { e.result.hooked = e.collections.length; e.next(); });
"#;
    let (s, _tmp) = start(&[("collections.pb.js", hooks)], 10).await;
    let su = s.admin_token().await;
    for name in ["posts", "locked", "keep", "secret"] {
        create_collection(&s, &su, json!({"name": name, "type": "base"})).await;
    }
    let posts = s.get("/api/collections/posts", Some(&su)).await;
    assert_eq!(
        posts.body["listRule"], "",
        "set by the create hook: {:?}",
        posts.body
    );
    let locked = s
        .req(
            "PATCH",
            "/api/collections/locked",
            Some(&su),
            Some(json!({"listRule": ""})),
        )
        .await;
    assert_eq!(locked.status, 400, "{:?}", locked.body);
    assert_eq!(locked.body["message"], "Locked by a hook.");
    let ok = s
        .req(
            "PATCH",
            "/api/collections/posts",
            Some(&su),
            Some(json!({"viewRule": ""})),
        )
        .await;
    assert_eq!(ok.status, 200, "{:?}", ok.body);
    let kept = s
        .req("DELETE", "/api/collections/keep", Some(&su), None)
        .await;
    assert_eq!(
        kept.status, 200,
        "no e.next(): nothing written: {:?}",
        kept.body
    );
    assert_eq!(s.get("/api/collections/keep", Some(&su)).await.status, 200);
    let gone = s
        .req("DELETE", "/api/collections/posts", Some(&su), None)
        .await;
    assert_eq!(gone.status, 204);
    assert_eq!(s.get("/api/collections/posts", Some(&su)).await.status, 404);
    assert_eq!(
        s.get("/api/collections/secret", Some(&su)).await.status,
        403
    );
    let list = s.get("/api/collections?perPage=2", Some(&su)).await;
    assert_eq!(list.status, 200, "{:?}", list.body);
    assert_eq!(list.body["hooked"], 2, "{:?}", list.body["hooked"]);
}

// ---------- lazy hook events ----------

/// Record hooks whose `e` is read only after `e.next()`, never, written before it, or replaced, and a
/// chain failure caught by the handler.
const LAZY_HOOKS: &str = r#"
onRecordCreate((e) => {
  e.next()
  // read after the chain: the saved record
  $app.store().set("after:" + e.record.get("title"), e.record.id.length)
}, "lazy_after")
onRecordCreate((e) => {
  if (e.record.get("title") === "swap") {
    const r = new Record(e.record.collection(), { title: "swapped", note: "from a new record" })
    e.record = r
  } else {
    e.record.set("note", "set before next")
  }
  e.next()
}, "lazy_before")
onRecordCreate((e) => {
  if ($app.store().get("throwBlind")) throw new BadRequestError("Blind throw.")
  e.next()
}, "lazy_blind")
onRecordCreate((e) => {
  try {
    e.next()
  } catch (err) {
    $app.store().set("caught", String(err.message || err))
    throw err
  }
}, "lazy_catch")
// `next` taken off the event (destructured) still continues this event's chain
onRecordCreate(({ record, next }) => {
  next()
  $app.store().set("detached:" + record.get("title"), record.id.length)
}, "lazy_detached")
routerAdd("POST", "/flag/{v}", (e) => {
  $app.store().set("throwBlind", e.request.pathValue("v") === "on")
  return e.noContent(204)
})
routerAdd("GET", "/store/{k}", (e) => e.json(200, { v: $app.store().get(e.request.pathValue("k")) }))
"#;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lazy_hook_events_read_write_and_fail_like_eager_ones() {
    let (s, _tmp) = start(&[("lazy.pb.js", LAZY_HOOKS)], 30).await;
    let t = s.admin_token().await;
    let fields = json!([{"name": "title", "type": "text"}, {"name": "note", "type": "text"}]);
    for name in ["lazy_after", "lazy_before", "lazy_blind", "lazy_detached"] {
        create_collection(
            &s,
            &t,
            json!({"name": name, "listRule": "", "viewRule": "", "createRule": "", "fields": fields}),
        )
        .await;
    }
    create_collection(
        &s,
        &t,
        json!({"name": "lazy_catch", "createRule": "", "fields": [
            {"name": "title", "type": "text", "required": true}]}),
    )
    .await;
    let post = |c: &'static str, body: Value| {
        let s = &s;
        async move {
            s.req(
                "POST",
                &format!("/api/collections/{c}/records"),
                None,
                Some(body),
            )
            .await
        }
    };

    let res = post("lazy_after", json!({"title": "a1"})).await;
    assert_eq!(res.status, 200, "{:?}", res.body);
    assert_eq!(s.get("/store/after:a1", None).await.body["v"], 15);

    let res = post("lazy_detached", json!({"title": "d1"})).await;
    assert_eq!(res.status, 200, "{:?}", res.body);
    assert_eq!(total_items(&s, &t, "lazy_detached").await, 1);
    assert_eq!(s.get("/store/detached:d1", None).await.body["v"], 15);

    let res = post("lazy_before", json!({"title": "b1"})).await;
    assert_eq!(res.status, 200, "{:?}", res.body);
    assert_eq!(res.body["note"], "set before next");
    let res = post("lazy_before", json!({"title": "swap"})).await;
    assert_eq!(res.status, 200, "{:?}", res.body);
    assert_eq!(
        (&res.body["title"], &res.body["note"]),
        (&json!("swapped"), &json!("from a new record"))
    );

    // a handler that throws without reading the event: nothing is written
    let res = s.req("POST", "/flag/on", None, None).await;
    assert_eq!(res.status, 204);
    let res = post("lazy_blind", json!({"title": "c1"})).await;
    assert_eq!(res.status, 400, "{:?}", res.body);
    assert_eq!(res.body["message"], "Blind throw.");
    assert_eq!(total_items(&s, &t, "lazy_blind").await, 0);
    s.req("POST", "/flag/off", None, None).await;
    let res = post("lazy_blind", json!({"title": "c2"})).await;
    assert_eq!(res.status, 200, "{:?}", res.body);
    assert_eq!(total_items(&s, &t, "lazy_blind").await, 1);

    // the chain fails inside e.next() (a required field is blank): JS sees the error, the API answers it
    let res = post("lazy_catch", json!({"title": ""})).await;
    assert_eq!(res.status, 400, "{:?}", res.body);
    assert_eq!(res.body["data"]["title"]["code"], "validation_required");
    let caught = s.get("/store/caught", None).await.body;
    assert!(
        caught["v"].as_str().is_some_and(|m| m.contains("title")),
        "{caught:?}"
    );
}

/// A JS route runs inside the same front steps as a built-in one (as in PocketBase 0.40.6, checked): it
/// sees the loaded auth, answers with the security headers and is written to the request log.
#[tokio::test]
async fn a_route_gets_the_auth_security_headers_and_request_log_of_built_in_routes() {
    let hook = r#"routerAdd("GET", "/hello/{name}", (e) => e.json(200, { hi: e.request.pathValue("name"), auth: e.auth ? e.auth.collection().name : "" }))"#;
    let (s, _tmp) = start(&[("r.pb.js", hook)], 5).await;
    let t = s.admin_token().await;
    let res = s.get("/hello/bob", Some(&t)).await;
    assert_eq!(res.status, 200, "{:?}", res.body);
    assert_eq!(res.body, json!({"hi": "bob", "auth": "_superusers"}));
    for (name, value) in [
        ("x-frame-options", "SAMEORIGIN"),
        ("x-content-type-options", "nosniff"),
        ("x-xss-protection", "1; mode=block"),
        ("cross-origin-opener-policy", "same-origin"),
    ] {
        assert_eq!(
            res.headers.get(name).and_then(|v| v.to_str().ok()),
            Some(value),
            "{name}"
        );
    }
    let (level, data) = s
        .logged("GET /hello/bob")
        .await
        .expect("the JS route is logged");
    assert_eq!(level, 0);
    assert_eq!(data["status"], 200);
    assert_eq!(data["auth"], "_superusers");
    assert_eq!(data["url"], "/hello/bob");
}

// ---------- the request event of a route ----------

#[tokio::test]
async fn a_route_reads_its_request_and_answers_json_as_pocketbase_does() {
    let (s, _tmp) = start(
        &[(
            "event.pb.js",
            r#"
routerAdd("POST", "/ev/{name}", (e) => {
  const info = e.requestInfo()
  return e.json(201, {
    method: e.request.method,
    host: e.request.host,
    urlHost: e.request.url.host,
    remoteAddr: e.request.remoteAddr,
    realIP: e.realIP(),
    remoteIP: e.remoteIP(),
    name: e.request.pathValue("name"),
    q: e.request.url.query().get("q"),
    qAll: e.request.url.query().values().q,
    qInherited: e.request.url.query().get("toString"),
    qDecoded: e.request.url.query().get("a b"),
    header: e.request.header.get("X-Test"),
    cookie: e.request.cookie("c").value,
    body: info.body,
    infoHeader: info.headers.x_test,
    auth: e.auth,
    nested: { list: [1, 2.5, "three", null, undefined, true], empty: {} },
    missing: undefined,
    when: new Date(Date.UTC(2024, 0, 2, 3, 4, 5)),
    whenMs: new Date(Date.UTC(2024, 0, 2, 3, 4, 5, 120)),
    scheme: e.request.url.scheme,
  })
})
// a plain answer goes through JSON.stringify directly; these take the encoder
routerAdd("GET", "/ev-json/raw", (e) => e.json(200, [{ a: undefined }, { toJSON() { return 1 } }]))
routerAdd("GET", "/ev-json/header", (e) => {
  e.response.header().set("X-Out", "yes")
  e.response.header().add("Set-Cookie", "a=1")
  e.response.header().add("Set-Cookie", "b=2")
  return e.string(202, "plain")
})
"#,
        )],
        30,
    )
    .await;
    let res = s
        .client
        .post(format!(
            "{}/ev/some%20one?q=1&toString=x&q=2&a%20b=c+d",
            s.url
        ))
        .header("X-Test", "hello")
        .header("Cookie", "c=crumb")
        .json(&json!({"n": 5, "s": "x"}))
        .send()
        .await
        .expect("send");
    assert_eq!(res.status(), 201);
    let body: Value = res.json().await.expect("json");
    let host = s.url.trim_start_matches("http://");
    assert_eq!(body["method"], "POST");
    assert_eq!(body["host"], host);
    // Go's URL of a server request has neither host nor scheme
    assert_eq!(body["urlHost"], "");
    assert_eq!(body["scheme"], "");
    assert!(
        body["remoteAddr"]
            .as_str()
            .is_some_and(|a| a.starts_with("127.0.0.1:")),
        "{body}"
    );
    assert_eq!(body["realIP"], "127.0.0.1");
    assert_eq!(body["remoteIP"], "127.0.0.1");
    assert_eq!(body["name"], "some one");
    assert_eq!(body["q"], "1");
    assert_eq!(body["qAll"], json!(["1", "2"]));
    assert_eq!(body["qInherited"], "x");
    assert_eq!(body["qDecoded"], "c d");
    assert_eq!(body["header"], "hello");
    assert_eq!(body["cookie"], "crumb");
    assert_eq!(body["body"], json!({"n": 5, "s": "x"}));
    assert_eq!(body["infoHeader"], "hello");
    assert_eq!(body["auth"], Value::Null);
    assert_eq!(
        body["nested"],
        json!({"list": [1, 2.5, "three", null, null, true], "empty": {}})
    );
    // goja exports undefined as nil: the key stays, with null
    assert_eq!(body["missing"], Value::Null);
    assert!(body.as_object().expect("object").contains_key("missing"));
    // a Date is a Go time.Time: RFC 3339, the fraction's trailing zeros cut
    assert_eq!(body["when"], "2024-01-02T03:04:05Z");
    assert_eq!(body["whenMs"], "2024-01-02T03:04:05.12Z");

    let res = s.get("/ev-json/raw", None).await;
    assert_eq!(res.status, 200);
    assert!(res.body[0].as_object().expect("object").contains_key("a"));
    let res = s.get("/ev-json/header", None).await;
    assert_eq!(res.status, 202);
    assert_eq!(res.headers["x-out"], "yes");
    let cookies: Vec<_> = res.headers.get_all("set-cookie").iter().collect();
    assert_eq!(cookies.len(), 2);
}
