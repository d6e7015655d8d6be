//! Tests of the runner (with a fake `MigrationScripts`) and of the templates against files the real
//! PocketBase 0.40.6 wrote (`testdata/`: a collection created, updated and deleted through its REST
//! API, and an update of `users`).

use super::*;
use crate::app::AppConfig;
use crate::model::system_collections::system_collections;
use serde_json::{json, Value};
use std::sync::Mutex;

/// A stand-in for the JS runtime. The source text says what the file does: `throw` fails its
/// function, `load-error` fails to load, `nothing` has no function, `no-down` has only `up`;
/// anything else succeeds. Every run leaves a `_params` row (`ran_<file>_<dir>`) inside the
/// transaction, so a rollback is visible.
#[derive(Default)]
struct FakeScripts {
    calls: Mutex<Vec<(String, Direction)>>,
}

impl MigrationScripts for FakeScripts {
    fn run(
        &self,
        _app: &App,
        tx: &Tx,
        file: &Path,
        source: &str,
        direction: Direction,
    ) -> Result<bool, MigrationError> {
        let name = file.file_name().unwrap().to_string_lossy().to_string();
        self.calls.lock().unwrap().push((name.clone(), direction));
        if source.contains("load-error") {
            return Err(MigrationError::Load("SyntaxError: Unexpected token".into()));
        }
        if source.contains("nothing")
            || (source.contains("no-down") && direction == Direction::Down)
        {
            return Ok(false);
        }
        store::params::set(tx, &format!("ran_{name}_{direction:?}"), &json!(true))
            .map_err(|e| MigrationError::Run(e.to_string()))?;
        if source.contains("throw") {
            return Err(MigrationError::Run(format!(
                "Error: intentional failure in {name}"
            )));
        }
        Ok(true)
    }
}

struct Fixture {
    _tmp: tempfile::TempDir,
    app: App,
    dir: PathBuf,
    scripts: Arc<FakeScripts>,
}

impl Fixture {
    fn new(files: &[(&str, &str)]) -> Fixture {
        let tmp = tempfile::tempdir().unwrap();
        let mut config = AppConfig::new(tmp.path().join("pb_data"));
        let dir = tmp.path().join("pb_migrations");
        config.migrations_dir = dir.clone();
        let app = App::open(config).unwrap();
        let fixture = Fixture {
            _tmp: tmp,
            app,
            dir,
            scripts: Arc::new(FakeScripts::default()),
        };
        for (name, source) in files {
            fixture.write(name, source);
        }
        fixture
    }

    fn write(&self, name: &str, source: &str) {
        std::fs::create_dir_all(&self.dir).unwrap();
        std::fs::write(self.dir.join(name), source).unwrap();
    }

    fn runtime(&self) -> Option<Arc<dyn MigrationScripts>> {
        Some(self.scripts.clone() as Arc<dyn MigrationScripts>)
    }

    fn calls(&self) -> Vec<(String, Direction)> {
        std::mem::take(&mut *self.scripts.calls.lock().unwrap())
    }

    /// The recorded user migrations, most recent first.
    fn recorded(&self) -> Vec<String> {
        applied_files(&self.app)
            .unwrap()
            .into_iter()
            .filter(|f| !f.ends_with(".go"))
            .collect()
    }

    fn ran(&self, key: &str) -> bool {
        let key = key.to_string();
        self.app
            .db()
            .read_blocking(move |c| store::params::get(c, &key))
            .unwrap()
            .is_some()
    }
}

#[test]
fn lists_js_and_ts_files_directly_in_the_dir_sorted_by_name() {
    let f = Fixture::new(&[
        ("1800000002_b.ts", "ok"),
        ("1800000001_a.js", "ok"),
        ("readme.md", "ok"),
        ("0_first.js", "ok"),
    ]);
    std::fs::create_dir_all(f.dir.join("sub.js")).unwrap();
    std::fs::write(f.dir.join("sub.js").join("1_inner.js"), "ok").unwrap();
    let names: Vec<String> = list(&f.dir).unwrap().into_iter().map(|m| m.name).collect();
    assert_eq!(names, ["0_first.js", "1800000001_a.js", "1800000002_b.ts"]);
    assert!(list(&f.dir.join("missing")).unwrap().is_empty());
    let not_a_dir = list(&f.dir.join("readme.md")).unwrap_err();
    assert_eq!(not_a_dir.exit_code(), 2);
    assert!(not_a_dir
        .to_string()
        .ends_with("readme.md: not a directory"));
}

