//! JS migrations without JS: automigrate files written by the collections REST API (compared with the
//! files PocketBase 0.40.6 wrote for the same calls, in `migrations_data/`), their `_migrations` rows,
//! the `migrate` CLI (`create`, `collections`, `up`/`down`, `history-sync`), a migrations folder written by
//! PocketBase applying here, and automigrate files replayed on a fresh data dir.

use crate::support::{Server, ADMIN_EMAIL, ADMIN_PASSWORD};
use ferrobase::app::{App, AppConfig};
use serde_json::{json, Value};
use std::collections::BTreeSet;
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

fn data(name: &str) -> String {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/it/migrations_data")
        .join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Template text with the parts that legitimately differ from PocketBase's replaced: the bodies of
/// the auth mail templates (Ferrobase words them itself) and the random ids of view fields.
fn normalized(text: &str) -> String {
    let body = regex::Regex::new(r#""body": "(?:[^"\\]|\\.)*""#).unwrap();
    let clone_id = regex::Regex::new(r"_clone_[A-Za-z0-9]+").unwrap();
    let text = body.replace_all(text, r#""body": "…""#);
    clone_id.replace_all(&text, "_clone_…").into_owned()
}

/// The migration files that appeared since the last call, without their timestamp prefix.
fn new_files(dir: &Path, seen: &mut BTreeSet<String>) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return out;
    };
    let mut names: Vec<String> = entries
        .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
        .filter(|n| !seen.contains(n))
        .collect();
    names.sort();
    for name in names {
        let (stamp, rest) = name.split_once('_').unwrap();
        assert!(stamp.bytes().all(|b| b.is_ascii_digit()), "{name}");
        let text = std::fs::read_to_string(dir.join(&name)).unwrap();
        out.push((rest.to_string(), text));
        seen.insert(name);
    }
    out
}

/// Sleeps until the unix second changes (automigrate file names have a one-second resolution).
async fn next_second() {
    let now = chrono::Utc::now().timestamp();
    while chrono::Utc::now().timestamp() == now {
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
}

struct Step<'a> {
    method: &'a str,
    path: String,
    body: Option<Value>,
    status: u16,
    /// The PocketBase file (in `migrations_data/`) this call must write, if any.
    expect: Option<&'a str>,
    /// Instead of a whole file: the name written and text it must contain.
    expect_like: Option<(&'a str, &'a [&'a str])>,
}

fn step<'a>(
    method: &'a str,
    path: &str,
    body: Option<Value>,
    status: u16,
    expect: Option<&'a str>,
) -> Step<'a> {
    Step {
        method,
        path: path.to_string(),
        body,
        status,
        expect,
        expect_like: None,
    }
}

async fn run_step(s: &Server, token: &str, dir: &Path, seen: &mut BTreeSet<String>, st: Step<'_>) {
    let res = s.req(st.method, &st.path, Some(token), st.body).await;
    assert_eq!(
        res.status, st.status,
        "{} {}: {:?}",
        st.method, st.path, res.body
    );
    let written = new_files(dir, seen);
    if let Some((name, parts)) = st.expect_like {
        assert_eq!(written.len(), 1, "{} {}: {written:?}", st.method, st.path);
        assert_eq!(written[0].0, name);
        for part in parts {
            assert!(
                written[0].1.contains(part),
                "{part:?} not in {}",
                written[0].1
            );
        }
        return;
    }
    match st.expect {
        None => assert!(
            written.is_empty(),
            "{} {} wrote {written:?}",
            st.method,
            st.path
        ),
        Some(fixture) => {
            assert_eq!(written.len(), 1, "{} {}: {written:?}", st.method, st.path);
            let (name, text) = &written[0];
            assert_eq!(Some(name.as_str()), fixture.split_once('_').map(|x| x.1));
            assert_eq!(normalized(text), normalized(&data(fixture)), "{fixture}");
        }
    }
}

async fn collection(s: &Server, token: &str, name: &str) -> Value {
    let res = s
        .get(&format!("/api/collections/{name}"), Some(token))
        .await;
    assert_eq!(res.status, 200);
    res.body
}

#[tokio::test]
async fn rest_changes_write_pocketbase_identical_files_and_record_them() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("migrations");
    let d = dir.clone();
    let s = Server::start_with(|c| {
        c.automigrate = true;
        c.migrations_dir = d;
    })
    .await;
    let t = s.admin_token().await;
    let mut seen = BTreeSet::new();
    let posts = json!({"name": "posts", "type": "base", "listRule": "", "viewRule": "", "createRule": "", "updateRule": "",
        "fields": [{"name": "title", "type": "text", "required": true, "max": 200},
                   {"name": "status", "type": "select", "values": ["draft", "public"], "maxSelect": 1},
                   {"name": "body", "type": "editor"}, {"name": "views", "type": "number", "onlyInt": true},
                   {"name": "summary", "type": "text"}, {"name": "meta", "type": "json"},
                   {"name": "cover", "type": "file", "maxSelect": 1, "mimeTypes": ["image/png"]},
                   {"name": "site", "type": "url"}, {"name": "contact", "type": "email"}, {"name": "when", "type": "date"},
                   {"name": "loc", "type": "geoPoint"}, {"name": "created", "type": "autodate", "onCreate": true},
                   {"name": "updated", "type": "autodate", "onCreate": true, "onUpdate": true}],
        "indexes": ["CREATE INDEX idx_posts_title ON posts (title)"]});
    let c = "/api/collections";
    for st in [
        step("POST", c, Some(posts), 200, Some("01_created_posts.js")),
        step(
            "PATCH",
            "/api/collections/posts",
            Some(json!({})),
            200,
            None,
        ),
    ] {
        run_step(&s, &t, &dir, &mut seen, st).await;
    }
    // viewRule changed, `summary` removed, a bool inserted at index 4
    let mut fields: Vec<Value> = collection(&s, &t, "posts").await["fields"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["name"] != "summary")
        .cloned()
        .collect();
    fields.insert(4, json!({"name": "featured", "type": "bool"}));
    let body = json!({"viewRule": "status = 'public'", "fields": fields});
    run_step(
        &s,
        &t,
        &dir,
        &mut seen,
        step(
            "PATCH",
            "/api/collections/posts",
            Some(body),
            200,
            Some("03_updated_posts.js"),
        ),
    )
    .await;
    run_step(
        &s,
        &t,
        &dir,
        &mut seen,
        step(
            "PATCH",
            "/api/collections/posts",
            Some(json!({})),
            200,
            None,
        ),
    )
    .await;
    // the order of the fields alone is no change
    let mut fields = collection(&s, &t, "posts").await["fields"]
        .as_array()
        .unwrap()
        .clone();
    fields.reverse();
    run_step(
        &s,
        &t,
        &dir,
        &mut seen,
        step(
            "PATCH",
            "/api/collections/posts",
            Some(json!({"fields": fields})),
            200,
            None,
        ),
    )
    .await;
    // a changed field, HTML and non-ASCII text, indexes dropped (same file name as before: next second)
    let mut fields = collection(&s, &t, "posts").await["fields"]
        .as_array()
        .unwrap()
        .clone();
    for f in &mut fields {
        if f["name"] == "title" {
            f["max"] = json!(300);
            f["help"] = json!("<b>Tîtle</b> & \"q\"");
        }
    }
    next_second().await;
    let body = json!({"fields": fields, "listRule": "title != '<a>&ü'", "indexes": []});
    run_step(
        &s,
        &t,
        &dir,
        &mut seen,
        step(
            "PATCH",
            "/api/collections/posts",
            Some(body),
            200,
            Some("06_updated_posts.js"),
        ),
    )
    .await;
    let posts_id = collection(&s, &t, "posts").await["id"].clone();
    for st in [
        step(
            "POST",
            c,
            Some(
                json!({"name": "members", "type": "auth", "fields": [{"name": "nick", "type": "text"}]}),
            ),
            200,
            Some("07_created_members.js"),
        ),
        step(
            "PATCH",
            "/api/collections/members",
            Some(json!({"passwordAuth": {"identityFields": ["email", "nick"]}})),
            400,
            None,
        ),
        // OAuth2 providers are not part of the migration JSON
        step(
            "PATCH",
            "/api/collections/members",
            Some(
                json!({"oauth2": {"providers": [{"name": "gitlab", "clientId": "x", "clientSecret": "y"}]}}),
            ),
            200,
            None,
        ),
        step(
            "POST",
            c,
            Some(json!({"name": "comments", "type": "base", "fields": [
            {"name": "post", "type": "relation", "collectionId": posts_id, "maxSelect": 1, "cascadeDelete": true},
            {"name": "pw", "type": "password"}]})),
            200,
            Some("10_created_comments.js"),
        ),
        step(
            "POST",
            c,
            Some(
                json!({"name": "postsview", "type": "view", "viewQuery": "SELECT id, title FROM posts", "listRule": null}),
            ),
            200,
            Some("11_created_postsview.js"),
        ),
        // PocketBase gives every view field a new random id on each save, so its file removes and
        // re-adds `title`; Ferrobase's view field ids are stable, so only `views` is added (a smaller,
        // equivalent diff)
        Step {
            expect_like: Some(("updated_postsview.js", &[
                "  unmarshal({\n    \"viewQuery\": \"SELECT id, title, views FROM posts\"\n  }, collection)\n\n  // add field\n  collection.fields.addAt(2, new Field({\n    \"help\": \"\",\n    \"hidden\": false,\n    \"id\": \"_clone_",
                "  unmarshal({\n    \"viewQuery\": \"SELECT id, title FROM posts\"\n  }, collection)\n\n  // remove field\n  collection.fields.removeById(\"_clone_",
            ])),
            ..step(
                "PATCH",
                "/api/collections/postsview",
                Some(json!({"viewQuery": "SELECT id, title, views FROM posts"})),
                200,
                None,
            )
        },
        // a name ending in "test" gets a trailing "_"; a rename is named after the old name
        step(
            "POST",
            c,
            Some(json!({"name": "ZTest", "type": "base"})),
            200,
            Some("13_created_ZTest_.js"),
        ),
        step(
            "PATCH",
            "/api/collections/ZTest",
            Some(json!({"name": "zz"})),
            200,
            Some("14_updated_ZTest_.js"),
        ),
        step(
            "DELETE",
            "/api/collections/zz",
            None,
            204,
            Some("15_deleted_zz.js"),
        ),
        step(
            "DELETE",
            "/api/collections/postsview",
            None,
            204,
            Some("16_deleted_postsview.js"),
        ),
        step(
            "PATCH",
            "/api/collections/_superusers",
            Some(json!({"authToken": {"duration": 2000}})),
            200,
            Some("17_updated__superusers.js"),
        ),
        step(
            "PATCH",
            "/api/collections/users",
            Some(json!({"createRule": null})),
            200,
            Some("18_updated_users.js"),
        ),
        // imports and failed changes write nothing
        step(
            "PUT",
            "/api/collections/import",
            Some(
                json!({"collections": [{"name": "imported", "type": "base"}], "deleteMissing": false}),
            ),
            204,
            None,
        ),
        step(
            "POST",
            c,
            Some(json!({"name": "", "type": "base"})),
            400,
            None,
        ),
    ] {
        run_step(&s, &t, &dir, &mut seen, st).await;
    }
    // every written file is recorded as applied
    let recorded: BTreeSet<String> = s
        .app
        .db()
        .read_blocking(ferrobase::store::migrations::newest_first)
        .unwrap()
        .into_iter()
        .filter(|f| !f.ends_with(".go"))
        .collect();
    assert_eq!(recorded, seen);
    assert_eq!(recorded.len(), 13);
}

