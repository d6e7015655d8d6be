// CommonJS `require` (local files, JSON, `node_modules`), `process`, `Buffer` and `util`: the Node-ish
// globals PocketBase hook files use. Relative specifiers resolve against the process working directory at
// the top level and against the requiring module's folder inside a module, as in PocketBase.
(function (g) {
  "use strict";
  const call = g.__call;
  const cache = {};
  function format(...args) {
    if (typeof args[0] === "string" && /%[sdifjoO%]/.test(args[0])) {
      let i = 1;
      const head = args[0].replace(/%([sdifjoO%])/g, (m, c) => {
        if (c === "%") return "%";
        if (i >= args.length) return m;
        const v = args[i++];
        if (c === "d" || c === "i") return String(Math.trunc(Number(v)));
        if (c === "f") return String(Number(v));
        if (c === "j" || c === "o" || c === "O") return JSON.stringify(v);
        return String(v);
      });
      return [head].concat(args.slice(i).map(String)).join(" ");
    }
    return args.map((a) => (typeof a === "object" && a !== null ? JSON.stringify(a) : String(a))).join(" ");
  }
  class Buffer extends Array {
    static from(v, encoding) {
      let bytes;
      if (typeof v === "string") bytes = call("decodeString", v, String(encoding || "utf8"));
      else bytes = Array.from(v || []);
      const b = new Buffer();
      for (const x of bytes) b.push(x & 255);
      return b;
    }
    static isBuffer(v) { return v instanceof Buffer; }
    static byteLength(s) { return Buffer.from(String(s)).length; }
    toString(encoding) { return call("encodeBytes", Array.from(this), String(encoding || "utf8")); }
    toJSON() { return { type: "Buffer", data: Array.from(this) }; }
  }
  const builtins = {
    util: { format: format, inspect: (v) => JSON.stringify(v) },
    buffer: { Buffer: Buffer },
    console: null,
    process: null,
  };
  function load(path) {
    if (cache[path]) return cache[path].exports;
    const src = call("readModule", path);
    const module = { exports: {}, id: path, filename: path, loaded: false };
    cache[path] = module;
    if (/\.json$/i.test(path)) {
      module.exports = JSON.parse(src);
      module.loaded = true;
      return module.exports;
    }
    const dir = path.slice(0, path.lastIndexOf("/")) || "/";
    const wrapper = (0, eval)("(function (exports, require, module, __filename, __dirname) {" + src + "\n})");
    wrapper.call(module.exports, module.exports, (s) => req(s, dir), module, path, dir);
    module.loaded = true;
    return module.exports;
  }
  function req(spec, base) {
    spec = String(spec);
    if (Object.prototype.hasOwnProperty.call(builtins, spec)) {
      if (spec === "console") return g.console;
      if (spec === "process") return g.process;
      return builtins[spec];
    }
    return load(call("resolveModule", spec, base));
  }
  g.require = (s) => req(s, null);
  g.Buffer = Buffer;
  g.process = { env: call("environ"), argv: call("args"), platform: "linux", cwd: () => call("getwd"), pid: 0 };
})(globalThis);