#[test]
fn up_applies_pending_files_once_in_name_order() {
    let f = Fixture::new(&[
        ("1800000002_second.js", "ok"),
        ("1800000001_first.js", "ok"),
        ("1800000003_helper.js", "nothing"),
    ]);
    let applied = up(&f.app, f.runtime().as_ref()).unwrap();
    assert_eq!(applied, ["1800000001_first.js", "1800000002_second.js"]);
    assert_eq!(
        f.calls(),
        [
            ("1800000001_first.js".into(), Direction::Up),
            ("1800000002_second.js".into(), Direction::Up),
            ("1800000003_helper.js".into(), Direction::Up),
        ]
    );
    // a file that registered nothing is not recorded; the newest row comes first
    assert_eq!(
        f.recorded(),
        ["1800000002_second.js", "1800000001_first.js"]
    );
    assert!(f.ran("ran_1800000001_first.js_Up"));

    // a file sorting before applied ones is still applied; applied ones are skipped
    f.write("1799999999_late.js", "ok");
    let applied = up(&f.app, f.runtime().as_ref()).unwrap();
    assert_eq!(applied, ["1799999999_late.js"]);
    assert_eq!(f.recorded()[0], "1799999999_late.js");
}

#[test]
fn a_failing_file_rolls_back_the_whole_batch() {
    let f = Fixture::new(&[
        ("1800000001_ok.js", "ok"),
        ("1800000002_fail.js", "throw"),
        ("1800000003_never.js", "ok"),
    ]);
    let err = up(&f.app, f.runtime().as_ref()).unwrap_err();
    assert_eq!(
        err.to_string(),
        "failed to apply migration 1800000002_fail.js: Error: intentional failure in 1800000002_fail.js"
    );
    assert_eq!(err.exit_code(), 1);
    assert!(f.recorded().is_empty());
    assert!(
        !f.ran("ran_1800000001_ok.js_Up"),
        "the first file's writes are gone"
    );
    assert_eq!(f.calls().len(), 2, "nothing runs after the failure");
}

#[test]
fn a_load_error_is_a_panic_naming_the_file() {
    let f = Fixture::new(&[
        ("1800000001_ok.js", "ok"),
        ("1800000002_bad.js", "load-error"),
    ]);
    let err = up(&f.app, f.runtime().as_ref()).unwrap_err();
    assert_eq!(err.exit_code(), 2);
    assert_eq!(
        err.to_string(),
        "registerMigrations: failed to run migration 1800000002_bad.js: SyntaxError: Unexpected token"
    );
    assert!(f.recorded().is_empty());
}

#[test]
fn without_the_js_runtime_only_an_empty_batch_succeeds() {
    let f = Fixture::new(&[]);
    assert!(up(&f.app, None).unwrap().is_empty());
    f.write("1800000001_a.js", "ok");
    let err = up(&f.app, None).unwrap_err();
    assert_eq!(
        err,
        RunnerError::NoRuntime {
            file: "1800000001_a.js".into()
        }
    );
    assert!(err.to_string().contains("need the JS runtime"));
    assert!(f.recorded().is_empty());
}

#[test]
fn down_reverts_the_most_recent_first_and_forgets_the_rows() {
    let f = Fixture::new(&[
        ("1800000001_a.js", "ok"),
        ("1800000002_b.js", "no-down"),
        ("1800000003_c.js", "ok"),
    ]);
    up(&f.app, f.runtime().as_ref()).unwrap();
    f.calls();
    let last: Vec<String> = last_applied(&f.app, 2)
        .unwrap()
        .into_iter()
        .map(|m| m.name)
        .collect();
    assert_eq!(last, ["1800000003_c.js", "1800000002_b.js"]);
    let reverted = down(&f.app, f.runtime().as_ref(), 2).unwrap();
    assert_eq!(reverted, ["1800000003_c.js", "1800000002_b.js"]);
    assert_eq!(
        f.calls(),
        [
            ("1800000003_c.js".into(), Direction::Down),
            ("1800000002_b.js".into(), Direction::Down),
        ]
    );
    assert_eq!(f.recorded(), ["1800000001_a.js"]);
    assert!(f.ran("ran_1800000003_c.js_Down"));
    // the next `up` re-applies them
    assert_eq!(
        up(&f.app, f.runtime().as_ref()).unwrap(),
        ["1800000002_b.js", "1800000003_c.js"]
    );
}

