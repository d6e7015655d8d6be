//! Cron jobs of JS hooks (`cronAdd`/`cronRemove`) next to the built-in jobs: the registry `/api/crons`
//! lists, and a scheduler thread that starts due jobs once a minute.

use parking_lot::Mutex;
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::str::FromStr;
use std::sync::Arc;

/// The jobs PocketBase always has (they run elsewhere in Ferrobase; listed here as PocketBase lists them).
pub const SYSTEM_JOBS: &[(&str, &str)] = &[
    ("__pbDBOptimize__", "0 0 * * *"),
    ("__pbLogsCleanup__", "0 */6 * * *"),
    ("__pbMFACleanup__", "0 * * * *"),
    ("__pbOTPCleanup__", "0 * * * *"),
];

/// Expands the macros PocketBase accepts.
fn expand(expr: &str) -> String {
    match expr.trim() {
        "@yearly" | "@annually" => "0 0 1 1 *".into(),
        "@monthly" => "0 0 1 * *".into(),
        "@weekly" => "0 0 * * 0".into(),
        "@daily" | "@midnight" => "0 0 * * *".into(),
        "@hourly" => "0 * * * *".into(),
        other => other.to_string(),
    }
}

/// Ok when `expr` is a valid five-field expression or macro.
pub fn check_expression(expr: &str) -> Result<String, String> {
    let e = expand(expr);
    if e.split_whitespace().count() != 5 {
        return Err(format!(
            "invalid cron expression {expr:?}: expected exactly 5 fields"
        ));
    }
    croner::Cron::from_str(&e).map_err(|err| err.to_string())?;
    Ok(e)
}

#[derive(Clone)]
pub struct Job {
    pub expression: String,
    /// Index of the handler source (jobs registered by the loader) or the source itself (at runtime).
    pub handler: JobHandler,
}

#[derive(Clone)]
pub enum JobHandler {
    Index(usize),
    Source(String),
}

/// The cron registry of one generation.
#[derive(Clone, Default)]
pub struct Crons {
    jobs: Arc<Mutex<BTreeMap<String, Job>>>,
}

impl Crons {
    pub fn add(&self, id: &str, expr: &str, handler: JobHandler) -> Result<(), String> {
        let expression = check_expression(expr)?;
        self.jobs.lock().insert(
            id.to_string(),
            Job {
                expression,
                handler,
            },
        );
        Ok(())
    }

    /// `cronAdd` called inside a handler: the job keeps its source text.
    pub fn add_runtime(&self, id: &str, expr: &str, source: &str) -> Result<(), String> {
        self.add(id, expr, JobHandler::Source(source.to_string()))
            .map_err(|e| format!("[cronAdd] failed to register cron job {id}: {e}"))
    }

    pub fn remove(&self, id: &str) {
        self.jobs.lock().remove(id);
    }

    pub fn get(&self, id: &str) -> Option<Job> {
        self.jobs.lock().get(id).cloned()
    }

    /// Every job as `/api/crons` lists it (system jobs included), sorted by id.
    pub fn list_json(&self) -> Value {
        let mut all: BTreeMap<String, String> = SYSTEM_JOBS
            .iter()
            .map(|(id, e)| (id.to_string(), e.to_string()))
            .collect();
        for (id, j) in self.jobs.lock().iter() {
            all.insert(id.clone(), j.expression.clone());
        }
        Value::Array(
            all.into_iter()
                .map(|(id, e)| json!({ "id": id, "expression": e }))
                .collect(),
        )
    }

    /// The ids of jobs due at `t` (minute precision).
    pub fn due(&self, t: chrono::DateTime<chrono::Local>) -> Vec<String> {
        self.jobs
            .lock()
            .iter()
            .filter(|(_, j)| {
                croner::Cron::from_str(&j.expression)
                    .ok()
                    .and_then(|c| c.is_time_matching(&t).ok())
                    .unwrap_or(false)
            })
            .map(|(id, _)| id.clone())
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn macros_expand_and_bad_expressions_fail() {
        assert_eq!(check_expression("@yearly").unwrap(), "0 0 1 1 *");
        assert!(check_expression("* * *").is_err());
        assert!(check_expression("61 * * * *").is_err());
        let c = Crons::default();
        c.add("a", "@hourly", JobHandler::Index(0)).unwrap();
        let list = c.list_json();
        assert!(list
            .as_array()
            .unwrap()
            .iter()
            .any(|j| j["id"] == "a" && j["expression"] == "0 * * * *"));
    }
}
