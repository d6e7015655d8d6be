//! JavaScript hooks (`pb_hooks/*.pb.js`) in embedded QuickJS: loading files into a generation (routes,
//! global middlewares, hook handlers, cron jobs, an executor pool), swapping generations on file changes,
//! and the cron scheduler.

pub mod bridge;
pub mod cron;
pub mod engine;
pub mod files;
pub mod hooks;
pub mod json;
pub mod mails;
pub mod migrations;
pub mod ops;
pub mod ops_sys;
pub mod routes;

use crate::app::events::{BootstrapEvent, TerminateEvent};
use crate::app::{App, AppError};
use engine::{Pool, Vm, VmKind};
use ops::Shared;
use parking_lot::{Mutex, RwLock};
use serde::Deserialize;
use serde_json::{json, Map, Value};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

/// Executor runtimes built ahead when a generation has routes or hooks.
const PREWARMED: usize = 2;

/// How the hooks run (the `serve` flags).
#[derive(Debug, Clone)]
pub struct JsConfig {
    pub hooks_dir: PathBuf,
    pub watch: bool,
    pub pool_size: usize,
    /// A handler running longer is interrupted and answers an error.
    pub timeout: Duration,
}

/// A JS route: method, pattern and the chain of its middlewares and handler.
pub struct JsRoute {
    pub method: String,
    pub pattern: routes::Pattern,
    /// `pattern.score()`, computed once.
    pub score: i32,
    /// The global `routerUse` middlewares, the route's middlewares and its handler, sorted by priority,
    /// as the JSON a runtime parses once per `chain_id`.
    pub chain: Arc<str>,
    /// The route's index in [`Generation::routes`].
    pub chain_id: u32,
    /// Whether a call leaves the async worker first (see [`routes::Pace`]).
    pub pace: Arc<routes::Pace>,
}

/// Everything one load of the hooks dir produced.
pub struct Generation {
    pub pool: Arc<Pool>,
    pub routes: Vec<JsRoute>,
    pub uses: Vec<Value>,
    /// The chain of a built-in route wrapped by `uses`, sorted by priority, as JSON (its id is
    /// `routes.len()`).
    pub uses_chain: Arc<str>,
    /// Like [`JsRoute::pace`], for built-in routes wrapped by `routerUse` middlewares.
    pub uses_pace: Arc<routes::Pace>,
    hook_ids: Vec<(String, String)>,
}

impl Generation {
    pub fn shared(&self) -> &Arc<Shared> {
        self.pool.shared()
    }

    /// The most specific route for the request and its path values.
    pub fn find_route(&self, method: &str, path: &str) -> Option<(&JsRoute, Map<String, Value>)> {
        self.routes
            .iter()
            .filter(|r| {
                r.method.is_empty() || r.method == method || (method == "HEAD" && r.method == "GET")
            })
            .filter_map(|r| r.pattern.matches(path).map(|v| (r, v)))
            .max_by_key(|(r, _)| r.score)
    }
}

struct Inner {
    app: App,
    config: JsConfig,
    current: RwLock<Arc<Generation>>,
    store: Arc<Mutex<Map<String, Value>>>,
    bootstrapped: Arc<AtomicBool>,
    counter: AtomicU64,
    reload_lock: Mutex<()>,
}

/// The hook runtime of a running app (cheap clone).
#[derive(Clone)]
pub struct Jsvm(Arc<Inner>);

#[derive(Deserialize)]
struct Registration {
    kind: String,
    #[serde(default)]
    method: String,
    #[serde(default)]
    path: String,
    #[serde(default)]
    handler: Option<Value>,
    #[serde(default)]
    middlewares: Vec<Value>,
    #[serde(default)]
    middleware: Option<Value>,
    #[serde(default)]
    hook: String,
    #[serde(default)]
    tags: Vec<String>,
    #[serde(default)]
    id: String,
    #[serde(default)]
    expr: String,
}

/// A load failure: the file and the error text.
#[derive(Debug)]
pub struct LoadError {
    pub file: String,
    pub error: String,
}

impl std::fmt::Display for LoadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "failed to execute {}:\n - {}", self.file, self.error)
    }
}

/// The hook files of `dir` in load order (byte-wise file name order).
pub fn hook_files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|rd| {
            rd.flatten()
                .map(|e| e.path())
                .filter(|p| p.is_file())
                .filter(|p| {
                    let n = p
                        .file_name()
                        .map(|n| n.to_string_lossy().to_string())
                        .unwrap_or_default();
                    n.ends_with(".pb.js") || n.ends_with(".pb.ts")
                })
                .collect()
        })
        .unwrap_or_default();
    files.sort_by(|a, b| a.file_name().cmp(&b.file_name()));
    files
}