#[test]
fn down_never_picks_system_migrations_or_files_that_are_gone() {
    let f = Fixture::new(&[("1800000001_a.js", "ok"), ("1800000002_b.js", "ok")]);
    up(&f.app, f.runtime().as_ref()).unwrap();
    std::fs::remove_file(f.dir.join("1800000002_b.js")).unwrap();
    let last: Vec<String> = last_applied(&f.app, 5)
        .unwrap()
        .into_iter()
        .map(|m| m.name)
        .collect();
    assert_eq!(last, ["1800000001_a.js"]);
    assert_eq!(known_count(&f.app).unwrap(), 9);
    assert_eq!(
        down(&f.app, f.runtime().as_ref(), 5).unwrap(),
        ["1800000001_a.js"]
    );
    assert!(down(&f.app, f.runtime().as_ref(), 1).unwrap().is_empty());
    assert!(applied_files(&f.app)
        .unwrap()
        .contains(&"1778828400_normalize_indexes.go".to_string()));
}

#[test]
fn a_failing_down_rolls_back_the_batch() {
    let f = Fixture::new(&[("1800000001_a.js", "ok"), ("1800000002_b.js", "ok")]);
    up(&f.app, f.runtime().as_ref()).unwrap();
    f.write("1800000001_a.js", "throw");
    let err = down(&f.app, f.runtime().as_ref(), 2).unwrap_err();
    assert_eq!(
        err.to_string(),
        "failed to revert migration 1800000001_a.js: Error: intentional failure in 1800000001_a.js"
    );
    assert_eq!(f.recorded(), ["1800000002_b.js", "1800000001_a.js"]);
    assert!(!f.ran("ran_1800000002_b.js_Down"));
}

#[test]
fn history_sync_keeps_system_migrations_and_existing_files() {
    let f = Fixture::new(&[("1800000001_a.js", "ok"), ("1800000002_b.js", "ok")]);
    up(&f.app, f.runtime().as_ref()).unwrap();
    std::fs::remove_file(f.dir.join("1800000001_a.js")).unwrap();
    assert_eq!(history_sync(&f.app).unwrap(), 1);
    assert_eq!(f.recorded(), ["1800000002_b.js"]);
    let all = applied_files(&f.app).unwrap();
    for system in store::schema::SYSTEM_MIGRATIONS {
        assert!(all.contains(&system.to_string()), "{system}");
    }
    assert!(
        f.calls().len() == 2,
        "no migration code runs during the sync"
    );
}

#[test]
fn new_file_paths_are_snake_cased_and_cleaned() {
    assert_eq!(
        new_file_path(
            Path::new("/tmp/x/pb_migrations"),
            1795742002,
            "Add Index To Posts"
        ),
        "/tmp/x/pb_migrations/1795742002_add_index_to_posts.js"
    );
    assert_eq!(
        new_file_path(Path::new("./mdir/../mdir2//"), 1795742002, "Ünï cöde-test"),
        "mdir2/1795742002_n_c_de_test.js"
    );
}

// ---- templates, against PocketBase's own output -------------------------------------------

/// The collection JSON a PocketBase template holds, read back into a `Collection`.
fn collection_from_api(v: &Value) -> Collection {
    let m = v.as_object().unwrap();
    let base = [
        "id",
        "name",
        "type",
        "system",
        "fields",
        "indexes",
        "listRule",
        "viewRule",
        "createRule",
        "updateRule",
        "deleteRule",
        "created",
        "updated",
    ];
    let options: serde_json::Map<String, Value> = m
        .iter()
        .filter(|(k, _)| !base.contains(&k.as_str()))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    let rule = |k: &str| m.get(k).and_then(Value::as_str).map(str::to_string);
    Collection::from_row(
        m["id"].as_str().unwrap().into(),
        m["system"].as_bool().unwrap(),
        m["type"].as_str().unwrap(),
        m["name"].as_str().unwrap().into(),
        &m["fields"].to_string(),
        &m["indexes"].to_string(),
        [
            rule("listRule"),
            rule("viewRule"),
            rule("createRule"),
            rule("updateRule"),
            rule("deleteRule"),
        ],
        &Value::Object(options).to_string(),
        String::new(),
        String::new(),
    )
    .unwrap()
}

