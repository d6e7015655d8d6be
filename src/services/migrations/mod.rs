//! JS migrations (spec 09): the `pb_migrations` files, the runner that applies and reverts them in one
//! write transaction and records them in `_migrations`, the templates, and automigrate. Executing a
//! file is `MigrationScripts`, implemented by `jsvm`; this module only orders, records and wraps.

pub mod automigrate;
mod go_json;
pub mod names;
pub mod templates;

use crate::app::App;
use crate::model::Collection;
use crate::store::{self, StoreError, Tx};
use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Which function of a migration file runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    Up,
    Down,
}

/// Why a migration file could not run.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MigrationError {
    /// The file did not load (syntax error, an exception at the top level).
    #[error("{0}")]
    Load(String),
    /// The `up`/`down` function threw; the text is the JS error (`Error: … at …`).
    #[error("{0}")]
    Run(String),
}

/// Executes migration files. Implemented by `jsvm`; `services` only orders, records and wraps them.
pub trait MigrationScripts: Send + Sync {
    /// Loads `file` (the JS source) and runs its `up` (Direction::Up) or `down` function inside the open
    /// transaction `tx`. Returns Ok(false) when the file has no function for that direction.
    /// A load error (syntax error, top-level throw) is `Err(MigrationError::Load(msg))`, a throwing
    /// function `Err(MigrationError::Run(msg))`.
    ///
    /// For `Up`, Ok(false) means the file called no `migrate()` at all: it registered nothing, so it is
    /// not recorded (a `migrate(null, …)` registration is Ok(true)). For `Down`, Ok(false) (no down
    /// function) just forgets the row, like PocketBase.
    fn run(
        &self,
        app: &App,
        tx: &Tx,
        file: &Path,
        source: &str,
        direction: Direction,
    ) -> Result<bool, MigrationError>;
}

/// What the runner reports. `exit_code` is the process exit code PocketBase uses for it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RunnerError {
    /// A file failed to load. PocketBase panics with this text (exit code 2).
    #[error("registerMigrations: failed to run migration {file}: {message}")]
    Load { file: String, message: String },
    /// The migrations directory could not be listed. PocketBase panics with this text (exit code 2).
    #[error("registerMigrations: open {dir}: {reason}")]
    List { dir: String, reason: String },
    #[error("failed to apply migration {file}: {message}")]
    Apply { file: String, message: String },
    #[error("failed to revert migration {file}: {message}")]
    Revert { file: String, message: String },
    /// A JS file must run but no JS runtime was given.
    #[error("cannot run migration {file}: JavaScript migrations need the JS runtime")]
    NoRuntime { file: String },
    #[error("{0}")]
    Other(String),
}

impl RunnerError {
    /// 2 for PocketBase's panics (load and listing failures), 1 for the rest.
    pub fn exit_code(&self) -> i32 {
        match self {
            RunnerError::Load { .. } | RunnerError::List { .. } => 2,
            _ => 1,
        }
    }
}

impl From<StoreError> for RunnerError {
    fn from(e: StoreError) -> Self {
        RunnerError::Other(e.to_string())
    }
}

/// One JS migration file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MigrationFile {
    /// The file name: the migration's identity in `_migrations`.
    pub name: String,
    pub path: PathBuf,
}

/// The `*.js`/`*.ts` files directly in `dir`, sorted by name. A missing directory has none.
pub fn list(dir: &Path) -> Result<Vec<MigrationFile>, RunnerError> {
    let list_error = |reason: String| RunnerError::List {
        dir: dir.display().to_string(),
        reason,
    };
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(_) if dir.is_file() => return Err(list_error("not a directory".into())),
        Err(e) => return Err(list_error(e.to_string())),
    };
    let mut files = Vec::new();
    for entry in entries {
        let entry = entry.map_err(|e| list_error(e.to_string()))?;
        let name = entry.file_name().to_string_lossy().to_string();
        let path = entry.path();
        if (name.ends_with(".js") || name.ends_with(".ts")) && !path.is_dir() {
            files.push(MigrationFile { name, path });
        }
    }
    files.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(files)
}

