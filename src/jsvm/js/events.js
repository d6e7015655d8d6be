// Running handlers: the request event of routes and middlewares, hook events, error encoding.
// Entry points the Rust side calls in an executor: `__dispatch(kind, spec, stateJson)` (eager hook events,
// plain callbacks), `__dispatchLazy` (hook events without a request part) and `__dispatchRoute` (JS routes).
(function (g) {
  "use strict";
  const call = g.__call;
  const enc = g.__enc;
  const revive = g.__revive;
  const toStr = g.__toStr;
  const encJson = g.__encJson;
  const opFail = g.__opFail;
  // e.next() of a lazy event the handler never read: no state either way, no JSON
  const nextBare = g.__fbNextBare;
  delete g.__fbNextBare;
  const reqPart = g.__fbRequestPart;
  delete g.__fbRequestPart;
  const shapeJsonOf = g.__fbShape;
  delete g.__fbShape;
  const fns = [];
  // the per-request objects of a route are made with `create` and a field or two: a constructor call
  // costs a frame on top
  const create = Object.create;
  // Shape keepers. QuickJS shares an object layout ("shape": prototype + property names) between
  // objects only while some object has it: when a request's objects are freed, the layouts they went
  // through are freed too, and the next request builds every one again, property by property (a copy
  // and a resize each time). An object per step of the usual sequences stays alive here, so that adding
  // a property to a per-request object finds the next layout ready.
  const keepers = [];
  function keepShapes(proto, keys) {
    for (let n = 0; n <= keys.length; n++) {
      const o = create(proto);
      for (let i = 0; i < n; i++) o[keys[i]] = undefined;
      keepers.push(o);
    }
  }

  function compile(i) {
    if (!fns[i]) {
      const src = g.__handlerSources[i];
      // handlers are compiled from their source text: they never see the loader's top-level bindings
      fns[i] = (0, eval)("(" + src + ")");
      if (typeof fns[i] !== "function") throw new TypeError("handler " + i + " is not a function");
    }
    return fns[i];
  }
  function chainEntry(spec) {
    if (spec.native) return g.$apis[spec.native](...(spec.args || []));
    return compile(spec.handler);
  }

  // ---------- errors ----------
  function encodeError(err) {
    if (err && err.__inner) err = err.__inner;
    if (err && err.__api) return { api: true, status: err.status, message: err.message, data: err.data };
    if (err && err.__eid !== undefined) return { eid: err.__eid };
    if (err && err.__status) return { status: err.__status, message: String(err.message) };
    let text;
    try {
      text = err instanceof Error ? String(err) + (err.stack ? "\n" + err.stack : "") : typeof err === "string" ? err : JSON.stringify(err);
    } catch (_) { text = String(err); }
    return { plain: text };
  }
  function wrapInner(err) {
    if (err instanceof g.GoError && err.__eid !== undefined) return err;
    const msg = err && err.__api ? err.message : err instanceof Error ? err.message : String(err);
    const w = new g.GoError(msg);
    w.__inner = err;
    return w;
  }
  function isApiError(v) { return v && typeof v === "object" && v.__api === true; }

  // ---------- promises and timers (Ferrobase: async handlers really await; setTimeout works) ----------
  const timers = [];
  let timerSeq = 0;
  g.setTimeout = (fn, ms, ...args) => {
    const id = ++timerSeq;
    timers.push({ id: id, at: Date.now() + Math.max(0, Number(ms) || 0), fn: fn, args: args });
    return id;
  };
  g.clearTimeout = (id) => {
    const i = timers.findIndex((t) => t.id === id);
    if (i >= 0) timers.splice(i, 1);
  };
  // runs the next due timer (waiting for it); false when none is queued
  function runNextTimer() {
    if (!timers.length) return false;
    timers.sort((a, b) => a.at - b.at);
    const t = timers.shift();
    const wait = t.at - Date.now();
    if (wait > 0) g.sleep(wait);
    if (typeof t.fn === "function") t.fn(...t.args);
    call("drainJobs");
    return true;
  }
  function settle(v) {
    if (v && typeof v.then === "function") {
      let done = false, failed = false, value, error;
      v.then((r) => { done = true; value = r; }, (e) => { done = true; failed = true; error = e; });
      call("drainJobs");
      while (!done) {
        if (!runNextTimer()) break;
      }
      if (!done) throw new g.GoError("the handler's promise never settled");
      if (failed) throw error;
      v = value;
    }
    // the call ends once its pending timers ran
    while (runNextTimer()) {}
    return v;
  }

  // ---------- the request event ----------
  // Classes with prototype methods: a request builds a handful of small objects, not a closure per method.
  const lower = (k) => String(k).toLowerCase();
  class HeaderMap {
    constructor(map) { this.__m = map; }
    get(k) { const v = this.__m[lower(k)]; return v && v.length ? v[0] : ""; }
    values(k) { return this.__m[lower(k)] || []; }
    has(k) { return !!this.__m[lower(k)]; }
  }
  class UrlQuery {
    constructor(q) { this.__q = q; }
    get(k) { const v = this.__q[k]; return v && v.length ? v[0] : ""; }
    has(k) { return this.__q[k] !== undefined; }
    values() { return this.__q; }
  }
  const uri = (st) => st.path + (st.rawQuery ? "?" + st.rawQuery : "");
  // Per-request objects hold only their state (`__st`); their fields are prototype accessors, so making
  // one is a single property write (a field a handler assigns becomes the object's own).
  const fields = (cls, names) => {
    for (const k of Object.keys(names)) {
      const read = names[k];
      const slot = "__own_" + k;
      Object.defineProperty(cls.prototype, k, {
        get() { return slot in this ? this[slot] : read(this.__st); },
        set(v) { this[slot] = v; },
        configurable: true,
      });
    }
  };
  class RequestUrl {
    // like Go's URL of a server request: no scheme and no host (those are on the request)
    constructor(st) { this.__st = st; }
    query() { const q = create(UrlQuery.prototype); q.__q = this.__st.query; return q; }
    string() { return uri(this.__st); }
    toString() { return uri(this.__st); }
  }
  fields(RequestUrl, { path: (st) => st.path, rawQuery: (st) => st.rawQuery, scheme: () => "", host: () => "" });
  class BodyReader {
    constructor(st) { this.__st = st; this.__reader = true; }
    __text() { this.__st.bodyRead = true; return this.__st.bodyText; }
  }
  class Request {
    constructor(st) { this.__st = st; }
    get host() { return this.__st.host; }
    set host(v) { this.__st.host = v; }
    get remoteAddr() { return this.__st.remoteAddr; }
    set remoteAddr(v) { this.__st.remoteAddr = v; }
    get url() {
      let u = this.__url;
      if (!u) { u = this.__url = create(RequestUrl.prototype); u.__st = this.__st; }
      return u;
    }
    get header() { return this.__header || (this.__header = new HeaderMap(this.__st.headers)); }
    get body() { return this.__body || (this.__body = new BodyReader(this.__st)); }
    pathValue(k) { const v = this.__st.pathValues[k]; return v === undefined ? "" : v; }
    setPathValue(k, v) { this.__st.pathValues[k] = toStr(v); }
    cookie(name) {
      const c = this.__st.cookies[name];
      if (c === undefined) throw new g.GoError("http: named cookie not present");
      return { name: name, value: c };
    }
    cookies() { const c = this.__st.cookies; return Object.keys(c).map((k) => ({ name: k, value: c[k] })); }
    formFile(k) { return g.__formFile(this.__st, k); }
    formValue(k) {
      const st = this.__st;
      const b = st.form || {};
      return b[k] === undefined ? (st.query[k] ? st.query[k][0] : "") : String(b[k]);
    }
    userAgent() { return this.header.get("user-agent"); }
    referer() { return this.header.get("referer"); }
    context() { return {}; }
    __bodyLen() { return this.__st.bodyText.length; }
  }
  fields(Request, { method: (st) => st.method, requestURI: uri, contentLength: (st) => st.bodyText.length });
  class ResponseHeader {
    constructor(resp) { this.__r = resp; }
    set(k, v) { this.del(k); this.__r.headers.push([String(k), toStr(v)]); }
    add(k, v) { this.__r.headers.push([String(k), toStr(v)]); }
    get(k) { const n = lower(k); const h = this.__r.headers.find((h) => h[0].toLowerCase() === n); return h ? h[1] : ""; }
    del(k) { const n = lower(k); this.__r.headers = this.__r.headers.filter((h) => h[0].toLowerCase() !== n); }
    values(k) { const n = lower(k); return this.__r.headers.filter((h) => h[0].toLowerCase() === n).map((h) => h[1]); }
  }
  class Response {
    constructor(resp) { this.__r = resp; }
    header() { return new ResponseHeader(this.__r); }
    writeHeader(status) { this.__r.status = status; this.__r.written = true; }
    write(bytes) { const r = this.__r; r.body += typeof bytes === "string" ? bytes : g.toString(bytes); r.written = true; return bytes.length; }
  }
  class RequestEvent {
    constructor(st) {
      this.__st = st;
      this.app = g.$app;
    }
    get auth() { return "__auth" in this ? this.__auth : (this.__auth = this.__st.auth || null); }
    set auth(v) { this.__auth = v; }
    get request() {
      let r = this.__request;
      if (!r) { r = this.__request = create(Request.prototype); r.__st = this.__st; }
      return r;
    }
    set request(v) { this.__request = v; }
    get response() { return this.__response || (this.__response = new Response(this.__st.response)); }
    set response(v) { this.__response = v; }
    __write(status, type, body) {
      const resp = this.__st.response;
      if (resp.written) return;
      const n = typeof status === "number" ? status : Number(status);
      resp.status = ((n | 0) === n ? n : Math.trunc(n)) || 200;
      if (type) {
        if (resp.__route === true && resp.__h === undefined) {
          // a route's first header: no list to filter
          resp.__h = [["Content-Type", type]];
        } else {
          resp.headers = resp.headers.filter((h) => h[0].toLowerCase() !== "content-type");
          resp.headers.push(["Content-Type", type]);
        }
      }
      resp.body = body;
      resp.written = true;
    }
    json(status, data) { this.__write(status, "application/json", encJson(data)); }
    string(status, text) { this.__write(status, "text/plain; charset=utf-8", toStr(text)); }
    html(status, text) { this.__write(status, "text/html; charset=utf-8", toStr(text)); }
    xml(status, data) { this.__write(status, "application/xml; charset=utf-8", '<?xml version="1.0" encoding="UTF-8"?>\n' + (typeof data === "string" ? data : "")); }
    blob(status, type, bytes) { this.__write(status, toStr(type), g.toString(bytes)); }
    noContent(status) { this.__write(status, "", ""); }
    redirect(status, url) {
      status = Math.trunc(Number(status));
      if (status < 300 || status > 399) throw new g.InternalServerError("Invalid redirect status code.");
      this.response.header().set("Location", toStr(url));
      this.__write(status, "", "");
    }
    stream(status, type, reader) { this.__write(status, toStr(type), g.toString(reader)); }
    bindBody(dst) {
      const st = this.__st;
      if (st.bodyRead && !st.bodyRestored) throw new g.BadRequestError("EOF");
      const body = st.body || {};
      if (dst instanceof g.DynamicModel) {
        for (const k of Object.keys(dst.__shape)) {
          if (body[k] === undefined) continue;
          const kind = g.DynamicModel.__kind(dst.__shape[k]);
          const v = body[k];
          const bad = (kind === "string" && typeof v !== "string") || ((kind === "int" || kind === "float") && typeof v !== "number") || (kind === "bool" && typeof v !== "boolean") || (kind === "array" && !Array.isArray(v));
          if (bad) throw new g.GoError("json: cannot unmarshal " + typeof v + " into Go struct field ." + k);
        }
        dst.__fill(Object.assign(dst.__values(), body));
        return;
      }
      if (dst instanceof g.Record) { dst.load(body); return; }
      if (dst && typeof dst === "object" && !Object.keys(dst).length && Object.getPrototypeOf(dst) === Object.prototype) {
        throw new g.GoError("json: cannot unmarshal into Go map[string]interface {}: value must be passed as a non-nil pointer reference");
      }
      Object.assign(dst, body);
    }
    requestInfo() {
      const st = this.__st;
      st.bodyRestored = true;
      return new g.RequestInfo({ query: firstValues(st.query, false), headers: firstValues(st.headers, true), body: st.body || {}, auth: st.auth || null, method: st.method, context: st.context || "default" });
    }
    hasSuperuserAuth() { const a = this.__st.auth; return !!(a && a.__cname === "_superusers"); }
    isTLS() { return false; }
    realIP() { return this.__st.realIP; }
    remoteIP() { return this.__st.remoteIP; }
    setCookie(c) {
      let s = c.name + "=" + c.value;
      if (c.path) s += "; Path=" + c.path;
      if (c.domain) s += "; Domain=" + c.domain;
      if (c.maxAge > 0) s += "; Max-Age=" + c.maxAge;
      if (c.maxAge < 0) s += "; Max-Age=0";
      if (c.httpOnly) s += "; HttpOnly";
      if (c.secure) s += "; Secure";
      if (c.sameSite === 2 || c.sameSite === "lax") s += "; SameSite=Lax";
      if (c.sameSite === 3 || c.sameSite === "strict") s += "; SameSite=Strict";
      if (c.sameSite === 4 || c.sameSite === "none") s += "; SameSite=None";
      this.response.header().add("Set-Cookie", s);
    }
    __storeMap() { const st = this.__st; return st.store || (st.store = {}); }
    get(k) { const v = this.__storeMap()[k]; return v === undefined ? null : v; }
    set(k, v) { this.__storeMap()[k] = v; }
    getAll() { return Object.assign({}, this.__storeMap()); }
    setAll(o) { Object.assign(this.__storeMap(), o || {}); }
    written() { return !!this.__st.response.written; }
    status() { return this.__st.response.status || 0; }
    flush() {}
    findUploadedFiles(key) { return g.__findUploadedFiles(this.__st, key); }
    badRequestError(m, d) { return new g.BadRequestError(m, d); }
    notFoundError(m, d) { return new g.NotFoundError(m, d); }
    forbiddenError(m, d) { return new g.ForbiddenError(m, d); }
    unauthorizedError(m, d) { return new g.UnauthorizedError(m, d); }
    tooManyRequestsError(m, d) { return new g.TooManyRequestsError(m, d); }
    internalServerError(m, d) { return new g.InternalServerError(m, d); }
    error(s, m, d) { return new g.ApiError(s, m, d); }
    __authInfo() { return { auth: this.__st.auth || null }; }
    // the end of a chain: a handler without a middleware after it continues to nothing
    next() { return undefined; }
  }
  function makeRequestEvent(st) {
    return new RequestEvent(st);
  }
  function firstValues(map, headerKeys) {
    const out = {};
    for (const k of Object.keys(map)) {
      const key = headerKeys ? k.toLowerCase().replace(/-/g, "_") : k;
      if (out[key] === undefined) out[key] = map[k][0];
    }
    return out;
  }

  // Runs the chain from entry `run.i` on. No closure here refers to itself: the per-request objects
  // form no reference cycle, so refcounting frees them when the call ends (a cycle would keep the
  // whole event alive until the next garbage collection, and make that collection slow).
  function runChain(entries, e, last) {
    stepChain(entries, e, last, { i: 0 });
  }
  function stepChain(entries, e, last, run) {
    const idx = run.i++;
    if (idx < entries.length) {
      let called = false;
      const outerNext = e.next;
      e.next = () => {
        if (called) return undefined;
        called = true;
        try {
          stepChain(entries, e, last, run);
        } catch (err) {
          throw wrapInner(err);
        } finally {
          e.next = outerNext;
        }
        return undefined;
      };
      let r;
      try {
        const h = entries[idx];
        r = settle(h(e));
      } finally {
        e.next = outerNext;
      }
      if (isApiError(r)) throw r;
      return;
    }
    if (last) last();
  }

  // The response of a JS route: nothing of its own until the handler writes (the headers list too).
  class RouteResponse {
    get headers() { return this.__h || (this.__h = []); }
    set headers(v) { this.__h = v; }
  }
  Object.assign(RouteResponse.prototype, { status: 0, body: "", written: false });
  // (a marker read through the prototype: cheaper than `instanceof`)
  Object.defineProperty(RouteResponse.prototype, "__route", { value: true });
  // The state of a JS route's request: the scalars come as arguments, the rest (headers, query, cookies,
  // parsed body, auth, …) is fetched from Rust on first use, so a handler pays only for what it reads.
  // (made by `dispatchRouteLazy`: method, path, rawQuery, bodyText, response, and `__auth` null
  // when the request has no auth)
  class RouteState {}
  RouteState.prototype.context = "default";
  for (const k of ["query", "headers", "cookies", "pathValues", "body", "form", "multipart", "auth", "host", "remoteAddr", "realIP", "remoteIP"]) {
    const slot = "__" + k;
    Object.defineProperty(RouteState.prototype, k, {
      get() {
        if (!(slot in this)) {
          const v = reqPart(k);
          // plain parts come as values; the ones that may hold records as tagged JSON text
          this[slot] = typeof v === "string" && k !== "host" && k !== "remoteAddr" && k !== "realIP" && k !== "remoteIP" ? g.__parseTagged(v) : v;
        }
        return this[slot];
      },
      set(v) { this[slot] = v; },
      configurable: true,
    });
  }
  // the usual sequences of a route's objects (see `keepShapes`)
  for (const auth of [["__auth"], []]) {
    keepShapes(RouteState.prototype, ["method", "path", "rawQuery", "bodyText", "response", ...auth, "__query", "__pathValues"]);
    keepShapes(RouteState.prototype, ["method", "path", "rawQuery", "bodyText", "response", ...auth, "__pathValues", "__query"]);
  }
  keepShapes(RouteResponse.prototype, ["status", "__h", "body", "written"]);
  keepShapes(RouteResponse.prototype, ["status", "body", "written"]);
  keepShapes(RequestEvent.prototype, ["__st", "app", "__request"]);
  keepShapes(Request.prototype, ["__st", "__url"]);
  keepShapes(RequestUrl.prototype, ["__st"]);
  keepShapes(UrlQuery.prototype, ["__q"]);
  // The chains of this runtime's generation by id, parsed and compiled on first use.
  const chains = [];
  function dispatchRouteLazy(id, chainJson, flags, method, path, rawQuery, bodyText) {
    const builtin = (flags & 1) !== 0;
    const st = create(RouteState.prototype);
    st.method = method;
    st.path = path;
    st.rawQuery = rawQuery;
    st.bodyText = bodyText;
    st.response = create(RouteResponse.prototype);
    if ((flags & 2) === 0) st.__auth = null;
    let out;
    let entries = chains[id];
    if (entries === undefined) {
      try {
        entries = chains[id] = JSON.parse(chainJson).map(chainEntry);
      } catch (err) {
        out = { error: encodeError(err) };
      }
    }
    if (out === undefined) out = dispatchRoute(entries, builtin, st);
    const r = st.response;
    const res = [typeof r.body === "string" ? r.body : toStr(r.body), r.status, !!r.written, out ? JSON.stringify(enc(out.error)) : ""];
    const hs = r.__h;
    if (hs) for (let i = 0; i < hs.length; i++) res.push(hs[i][0], hs[i][1]);
    return res;
  }
  Object.defineProperty(g, "__dispatchRoute", { value: dispatchRouteLazy });

  // A route (JS handler + middlewares) or a built-in route wrapped by routerUse middlewares: `undefined`
  // when it went through, else `{error}`.
  function dispatchRoute(entries, builtin, st) {
    const e = create(RequestEvent.prototype);
    e.__st = st;
    e.app = g.$app;
    if (entries.length === 1 && !builtin) {
      // a lone handler: no chain to step through (`e.next()` is the prototype's, continuing to nothing)
      const prevApp = g.$app;
      try {
        // a plain call: `this` is undefined, as with `.call(undefined, e)`, without the trampoline
        const h = entries[0];
        let r = h(e);
        if (r !== undefined || timers.length) r = settle(r);
        if (r !== undefined && isApiError(r)) throw r;
        return undefined;
      } catch (err) {
        return { error: encodeError(err) };
      } finally {
        g.$app = prevApp;
      }
    }
    let last = null;
    if (builtin) {
      last = () => {
        const r = call("routeNext");
        st.response.status = r.status;
        st.response.inner = true;
      };
    }
    const prevApp = g.$app;
    try {
      runChain(entries, e, last);
      return undefined;
    } catch (err) {
      return { error: encodeError(err) };
    } finally {
      g.$app = prevApp;
    }
  }

  // Takes the state after the chain back into the event's values: records keep their identity.
  function mergeBack(mutable, vals, out) {
    for (const k of mutable) {
      if (out[k] === undefined) continue;
      if (vals[k] instanceof g.Record && out[k] instanceof g.Record) Object.assign(vals[k], out[k]);
      else vals[k] = out[k];
    }
  }

  // One JS handler of a core hook: `e.next()` continues the Rust chain.
  function dispatchHook(spec, st) {
    let fn;
    try {
      fn = compile(spec.handler);
    } catch (err) {
      return { state: {}, called: false, error: encodeError(err) };
    }
    const mutable = st.__mutable || [];
    let e;
    if (st.__request) {
      e = makeRequestEvent(st.__request);
      e.requestEvent = makeRequestEvent(st.__request);
    } else {
      e = { app: g.$app };
    }
    for (const k of Object.keys(st)) if (!k.startsWith("__")) e[k] = st[k];
    if (st.__request) {
      e.auth = st.__request.auth || null;
    }
    if (st.__requestInfo) {
      e.requestInfo = new g.RequestInfo(st.__requestInfo);
    }
    const dump = () => { const o = {}; for (const k of mutable) o[k] = e[k] === undefined ? null : e[k]; return o; };
    let called = false;
    e.next = () => {
      if (called) return undefined;
      called = true;
      mergeBack(mutable, e, call("next", dump(), true));
      return undefined;
    };
    const prevApp = g.$app;
    try {
      const r = settle(fn(e));
      if (isApiError(r)) throw r;
      return { state: dump(), called: called };
    } catch (err) {
      return { state: dump(), called: called, error: encodeError(err) };
    } finally {
      g.$app = prevApp;
      // e.next refers to e: without this the event would live on as a reference cycle
      e.next = undefined;
    }
  }

  // ---------- lazy hook events ----------
  // An event without a request part (record/model/collection hooks) is an instance of a class made once
  // per event shape: its keys are prototype getters that fetch the state from Rust on first use, and
  // `next` is a prototype method. A handler that only calls `e.next()` moves no state and leaves no
  // garbage cycle behind (no closure per event).
  // the innermost lazy event being handled: `next` called detached (`const { next } = e`) continues it
  let curEv;
  function lazyNext(ev) {
    if (ev.__called) return undefined;
    ev.__called = true;
    const vals = ev.__vals;
    if (!vals) {
      const r = nextBare();
      if (r) opFail(r);
      return undefined;
    }
    mergeBack(ev.__mutable, vals, call("next", ev.__dump(), true));
    return undefined;
  }
  class LazyHookEvent {
    __load() {
      if (this.__vals === null) {
        const full = call("hookState");
        const v = {};
        for (const k of this.__keys) v[k] = full[k];
        this.__vals = v;
      }
      return this.__vals;
    }
    __dump() {
      const o = {};
      for (const k of this.__mutable) { const v = this.__vals[k]; o[k] = v === undefined ? null : v; }
      return o;
    }
    // a prototype method, not a bound function per event: a detached call has no `this` (strict mode)
    // and continues the innermost event being handled, which is the handler's own during its call
    next() { return lazyNext(this === undefined ? curEv : this); }
  }
  // an event starts with nothing loaded and `next` not called (prototype values until set)
  Object.assign(LazyHookEvent.prototype, { __vals: null, __called: false });
  // The prototype of the events of one shape: an event is `Object.create(proto)` plus its `app`, with
  // no constructor to run.
  const shapes = [];
  function shapeProto(shapeId) {
    const sh = JSON.parse(shapeJsonOf(shapeId));
    const P = Object.create(LazyHookEvent.prototype);
    Object.defineProperty(P, "__keys", { value: sh.keys });
    Object.defineProperty(P, "__mutable", { value: sh.mutable || [] });
    for (const k of sh.keys) {
      Object.defineProperty(P, k, {
        get() { return this.__load()[k]; },
        set(v) { this.__load()[k] = v; },
        enumerable: true,
        configurable: true,
      });
    }
    shapes[shapeId] = P;
    keepShapes(P, ["app", "__called"]);
    keepShapes(P, ["app", "__vals", "__called"]);
    return P;
  }
  // "" when there is nothing to report (the handler neither failed nor looked at the event)
  function dispatchLazy(handler, shapeId) {
    let e;
    try {
      // (the common cases inline: a compiled handler, a known shape, no returned value, no timers)
      const fn = fns[handler] || compile(handler);
      e = Object.create(shapes[shapeId] || shapeProto(shapeId));
      e.app = g.$app;
      const prevApp = g.$app;
      const prevEv = curEv;
      curEv = e;
      try {
        let r = fn(e);
        if (r !== undefined || timers.length) r = settle(r);
        if (r !== undefined && isApiError(r)) throw r;
      } finally {
        g.$app = prevApp;
        curEv = prevEv;
      }
      if (e.__vals === null) return "";
      return JSON.stringify(enc({ state: e.__dump(), called: e.__called }));
    } catch (err) {
      const vals = e && e.__vals;
      return JSON.stringify(enc({ state: vals ? e.__dump() : null, called: !!(e && e.__called), error: encodeError(err) }));
    }
  }
  Object.defineProperty(g, "__dispatchLazy", { value: dispatchLazy });

  // A cron job or any plain callback: no event.
  function dispatchPlain(spec) {
    try {
      const fn = spec.source !== undefined ? (0, eval)("(" + spec.source + ")") : compile(spec.handler);
      settle(fn());
      return {};
    } catch (err) {
      return { error: encodeError(err) };
    }
  }

  Object.defineProperty(g, "__dispatch", {
    value: (kind, specJson, stJson) => {
      const spec = JSON.parse(specJson);
      const st = g.__parseTagged(stJson);
      let out;
      if (kind === "hook") out = dispatchHook(spec, st);
      else out = dispatchPlain(spec);
      return JSON.stringify(enc(out));
    },
  });
  Object.defineProperty(g, "__encodeError", { value: encodeError });
})(globalThis);
