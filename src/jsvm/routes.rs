//! JS routes and `routerUse` middlewares in the HTTP stack: an axum middleware that answers routes added
//! with `routerAdd` (Go 1.22 patterns), wraps built-in routes with the global JS middlewares, and serves
//! `/api/crons`.

use super::Jsvm;
use crate::app::AppError;
use crate::http::middleware::Intercept;
use crate::services::auth_state::Requester;
use axum::body::{to_bytes, Body};
use axum::extract::Request;
use axum::http::{HeaderName, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use futures_util::future::BoxFuture;
use rquickjs::{Ctx, Value as JsValue};
use serde_json::{json, Map, Value};
use std::cell::RefCell;
use std::net::SocketAddr;
use std::rc::Rc;
use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::Arc;

const BODY_LIMIT: usize = 32 << 20;

/// A JS route call taking more CPU time than this marks its route slow (see [`Pace`]).
const SLOW_ROUTE: std::time::Duration = std::time::Duration::from_millis(5);

/// One segment of a route pattern.
#[derive(Debug, Clone, PartialEq)]
enum Seg {
    Lit(String),
    Param(String),
    Rest(String),
    /// `{$}`: only the exact trailing slash.
    End,
}

/// A parsed `routerAdd` pattern.
#[derive(Debug, Clone)]
pub struct Pattern {
    segs: Vec<Seg>,
    trailing_slash: bool,
}

impl Pattern {
    pub fn parse(path: &str) -> Pattern {
        let trailing_slash = path.ends_with('/') && path.len() > 1;
        let segs = path
            .trim_start_matches('/')
            .split('/')
            .filter(|s| !s.is_empty())
            .map(|s| {
                if s == "{$}" {
                    Seg::End
                } else if let Some(inner) = s.strip_prefix('{').and_then(|r| r.strip_suffix('}')) {
                    match inner.strip_suffix("...") {
                        Some(n) => Seg::Rest(n.to_string()),
                        None => Seg::Param(inner.to_string()),
                    }
                } else {
                    Seg::Lit(s.to_string())
                }
            })
            .collect();
        Pattern {
            segs,
            trailing_slash,
        }
    }

    /// The path values when `path` matches.
    pub fn matches(&self, path: &str) -> Option<Map<String, Value>> {
        let parts: Vec<&str> = path.trim_start_matches('/').split('/').collect();
        let parts: Vec<&str> = if parts == [""] { Vec::new() } else { parts };
        let mut vals = Map::new();
        let mut i = 0;
        for seg in &self.segs {
            match seg {
                Seg::Lit(l) => {
                    if parts.get(i).map(|p| decode(p)).as_deref() != Some(l.as_str()) {
                        return None;
                    }
                    i += 1;
                }
                Seg::Param(n) => {
                    let p = parts.get(i).filter(|p| !p.is_empty())?;
                    vals.insert(n.clone(), Value::String(decode(p).into_owned()));
                    i += 1;
                }
                Seg::Rest(n) => {
                    let rest = parts[i.min(parts.len())..].join("/");
                    vals.insert(n.clone(), Value::String(decode(&rest).into_owned()));
                    return Some(vals);
                }
                Seg::End => {
                    return (i == parts.len().saturating_sub(1) && parts.last() == Some(&""))
                        .then_some(vals);
                }
            }
        }
        if self.trailing_slash {
            // "/x/" matches "/x/" and everything under it
            return (parts.len() >= i).then_some(vals);
        }
        (i == parts.len()).then_some(vals)
    }

    /// Higher is more specific (literal segments first, catch-alls last).
    pub fn score(&self) -> i32 {
        self.segs
            .iter()
            .map(|s| match s {
                Seg::Lit(_) | Seg::End => 100,
                Seg::Param(_) => 10,
                Seg::Rest(_) => 1,
            })
            .sum()
    }
}

fn decode(s: &str) -> std::borrow::Cow<'_, str> {
    if !s.contains('%') {
        return std::borrow::Cow::Borrowed(s);
    }
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            if let Ok(b) = u8::from_str_radix(&s[i + 1..i + 3], 16) {
                out.push(b);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    std::borrow::Cow::Owned(String::from_utf8_lossy(&out).into_owned())
}

thread_local! {
    /// The built-in route a `routerUse` chain wraps: run by the innermost `e.next()`.
    static INNER: RefCell<Option<InnerRoute>> = const { RefCell::new(None) };
}

struct InnerRoute {
    next: Option<(Next, Request)>,
    handle: tokio::runtime::Handle,
    response: Option<Response>,
}

/// `e.next()` at the end of a `routerUse` chain: runs the built-in route; answers its status.
pub fn route_next() -> Result<Value, String> {
    INNER.with(|slot| {
        let mut slot = slot.borrow_mut();
        let inner = slot.as_mut().ok_or("no route to continue")?;
        let (next, req) = inner.next.take().ok_or("the route already ran")?;
        let handle = inner.handle.clone();
        let res = super::ops::blocking(|| handle.block_on(next.run(req)));
        let status = res.status().as_u16();
        inner.response = Some(res);
        Ok(json!({ "status": status }))
    })
}

/// The JS routes of `pb_hooks` for the API router (see `http::router_with`).
pub fn wrap(vm: Jsvm) -> Arc<dyn Intercept> {
    Arc::new(JsRoutes(vm))
}

struct JsRoutes(Jsvm);

impl Intercept for JsRoutes {
    /// Runs for every request (after auth loading): takes `/api/crons`, the JS routes and, while a
    /// `routerUse` middleware exists, every other route (the middleware then reaches it through `next`).
    fn intercept(
        &self,
        req: Request,
        next: Next,
    ) -> Result<BoxFuture<'static, Response>, (Request, Next)> {
        let vm = &self.0;
        let path = req.uri().path();
        if path == "/api/crons" || path.starts_with("/api/crons/") {
            let requester = req.extensions().get::<Requester>().cloned().flatten();
            let res = crons(vm, requester, req.method(), path);
            return Ok(Box::pin(std::future::ready(res)));
        }
        let gen = vm.current();
        let plan = match gen.find_route(req.method().as_str(), path) {
            Some((r, values)) => Plan {
                chain_id: r.chain_id,
                chain: r.chain.clone(),
                builtin: false,
                values: Some(values),
                pace: r.pace.clone(),
            },
            None if !gen.uses.is_empty() => Plan {
                chain_id: gen.routes.len() as u32,
                chain: gen.uses_chain.clone(),
                builtin: true,
                values: None,
                pace: gen.uses_pace.clone(),
            },
            None => return Err((req, next)),
        };
        let pool = gen.pool.clone();
        Ok(Box::pin(run_route(vm.app().clone(), pool, plan, req, next)))
    }
}