fn migrations_dir(app: &App) -> &Path {
    &app.config().migrations_dir
}

/// Reads the files that must run (before the transaction: no IO on the writer thread).
fn with_sources(files: Vec<MigrationFile>) -> Result<Vec<(MigrationFile, String)>, RunnerError> {
    files
        .into_iter()
        .map(|f| match std::fs::read(&f.path) {
            Ok(bytes) => Ok((f, String::from_utf8_lossy(&bytes).into_owned())),
            Err(e) => Err(RunnerError::Load {
                file: f.name,
                message: e.to_string(),
            }),
        })
        .collect()
}

fn require_runtime(
    scripts: Option<&Arc<dyn MigrationScripts>>,
    first: &[(MigrationFile, String)],
) -> Result<Arc<dyn MigrationScripts>, RunnerError> {
    scripts.cloned().ok_or_else(|| RunnerError::NoRuntime {
        file: first.first().map(|f| f.0.name.clone()).unwrap_or_default(),
    })
}

/// Unix microseconds, strictly after `last` (so one batch keeps its order).
fn micros_after(last: i64) -> i64 {
    chrono::Utc::now().timestamp_micros().max(last + 1)
}

fn ensure_table(app: &App) -> Result<(), RunnerError> {
    app.db().write_blocking(store::migrations::ensure_table)?;
    Ok(())
}

fn applied_files(app: &App) -> Result<Vec<String>, RunnerError> {
    Ok(app.db().read_blocking(store::migrations::newest_first)?)
}

/// Applies every pending JS migration in one write transaction, in name order (`serve` start and
/// `migrate up`). The first failure rolls the whole batch back. Returns the applied file names.
pub fn up(
    app: &App,
    scripts: Option<&Arc<dyn MigrationScripts>>,
) -> Result<Vec<String>, RunnerError> {
    let files = list(migrations_dir(app))?;
    ensure_table(app)?;
    let applied: HashSet<String> = applied_files(app)?.into_iter().collect();
    let pending: Vec<MigrationFile> = files
        .into_iter()
        .filter(|f| !applied.contains(&f.name))
        .collect();
    if pending.is_empty() {
        return Ok(Vec::new());
    }
    let pending = with_sources(pending)?;
    let scripts = require_runtime(scripts, &pending)?;
    let app2 = app.clone();
    app.db()
        .write_blocking(move |tx| apply_all(&app2, tx, scripts.as_ref(), &pending))
}

fn apply_all(
    app: &App,
    tx: &Tx,
    scripts: &dyn MigrationScripts,
    pending: &[(MigrationFile, String)],
) -> Result<Vec<String>, RunnerError> {
    let mut applied = Vec::new();
    let mut last = 0;
    for (file, source) in pending {
        if tx.with(|c| store::migrations::is_applied(c, &file.name))? {
            continue;
        }
        match scripts.run(app, tx, &file.path, source, Direction::Up) {
            Ok(true) => {}
            Ok(false) => continue,
            Err(MigrationError::Load(message)) => {
                return Err(RunnerError::Load {
                    file: file.name.clone(),
                    message,
                })
            }
            Err(MigrationError::Run(message)) => {
                return Err(RunnerError::Apply {
                    file: file.name.clone(),
                    message,
                })
            }
        }
        last = micros_after(last);
        store::migrations::insert(tx, &file.name, last).map_err(|e| {
            RunnerError::Other(format!(
                "failed to save applied migration info for {}: {e}",
                file.name
            ))
        })?;
        applied.push(file.name.clone());
    }
    Ok(applied)
}

/// How many migrations `migrate down -1` ("all") counts: PocketBase's system ones plus the JS files.
pub fn known_count(app: &App) -> Result<usize, RunnerError> {
    Ok(store::schema::SYSTEM_MIGRATIONS.len() + list(migrations_dir(app))?.len())
}

