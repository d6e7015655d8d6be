//! `pb_migrations/*.js` for the migration runner of `services::migrations`: each file is evaluated in a
//! fresh migrations runtime (no `$app`; `migrate(up, down)` records the two functions), then `up(app)` or
//! `down(app)` runs on the writer thread inside the runner's transaction.

use super::engine::{Vm, VmKind};
use super::ops::Shared;
use crate::app::App;
use crate::services::migrations::{Direction, MigrationError, MigrationScripts};
use crate::store::Tx;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

const RUNNER: &str = r#"
globalThis.migrate = (up, down) => { globalThis.__migration = { up: up, down: down }; };
globalThis.__runMigration = (dir) => {
  const m = globalThis.__migration;
  if (!m) return "none";
  const fn = dir === "up" ? m.up : m.down;
  if (typeof fn !== "function") return "nofn";
  try {
    fn(__makeApp());
    return "ok";
  } catch (err) {
    if (err && err.__api) return "error:" + err.message;
    return "error:" + String(err);
  }
};
"#;

/// The JS migration runner.
pub struct JsMigrations {
    hooks_dir: PathBuf,
}

impl JsMigrations {
    pub fn new(hooks_dir: PathBuf) -> JsMigrations {
        JsMigrations { hooks_dir }
    }
}

impl MigrationScripts for JsMigrations {
    fn run(
        &self,
        app: &App,
        _tx: &Tx,
        file: &Path,
        source: &str,
        direction: Direction,
    ) -> Result<bool, MigrationError> {
        let shared = Arc::new(Shared {
            app: app.clone(),
            hooks_dir: self.hooks_dir.clone(),
            sources: Arc::new(Vec::new()),
            store: Arc::default(),
            crons: super::cron::Crons::default(),
            timeout: Duration::from_secs(3600),
            bootstrapped: Arc::new(std::sync::atomic::AtomicBool::new(true)),
        });
        let vm = Vm::new(&shared, VmKind::Migrations).map_err(MigrationError::Load)?;
        vm.eval_file(RUNNER, "migrate.js")
            .map_err(MigrationError::Load)?;
        vm.eval_file(source, &file.to_string_lossy())
            .map_err(MigrationError::Load)?;
        let dir = match direction {
            Direction::Up => "up",
            Direction::Down => "down",
        };
        let out = vm
            .eval_string(&format!("__runMigration({dir:?})"))
            .map_err(MigrationError::Run)?;
        match out.as_str() {
            "none" => Ok(false),
            "nofn" => Ok(direction == Direction::Up),
            "ok" => Ok(true),
            other => Err(MigrationError::Run(
                other.strip_prefix("error:").unwrap_or(other).to_string(),
            )),
        }
    }
}
