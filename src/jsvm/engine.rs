//! QuickJS runtimes: building one (natives + the JS prelude), the executor pool, and the scoped `e.next()`
//! continuation that lets JS handlers call back into the Rust hook chain that invoked them.

use super::ops::{self, Shared};
use crate::app::AppError;
use parking_lot::Mutex;
use rquickjs::{CatchResultExt, Context, Ctx, Function, Runtime, Value as JsValue};
use scoped_tls_hkt::{scoped_thread_local, ReborrowMut};
use serde_json::Value;
use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

const PRELUDE: &str = include_str!("js/prelude.js");
const EVENTS: &str = include_str!("js/events.js");
const LOADER: &str = include_str!("js/loader.js");
const MODULES: &str = include_str!("js/modules.js");
const API: &str = include_str!("js/api.js");
const TEMPLATE: &str = include_str!("js/template.js");

/// What a JS handler asks of the Rust hook chain that called it.
pub enum HookCall {
    /// The event's full state (a lazy event's first property access).
    State,
    /// `e.next()`: take back `state` when the handler holds one (`None`: it never looked at the event),
    /// run the rest of the chain, and answer the state after it when `want_state`.
    Next {
        state: Option<Value>,
        want_state: bool,
    },
}

/// The continuation of the hook chain a JS handler runs in.
pub struct NextFn<'a>(pub &'a mut (dyn FnMut(HookCall) -> Result<Value, AppError> + 'a));

impl<'a, 'b: 'a> ReborrowMut<'a> for NextFn<'b> {
    type Result = NextFn<'a>;
    fn reborrow_mut(&'a mut self) -> NextFn<'a> {
        NextFn(&mut *self.0)
    }
}

scoped_thread_local!(static mut NEXT: for<'a> NextFn<'a>);

/// Runs `f` with `next` as the continuation `e.next()` (and a lazy event's state) reaches from JS.
pub fn with_next<R>(
    next: &mut (dyn FnMut(HookCall) -> Result<Value, AppError> + '_),
    f: impl FnOnce() -> R,
) -> R {
    NEXT.set(NextFn(next), f)
}

/// Asks the chain of the innermost running handler (`e.next()`, or a lazy event's state).
pub fn call_next(call: HookCall) -> Result<Value, AppError> {
    if !NEXT.is_set() {
        return Err(AppError::internal("e.next() called outside of its handler"));
    }
    NEXT.with(|n| (n.0)(call))
}

/// One call of a JS route (see [`Vm::dispatch_route`]).
pub struct RouteCall<'a> {
    /// Names the chain within its generation: a runtime parses `chain` on its first call with an id.
    pub id: u32,
    /// The route's middlewares and handler as JSON (`[{handler|native, args, priority}]`), sorted.
    pub chain: &'a str,
    /// The chain wraps a built-in route: the innermost `e.next()` runs it.
    pub builtin: bool,
    /// The request carries a valid auth token.
    pub auth: bool,
    pub method: &'a str,
    pub path: &'a str,
    pub raw_query: &'a str,
    pub body: &'a str,
}

/// What a JS route answered.
#[derive(Debug, Default)]
pub struct RouteOut {
    pub body: String,
    pub status: u16,
    /// The handler wrote a response (`e.json`, `e.string`, …).
    pub written: bool,
    pub headers: Vec<(String, String)>,
    /// The encoded error the chain threw (see `encodeError` in events.js).
    pub error: Option<Value>,
}

thread_local! {
    /// Rust errors handed to JS as exceptions, kept so the same error comes back out unchanged.
    static PENDING_ERRORS: RefCell<HashMap<u64, AppError>> = RefCell::new(HashMap::new());
    static NEXT_EID: Cell<u64> = const { Cell::new(1) };
    static DEPTH: Cell<u32> = const { Cell::new(0) };
}

/// Keeps `e` for JS and returns its id.
pub fn stash_error(e: AppError) -> u64 {
    let id = NEXT_EID.with(|n| {
        let v = n.get();
        n.set(v + 1);
        v
    });
    PENDING_ERRORS.with(|m| m.borrow_mut().insert(id, e));
    id
}

/// Takes back an error handed to JS.
pub fn take_error(id: u64) -> Option<AppError> {
    PENDING_ERRORS.with(|m| m.borrow_mut().remove(&id))
}

/// What a runtime is for: the loader has the registration globals; executors run handlers.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum VmKind {
    Loader,
    Executor,
    Migrations,
}