#[tokio::test]
async fn automigrate_is_off_for_library_callers_by_default() {
    let s = Server::start().await;
    let t = s.admin_token().await;
    let res = s
        .req(
            "POST",
            "/api/collections",
            Some(&t),
            Some(json!({"name": "quiet", "type": "base"})),
        )
        .await;
    assert_eq!(res.status, 200);
    assert!(!s.app.config().migrations_dir.exists());
}

#[tokio::test]
async fn a_failed_file_write_keeps_the_success_answer_and_records_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let blocker = tmp.path().join("not-a-dir");
    std::fs::write(&blocker, "x").unwrap();
    let b = blocker.clone();
    let s = Server::start_with(|c| {
        c.automigrate = true;
        c.migrations_dir = b;
    })
    .await;
    let t = s.admin_token().await;
    let res = s
        .req(
            "POST",
            "/api/collections",
            Some(&t),
            Some(json!({"name": "kept", "type": "base"})),
        )
        .await;
    assert_eq!(res.status, 200, "{:?}", res.body);
    assert_eq!(s.get("/api/collections/kept", Some(&t)).await.status, 200);
    let rows = s
        .app
        .db()
        .read_blocking(ferrobase::store::migrations::newest_first)
        .unwrap();
    assert!(rows.iter().all(|f| f.ends_with(".go")), "{rows:?}");
}