/// The last `n` applied migrations that still have a JS file, most recent first: what `migrate down n`
/// reverts. (PocketBase's own system migrations are never reverted: Ferrobase does not run them.)
pub fn last_applied(app: &App, n: usize) -> Result<Vec<MigrationFile>, RunnerError> {
    let files = list(migrations_dir(app))?;
    ensure_table(app)?;
    let newest = applied_files(app)?;
    Ok(newest
        .iter()
        .filter_map(|name| files.iter().find(|f| &f.name == name).cloned())
        .take(n)
        .collect())
}

/// Reverts the last `n` applied JS migrations in one write transaction (their `down`, then the row
/// goes). The first failure rolls the whole batch back. Returns the reverted file names.
pub fn down(
    app: &App,
    scripts: Option<&Arc<dyn MigrationScripts>>,
    n: usize,
) -> Result<Vec<String>, RunnerError> {
    let targets = last_applied(app, n)?;
    if targets.is_empty() {
        return Ok(Vec::new());
    }
    let targets = with_sources(targets)?;
    let scripts = require_runtime(scripts, &targets)?;
    let app2 = app.clone();
    app.db().write_blocking(move |tx| {
        let mut reverted = Vec::new();
        for (file, source) in &targets {
            match scripts.run(&app2, tx, &file.path, source, Direction::Down) {
                Ok(_) => {}
                Err(MigrationError::Load(message)) => {
                    return Err(RunnerError::Load {
                        file: file.name.clone(),
                        message,
                    })
                }
                Err(MigrationError::Run(message)) => {
                    return Err(RunnerError::Revert {
                        file: file.name.clone(),
                        message,
                    })
                }
            }
            store::migrations::delete(tx, &file.name)?;
            reverted.push(file.name.clone());
        }
        Ok(reverted)
    })
}

/// `migrate history-sync`: forgets every `_migrations` row that is neither one of PocketBase's system
/// migrations nor a JS file on disk. No migration code runs. Returns how many rows went.
pub fn history_sync(app: &App) -> Result<usize, RunnerError> {
    let files = list(migrations_dir(app))?;
    ensure_table(app)?;
    let mut keep: HashSet<String> = files.into_iter().map(|f| f.name).collect();
    keep.extend(
        store::schema::SYSTEM_MIGRATIONS
            .iter()
            .map(|s| s.to_string()),
    );
    let gone: Vec<String> = applied_files(app)?
        .into_iter()
        .filter(|f| !keep.contains(f))
        .collect();
    let count = gone.len();
    app.db().write_blocking(move |tx| {
        for file in &gone {
            store::migrations::delete(tx, file)?;
        }
        Ok::<(), RunnerError>(())
    })?;
    Ok(count)
}

/// The `migrate collections` file: every collection, oldest first.
pub fn snapshot_template(app: &App) -> Result<String, RunnerError> {
    let mut all: Vec<Collection> = app.collections().iter().map(|c| (**c).clone()).collect();
    all.sort_by(|a, b| a.created.cmp(&b.created));
    templates::snapshot(&all)
        .map_err(|e| RunnerError::Other(format!("failed to resolve template: {e}")))
}

/// The path a new migration file gets: `<dir>/<unix>_<snake(name)>.js`, cleaned like Go's `path.Join`.
pub fn new_file_path(dir: &Path, unix: i64, name: &str) -> String {
    let file = format!("{unix}_{}.js", names::snake_case(name));
    names::join_path(&[&dir.to_string_lossy(), &file])
}

/// Writes a new migration file, creating its directory when needed.
pub fn write_file(dir: &Path, path: &str, contents: &str) -> Result<(), RunnerError> {
    std::fs::create_dir_all(dir).map_err(|e| RunnerError::Other(e.to_string()))?;
    std::fs::write(path, contents).map_err(|e| {
        RunnerError::Other(format!(
            "failed to save migration file {}: {e}",
            names::go_quote(path)
        ))
    })
}

#[cfg(test)]
mod tests;