/// Bytes a runtime's heap may grow by (cyclic garbage: refcounting frees the rest) before the next
/// garbage collection.
const GC_THRESHOLD: usize = 4 << 20;

/// Top-level calls between two collections a runtime runs itself (see `Vm::collect_now_and_then`).
const GC_EVERY: u32 = 4096;

/// The C stack one entry into a runtime may use (measured from where Rust calls into JS).
const JS_STACK_LIMIT: usize = 768 * 1024;

/// One QuickJS runtime with its context and globals.
pub struct Vm {
    _rt: Runtime,
    ctx: Context,
    deadline: Arc<AtomicU64>,
    /// When the running top-level call gets its async worker's other tasks handed off (see `new`).
    hand_off_at: Arc<AtomicU64>,
    /// Top-level calls so far (see [`Vm::collect_now_and_then`]).
    calls: Cell<u32>,
}

static EPOCH: std::sync::OnceLock<Instant> = std::sync::OnceLock::new();

/// A top-level call running this long (ms) on an async worker thread moves off it (`block_in_place`):
/// until then the worker's other tasks, the one in its LIFO slot above all, would wait for the call.
const HAND_OFF_MS: u64 = 20;

fn now_ms() -> u64 {
    EPOCH.get_or_init(Instant::now).elapsed().as_millis() as u64
}

impl Vm {
    pub fn new(shared: &Arc<Shared>, kind: VmKind) -> Result<Vm, String> {
        let rt = Runtime::new().map_err(|e| e.to_string())?;
        // JS runs on threads with Rust's default 2 MiB stack (tokio's blocking pool, db-writer, cron
        // threads): the limit must stay well below it so that deep recursion throws a `RangeError`
        // ("Maximum call stack size exceeded") instead of overflowing the thread, which aborts the process.
        rt.set_max_stack_size(JS_STACK_LIMIT);
        // a collection walks the whole heap (the prelude's classes included): after a few hundred KiB of
        // garbage, as by default, it would run every few requests
        rt.set_gc_threshold(GC_THRESHOLD);
        let deadline = Arc::new(AtomicU64::new(u64::MAX));
        let hand_off_at = Arc::new(AtomicU64::new(u64::MAX));
        let (d2, h2) = (deadline.clone(), hand_off_at.clone());
        rt.set_interrupt_handler(Some(Box::new(move || {
            let now = now_ms();
            if now > h2.load(Ordering::Relaxed) {
                // a long call on an async worker thread (a route runs there until it is known to be
                // slow): hand the worker's queued tasks to the other workers, so that none waits for it
                h2.store(u64::MAX, Ordering::Relaxed);
                crate::services::hook_run::blocking(|| ());
            }
            now > d2.load(Ordering::Relaxed)
        })));
        rt.set_loader(
            LocalResolver {
                hooks_dir: shared.hooks_dir.clone(),
            },
            rquickjs::loader::ScriptLoader::default().with_extension("mjs"),
        );
        let ctx = Context::full(&rt).map_err(|e| e.to_string())?;
        let vm = Vm {
            _rt: rt,
            ctx,
            deadline,
            hand_off_at,
            calls: Cell::new(0),
        };
        vm.install(shared, kind)?;
        Ok(vm)
    }