impl Jsvm {
    /// Loads the hooks dir, binds everything and fires `onBootstrap`. With watching off, a load error
    /// is returned (the caller exits); with watching on it is printed and loading goes on.
    pub fn start(app: &App, config: JsConfig) -> Result<Jsvm, String> {
        let inner = Inner {
            app: app.clone(),
            config,
            current: RwLock::new(Arc::new(Generation {
                pool: Arc::new(Pool::new(
                    Arc::new(Shared {
                        app: app.clone(),
                        hooks_dir: PathBuf::new(),
                        sources: Arc::new(Vec::new()),
                        store: Arc::default(),
                        crons: cron::Crons::default(),
                        timeout: Duration::from_secs(30),
                        bootstrapped: Arc::default(),
                    }),
                    0,
                )),
                routes: Vec::new(),
                uses: Vec::new(),
                uses_chain: Arc::from(""),
                uses_pace: Arc::default(),
                hook_ids: Vec::new(),
            })),
            store: Arc::default(),
            bootstrapped: Arc::default(),
            counter: AtomicU64::new(0),
            reload_lock: Mutex::new(()),
        };
        let vm = Jsvm(Arc::new(inner));
        let gen = vm.load().map_err(|e| format!("panic: {e}"))?;
        vm.activate(gen);
        vm.bootstrap()?;
        if vm.0.config.watch && vm.0.config.hooks_dir.is_dir() {
            vm.watch();
        }
        vm.start_scheduler();
        Ok(vm)
    }

    pub fn app(&self) -> &App {
        &self.0.app
    }

    pub fn current(&self) -> Arc<Generation> {
        self.0.current.read().clone()
    }

    fn bootstrap(&self) -> Result<(), String> {
        let flag = self.0.bootstrapped.clone();
        let mut e = BootstrapEvent {
            app: self.0.app.clone(),
        };
        let out = self.0.app.hooks().on_bootstrap.trigger(&mut e, |_| {
            flag.store(true, Ordering::Relaxed);
            Ok(())
        });
        if let Err(e) = out {
            return Err(format!("onBootstrap failed: {e}"));
        }
        if !self.0.bootstrapped.load(Ordering::Relaxed) {
            eprintln!("OnBootstrap hook didn't fail but the app is still not bootstrapped - maybe missing e.Next()?");
            self.0.bootstrapped.store(true, Ordering::Relaxed);
        }
        Ok(())
    }

    /// Fires `onTerminate` (with `isRestart` on a hooks reload).
    pub fn terminate(&self, is_restart: bool) {
        let mut e = TerminateEvent {
            app: self.0.app.clone(),
            is_restart,
        };
        if let Err(err) = self.0.app.hooks().on_terminate.trigger(&mut e, |_| Ok(())) {
            tracing::warn!(target: "jsvm", "onTerminate failed: {err}");
        }
    }