// ---- the CLI -------------------------------------------------------------------------------

struct Out {
    code: i32,
    stdout: String,
    stderr: String,
}

fn cli(root: &Path, args: &[&str], stdin: &str) -> Out {
    let mut child = Command::new(env!("CARGO_BIN_EXE_ferrobase"))
        .args(args)
        .arg("--dir")
        .arg(root.join("pb_data"))
        .current_dir(root)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run ferrobase");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    Out {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).to_string(),
        stderr: String::from_utf8_lossy(&out.stderr).to_string(),
    }
}

fn only_file(dir: &Path) -> (String, String) {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
        .collect();
    assert_eq!(names.len(), 1, "{names:?}");
    let name = names.remove(0);
    let text = std::fs::read_to_string(dir.join(&name)).unwrap();
    (name, text)
}

#[test]
fn migrate_create_writes_the_blank_template_after_confirmation() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    let dir = root.join("pb_migrations");

    let out = cli(root, &["migrate", "create"], "");
    assert_eq!(out.code, 1);
    assert!(
        out.stderr.contains("missing migration file name"),
        "{}",
        out.stderr
    );

    let out = cli(root, &["migrate", "create", "Add Index To Posts"], "n\n");
    assert_eq!(out.code, 0);
    assert_eq!(out.stdout, "The command has been cancelled\n");
    assert!(!dir.exists());

    // anything but yes/no asks again; the end of input declines
    let out = cli(root, &["migrate", "create", "x"], "maybe\n");
    assert_eq!(out.stderr.matches("(y/N) ").count(), 2, "{}", out.stderr);
    assert_eq!(out.stdout, "The command has been cancelled\n");

    let out = cli(root, &["migrate", "create", "Add Index To Posts"], "y\n");
    assert_eq!(out.code, 0, "{}", out.stderr);
    let (name, text) = only_file(&dir);
    let path = format!("{}/{name}", dir.display());
    assert!(name.ends_with("_add_index_to_posts.js"), "{name}");
    assert_eq!(
        out.stderr,
        format!("Do you really want to create migration \"{path}\"? (y/N) ")
    );
    assert_eq!(
        out.stdout,
        format!("Successfully created file \"{path}\"\n")
    );
    assert_eq!(
        text,
        "/// <reference path=\"../pb_data/types.d.ts\" />\nmigrate((app) => {\n  // add up queries...\n}, (app) => {\n  // add down queries...\n})\n"
    );
}