/// What `JsRoutes::intercept` found for a request, from one generation.
struct Plan {
    chain_id: u32,
    chain: Arc<str>,
    /// The chain is the `routerUse` middlewares in front of a built-in route.
    builtin: bool,
    values: Option<Map<String, Value>>,
    pace: Arc<Pace>,
}

/// Answers a request taken by `JsRoutes::intercept`.
async fn run_route(
    app: crate::app::App,
    pool: Arc<super::Pool>,
    plan: Plan,
    req: Request,
    next: Next,
) -> Response {
    let Plan {
        chain_id,
        chain,
        builtin,
        values,
        pace,
    } = plan;
    let path = req.uri().path().to_string();
    let (mut parts, body) = req.into_parts();
    let parts_method = parts.method.clone();
    let bytes = match to_bytes(body, BODY_LIMIT).await {
        Ok(b) => b,
        Err(_) => {
            return error_response(AppError::Api {
                status: 413,
                message: "Request entity too large.".into(),
                data: json!({}),
            })
        }
    };
    let ctype = parts
        .headers
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    let multipart = match super::files::parse_multipart(&ctype, bytes.clone()).await {
        Some(mp) => {
            let form: Map<String, Value> = mp["form"]
                .as_object()
                .map(|m| m.iter().map(|(k, v)| (k.clone(), v[0].clone())).collect())
                .unwrap_or_default();
            let body: Map<String, Value> = form
                .iter()
                .map(|(k, v)| {
                    let text = v.as_str().unwrap_or("");
                    (k.clone(), crate::model::record_body::infer_form_value(text))
                })
                .collect();
            Some((Value::Object(form), Value::Object(body), mp))
        }
        None => None,
    };
    let remote = parts
        .extensions
        .get::<axum::extract::ConnectInfo<SocketAddr>>()
        .map(|c| c.0);
    let raw_query = parts.uri.query().unwrap_or("").to_string();
    let requester = parts.extensions.get::<Requester>().cloned().flatten();
    let body_text = String::from_utf8_lossy(&bytes).into_owned();
    // the built-in route behind the chain gets the request back; otherwise the headers move over
    let headers = if builtin {
        parts.headers.clone()
    } else {
        std::mem::take(&mut parts.headers)
    };
    let request = RouteRequest {
        app,
        remote,
        headers,
        raw_query,
        body_text,
        ctype,
        requester,
        path_values: values.unwrap_or_default(),
        multipart,
    };
    let inner = builtin.then(|| (next, Request::from_parts(parts, Body::from(bytes))));
    // The chain runs right here on the async worker: most handlers are short, and a hop to another
    // thread would cost more than they do. Natives that may wait hand the worker's other tasks off
    // first (`ops::may_block`); a route that once ran long (CPU-bound JS) leaves the worker before
    // each later call.
    INNER.with(|s| {
        *s.borrow_mut() = Some(InnerRoute {
            next: inner,
            handle: tokio::runtime::Handle::current(),
            response: None,
        })
    });
    let request = Rc::new(request);
    let outer = ROUTE_REQUEST.with(|r| r.replace(Some(request.clone())));
    // the scalars every request event reads; the rest loads on demand (`request_part`)
    let call = super::engine::RouteCall {
        id: chain_id,
        chain: &chain,
        builtin,
        auth: request.requester.is_some(),
        method: parts_method.as_str(),
        path: &path,
        raw_query: &request.raw_query,
        body: &request.body_text,
    };
    let out = if pace.is_slow() {
        super::ops::blocking(|| pool.dispatch_route(&call))
    } else {
        pace.time(|| pool.dispatch_route(&call))
    };
    ROUTE_REQUEST.with(|r| r.replace(outer));
    let inner_res = INNER
        .with(|s| s.borrow_mut().take())
        .and_then(|i| i.response);
    let out = match out {
        Ok(v) => v,
        Err(e) => {
            tracing::error!(target: "jsvm", "route handler failed: {e}");
            return error_response(AppError::bad_request(
                "Something went wrong while processing your request.",
            ));
        }
    };
    // errors kept for JS live in this thread: decode them here
    let err = out.error.as_ref().map(super::hooks::decode_error);
    build_response(out, err, inner_res)
}

