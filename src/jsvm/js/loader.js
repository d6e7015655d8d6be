// Registration globals of the loader runtime: they record handlers as source text for the executors.
// `__hookNames` (set by Rust) lists every `on*` registrar.
(function (g) {
  "use strict";
  const regs = [];
  function source(fn, what) {
    if (fn === undefined || fn === null) throw new Error("[" + what + "] failed to wrap handler: handler must be non-nil");
    if (typeof fn === "string") return { source: fn };
    if (typeof fn !== "function") throw new Error("[" + what + "] failed to wrap handler: handler must be a function");
    if (fn.__native) return fn.__native;
    const src = Function.prototype.toString.call(fn);
    if (/\{\s*\[native code\]\s*\}\s*$/.test(src)) throw new Error("[" + what + "] failed to wrap handler: native functions cannot be used as handlers");
    return { source: src };
  }
  function middleware(m, what) {
    if (m instanceof g.Middleware) {
      const s = source(m.fn, what);
      s.priority = m.priority;
      s.id = m.id;
      return s;
    }
    return source(m, what);
  }
  g.routerAdd = function (method, path, handler, ...mws) {
    regs.push({
      kind: "route",
      method: String(method || "").toUpperCase(),
      path: String(path || ""),
      handler: source(handler, "routerAdd"),
      middlewares: mws.map((m) => middleware(m, "routerAdd")),
    });
  };
  g.routerUse = function (...mws) {
    for (const m of mws) regs.push({ kind: "use", middleware: middleware(m, "routerUse") });
  };
  g.routerPre = g.routerUse;
  g.cronAdd = function (id, expr, fn) {
    const err = g.__cronCheck(String(expr));
    if (err) throw new Error("[cronAdd] failed to register cron job " + id + ": " + err);
    regs.push({ kind: "cron", id: String(id), expr: String(expr), handler: source(fn, "cronAdd") });
  };
  g.cronRemove = function (id) {
    regs.push({ kind: "cronRemove", id: String(id) });
  };
  for (const name of g.__hookNames) {
    g[name] = function (handler, ...tags) {
      regs.push({ kind: "hook", hook: name, handler: source(handler, name), tags: tags.map(String) });
    };
  }
  Object.defineProperty(g, "__takeRegistrations", {
    value: () => {
      const out = JSON.stringify(regs);
      regs.length = 0;
      return out;
    },
  });
})(globalThis);