#[test]
fn migrate_collections_snapshots_every_collection_like_pocketbase() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    let out = cli(
        root,
        &[
            "migrate",
            "collections",
            "ignored",
            "--migrationsDir",
            "./snap/../snapshots/",
        ],
        "yes\n",
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    let (name, text) = only_file(&root.join("snapshots"));
    assert!(name.ends_with("_collections_snapshot.js"), "{name}");
    assert_eq!(
        out.stdout,
        format!("Successfully created file \"snapshots/{name}\"\n")
    );
    assert_eq!(
        normalized(&text),
        normalized(&data("fresh_collections_snapshot.js"))
    );
}

#[test]
fn up_down_and_history_sync() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    let dir = root.join("pb_migrations");

    let out = cli(root, &["migrate"], "");
    assert_eq!(
        (out.code, out.stdout.as_str()),
        (0, "No new migrations to apply.\n")
    );
    let out = cli(root, &["migrate", "down"], "y\n");
    assert_eq!(out.code, 0);
    assert_eq!(
        out.stderr,
        "\n\nDo you really want to revert the last 1 applied migration(s)? (y/N) "
    );
    assert_eq!(out.stdout, "No migrations to revert.\n");

    // a recorded file that still exists needs the JS runtime to be reverted
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("1800000001_kept.js"), "migrate(() => {})").unwrap();
    let app = App::open(AppConfig::new(root.join("pb_data"))).unwrap();
    app.db()
        .write_blocking(|tx| {
            ferrobase::store::migrations::insert(tx, "1800000001_kept.js", 1_800_000_001_000_000)?;
            ferrobase::store::migrations::insert(tx, "1800000002_gone.js", 1_800_000_002_000_000)
        })
        .unwrap();
    drop(app);
    let out = cli(root, &["migrate", "down", "1"], "no\n");
    assert_eq!(
        (out.code, out.stdout.as_str()),
        (0, "The command has been cancelled\n")
    );

    let out = cli(root, &["migrate", "history-sync"], "");
    assert_eq!(out.code, 0);
    assert_eq!(
        out.stdout,
        "The _migrations table was synced with the available migrations.\n"
    );
    let app = App::open(AppConfig::new(root.join("pb_data"))).unwrap();
    let rows = app
        .db()
        .read_blocking(ferrobase::store::migrations::newest_first)
        .unwrap();
    assert_eq!(rows[0], "1800000001_kept.js");
    assert!(!rows.contains(&"1800000002_gone.js".to_string()));
    assert_eq!(rows.len(), 9, "the system migrations stay: {rows:?}");
    drop(app);

    // a pending file runs in the JS runtime
    std::fs::write(
        dir.join("1800000003_new.js"),
        "migrate((app) => { app.db().newQuery(\"CREATE TABLE t3 (x INT)\").execute() })",
    )
    .unwrap();
    let out = cli(root, &["migrate", "up"], "");
    assert_eq!(
        (out.code, out.stdout.as_str()),
        (0, "Applied 1800000003_new.js\n"),
        "{}",
        out.stderr
    );

    let out = cli(root, &["migrate", "nope"], "");
    assert_eq!(out.code, 1);
    assert!(
        out.stderr.contains("unsupported command: \"nope\""),
        "{}",
        out.stderr
    );

    // a migrations "directory" that is a file is a panic (exit code 2), as in PocketBase
    let out = cli(
        root,
        &["migrate", "up", "--migrationsDir", "pb_data/data.db"],
        "",
    );
    assert_eq!(out.code, 2);
    assert_eq!(
        out.stderr,
        "panic: registerMigrations: open pb_data/data.db: not a directory\n"
    );
}