    fn install(&self, shared: &Arc<Shared>, kind: VmKind) -> Result<(), String> {
        self.ctx.with(|ctx| -> Result<(), String> {
            let g = ctx.globals();
            let sh = shared.clone();
            let fb = Function::new(ctx.clone(), move |ctx: Ctx<'_>, op: String, args: String| -> String {
                ops::native_call(&sh, &ctx, &op, &args)
            })
            .map_err(|e| e.to_string())?;
            g.set("__fb", fb).map_err(|e| e.to_string())?;
            let log = Function::new(ctx.clone(), |level: String, text: String| {
                ops::console(&level, &text);
            })
            .map_err(|e| e.to_string())?;
            g.set("__fb_log", log).map_err(|e| e.to_string())?;
            let sleep = Function::new(ctx.clone(), |ms: f64| {
                ops::blocking(|| {
                    std::thread::sleep(Duration::from_millis(ms.clamp(0.0, 3_600_000.0) as u64))
                });
            })
            .map_err(|e| e.to_string())?;
            g.set("__fb_sleep", sleep).map_err(|e| e.to_string())?;
            let next_bare = Function::new(ctx.clone(), || -> String {
                let call = HookCall::Next {
                    state: None,
                    want_state: false,
                };
                match call_next(call) {
                    Ok(_) => String::new(),
                    Err(e) => ops::op_error_text(e),
                }
            })
            .map_err(|e| e.to_string())?;
            g.set("__fbNextBare", next_bare).map_err(|e| e.to_string())?;
            let part = Function::new(ctx.clone(), super::routes::request_part)
                .map_err(|e| e.to_string())?;
            let json = Function::new(ctx.clone(), super::json::plain_json)
                .map_err(|e| e.to_string())?;
            g.set("__fbJson", json).map_err(|e| e.to_string())?;
            g.set("__fbRequestPart", part).map_err(|e| e.to_string())?;
            let shape = Function::new(ctx.clone(), super::hooks::shape_json)
                .map_err(|e| e.to_string())?;
            g.set("__fbShape", shape).map_err(|e| e.to_string())?;
            let check = Function::new(ctx.clone(), |expr: String| -> String {
                super::cron::check_expression(&expr).err().unwrap_or_default()
            })
            .map_err(|e| e.to_string())?;
            g.set("__cronCheck", check).map_err(|e| e.to_string())?;
            g.set("__hooks", shared.hooks_dir.to_string_lossy().to_string())
                .map_err(|e| e.to_string())?;
            g.set(
                "__hookNames",
                super::hooks::all_hook_names()
                    .iter()
                    .map(|s| s.to_string())
                    .collect::<Vec<_>>(),
            )
            .map_err(|e| e.to_string())?;
            g.set("__handlerSources", shared.sources.as_ref().clone())
                .map_err(|e| e.to_string())?;
            eval_script(&ctx, PRELUDE, "prelude.js")?;
            eval_script(&ctx, MODULES, "modules.js")?;
            eval_script(&ctx, API, "api.js")?;
            eval_script(&ctx, TEMPLATE, "template.js")?;
            match kind {
                VmKind::Loader => eval_script(&ctx, LOADER, "loader.js")?,
                VmKind::Executor => {
                    eval_script(&ctx, EVENTS, "events.js")?;
                    eval_script(
                        &ctx,
                        "globalThis.cronAdd = (id, expr, fn) => __call('cronAdd', String(id), String(expr), typeof fn === 'string' ? fn : Function.prototype.toString.call(fn));\
                         globalThis.cronRemove = (id) => __call('cronRemove', String(id));",
                        "executor.js",
                    )?;
                }
                VmKind::Migrations => {
                    eval_script(&ctx, EVENTS, "events.js")?;
                    eval_script(&ctx, "delete globalThis.$app;", "migrations.js")?;
                }
            }
            Ok(())
        })
    }

    /// Evaluates a user file (non-strict, global scope). Err is the exception's text.
    pub fn eval_file(&self, source: &str, name: &str) -> Result<(), String> {
        self.ctx.with(|ctx| eval_script(&ctx, source, name))
    }

    /// Evaluates a hook file that uses ES module syntax (`import`/`export`; a Ferrobase extension).
    pub fn eval_module(&self, source: &str, name: &str) -> Result<(), String> {
        self.ctx.with(|ctx| {
            rquickjs::Module::evaluate(ctx.clone(), name, source)
                .and_then(|p| p.finish::<()>())
                .catch(&ctx)
                .map_err(|e| e.to_string())
        })
    }

    /// Evaluates an expression and returns its string result.
    pub fn eval_string(&self, source: &str) -> Result<String, String> {
        self.ctx.with(|ctx| {
            let v: JsValue = ctx
                .eval_with_options(source, opts("eval"))
                .catch(&ctx)
                .map_err(|e| e.to_string())?;
            Ok(v.as_string()
                .and_then(|s| s.to_string().ok())
                .unwrap_or_default())
        })
    }

    /// Calls `__dispatch(kind, spec, state)` with a time limit; returns its JSON answer.
    pub fn dispatch(
        &self,
        kind: &str,
        spec: &str,
        state: &str,
        limit: Duration,
    ) -> Result<Value, String> {
        let text = self.call_limited(limit, |ctx| {
            let f: Function = ctx.globals().get("__dispatch").map_err(|e| e.to_string())?;
            f.call::<_, String>((kind, spec, state))
                .catch(ctx)
                .map_err(|e| e.to_string())
        })?;
        serde_json::from_str(&text).map_err(|e| e.to_string())
    }

    /// Calls `__dispatchLazy(handler, shape)`: a hook handler whose event fetches its state only when
    /// read. `None` when there is nothing to take back (no state read, no error).
    pub fn dispatch_lazy(
        &self,
        handler: usize,
        shape: u32,
        limit: Duration,
    ) -> Result<Option<Value>, String> {
        let text = self.call_limited(limit, |ctx| {
            let f: Function = ctx
                .globals()
                .get("__dispatchLazy")
                .map_err(|e| e.to_string())?;
            f.call::<_, String>((handler as u32, shape))
                .catch(ctx)
                .map_err(|e| e.to_string())
        })?;
        if text.is_empty() {
            return Ok(None);
        }
        serde_json::from_str(&text)
            .map(Some)
            .map_err(|e| e.to_string())
    }

    /// Calls `__dispatchRoute(id, chain, flags, method, path, rawQuery, bodyText)` (a JS route whose
    /// request parts load on demand; the chain is parsed once per runtime and id; flags: 1 = builtin,
    /// 2 = auth): what the route answered.
    pub fn dispatch_route(
        &self,
        call: &RouteCall<'_>,
        limit: Duration,
    ) -> Result<RouteOut, String> {
        let mut out = RouteOut::default();
        self.call_limited(limit, |ctx| {
            let f: Function = ctx
                .globals()
                .get("__dispatchRoute")
                .map_err(|e| e.to_string())?;
            // [body, status, written, error JSON or "", header name, value, name, value, …]
            let a: rquickjs::Array = f
                .call((
                    call.id,
                    call.chain,
                    call.builtin as u32 | (call.auth as u32) << 1,
                    call.method,
                    call.path,
                    call.raw_query,
                    call.body,
                ))
                .catch(ctx)
                .map_err(|e| e.to_string())?;
            let e = |e: rquickjs::Error| e.to_string();
            out.body = a.get(0).map_err(e)?;
            out.status = a.get::<f64>(1).map_err(e)? as u16;
            out.written = a.get(2).map_err(e)?;
            let error: String = a.get(3).map_err(e)?;
            if !error.is_empty() {
                out.error = Some(serde_json::from_str(&error).map_err(|e| e.to_string())?);
            }
            let mut i = 4;
            while i + 1 < a.len() {
                out.headers
                    .push((a.get(i).map_err(e)?, a.get(i + 1).map_err(e)?));
                i += 2;
            }
            Ok(String::new())
        })?;
        Ok(out)
    }

    /// A collection sets the next one at 1.5 times the live heap, which is mostly the prelude's classes
    /// and functions: with small requests the next would come after a few hundred of them and walk that
    /// whole heap again. Instead the runtime collects after every [`GC_EVERY`] top-level calls and then
    /// sets the threshold [`GC_THRESHOLD`] above the live heap (a call making much garbage still
    /// triggers collections of its own).
    fn collect_now_and_then(&self) {
        let n = self.calls.get().wrapping_add(1);
        self.calls.set(n);
        if n.is_multiple_of(GC_EVERY) {
            self._rt.run_gc();
            let live = self._rt.memory_usage().malloc_size.max(0) as usize;
            self._rt.set_gc_threshold(live + GC_THRESHOLD);
        }
    }

    /// Runs `f` in this runtime with a time limit (the interrupt handler stops JS past it).
    fn call_limited(
        &self,
        limit: Duration,
        f: impl FnOnce(&Ctx<'_>) -> Result<String, String>,
    ) -> Result<String, String> {
        let depth = DEPTH.with(|d| {
            d.set(d.get() + 1);
            d.get()
        });
        if depth == 1 {
            // errors of an earlier top-level call were read (or dropped) by now
            PENDING_ERRORS.with(|m| m.borrow_mut().clear());
            self.hand_off_at
                .store(now_ms().saturating_add(HAND_OFF_MS), Ordering::Relaxed);
        }
        let prev = self.deadline.load(Ordering::Relaxed);
        self.deadline.store(
            now_ms().saturating_add(limit.as_millis() as u64),
            Ordering::Relaxed,
        );
        let out = self.ctx.with(|ctx| f(&ctx));
        self.deadline.store(prev, Ordering::Relaxed);
        if depth == 1 {
            self.hand_off_at.store(u64::MAX, Ordering::Relaxed);
            self.collect_now_and_then();
        }
        DEPTH.with(|d| d.set(d.get() - 1));
        out.map_err(|e| {
            if e.contains("interrupted") {
                format!(
                    "the handler ran longer than {}s and was interrupted",
                    limit.as_secs()
                )
            } else {
                e
            }
        })
    }
}