    fn load(&self) -> Result<Generation, LoadError> {
        let cfg = &self.0.config;
        let files = hook_files(&cfg.hooks_dir);
        let n = self.0.counter.fetch_add(1, Ordering::Relaxed);
        let crons = cron::Crons::default();
        let loader_shared = Arc::new(Shared {
            app: self.0.app.clone(),
            hooks_dir: cfg.hooks_dir.clone(),
            sources: Arc::new(Vec::new()),
            store: self.0.store.clone(),
            crons: crons.clone(),
            timeout: cfg.timeout,
            bootstrapped: self.0.bootstrapped.clone(),
        });
        let mut regs: Vec<Registration> = Vec::new();
        if !files.is_empty() {
            let loader = Vm::new(&loader_shared, VmKind::Loader).map_err(|e| LoadError {
                file: "loader".into(),
                error: e,
            })?;
            for f in &files {
                let name = f.to_string_lossy().to_string();
                // an unreadable file is a load error; only a readable empty one gets the reference line
                let res = match std::fs::read_to_string(f) {
                    Err(e) => Err(e.to_string()),
                    Ok(mut source) => {
                        if source.trim().is_empty() {
                            source = "/// <reference path=\"../pb_data/types.d.ts\" />\n\n".into();
                            if let Err(e) = std::fs::write(f, &source) {
                                tracing::warn!(target: "jsvm", "cannot write {name}: {e}");
                            }
                        }
                        Ok(source)
                    }
                };
                let res = res.and_then(|source| {
                    if engine::is_module_source(&source) {
                        loader.eval_module(&source, &name)
                    } else {
                        loader.eval_file(&source, &name)
                    }
                });
                let taken = loader
                    .eval_string("__takeRegistrations()")
                    .unwrap_or_else(|_| "[]".into());
                regs.extend(serde_json::from_str::<Vec<Registration>>(&taken).unwrap_or_default());
                if let Err(error) = res {
                    let err = LoadError { file: name, error };
                    if !cfg.watch {
                        return Err(err);
                    }
                    eprintln!("\x1b[31m{err}\x1b[0m");
                }
            }
        }
        let mut sources: Vec<String> = Vec::new();
        let spec = |v: &Value, sources: &mut Vec<String>| -> Value {
            let priority = v["priority"].as_i64().unwrap_or(0);
            match v["source"].as_str() {
                Some(src) => {
                    sources.push(src.to_string());
                    json!({ "handler": sources.len() - 1, "priority": priority })
                }
                None => json!({ "native": v["native"], "args": v["args"], "priority": priority }),
            }
        };
        let mut routes = Vec::new();
        let mut uses = Vec::new();
        let mut hook_regs = Vec::new();
        for r in regs {
            match r.kind.as_str() {
                "route" => {
                    let handler = spec(r.handler.as_ref().unwrap_or(&Value::Null), &mut sources);
                    let middlewares: Vec<Value> = r
                        .middlewares
                        .iter()
                        .map(|m| spec(m, &mut sources))
                        .collect();
                    let pattern = routes::Pattern::parse(&r.path);
                    routes.push((r.method, pattern, middlewares, handler));
                }
                "use" => uses.push(spec(
                    r.middleware.as_ref().unwrap_or(&Value::Null),
                    &mut sources,
                )),
                "hook" => {
                    let h = spec(r.handler.as_ref().unwrap_or(&Value::Null), &mut sources);
                    if let Some(idx) = h["handler"].as_u64() {
                        hook_regs.push((r.hook, idx as usize, r.tags));
                    }
                }
                "cron" => {
                    let h = spec(r.handler.as_ref().unwrap_or(&Value::Null), &mut sources);
                    if let Some(idx) = h["handler"].as_u64() {
                        let _ = crons.add(&r.id, &r.expr, cron::JobHandler::Index(idx as usize));
                    }
                }
                "cronRemove" => crons.remove(&r.id),
                _ => {}
            }
        }
        let shared = Arc::new(Shared {
            app: self.0.app.clone(),
            hooks_dir: cfg.hooks_dir.clone(),
            sources: Arc::new(sources),
            store: self.0.store.clone(),
            crons,
            timeout: cfg.timeout,
            bootstrapped: self.0.bootstrapped.clone(),
        });
        let pool = Arc::new(Pool::new(shared, cfg.pool_size));
        let mut hook_ids = Vec::new();
        let mut unsupported = Vec::new();
        for (i, (name, idx, tags)) in hook_regs.into_iter().enumerate() {
            let id = format!("__js{n}_{i}");
            if hooks::bind_by_name(&self.0.app, &name, pool.clone(), &id, idx, tags) {
                hook_ids.push((name, id));
            } else if !unsupported.contains(&name) {
                unsupported.push(name);
            }
        }
        for name in unsupported {
            tracing::warn!(target: "jsvm", "{name} is registered but Ferrobase does not fire it yet");
        }
        // a chain runs in priority order; entries of equal priority keep their registration order
        let sorted = |mut chain: Vec<Value>| {
            chain.sort_by_key(|m| m["priority"].as_i64().unwrap_or(0));
            Arc::<str>::from(Value::Array(chain).to_string())
        };
        let routes: Vec<JsRoute> = routes
            .into_iter()
            .enumerate()
            .map(|(i, (method, pattern, middlewares, handler))| {
                let mut chain = uses.clone();
                chain.extend(middlewares);
                chain.push(handler);
                JsRoute {
                    method,
                    score: pattern.score(),
                    pattern,
                    chain: sorted(chain),
                    chain_id: i as u32,
                    pace: Arc::default(),
                }
            })
            .collect();
        Ok(Generation {
            pool,
            routes,
            uses_chain: sorted(uses.clone()),
            uses,
            uses_pace: Arc::default(),
            hook_ids,
        })
    }

    /// Makes `gen` the current generation and unbinds the previous one's hooks.
    fn activate(&self, gen: Generation) {
        let gen = Arc::new(gen);
        let old = std::mem::replace(&mut *self.0.current.write(), gen.clone());
        for (name, id) in &old.hook_ids {
            hooks::unbind_by_name(&self.0.app, name, id);
        }
        // runtimes cost ~0.8 MB each: without routes or hooks none is made ahead (cron jobs and the pool
        // make theirs on first use), with them a couple are, and the pool grows on demand up to its size
        if gen.routes.is_empty() && gen.uses.is_empty() && gen.hook_ids.is_empty() {
            return;
        }
        let pool = gen.pool.clone();
        std::thread::spawn(move || {
            if let Err(e) = pool.prewarm(PREWARMED) {
                tracing::warn!(target: "jsvm", "prewarming the JS pool failed: {e}");
            }
        });
    }