/// Whether a JS route's calls run on the async worker (fast, the default) or leave it first (slow: a
/// call once took more CPU time than [`SLOW_ROUTE`]). Reading a thread's CPU clock is a system call, so
/// a call is timed by the wall clock and only a call after a long one reads the CPU clock as well: a
/// CPU-bound route turns slow on its second call, a fast one that was preempted stays fast.
#[derive(Debug, Default)]
pub struct Pace(AtomicU8);

const PACE_FAST: u8 = 0;
const PACE_SUSPECT: u8 = 1;
const PACE_SLOW: u8 = 2;

impl Pace {
    pub fn is_slow(&self) -> bool {
        self.0.load(Ordering::Relaxed) == PACE_SLOW
    }

    /// Runs one call on this thread, timing it.
    fn time<R>(&self, f: impl FnOnce() -> R) -> R {
        if self.0.load(Ordering::Relaxed) == PACE_SUSPECT {
            let cpu = cpu_time::ThreadTime::now();
            let out = f();
            let next = if cpu.elapsed() > SLOW_ROUTE {
                PACE_SLOW
            } else {
                PACE_FAST
            };
            self.0.store(next, Ordering::Relaxed);
            return out;
        }
        let wall = std::time::Instant::now();
        let out = f();
        if wall.elapsed() > SLOW_ROUTE {
            let _ = self.0.compare_exchange(
                PACE_FAST,
                PACE_SUSPECT,
                Ordering::Relaxed,
                Ordering::Relaxed,
            );
        }
        out
    }
}

fn error_response(e: AppError) -> Response {
    crate::http::error::ApiError::from(e).into_response()
}

fn build_response(
    out: super::engine::RouteOut,
    err: Option<AppError>,
    inner: Option<Response>,
) -> Response {
    let written = out.written;
    let headers = out.headers;
    let mut res = match (err, inner) {
        (Some(err), _) if !written => error_response(err),
        (_, Some(inner)) if !written => inner,
        _ => {
            let status = if written && out.status > 0 {
                out.status
            } else {
                200
            };
            let mut r = Response::new(Body::from(out.body));
            *r.status_mut() = StatusCode::from_u16(status).unwrap_or(StatusCode::OK);
            r
        }
    };
    let h = res.headers_mut();
    for (k, v) in headers {
        if let (Ok(name), Ok(val)) = (HeaderName::try_from(k.as_str()), HeaderValue::from_str(&v)) {
            if name == "set-cookie" {
                h.append(name, val);
            } else {
                h.insert(name, val);
            }
        }
    }
    res
}