/// Runs `serve` on a free port and returns the child and its base URL.
fn spawn_serve(root: &Path, extra: &[&str]) -> (std::process::Child, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_ferrobase"))
        .args(["serve", "--http", "127.0.0.1:0", "--dir"])
        .arg(root.join("pb_data"))
        .args(extra)
        .current_dir(root)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("serve");
    let mut line = String::new();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    stdout.read_line(&mut line).unwrap();
    // keep reading: a closed pipe would fail the server's later writes
    std::thread::spawn(move || std::io::copy(&mut stdout, &mut std::io::sink()));
    let url = line
        .split("Server started at ")
        .nth(1)
        .unwrap_or_else(|| panic!("no address in {line:?}"))
        .trim()
        .to_string();
    (child, url)
}

async fn create_via_cli_server(root: &Path, extra: &[&str], name: &str) {
    let (mut child, url) = spawn_serve(root, extra);
    let client = reqwest::Client::new();
    let token = client
        .post(format!(
            "{url}/api/collections/_superusers/auth-with-password"
        ))
        .json(&json!({"identity": ADMIN_EMAIL, "password": ADMIN_PASSWORD}))
        .send()
        .await
        .unwrap()
        .json::<Value>()
        .await
        .unwrap()["token"]
        .as_str()
        .unwrap()
        .to_string();
    let res = client
        .post(format!("{url}/api/collections"))
        .header("Authorization", token)
        .json(&json!({"name": name, "type": "base"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    child.kill().unwrap();
    child.wait().unwrap();
}

#[tokio::test]
async fn serve_automigrates_by_default_and_not_with_the_flag_off() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    let out = cli(
        root,
        &["superuser", "upsert", ADMIN_EMAIL, ADMIN_PASSWORD],
        "",
    );
    assert_eq!(out.code, 0, "{}", out.stderr);

    create_via_cli_server(root, &["--automigrate=false"], "silent").await;
    assert!(!root.join("pb_migrations").exists());

    create_via_cli_server(root, &[], "mytest").await;
    let (name, text) = only_file(&root.join("pb_migrations"));
    assert!(name.ends_with("_created_mytest_.js"), "{name}");
    assert!(text.contains("\"name\": \"mytest\""));

    // recorded as applied: the next start does not need (or run) it
    let (mut child, url) = spawn_serve(root, &[]);
    let health = reqwest::get(format!("{url}/api/health")).await.unwrap();
    assert_eq!(health.status(), 200);
    child.kill().unwrap();
    child.wait().unwrap();
}

/// Every collection of a server as the API lists it, without timestamps and without the fields that
/// differ between two fresh data dirs (token secrets).
async fn collections_of(url: &str) -> Vec<Value> {
    let client = reqwest::Client::new();
    let token = client
        .post(format!(
            "{url}/api/collections/_superusers/auth-with-password"
        ))
        .json(&json!({"identity": ADMIN_EMAIL, "password": ADMIN_PASSWORD}))
        .send()
        .await
        .unwrap()
        .json::<Value>()
        .await
        .unwrap()["token"]
        .as_str()
        .unwrap()
        .to_string();
    let list = client
        .get(format!("{url}/api/collections?perPage=500&sort=name"))
        .header("Authorization", token)
        .send()
        .await
        .unwrap()
        .json::<Value>()
        .await
        .unwrap();
    list["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| !c["system"].as_bool().unwrap_or(false) || c["name"] == "users")
        .map(|c| {
            let mut c = c.clone();
            let m = c.as_object_mut().unwrap();
            for k in [
                "created",
                "updated",
                "authToken",
                "passwordResetToken",
                "emailChangeToken",
                "verificationToken",
                "fileToken",
            ] {
                m.remove(k);
            }
            c
        })
        .collect()
}

async fn superuser_get(url: &str, path: &str) -> Value {
    let client = reqwest::Client::new();
    let token = client
        .post(format!(
            "{url}/api/collections/_superusers/auth-with-password"
        ))
        .json(&json!({"identity": ADMIN_EMAIL, "password": ADMIN_PASSWORD}))
        .send()
        .await
        .unwrap()
        .json::<Value>()
        .await
        .unwrap()["token"]
        .as_str()
        .unwrap()
        .to_string();
    client
        .get(format!("{url}{path}"))
        .header("Authorization", token)
        .send()
        .await
        .unwrap()
        .json::<Value>()
        .await
        .unwrap()
}

/// A migrations folder PocketBase 0.40.6 wrote (automigrate files for creates, updates, a delete, a
/// view, a change of `users`) plus a hand-written seed migration applies on Ferrobase.
#[tokio::test]
async fn a_pocketbase_made_migrations_folder_applies() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/it/migrations_data/pb_made");
    crate::support::copy_dir(&src, &root.join("pb_migrations"));
    let out = cli(
        root,
        &["superuser", "upsert", ADMIN_EMAIL, ADMIN_PASSWORD],
        "",
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    let out = cli(root, &["migrate", "up"], "");
    assert_eq!(out.code, 0, "{}\n{}", out.stdout, out.stderr);
    assert!(
        out.stdout.contains("Applied 1795747600_seed_by_hand.js"),
        "{}",
        out.stdout
    );

    let (mut child, url) = spawn_serve(root, &[]);
    let cols = collections_of(&url).await;
    let names: Vec<&str> = cols.iter().map(|c| c["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["authors", "book_stats", "books", "users"]);
    let books = cols.iter().find(|c| c["name"] == "books").unwrap();
    assert_eq!(books["listRule"], "pages > 10");
    let fields: Vec<&str> = books["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        fields,
        ["id", "title", "pages", "author", "tags", "meta", "created", "isbn"]
    );
    assert_eq!(
        books["indexes"],
        json!(["CREATE UNIQUE INDEX idx_books_title ON books (title)"])
    );
    let users = cols.iter().find(|c| c["name"] == "users").unwrap();
    assert!(users["fields"]
        .as_array()
        .unwrap()
        .iter()
        .any(|f| f["name"] == "nickname"));

    let recs = superuser_get(&url, "/api/collections/books/records?expand=author").await;
    assert_eq!(recs["totalItems"], 1, "{recs}");
    let b = &recs["items"][0];
    assert_eq!(b["title"], "The Dispossessed");
    assert_eq!(b["pages"], 387);
    assert_eq!(b["isbn"], "978-0");
    assert_eq!(b["tags"], json!(["a", "c"]));
    assert_eq!(b["meta"], json!({"award": "Hugo"}));
    assert_eq!(b["expand"]["author"]["name"], "Ursula");
    let view = superuser_get(&url, "/api/collections/book_stats/records").await;
    assert_eq!(view["items"][0]["pages"], 387, "{view}");
    let settings = superuser_get(&url, "/api/settings").await;
    assert_eq!(settings["meta"]["appName"], "Library");
    child.kill().unwrap();
    child.wait().unwrap();

    // the seed's down() removes its record (served without a migrations dir: serve would re-apply it)
    let out = cli(root, &["migrate", "down", "1"], "y\n");
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(
        out.stdout.contains("Reverted 1795747600_seed_by_hand.js"),
        "{}",
        out.stdout
    );
    std::fs::create_dir_all(root.join("none")).unwrap();
    let (mut child, url) = spawn_serve(root, &["--migrationsDir", "none"]);
    let recs = superuser_get(&url, "/api/collections/books/records").await;
    assert_eq!(recs["totalItems"], 0, "{recs}");
    child.kill().unwrap();
    child.wait().unwrap();
}

/// Collections created and changed through the API on one server; the files automigrate wrote, replayed
/// by `migrate up` on a second fresh data dir, give the same collections.
#[tokio::test]
async fn automigrate_files_replay_to_identical_collections() {
    let tmp_a = tempfile::tempdir().unwrap();
    let tmp_b = tempfile::tempdir().unwrap();
    let (a, b) = (tmp_a.path(), tmp_b.path());
    for root in [a, b] {
        let out = cli(
            root,
            &["superuser", "upsert", ADMIN_EMAIL, ADMIN_PASSWORD],
            "",
        );
        assert_eq!(out.code, 0, "{}", out.stderr);
    }
    let (mut child, url) = spawn_serve(a, &[]);
    let client = reqwest::Client::new();
    let token = client
        .post(format!(
            "{url}/api/collections/_superusers/auth-with-password"
        ))
        .json(&json!({"identity": ADMIN_EMAIL, "password": ADMIN_PASSWORD}))
        .send()
        .await
        .unwrap()
        .json::<Value>()
        .await
        .unwrap()["token"]
        .as_str()
        .unwrap()
        .to_string();
    let call = |method: reqwest::Method, path: &str, body: Value| {
        client
            .request(method, format!("{url}{path}"))
            .header("Authorization", token.clone())
            .json(&body)
            .send()
    };
    let res = call(
        reqwest::Method::POST,
        "/api/collections",
        json!({"name": "notes", "type": "base", "listRule": "", "fields": [
            {"name": "title", "type": "text", "required": true},
            {"name": "score", "type": "number"}]}),
    )
    .await
    .unwrap();
    assert_eq!(res.status(), 200);
    next_second().await;
    let res = call(
        reqwest::Method::PATCH,
        "/api/collections/notes",
        json!({"viewRule": "score > 1", "fields": [
            {"name": "title", "type": "text", "required": true},
            {"name": "score", "type": "number"},
            {"name": "body", "type": "editor"}],
            "indexes": ["CREATE INDEX idx_notes_title ON notes (title)"]}),
    )
    .await
    .unwrap();
    assert_eq!(res.status(), 200, "{}", res.text().await.unwrap());
    next_second().await;
    let res = call(
        reqwest::Method::POST,
        "/api/collections",
        json!({"name": "scratch", "type": "base"}),
    )
    .await
    .unwrap();
    assert_eq!(res.status(), 200);
    next_second().await;
    let res = call(
        reqwest::Method::DELETE,
        "/api/collections/scratch",
        json!({}),
    )
    .await
    .unwrap();
    assert_eq!(res.status(), 204);
    let expected = collections_of(&url).await;
    child.kill().unwrap();
    child.wait().unwrap();

    crate::support::copy_dir(&a.join("pb_migrations"), &b.join("pb_migrations"));
    let out = cli(b, &["migrate", "up"], "");
    assert_eq!(out.code, 0, "{}\n{}", out.stdout, out.stderr);
    let (mut child, url) = spawn_serve(b, &[]);
    let replayed = collections_of(&url).await;
    child.kill().unwrap();
    child.wait().unwrap();
    assert_eq!(replayed, expected);
    assert!(expected.iter().any(|c| c["name"] == "notes"));
}