    /// Reloads after a change: `onTerminate` (restart), a new generation, `onBootstrap`.
    pub fn reload(&self, changed: &Path) {
        let _guard = self.0.reload_lock.lock();
        println!("File {} changed, restarting...", changed.display());
        self.terminate(true);
        match self.load() {
            Ok(gen) => {
                self.activate(gen);
                self.0.bootstrapped.store(false, Ordering::Relaxed);
                if let Err(e) = self.bootstrap() {
                    eprintln!("{e}");
                }
            }
            Err(e) => eprintln!("\x1b[31m{e}\x1b[0m"),
        }
    }

    fn watch(&self) {
        use notify::{RecursiveMode, Watcher};
        let dir = std::fs::canonicalize(&self.0.config.hooks_dir)
            .unwrap_or_else(|_| self.0.config.hooks_dir.clone());
        let (tx, rx) = std::sync::mpsc::channel::<PathBuf>();
        let root = dir.clone();
        let watcher = notify::recommended_watcher(move |res: notify::Result<notify::Event>| {
            if let Ok(ev) = res {
                if matches!(ev.kind, notify::EventKind::Access(_)) {
                    return;
                }
                for p in ev.paths {
                    // only the part inside the hooks dir counts: the dir itself may sit under a
                    // hidden folder (e.g. `~/.local/app/pb_hooks`, `/tmp/.tmpXYZ/pb_hooks`)
                    let inside = p.strip_prefix(&root).unwrap_or(&p);
                    let hidden = inside.components().any(|c| {
                        let s = c.as_os_str().to_string_lossy();
                        (s.starts_with('.') && s.len() > 1 && s != "..") || s == "node_modules"
                    });
                    if !hidden {
                        let _ = tx.send(p);
                    }
                }
            }
        });
        let mut watcher = match watcher {
            Ok(w) => w,
            Err(e) => {
                tracing::warn!(target: "jsvm", "cannot watch the hooks dir: {e}");
                return;
            }
        };
        if let Err(e) = watcher.watch(&dir, RecursiveMode::Recursive) {
            tracing::warn!(target: "jsvm", "cannot watch the hooks dir: {e}");
            return;
        }
        let vm = self.clone();
        std::thread::spawn(move || {
            let _keep = watcher;
            while let Ok(first) = rx.recv() {
                let mut last = first;
                // debounce: wait until 50 ms pass without another event
                while let Ok(p) = rx.recv_timeout(Duration::from_millis(50)) {
                    last = p;
                }
                vm.reload(&last);
            }
        });
    }

    /// Runs the cron job `id` of the current generation (errors are logged).
    pub fn run_cron(&self, id: &str) {
        let gen = self.current();
        let Some(job) = gen.shared().crons.get(id) else {
            return;
        };
        let spec = match job.handler {
            cron::JobHandler::Index(i) => json!({ "handler": i }),
            cron::JobHandler::Source(src) => json!({ "source": src }),
        };
        let out = gen.pool.dispatch("plain", &spec, &json!({}));
        let err = match out {
            Ok(v) => v
                .get("error")
                .filter(|e| !e.is_null())
                .map(|e| e.to_string()),
            Err(e) => Some(e),
        };
        if let Some(err) = err {
            eprintln!("[cronAdd] failed to execute cron job {id}: {err}");
        }
    }

    fn start_scheduler(&self) {
        let vm = Arc::downgrade(&self.0);
        std::thread::spawn(move || loop {
            let now = chrono::Local::now();
            let wait = 60 - now.timestamp() % 60;
            std::thread::sleep(Duration::from_secs(wait as u64));
            let Some(inner) = vm.upgrade() else { return };
            let jsvm = Jsvm(inner);
            let due = jsvm.current().shared().crons.due(chrono::Local::now());
            for id in due {
                let j = jsvm.clone();
                std::thread::spawn(move || j.run_cron(&id));
            }
        });
    }
}

#[allow(dead_code)]
fn assert_send_sync() {
    fn is<T: Send + Sync>() {}
    is::<Pool>();
    is::<Generation>();
    is::<Jsvm>();
}

/// Maps a failed JS call outside any request to the app error.
pub fn to_app_error(e: String) -> AppError {
    AppError::internal(e)
}
