//! The editor declarations: written to `pb_data/types.d.ts` by the CLI, and declaring every hook.

use ferrobase::app::hooks::HOOK_NAMES;
use ferrobase::services::js_types::{contents, DECLARATIONS};
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, ChildStdout, Command, Stdio};

/// Kills the server even when an assertion fails first. Its stdout stays open until then, so that
/// later lines never hit a closed pipe.
struct Running(Child, BufReader<ChildStdout>);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Starts `serve` on a free port and returns once it printed its address.
fn start_serve(dir: &Path) -> Running {
    let mut child = Command::new(env!("CARGO_BIN_EXE_ferrobase"))
        .args(["serve", "--http", "127.0.0.1:0", "--dir"])
        .arg(dir)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start ferrobase serve");
    let stdout = BufReader::new(child.stdout.take().expect("stdout"));
    let mut running = Running(child, stdout);
    let mut first = String::new();
    running
        .1
        .read_line(&mut first)
        .expect("read the first line");
    assert!(first.contains("Server started at http://"), "{first:?}");
    running
}

fn upsert_superuser(dir: &Path) {
    let out = Command::new(env!("CARGO_BIN_EXE_ferrobase"))
        .args([
            "superuser",
            "upsert",
            "a@example.com",
            "Passw0rd123",
            "--dir",
        ])
        .arg(dir)
        .output()
        .expect("run ferrobase superuser");
    assert!(out.status.success(), "{out:?}");
}

#[test]
fn serve_writes_the_declarations_and_refreshes_only_stale_files() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("pb_data");
    let file = dir.join("types.d.ts");

    let server = start_serve(&dir);
    let written = std::fs::read_to_string(&file).expect("types.d.ts written by serve");
    drop(server);
    assert_eq!(written, contents());
    assert!(written.contains("\ndeclare var $app: PocketBase\n"));

    // A current file keeps hand edits below its first line ...
    let edited = format!("{written}// a local note\n");
    std::fs::write(&file, &edited).unwrap();
    upsert_superuser(&dir);
    assert_eq!(std::fs::read_to_string(&file).unwrap(), edited);

    // ... a file from another build (here PocketBase's header) is replaced.
    std::fs::write(
        &file,
        "// 1790407359\n// GENERATED CODE - DO NOT MODIFY BY HAND\n",
    )
    .unwrap();
    let _server = start_serve(&dir);
    assert_eq!(std::fs::read_to_string(&file).unwrap(), contents());
}

/// The names declared by lines `declare function NAME(`.
fn declared_functions() -> Vec<&'static str> {
    DECLARATIONS
        .lines()
        .filter_map(|l| l.strip_prefix("declare function "))
        .filter_map(|rest| rest.split('(').next())
        .collect()
}

#[test]
fn every_hook_is_declared_as_a_registrar_function() {
    let declared = declared_functions();
    let missing: Vec<_> = HOOK_NAMES
        .iter()
        .filter(|name| !declared.contains(name))
        .collect();
    assert!(missing.is_empty(), "hooks missing in js-types: {missing:?}");
    for name in HOOK_NAMES {
        let line = format!("declare function {name}(handler: (e: core.");
        assert!(
            DECLARATIONS.lines().any(|l| l.starts_with(&line)),
            "{name} does not take a core event handler"
        );
    }
}

#[test]
fn the_declarations_have_the_83_hook_registrars_of_pocketbase_and_no_on_serve() {
    let hooks: Vec<_> = declared_functions()
        .into_iter()
        .filter(|n| n.starts_with("on"))
        .collect();
    assert_eq!(hooks.len(), 83, "{hooks:?}");
    assert!(!hooks.contains(&"onServe"));
    let mut sorted = hooks.clone();
    sorted.sort_unstable();
    sorted.dedup();
    assert_eq!(sorted.len(), 83, "a hook is declared twice");
    for name in [
        "routerAdd",
        "routerUse",
        "cronAdd",
        "cronRemove",
        "migrate",
        "toString",
    ] {
        assert!(declared_functions().contains(&name), "{name}");
    }
}