/// True when a hook file uses ES module syntax at the top level.
pub fn is_module_source(source: &str) -> bool {
    source.lines().any(|l| {
        let t = l.trim_start();
        (t.starts_with("import ") || t.starts_with("import{") || t.starts_with("export "))
            && !t.starts_with("import(")
    })
}

/// Resolves `import` specifiers: absolute paths as they are, `./`/`../` against the importing module's
/// folder (the hooks dir for handler code), bare names under the hooks dir.
struct LocalResolver {
    hooks_dir: std::path::PathBuf,
}

impl rquickjs::loader::Resolver for LocalResolver {
    fn resolve<'js>(
        &mut self,
        _ctx: &Ctx<'js>,
        base: &str,
        name: &str,
        _attributes: Option<rquickjs::loader::ImportAttributes<'js>>,
    ) -> rquickjs::Result<String> {
        let base_dir = std::path::Path::new(base)
            .parent()
            .filter(|p| p.is_absolute())
            .map(|p| p.to_path_buf())
            .unwrap_or_else(|| self.hooks_dir.clone());
        let path = if name.starts_with('/') {
            std::path::PathBuf::from(name)
        } else {
            base_dir.join(name)
        };
        let clean = super::ops_sys::clean(&path.to_string_lossy());
        if std::path::Path::new(&clean).is_file() {
            Ok(clean)
        } else {
            Err(rquickjs::Error::new_resolving(base, name))
        }
    }
}