thread_local! {
    /// The request of the JS route running on this thread: its parts load on demand (`request_part`).
    static ROUTE_REQUEST: RefCell<Option<Rc<RouteRequest>>> = const { RefCell::new(None) };
}

/// What a JS route's request event can ask for besides the scalars it gets up front.
struct RouteRequest {
    app: crate::app::App,
    remote: Option<SocketAddr>,
    headers: axum::http::HeaderMap,
    raw_query: String,
    body_text: String,
    ctype: String,
    requester: Option<crate::services::auth_state::AuthState>,
    path_values: Map<String, Value>,
    /// A multipart body: the form (first values), the body (values inferred as PocketBase does) and
    /// the parsed parts with their files.
    multipart: Option<(Value, Value, Value)>,
}

impl RouteRequest {
    fn urlencoded(&self) -> bool {
        self.ctype.starts_with("application/x-www-form-urlencoded")
    }

    fn form_map(&self) -> Value {
        let mut m = Map::new();
        for (k, v) in
            serde_urlencoded::from_str::<Vec<(String, String)>>(&self.body_text).unwrap_or_default()
        {
            m.entry(k)
                .or_insert_with(|| crate::model::record_body::infer_form_value(&v));
        }
        Value::Object(m)
    }

    fn part(&self, name: &str) -> Value {
        match name {
            "headers" => {
                let mut headers: Map<String, Value> = Map::new();
                for (k, v) in &self.headers {
                    let val = Value::String(v.to_str().unwrap_or("").to_string());
                    match headers.get_mut(k.as_str()) {
                        Some(Value::Array(a)) => a.push(val),
                        _ => {
                            headers.insert(k.as_str().to_string(), json!([val]));
                        }
                    }
                }
                Value::Object(headers)
            }
            "query" => {
                let mut query: Map<String, Value> = Map::new();
                for (k, v) in serde_urlencoded::from_str::<Vec<(String, String)>>(&self.raw_query)
                    .unwrap_or_default()
                {
                    match query.get_mut(&k) {
                        Some(Value::Array(a)) => a.push(Value::String(v)),
                        _ => {
                            query.insert(k, json!([v]));
                        }
                    }
                }
                Value::Object(query)
            }
            "cookies" => {
                let mut cookies = Map::new();
                for c in self.headers.get_all("cookie") {
                    for pair in c.to_str().unwrap_or("").split(';') {
                        if let Some((k, v)) = pair.trim().split_once('=') {
                            cookies.insert(k.to_string(), Value::String(v.to_string()));
                        }
                    }
                }
                Value::Object(cookies)
            }
            "pathValues" => Value::Object(self.path_values.clone()),
            "body" => match &self.multipart {
                Some((_, body, _)) => body.clone(),
                None if self.urlencoded() => self.form_map(),
                None => serde_json::from_str::<Value>(&self.body_text)
                    .ok()
                    .filter(Value::is_object)
                    .unwrap_or_else(|| json!({})),
            },
            "form" => match &self.multipart {
                Some((form, _, _)) => form.clone(),
                None if self.urlencoded() => self.form_map(),
                None => Value::Null,
            },
            "multipart" => self
                .multipart
                .as_ref()
                .map(|m| m.2.clone())
                .unwrap_or(Value::Null),
            "auth" => self
                .requester
                .as_ref()
                .map(|a| super::bridge::record_out(&a.collection, &a.record))
                .unwrap_or(Value::Null),
            _ => Value::Null,
        }
    }
}

/// A part of the running JS route's request for JS (`null` outside a route): the plain parts as JS
/// values, the ones that may hold records (body, multipart, auth) as tagged JSON text.
pub fn request_part<'js>(ctx: Ctx<'js>, name: String) -> rquickjs::Result<JsValue<'js>> {
    let Some(req) = ROUTE_REQUEST.with(|r| r.borrow().clone()) else {
        return Ok(JsValue::new_null(ctx));
    };
    let text = |s: &str| rquickjs::String::from_str(ctx.clone(), s).map(|s| s.into_value());
    match name.as_str() {
        "host" => text(
            req.headers
                .get("host")
                .and_then(|v| v.to_str().ok())
                .unwrap_or(""),
        ),
        "remoteAddr" => text(&req.remote.map(|r| r.to_string()).unwrap_or_default()),
        "remoteIP" => text(&req.remote.map(|r| r.ip().to_string()).unwrap_or_default()),
        "realIP" => text(&crate::http::middleware::real_ip(
            &req.app,
            &req.headers,
            req.remote.map(|r| r.ip()),
        )),
        "query" => query_js(&ctx, &req.raw_query),
        "headers" | "cookies" | "pathValues" | "form" => to_js(&ctx, &req.part(&name)),
        _ => text(&super::ops::tag_marked(req.part(&name).to_string())),
    }
}