/// The JSON between `new Collection(` and `);` of a template.
fn embedded_collection(template: &str) -> Collection {
    let start = template.find("new Collection(").unwrap() + "new Collection(".len();
    let end = start + template[start..].find(");\n").unwrap();
    collection_from_api(&serde_json::from_str(&template[start..end]).unwrap())
}

const CREATED: &str = include_str!("testdata/created_notes.js");
const UPDATED: &str = include_str!("testdata/updated_notes.js");
const DELETED: &str = include_str!("testdata/deleted_notes2.js");
const UPDATED_USERS: &str = include_str!("testdata/updated_users.js");

#[test]
fn created_updated_and_deleted_templates_match_pocketbase() {
    let before = embedded_collection(CREATED);
    let after = embedded_collection(DELETED);
    assert_eq!(templates::created(&before).unwrap(), CREATED);
    assert_eq!(templates::deleted(&after).unwrap(), DELETED);
    assert_eq!(
        templates::for_change(Some(&before), Some(&after))
            .unwrap()
            .unwrap(),
        UPDATED
    );
}

#[test]
fn nested_option_changes_emit_only_the_changed_keys() {
    let users = system_collections()
        .into_iter()
        .find(|c| c.name == "users")
        .unwrap();
    let old_json = templates::template_json(&users);
    let mut new_json = old_json.clone();
    new_json["authToken"]["duration"] = json!(1000);
    new_json["createRule"] = Value::Null;
    new_json["emailChangeToken"]["duration"] = json!(100);
    new_json["oauth2"]["mappedFields"]["name"] = json!("");
    new_json["otp"]["length"] = json!(6);
    let (old, new) = (
        collection_from_api(&old_json),
        collection_from_api(&new_json),
    );
    assert_eq!(
        templates::for_change(Some(&old), Some(&new))
            .unwrap()
            .unwrap(),
        UPDATED_USERS
    );
}

#[test]
fn no_change_field_order_and_oauth2_providers_write_nothing() {
    let before = embedded_collection(CREATED);
    assert_eq!(
        templates::for_change(Some(&before), Some(&before)).unwrap(),
        None
    );
    let mut reordered = before.clone();
    reordered.fields.reverse();
    assert_eq!(
        templates::for_change(Some(&before), Some(&reordered)).unwrap(),
        None
    );
    let users = system_collections()
        .into_iter()
        .find(|c| c.name == "users")
        .unwrap();
    let mut with_provider = templates::template_json(&users);
    with_provider["oauth2"]["providers"] = json!([{"name": "gitlab", "clientId": "x"}]);
    let with_provider = collection_from_api(&with_provider);
    assert_eq!(
        templates::for_change(Some(&users), Some(&with_provider)).unwrap(),
        None
    );
    assert!(!templates::created(&with_provider)
        .unwrap()
        .contains("providers"));
}

#[test]
fn blank_template_matches_pocketbase() {
    assert_eq!(
        templates::blank(),
        "/// <reference path=\"../pb_data/types.d.ts\" />\nmigrate((app) => {\n  // add up queries...\n}, (app) => {\n  // add down queries...\n})\n"
    );
}

#[test]
fn snapshot_template_wraps_every_collection() {
    let notes = embedded_collection(CREATED);
    let text = templates::snapshot(std::slice::from_ref(&notes)).unwrap();
    assert!(text.starts_with(
        "/// <reference path=\"../pb_data/types.d.ts\" />\nmigrate((app) => {\n  const snapshot = [\n    {\n      \"createRule\": null,\n"
    ));
    assert!(text.ends_with(
        "    }\n  ];\n\n  return app.importCollections(snapshot, false);\n}, (app) => {\n  return null;\n})\n"
    ));
    let start = text.find("= ").unwrap() + 2;
    let end = text.find(";\n\n  return").unwrap();
    let parsed: Value = serde_json::from_str(&text[start..end]).unwrap();
    assert_eq!(parsed, json!([templates::template_json(&notes)]));
}