fn opts(name: &str) -> rquickjs::context::EvalOptions {
    let mut o = rquickjs::context::EvalOptions::default();
    o.strict = false;
    o.global = true;
    o.filename = Some(name.to_string());
    o
}

fn eval_script(ctx: &Ctx<'_>, source: &str, name: &str) -> Result<(), String> {
    ctx.eval_with_options::<(), _>(source, opts(name))
        .catch(ctx)
        .map_err(|e| e.to_string())
}

/// The executors of one generation: a call takes an idle runtime or builds a one-off one.
pub struct Pool {
    shared: Arc<Shared>,
    idle: Mutex<Vec<Vm>>,
    size: usize,
}

impl Pool {
    pub fn new(shared: Arc<Shared>, size: usize) -> Pool {
        Pool {
            shared,
            idle: Mutex::new(Vec::new()),
            size,
        }
    }

    /// Builds up to `count` runtimes ahead (never more than the pool keeps).
    pub fn prewarm(&self, count: usize) -> Result<(), String> {
        let mut vms = Vec::new();
        for _ in 0..count.min(self.size) {
            vms.push(Vm::new(&self.shared, VmKind::Executor)?);
        }
        self.idle.lock().extend(vms);
        Ok(())
    }

    pub fn shared(&self) -> &Arc<Shared> {
        &self.shared
    }

    /// Runs `f` with a runtime of its own.
    pub fn with<R>(&self, f: impl FnOnce(&Vm) -> R) -> Result<R, String> {
        let vm = match self.idle.lock().pop() {
            Some(vm) => vm,
            None => Vm::new(&self.shared, VmKind::Executor)?,
        };
        let out = f(&vm);
        let mut idle = self.idle.lock();
        if idle.len() < self.size {
            idle.push(vm);
        }
        Ok(out)
    }

    /// Dispatches `kind` in a pooled runtime.
    pub fn dispatch(&self, kind: &str, spec: &Value, state: &Value) -> Result<Value, String> {
        let spec = spec.to_string();
        let state = ops::tag_marked(state.to_string());
        let limit = self.shared.timeout;
        self.with(|vm| vm.dispatch(kind, &spec, &state, limit))?
    }

    /// Dispatches a JS route (see [`Vm::dispatch_route`]) in a pooled runtime.
    pub fn dispatch_route(&self, call: &RouteCall<'_>) -> Result<RouteOut, String> {
        let limit = self.shared.timeout;
        self.with(|vm| vm.dispatch_route(call, limit))?
    }

    /// Dispatches a lazy hook event (see [`Vm::dispatch_lazy`]) in a pooled runtime.
    pub fn dispatch_lazy(&self, handler: usize, shape: u32) -> Result<Option<Value>, String> {
        let limit = self.shared.timeout;
        self.with(|vm| vm.dispatch_lazy(handler, shape, limit))?
    }
}
