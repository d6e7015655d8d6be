// `$template`: Go html/template syntax for hooks — `loadString(s).render(data)` and
// `loadFiles(...paths).render(data)` (the first file's top-level content runs; `{{define}}`s of every file
// are shared). Covers actions, pipelines, variables, if/else if/with/range (+ else, break, continue),
// define/template/block, trim markers, comments and the builtin functions, plus PocketBase's `raw`.
// Printed values are HTML-escaped as in text context; inside <script> they are JSON-encoded and unsafe
// URL schemes in href/src attributes become `#ZgotmplZ`, like html/template.
(function (g) {
  "use strict";
  const call = g.__call;

  function fail(name, line, msg) { throw new g.GoError("template: " + name + ":" + line + ": " + msg); }

  // ---------- lexing ----------
  const isSpace = (c) => c === " " || c === "\t" || c === "\r" || c === "\n";
  function lines(s) { let n = 0; for (let i = 0; i < s.length; i++) if (s[i] === "\n") n++; return n; }

  // Splits a source into text and action items ({t, v, line}).
  function split(src, name) {
    const items = [];
    let i = 0, line = 1, trimNext = false;
    while (i <= src.length) {
      const j = src.indexOf("{{", i);
      let text = src.slice(i, j < 0 ? src.length : j);
      if (trimNext) text = text.replace(/^[ \t\r\n]+/, "");
      if (j < 0) { if (text) items.push({ t: "text", v: text, line }); break; }
      let k = j + 2;
      if (src[k] === "-" && isSpace(src[k + 1] || "")) { text = text.replace(/[ \t\r\n]+$/, ""); k += 2; }
      if (text) items.push({ t: "text", v: text, line });
      line += lines(src.slice(i, j));
      // find the closing braces outside of quotes
      let q = null, end = -1;
      for (let p = k; p < src.length; p++) {
        const c = src[p];
        if (q) { if (c === "\\" && q !== "`") p++; else if (c === q) q = null; continue; }
        if (c === '"' || c === "`" || c === "'") { q = c; continue; }
        if (c === "}" && src[p + 1] === "}") { end = p; break; }
      }
      if (end < 0) fail(name, line, "unclosed action");
      let inner = src.slice(k, end);
      trimNext = false;
      if (inner.length >= 2 && inner[inner.length - 1] === "-" && isSpace(inner[inner.length - 2])) {
        inner = inner.slice(0, -2);
        trimNext = true;
      }
      const body = inner.trim();
      if (!(body.startsWith("/*") && body.endsWith("*/"))) items.push({ t: "action", v: inner, line });
      line += lines(src.slice(j, end));
      i = end + 2;
    }
    return items;
  }

  const WORD = /[A-Za-z0-9_]/;
  // Tokens of one action.
  function tokenize(s, name, line) {
    const out = [];
    let i = 0;
    while (i < s.length) {
      const c = s[i];
      if (isSpace(c)) { i++; continue; }
      if (c === '"' || c === "`") {
        let j = i + 1;
        while (j < s.length && s[j] !== c) { if (c === '"' && s[j] === "\\") j++; j++; }
        if (j >= s.length) fail(name, line, "unterminated quoted string");
        const raw = s.slice(i, j + 1);
        out.push({ k: "lit", v: c === "`" ? raw.slice(1, -1) : JSON.parse(raw.replace(/\\'/g, "'")) });
        i = j + 1;
        continue;
      }
      if (c === "'") {
        const j = s.indexOf("'", i + 1);
        if (j < 0) fail(name, line, "unterminated character constant");
        out.push({ k: "lit", v: s.slice(i + 1, j).codePointAt(0) || 0 });
        i = j + 1;
        continue;
      }
      if (c === "(" || c === ")" || c === "|" || c === ",") { out.push({ k: c }); i++; continue; }
      if (c === ":" && s[i + 1] === "=") { out.push({ k: ":=" }); i += 2; continue; }
      if (c === "=") { out.push({ k: "=" }); i++; continue; }
      if (c === "." && /[0-9]/.test(s[i + 1] || "")) {
        const m = /^\.[0-9]+([eE][-+]?[0-9]+)?/.exec(s.slice(i));
        out.push({ k: "lit", v: Number(m[0]) });
        i += m[0].length;
        continue;
      }
      if (c === "." && !WORD.test(s[i + 1] || "")) { out.push({ k: "dot" }); i++; continue; }
      if (c === "." || c === "$") {
        let j = i;
        let head = "";
        if (c === "$") { j = i + 1; while (j < s.length && WORD.test(s[j])) j++; head = s.slice(i, j); }
        const path = [];
        while (s[j] === "." && WORD.test(s[j + 1] || "")) {
          let e = j + 1;
          while (e < s.length && WORD.test(s[e])) e++;
          path.push(s.slice(j + 1, e));
          j = e;
        }
        out.push(c === "$" ? { k: "var", v: head, path } : { k: "field", path });
        i = j;
        continue;
      }
      const num = /^[-+]?(0x[0-9a-fA-F]+|[0-9]+(\.[0-9]*)?([eE][-+]?[0-9]+)?|\.[0-9]+)/.exec(s.slice(i));
      if (num && (c !== "-" && c !== "+" || /[0-9.]/.test(s[i + 1] || ""))) { out.push({ k: "lit", v: Number(num[0]) }); i += num[0].length; continue; }
      if (WORD.test(c)) {
        let j = i;
        while (j < s.length && WORD.test(s[j])) j++;
        const w = s.slice(i, j);
        if (w === "true" || w === "false") out.push({ k: "lit", v: w === "true" });
        else if (w === "nil") out.push({ k: "lit", v: null });
        else out.push({ k: "ident", v: w });
        i = j;
        continue;
      }
      fail(name, line, "unexpected " + JSON.stringify(c) + " in command");
    }
    return out;
  }

  // ---------- parsing ----------
  const KEYWORDS = { if: 1, else: 1, end: 1, range: 1, with: 1, define: 1, template: 1, block: 1, break: 1, continue: 1 };

  function Parser(items, name, defs) {
    this.items = items; this.pos = 0; this.name = name; this.defs = defs;
  }
  Parser.prototype.pipeline = function (toks, line, allowDecl) {
    let i = 0;
    const decl = [];
    let assign = false;
    if (toks.length > 1 && toks[0].k === "var" && !toks[0].path.length) {
      if (toks[1].k === ":=" || toks[1].k === "=") { decl.push(toks[0].v); assign = toks[1].k === "="; i = 2; }
      else if (allowDecl && toks[1].k === "," && toks[2] && toks[2].k === "var" && toks[3] && toks[3].k === ":=") { decl.push(toks[0].v, toks[2].v); i = 4; }
    }
    const cmds = [];
    let cur = [];
    const self = this;
    function term() {
      const t = toks[i++];
      let node;
      if (t.k === "(") {
        let depth = 1, j = i;
        while (j < toks.length && depth) { if (toks[j].k === "(") depth++; else if (toks[j].k === ")") depth--; j++; }
        if (depth) fail(self.name, line, "unclosed left paren");
        node = { t: "pipe", pipe: self.pipeline(toks.slice(i, j - 1), line, false) };
        i = j;
        if (toks[i] && toks[i].k === "field") node = { t: "chain", node, path: toks[i++].path };
        return node;
      }
      if (t.k === "lit") return { t: "lit", v: t.v };
      if (t.k === "dot") return { t: "dot" };
      if (t.k === "field") return { t: "field", path: t.path };
      if (t.k === "var") return { t: "var", name: t.v, path: t.path };
      if (t.k === "ident") {
        if (!FUNCS[t.v]) fail(self.name, line, 'function "' + t.v + '" not defined');
        return { t: "fn", name: t.v };
      }
      fail(self.name, line, "unexpected " + JSON.stringify(t.k) + " in operand");
    }
    while (i < toks.length) {
      if (toks[i].k === "|") { if (!cur.length) fail(this.name, line, "missing command"); cmds.push(cur); cur = []; i++; continue; }
      cur.push(term());
    }
    if (cur.length) cmds.push(cur);
    if (!cmds.length) fail(this.name, line, "missing value for command");
    return { decl, assign, cmds };
  };
  // Parses nodes until one of `stops` (else/end); returns {nodes, stop, toks, line}.
  Parser.prototype.list = function (stops) {
    const nodes = [];
    while (this.pos < this.items.length) {
      const it = this.items[this.pos++];
      if (it.t === "text") { nodes.push({ t: "text", v: it.v }); continue; }
      const toks = tokenize(it.v, this.name, it.line);
      if (!toks.length) fail(this.name, it.line, "missing value for command");
      const kw = toks[0].k === "ident" && KEYWORDS[toks[0].v] ? toks[0].v : null;
      if (kw === "end" || kw === "else") {
        if (stops.indexOf(kw) < 0) fail(this.name, it.line, "unexpected {{" + kw + "}}");
        return { nodes, stop: kw, toks: toks.slice(1), line: it.line };
      }
      if (kw) nodes.push(this.control(kw, toks.slice(1), it.line));
      else nodes.push({ t: "action", pipe: this.pipeline(toks, it.line, false) });
    }
    if (stops.length) fail(this.name, this.items.length ? this.items[this.items.length - 1].line : 1, "unexpected EOF");
    return { nodes, stop: null };
  };
  Parser.prototype.branch = function (kw, toks, line) {
    const node = { t: kw, pipe: this.pipeline(toks, line, kw === "range"), list: [], elseList: null };
    const body = this.list(["else", "end"]);
    node.list = body.nodes;
    if (body.stop === "else") {
      if (body.toks.length && body.toks[0].k === "ident" && (body.toks[0].v === "if" || body.toks[0].v === "with")) {
        node.elseList = [this.branch(body.toks[0].v, body.toks.slice(1), body.line)];
      } else {
        const rest = this.list(["end"]);
        node.elseList = rest.nodes;
      }
    }
    return node;
  };
  Parser.prototype.control = function (kw, toks, line) {
    if (kw === "if" || kw === "with" || kw === "range") return this.branch(kw, toks, line);
    if (kw === "break" || kw === "continue") return { t: kw };
    const nameTok = toks[0];
    if (!nameTok || nameTok.k !== "lit" || typeof nameTok.v !== "string") fail(this.name, line, "unexpected name in " + kw + " clause");
    const rest = toks.slice(1);
    if (kw === "define") {
      this.defs[nameTok.v] = this.list(["end"]).nodes;
      return { t: "text", v: "" };
    }
    const pipe = rest.length ? this.pipeline(rest, line, false) : null;
    if (kw === "block") this.defs[nameTok.v] = this.list(["end"]).nodes;
    return { t: "template", name: nameTok.v, pipe, line };
  };

  function parse(src, name, defs) {
    const p = new Parser(split(src, name), name, defs);
    return p.list([]).nodes;
  }

  // ---------- values ----------
  function truth(v) {
    if (v === null || v === undefined || v === false || v === 0 || v === "") return false;
    if (Array.isArray(v)) return v.length > 0;
    if (typeof v === "object" && !(v instanceof Safe) && Object.getPrototypeOf(v) === Object.prototype) return Object.keys(v).length > 0;
    return true;
  }
  function show(v, top) {
    if (v === null || v === undefined) return top ? "" : "<nil>";
    if (v instanceof Safe) return v.s;
    if (typeof v === "string") return v;
    if (typeof v === "number" || typeof v === "boolean" || typeof v === "bigint") return String(v);
    if (Array.isArray(v)) return "[" + v.map((x) => show(x, false)).join(" ") + "]";
    if (typeof v.string === "function") return String(v.string());
    if (typeof v === "object") return "map[" + Object.keys(v).sort().map((k) => k + ":" + show(v[k], false)).join(" ") + "]";
    return String(v);
  }
  function Safe(s) { this.s = s; }
  const HTML_ESC = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&#34;", "'": "&#39;", "+": "&#43;", "\0": "\uFFFD" };
  const escapeText = (s) => s.replace(/[&<>"'+\0]/g, (c) => HTML_ESC[c]);
  const escapeBasic = (s) => s.replace(/[&<>"'\0]/g, (c) => HTML_ESC[c]);
  function jsEscape(s) {
    return s.replace(/[\\'"<>&=\u0000-\u001f]/g, (c) => {
      if (c === "\\" || c === "'" || c === '"') return "\\" + c;
      return "\\u" + c.charCodeAt(0).toString(16).toUpperCase().padStart(4, "0");
    });
  }
  function queryEscape(s) {
    return encodeURIComponent(s).replace(/[!'()*]/g, (c) => "%" + c.charCodeAt(0).toString(16).toUpperCase()).replace(/%20/g, "+");
  }
  function sprint(args) {
    let out = "";
    args.forEach((a, i) => {
      if (i > 0 && typeof a !== "string" && typeof args[i - 1] !== "string") out += " ";
      out += show(a, false);
    });
    return out;
  }
  function sprintf(fmt, args) {
    let i = 0;
    return String(fmt).replace(/%([-+# 0]*)(\d*)(?:\.(\d+))?([a-zA-Z%])/g, (m, flags, width, prec, verb) => {
      if (verb === "%") return "%";
      if (i >= args.length) return "%!" + verb + "(MISSING)";
      const a = args[i++];
      let s;
      switch (verb) {
        case "d": s = String(Math.trunc(Number(a))); break;
        case "f": case "F": s = Number(a).toFixed(prec === undefined ? 6 : Number(prec)); break;
        case "q": s = JSON.stringify(show(a, false)); break;
        case "x": s = typeof a === "number" ? a.toString(16) : Array.from(String(a)).map((c) => c.charCodeAt(0).toString(16)).join(""); break;
        case "t": s = String(!!a); break;
        default: s = show(a, false);
      }
      if (width && s.length < Number(width)) s = flags.indexOf("-") >= 0 ? s.padEnd(Number(width)) : s.padStart(Number(width), flags.indexOf("0") >= 0 ? "0" : " ");
      return s;
    });
  }
  function utf8Len(s) { return call("bytes", s).length; }
  function cmp(a, b) {
    if (typeof a !== typeof b && !(typeof a === "number" && typeof b === "number")) throw new g.GoError("incompatible types for comparison");
    return a < b ? -1 : a > b ? 1 : 0;
  }
  const FUNCS = {
    and: (...a) => { for (const x of a) if (!truth(x)) return x; return a[a.length - 1]; },
    or: (...a) => { for (const x of a) if (truth(x)) return x; return a[a.length - 1]; },
    not: (a) => !truth(a),
    len: (a) => {
      if (typeof a === "string") return utf8Len(a);
      if (Array.isArray(a)) return a.length;
      if (a && typeof a === "object") return Object.keys(a).length;
      throw new g.GoError("error calling len: len of type " + typeof a);
    },
    index: (a, ...keys) => {
      for (const k of keys) {
        if (a === null || a === undefined) throw new g.GoError("error calling index: index of untyped nil");
        if (Array.isArray(a) || typeof a === "string") {
          if (k < 0 || k >= a.length) throw new g.GoError("error calling index: index out of range: " + k);
        }
        a = a[k];
      }
      return a === undefined ? null : a;
    },
    slice: (a, i, j) => a.slice(i === undefined ? 0 : i, j === undefined ? a.length : j),
    print: (...a) => sprint(a),
    println: (...a) => a.map((x) => show(x, false)).join(" ") + "\n",
    printf: (f, ...a) => sprintf(f, a),
    eq: (a, ...b) => b.some((x) => x === a || (x !== null && a !== null && typeof x === "object" && JSON.stringify(x) === JSON.stringify(a))),
    ne: (a, b) => a !== b,
    lt: (a, b) => cmp(a, b) < 0,
    le: (a, b) => cmp(a, b) <= 0,
    gt: (a, b) => cmp(a, b) > 0,
    ge: (a, b) => cmp(a, b) >= 0,
    html: (...a) => new Safe(escapeBasic(sprint(a))),
    js: (...a) => jsEscape(sprint(a)),
    urlquery: (...a) => queryEscape(sprint(a)),
    raw: (s) => new Safe(show(s, true)),
  };

  // ---------- execution ----------
  const BREAK = {}, CONTINUE = {};
  function lookup(v, path) {
    for (const k of path) {
      if (v === null || v === undefined) return undefined;
      let x = v[k];
      if (typeof x === "function") x = x.call(v);
      v = x;
    }
    return v;
  }
  function findScope(scope, name) {
    for (let s = scope; s; s = Object.getPrototypeOf(s)) if (Object.prototype.hasOwnProperty.call(s, name)) return s;
    return null;
  }
  function Exec(defs, name) { this.defs = defs; this.name = name; this.depth = 0; }
  Exec.prototype.arg = function (n, dot, scope) {
    switch (n.t) {
      case "lit": return n.v;
      case "dot": return dot;
      case "field": return lookup(dot, n.path);
      case "var": {
        const s = findScope(scope, n.name);
        if (!s) throw new g.GoError("template: " + this.name + ": undefined variable: " + n.name);
        return lookup(s[n.name], n.path);
      }
      case "pipe": return this.pipe(n.pipe, dot, scope);
      case "chain": return lookup(this.pipe(n.node.pipe, dot, scope), n.path);
      case "fn": return FUNCS[n.name]();
    }
    return undefined;
  };
  Exec.prototype.cmd = function (cmd, dot, scope, final) {
    const head = cmd[0];
    const args = cmd.slice(1).map((a) => this.arg(a, dot, scope));
    if (final.length) args.push(final[0]);
    if (head.t === "fn") return FUNCS[head.name](...args);
    if ((head.t === "field" || head.t === "var") && head.path.length) {
      const base = head.t === "field" ? dot : this.arg({ t: "var", name: head.name, path: [] }, dot, scope);
      const owner = lookup(base, head.path.slice(0, -1));
      const m = owner === null || owner === undefined ? undefined : owner[head.path[head.path.length - 1]];
      if (typeof m === "function") return m.apply(owner, args);
      if (args.length) throw new g.GoError("template: " + this.name + ": can't give argument to non-function " + head.path.join("."));
      return m;
    }
    if (args.length) throw new g.GoError("template: " + this.name + ": can't give argument to non-function");
    return this.arg(head, dot, scope);
  };
  Exec.prototype.pipe = function (p, dot, scope) {
    let v;
    p.cmds.forEach((c, i) => { v = this.cmd(c, dot, scope, i > 0 ? [v] : []); });
    if (p.decl.length === 1) {
      if (p.assign) {
        const s = findScope(scope, p.decl[0]);
        if (!s) throw new g.GoError("template: " + this.name + ": undefined variable: " + p.decl[0]);
        s[p.decl[0]] = v;
      } else scope[p.decl[0]] = v;
    }
    return v;
  };
  Exec.prototype.run = function (nodes, dot, scope, out) {
    for (const n of nodes) {
      switch (n.t) {
        case "text": out.push({ text: n.v }); break;
        case "action": {
          const v = this.pipe(n.pipe, dot, scope);
          if (!n.pipe.decl.length) out.push({ value: v });
          break;
        }
        case "if": case "with": {
          const inner = Object.create(scope);
          const v = this.pipe(n.pipe, dot, inner);
          if (truth(v)) this.run(n.list, n.t === "with" ? v : dot, inner, out);
          else if (n.elseList) this.run(n.elseList, dot, inner, out);
          break;
        }
        case "range": this.range(n, dot, scope, out); break;
        case "template": {
          const body = this.defs[n.name];
          if (!body) throw new g.GoError("template: " + this.name + ":" + n.line + ': no such template "' + n.name + '"');
          if (++this.depth > 1000) throw new g.GoError("template: exceeded maximum template depth (1000)");
          const v = n.pipe ? this.pipe(n.pipe, dot, scope) : null;
          this.run(body, v, { $: v }, out);
          this.depth--;
          break;
        }
        case "break": throw BREAK;
        case "continue": throw CONTINUE;
      }
    }
  };
  Exec.prototype.range = function (n, dot, scope, out) {
    const inner = Object.create(scope);
    const p = n.pipe;
    const v = this.pipe({ decl: [], assign: false, cmds: p.cmds }, dot, inner);
    let pairs = [];
    if (Array.isArray(v)) pairs = v.map((x, i) => [i, x]);
    else if (typeof v === "number") for (let i = 0; i < v; i++) pairs.push([i, i]);
    else if (v && typeof v === "object") pairs = Object.keys(v).sort().map((k) => [k, v[k]]);
    else if (v !== null && v !== undefined) throw new g.GoError("template: " + this.name + ": range can't iterate over " + show(v, true));
    if (!pairs.length) { if (n.elseList) this.run(n.elseList, dot, inner, out); return; }
    for (const [k, x] of pairs) {
      const s = Object.create(inner);
      if (p.decl.length === 1) s[p.decl[0]] = x;
      if (p.decl.length === 2) { s[p.decl[0]] = k; s[p.decl[1]] = x; }
      try { this.run(n.list, x, s, out); } catch (e) {
        if (e === BREAK) break;
        if (e !== CONTINUE) throw e;
      }
    }
  };

  // ---------- contextual escaping (text, attribute, URL attribute, script) ----------
  function context(html) {
    const lower = html.toLowerCase();
    const script = lower.lastIndexOf("<script"), scriptEnd = lower.lastIndexOf("</script");
    if (script > scriptEnd && lower.indexOf(">", script) >= 0) return "script";
    const lt = html.lastIndexOf("<"), gt = html.lastIndexOf(">");
    if (lt <= gt) return "text";
    const m = /([A-Za-z_:-]+)\s*=\s*(["']?)([^"']*)$/.exec(html.slice(lt));
    if (!m || (m[2] && (html.slice(lt).split(m[2]).length - 1) % 2 === 0)) return "text";
    const attr = m[1].toLowerCase();
    const url = attr === "href" || attr === "src" || attr === "action" || attr === "formaction" || attr === "poster";
    return url && m[3] === "" ? "url" : "attr";
  }
  function render(parts) {
    let html = "";
    for (const p of parts) {
      if (p.text !== undefined) { html += p.text; continue; }
      const v = p.value;
      if (v instanceof Safe) { html += v.s; continue; }
      const ctx = context(html);
      if (ctx === "script") { html += JSON.stringify(v === undefined ? null : v).replace(/</g, "\\u003c").replace(/>/g, "\\u003e").replace(/&/g, "\\u0026"); continue; }
      let s = show(v, true);
      if (ctx === "url" && /^\s*[A-Za-z][A-Za-z0-9+.-]*:/.test(s) && !/^\s*(https?|mailto):/i.test(s)) s = "#ZgotmplZ";
      html += escapeText(s);
    }
    return html;
  }

  // ---------- the registry ----------
  function renderer(build) {
    return {
      render: (data) => {
        const t = build();
        const ex = new Exec(t.defs, t.name);
        const out = [];
        ex.run(t.main, data === undefined ? null : data, { $: data === undefined ? null : data }, out);
        return render(out);
      },
    };
  }
  g.$template = {
    loadString: (src) => renderer(() => {
      const defs = {};
      return { main: parse(String(src), "", defs), defs, name: "" };
    }),
    loadFiles: (...paths) => renderer(() => {
      const defs = {};
      let main = null, name = "";
      for (const p of paths) {
        const text = call("bytesToString", call("readFile", String(p)));
        const base = String(p).split("/").pop();
        const nodes = parse(text, base, defs);
        if (main === null) { main = nodes; name = base; }
      }
      if (main === null) throw new g.GoError("template: no files named in call to ParseFiles");
      return { main, defs, name };
    }),
  };
})(globalThis);