/// The query string as a JS object of value lists (as `part("query")`, built without the JSON step).
fn query_js<'js>(ctx: &Ctx<'js>, raw: &str) -> rquickjs::Result<JsValue<'js>> {
    // grouped by key on the Rust side: a JS lookup would see inherited names (`toString`, …)
    let mut groups: indexmap::IndexMap<_, Vec<_>> = indexmap::IndexMap::new();
    for (k, v) in form_urlencoded::parse(raw.as_bytes()) {
        groups.entry(k).or_default().push(v);
    }
    let out = rquickjs::Object::new(ctx.clone())?;
    for (k, values) in groups {
        let list = rquickjs::Array::new(ctx.clone())?;
        for (i, v) in values.iter().enumerate() {
            list.set(i, &**v)?;
        }
        out.set(&*k, list)?;
    }
    Ok(out.into_value())
}

/// Plain JSON data as a JS value.
fn to_js<'js>(ctx: &Ctx<'js>, v: &Value) -> rquickjs::Result<JsValue<'js>> {
    Ok(match v {
        Value::Null => JsValue::new_null(ctx.clone()),
        Value::Bool(b) => JsValue::new_bool(ctx.clone(), *b),
        Value::Number(n) => match n.as_i64().and_then(|i| i32::try_from(i).ok()) {
            Some(i) => JsValue::new_int(ctx.clone(), i),
            None => JsValue::new_float(ctx.clone(), n.as_f64().unwrap_or(0.0)),
        },
        Value::String(s) => rquickjs::String::from_str(ctx.clone(), s)?.into_value(),
        Value::Array(items) => {
            let a = rquickjs::Array::new(ctx.clone())?;
            for (i, x) in items.iter().enumerate() {
                a.set(i, to_js(ctx, x)?)?;
            }
            a.into_value()
        }
        Value::Object(m) => {
            let o = rquickjs::Object::new(ctx.clone())?;
            for (k, x) in m {
                o.set(k.as_str(), to_js(ctx, x)?)?;
            }
            o.into_value()
        }
    })
}

/// `GET /api/crons` and `POST /api/crons/{id}` (superusers only).
fn crons(
    vm: &Jsvm,
    requester: Option<crate::services::auth_state::AuthState>,
    method: &Method,
    path: &str,
) -> Response {
    match requester {
        None => {
            return error_response(AppError::Unauthorized(
                "The request requires valid record authorization token.".into(),
            ))
        }
        Some(a) if !a.is_superuser() => {
            return error_response(AppError::Forbidden(
                "The authorized record is not allowed to perform this action.".into(),
            ))
        }
        _ => {}
    }
    let gen = vm.current();
    match (method, path.strip_prefix("/api/crons/")) {
        (&Method::GET, None) => axum::Json(gen.shared().crons.list_json()).into_response(),
        (&Method::POST, Some(id)) if !id.is_empty() && !id.contains('/') => {
            if gen.shared().crons.get(id).is_none() {
                return error_response(AppError::not_found());
            }
            let vm2 = vm.clone();
            let id = id.to_string();
            tokio::task::spawn_blocking(move || vm2.run_cron(&id));
            StatusCode::NO_CONTENT.into_response()
        }
        _ => error_response(AppError::not_found()),
    }
}

#[cfg(test)]
mod tests {
    use super::Pattern;

    #[test]
    fn go_patterns() {
        let p = Pattern::parse("/api/hello/{name}");
        assert_eq!(p.matches("/api/hello/a%20b").unwrap()["name"], "a b");
        assert!(p.matches("/api/hello").is_none());
        assert!(p.matches("/api/hello/a/b").is_none());
        let r = Pattern::parse("/files/{path...}");
        assert_eq!(r.matches("/files/a/b/c.txt").unwrap()["path"], "a/b/c.txt");
        let e = Pattern::parse("/x/{$}");
        assert!(e.matches("/x/").is_some());
        assert!(e.matches("/x/y").is_none());
    }
}
