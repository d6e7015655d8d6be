//! Tidy checks: the layer rules of the design guide and the `//!` header of every source file.

use std::path::{Path, PathBuf};

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let p = entry.unwrap().path();
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|e| e == "rs") {
            out.push(p);
        }
    }
}

/// The top-level module a file belongs to (`src/store/db.rs` -> `store`, `src/lib.rs` -> `lib`).
fn module_of(src: &Path, file: &Path) -> String {
    let rel = file.strip_prefix(src).unwrap();
    let first = rel
        .components()
        .next()
        .unwrap()
        .as_os_str()
        .to_string_lossy()
        .to_string();
    first.trim_end_matches(".rs").to_string()
}

/// Modules each may use; `main`, `cli` and `lib` wire everything.
const ORDER: [&str; 11] = [
    "hook", "filter", "model", "store", "auth", "mail", "realtime", "app", "services", "http",
    "jsvm",
];

#[test]
fn layer_rules_and_file_headers() {
    let src = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let mut problems = Vec::new();
    for f in &files {
        let text = std::fs::read_to_string(f).unwrap();
        let module = module_of(&src, f);
        let name = f.strip_prefix(&src).unwrap().display().to_string();
        if !text.trim_start().starts_with("//!") {
            problems.push(format!("{name}: no //! header line"));
        }
        let code: String = text
            .lines()
            .filter(|l| !l.trim_start().starts_with("//"))
            .collect::<Vec<_>>()
            .join("\n");
        if code.contains("axum::") && !matches!(module.as_str(), "http" | "jsvm") {
            problems.push(format!("{name}: axum outside http"));
        }
        if (code.contains("rquickjs") || code.contains("notify::")) && module != "jsvm" {
            problems.push(format!("{name}: rquickjs/notify outside jsvm"));
        }
        if code.contains("rusqlite") && module != "store" {
            problems.push(format!("{name}: rusqlite outside store"));
        }
        for sql in [
            "SELECT ",
            "INSERT INTO",
            "CREATE TABLE",
            "ALTER TABLE",
            "DELETE FROM",
        ] {
            if code.contains(sql)
                && !matches!(module.as_str(), "store" | "filter")
                && !name.starts_with("services/view_fields")
            {
                problems.push(format!("{name}: SQL text `{sql}` outside store"));
            }
        }
        if let Some(pos) = ORDER.iter().position(|m| *m == module) {
            for later in &ORDER[pos + 1..] {
                if code.contains(&format!("crate::{later}::"))
                    || code.contains(&format!("crate::{later}:"))
                    || code.contains(&format!("super::super::{later}"))
                {
                    problems.push(format!(
                        "{name}: `{module}` uses `{later}`, which sits to its right"
                    ));
                }
            }
        }
    }
    assert!(
        problems.is_empty(),
        "tidy problems:\n{}",
        problems.join("\n")
    );
}
