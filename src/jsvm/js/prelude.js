// The JS side of Ferrobase's hook runtime: classes and helpers built on the native `__fb(op, json)` call.
// Evaluated once in every runtime (loader, executors, migrations) before any user file.
(function (g) {
  "use strict";
  const native = g.__fb;
  const nativeLog = g.__fb_log;
  const nativeSleep = g.__fb_sleep;
  const nativeJson = g.__fbJson;
  const objectProto = Object.prototype;
  delete g.__fbJson;
  delete g.__fb;
  delete g.__fb_log;
  delete g.__fb_sleep;

  // ---------- bridge ----------
  let encTags = 0;
  function enc(v) {
    if (v === undefined) return null;
    if (v === null || typeof v !== "object") return v;
    if (v instanceof Record) { encTags++; return { __record: v.__dump() }; }
    if (v instanceof Collection) { encTags++; return { __collection: v.__dump() }; }
    if (v instanceof DateTime) return v.string();
    if (v instanceof DynamicModel) return v.__values();
    if (v instanceof Expression) { encTags++; return { __expr: v.__dump() }; }
    if (v.__jsonRaw !== undefined) return v.__jsonRaw;
    if (Array.isArray(v)) return v.map(enc);
    // Go's time.Time in JSON: RFC 3339 with the fraction's trailing zeros cut
    if (v instanceof Date) return v.toISOString().replace(/\.?0+Z$/, "Z");
    if (isFile(v)) encTags++; // exported as {name, originalName, size} by the Rust side
    const out = {};
    for (const k of Object.keys(v)) {
      if (typeof v[k] === "function") continue;
      out[k] = enc(v[k]);
    }
    return out;
  }
  function revive(k, v) {
    if (v && typeof v === "object" && !Array.isArray(v)) {
      if (v.__record) return Record.__from(v.__record);
      if (v.__collection) return Collection.__from(v.__collection);
      if (v.__settings) { const st = v.__settings; Object.defineProperty(st, "__isSettings", { value: true }); return st; }
    }
    return v;
  }
  // JSON.parse(text, revive) without a reviver call per node: the tree is walked only when the text
  // holds a tagged value at all
  function reviveTree(v) {
    if (v === null || typeof v !== "object") return v;
    if (Array.isArray(v)) {
      for (let i = 0; i < v.length; i++) v[i] = reviveTree(v[i]);
      return v;
    }
    for (const k in v) v[k] = reviveTree(v[k]);
    return revive("", v);
  }
  // the Rust side marks text holding tagged values with a leading "T"
  function parseTagged(text) {
    if (text.charCodeAt(0) !== 84) return JSON.parse(text);
    return reviveTree(JSON.parse(text.slice(1)));
  }
  Object.defineProperty(g, "__parseTagged", { value: parseTagged });
  function call(op, ...args) {
    const r = parseTagged(native(op, JSON.stringify(enc(args))));
    if (r.err) throw makeError(r.err);
    return r.ok;
  }
  Object.defineProperty(g, "__call", { value: call });
  // throws what a failed op answered (for natives that answer "" on success)
  Object.defineProperty(g, "__opFail", { value: (text) => { throw makeError(parseTagged(text).err); } });

  function makeError(err) {
    if (err.api) {
      const e = new ApiError(err.status, err.message, err.data);
      e.__eid = err.eid;
      return e;
    }
    const e = new GoError(err.message);
    if (err.eid !== undefined) e.__eid = err.eid;
    if (err.status) e.__status = err.status;
    return e;
  }

  // ---------- errors ----------
  function sentenize(s) {
    s = String(s == null ? "" : s).trim();
    if (!s) return "";
    s = s[0].toUpperCase() + s.slice(1);
    if (!/[.!?]$/.test(s)) s += ".";
    return s;
  }
  const STATUS_TEXT = {
    400: "Bad Request", 401: "Unauthorized", 403: "Forbidden", 404: "Not Found", 405: "Method Not Allowed",
    409: "Conflict", 413: "Request Entity Too Large", 418: "I'm a teapot", 422: "Unprocessable Entity",
    429: "Too Many Requests", 500: "Internal Server Error", 501: "Not Implemented", 502: "Bad Gateway",
    503: "Service Unavailable", 504: "Gateway Timeout",
  };
  class ValidationError {
    constructor(code, message) {
      this.code = code == null ? "" : String(code);
      this.message = message == null ? "" : String(message);
    }
    error() { return this.message; }
  }
  function safeData(data) {
    if (data == null || typeof data !== "object") return {};
    const out = {};
    for (const k of Object.keys(data)) {
      const v = data[k];
      if (v instanceof ValidationError) out[k] = { code: v.code, message: sentenize(v.message) };
      else if (v && typeof v === "object" && !Array.isArray(v) && typeof v.code === "string" && typeof v.message === "string" && Object.keys(v).length <= 3) out[k] = { code: v.code, message: sentenize(v.message) };
      else if (v && typeof v === "object" && !Array.isArray(v) && !(v instanceof Error)) out[k] = safeData(v);
      else out[k] = { code: "validation_invalid_value", message: "Invalid value." };
    }
    return out;
  }
  function apiErrorInit(self, status, message, data, fallback) {
    self.status = status;
    self.message = sentenize(message == null || message === "" ? fallback : message);
    self.data = safeData(data);
    self.__api = true;
  }
  const apiProto = {
    error() { return this.message; },
    toString() { return this.message; },
    rawData() { return this.data; },
    is() { return false; },
  };
  class ApiError {
    constructor(status, message, data) {
      status = parseInt(status) || 0;
      apiErrorInit(this, status, message, data, STATUS_TEXT[status] || "");
    }
  }
  Object.assign(ApiError.prototype, apiProto);
  function errClass(name, status, fallback) {
    const C = class {
      constructor(message, data) { apiErrorInit(this, status, message, data, fallback); }
    };
    Object.defineProperty(C, "name", { value: name });
    Object.assign(C.prototype, apiProto);
    return C;
  }
  const GENERIC = "Something went wrong while processing your request.";
  const BadRequestError = errClass("BadRequestError", 400, GENERIC);
  const UnauthorizedError = errClass("UnauthorizedError", 401, "Missing or invalid authentication.");
  const ForbiddenError = errClass("ForbiddenError", 403, "You are not allowed to perform this request.");
  const NotFoundError = errClass("NotFoundError", 404, "The requested resource wasn't found.");
  const TooManyRequestsError = errClass("TooManyRequestsError", 429, "Too Many Requests.");
  const InternalServerError = errClass("InternalServerError", 500, GENERIC);
  class GoError extends Error {
    constructor(message) {
      super(message);
      this.name = "GoError";
      this.value = message;
    }
  }

  // ---------- misc values ----------
  function utf8Bytes(s) {
    return call("bytes", String(s));
  }
  function jsonRaw(v) {
    const text = v === undefined || v === null ? "null" : JSON.stringify(v);
    const arr = utf8Bytes(text);
    Object.defineProperty(arr, "__jsonRaw", { value: v === undefined ? null : v });
    Object.defineProperty(arr, "toString", { value: () => text });
    Object.defineProperty(arr, "toJSON", { value: () => (v === undefined ? null : v) });
    return arr;
  }
  class DateTime {
    constructor(s, tz) {
      this.__s = s === undefined ? call("now") : (s === null || s === "" ? "" : call("datetime", String(s)));
    }
    string() { return this.__s; }
    toString() { return this.__s; }
    toJSON() { return this.__s; }
    isZero() { return this.__s === ""; }
    time() { return new Date(this.__s.replace(" ", "T")); }
    unix() { return this.__s ? Math.floor(this.time().getTime() / 1000) : -62135596800; }
    before(o) { return this.time() < o.time(); }
    after(o) { return this.time() > o.time(); }
    equal(o) { return this.__s === o.__s; }
    compare(o) { return this.before(o) ? -1 : this.after(o) ? 1 : 0; }
    add(ns) { return DateTime.__fromMs(this.time().getTime() + Number(ns) / 1e6); }
    addDate(y, m, d) {
      const t = this.time();
      t.setUTCFullYear(t.getUTCFullYear() + (y | 0), t.getUTCMonth() + (m | 0), t.getUTCDate() + (d | 0));
      return DateTime.__fromMs(t.getTime());
    }
    static __fromMs(ms) { return new DateTime(new Date(ms).toISOString()); }
  }

  // ---------- records ----------
  const MULTI_TYPES = { select: 1, relation: 1, file: 1 };
  function fieldOf(rec, name) {
    return rec.__fields[name];
  }
  function toNumber(v) {
    if (typeof v === "number") return isFinite(v) ? v : 0;
    if (typeof v === "boolean") return v ? 1 : 0;
    if (typeof v === "string") { const n = Number(v.trim()); return v.trim() === "" || isNaN(n) ? 0 : n; }
    return 0;
  }
  function toBool(v) {
    if (typeof v === "string") return v === "1" || v.toLowerCase() === "true";
    return !!v;
  }
  function toStr(v) {
    if (v === null || v === undefined) return "";
    if (typeof v === "object") {
      if (v instanceof DateTime) return v.string();
      if (v.__jsonRaw !== undefined) return v.toString();
      if (v instanceof Date) return call("datetime", v.toISOString());
      if (isFile(v)) return "";
      return JSON.stringify(v);
    }
    return String(v);
  }
  // a `$filesystem` file stays an object in a file field until the record is saved
  function isFile(v) {
    return !!v && typeof v === "object" && !!v.reader && typeof v.reader === "object" && typeof v.name === "string" && "originalName" in v;
  }
  function listItem(v) { return isFile(v) ? v : toStr(v); }
  function toList(v) {
    if (v === null || v === undefined || v === "") return [];
    if (Array.isArray(v)) return v.map(listItem).filter((s) => s !== "");
    return [listItem(v)];
  }
  function normalize(f, v) {
    if (!f) return v === undefined ? null : v;
    switch (f.type) {
      case "number": return toNumber(v);
      case "bool": return toBool(v);
      case "json": return v === undefined ? null : (v && v.__jsonRaw !== undefined ? v.__jsonRaw : v);
      case "date": case "autodate": return v instanceof Date ? call("datetime", v.toISOString()) : (v ? call("datetime", toStr(v)) : "");
      case "geoPoint": return v && typeof v === "object" ? { lon: toNumber(v.lon), lat: toNumber(v.lat) } : { lon: 0, lat: 0 };
      default:
        if (MULTI_TYPES[f.type]) return f.multi ? Array.from(new Set(toList(v))) : (toList(v).slice(-1)[0] || "");
        return toStr(v);
    }
  }
  class Record {
    constructor(collection, data) {
      this.__cid = "";
      this.__cname = "";
      this.__ctype = "base";
      this.__fields = {};
      this.__data = {};
      this.__original = null;
      this.__expand = {};
      this.__hidden = [];
      this.__custom = false;
      this.__ignoreEmailVisibility = false;
      if (collection) {
        const c = collection instanceof Collection ? collection : call("findCollectionByNameOrId", String(collection));
        this.__cid = c.id;
        this.__cname = c.name;
        this.__ctype = c.type;
        for (const f of c.fields.__list) {
          this.__fields[f.name] = { type: f.type, multi: (f.maxSelect | 0) > 1, hidden: !!f.hidden };
          this.__data[f.name] = normalize(this.__fields[f.name], f.type === "autodate" ? "" : undefined);
        }
        this.__data.id = "";
      }
      if (data) this.load(data);
    }
    static __from(d) {
      const r = new Record();
      r.__cid = d.collectionId; r.__cname = d.collectionName; r.__ctype = d.collectionType || "base";
      for (const f of d.fields || []) r.__fields[f[0]] = { type: f[1], multi: !!f[2], hidden: !!f[3] };
      r.__data = d.data || {};
      r.__original = d.original === undefined ? null : d.original;
      r.__expand = d.expand || {};
      r.__hidden = d.hidden || [];
      r.__custom = !!d.custom;
      return r;
    }
    __dump() {
      return {
        collectionId: this.__cid, collectionName: this.__cname, data: this.__data, original: this.__original,
        expand: enc(this.__expand), hidden: this.__hidden, custom: this.__custom,
        ignoreEmailVisibility: this.__ignoreEmailVisibility,
      };
    }
    get id() { return this.__data.id || ""; }
    set id(v) { this.__data.id = toStr(v); }
    collection() { return call("findCollectionByNameOrId", this.__cid); }
    tableName() { return this.__cname; }
    baseFilesPath() { return this.__cid + "/" + this.id; }
    isNew() { return this.__original === null; }
    markAsNew() { this.__original = null; }
    markAsNotNew() { this.__original = Object.assign({}, this.__data); }
    original() {
      const r = Record.__from(this.__dump());
      r.__data = Object.assign({}, this.__original || {});
      r.__fields = this.__fields;
      return r;
    }
    fresh() { const r = Record.__from(this.__dump()); r.__data = Object.assign({}, this.__data); r.__expand = {}; return r; }
    clone() { const r = Record.__from(JSON.parse(JSON.stringify(this.__dump()))); r.__fields = this.__fields; return r; }
    get(name) {
      if (name === "expand") return this.__expand;
      const v = this.__data[name];
      if (v === undefined) return null;
      const f = fieldOf(this, name);
      if (f && f.type === "json") return jsonRaw(v);
      if (f && (f.type === "date" || f.type === "autodate")) return new DateTime(v);
      return v;
    }
    getRaw(name) { const v = this.__data[name]; return v === undefined ? null : v; }
    setRaw(name, v) { this.__data[name] = v; }
    set(name, value) {
      let m = /^(.+)\+$/.exec(name), p = /^\+(.+)$/.exec(name), s = /^(.+)-$/.exec(name);
      if (name === "expand") { this.setExpand(value); return; }
      if (m && fieldOf(this, m[1])) return this.__modify(m[1], value, "append");
      if (p && fieldOf(this, p[1])) return this.__modify(p[1], value, "prepend");
      if (s && fieldOf(this, s[1])) return this.__modify(s[1], value, "subtract");
      const f = fieldOf(this, name);
      if (f && f.type === "password") {
        this.__data[name] = call("hashPassword", toStr(value));
        return;
      }
      this.__data[name] = normalize(f, value);
    }
    __modify(name, value, how) {
      const f = fieldOf(this, name);
      const cur = this.__data[name];
      if (f.type === "number") {
        this.__data[name] = toNumber(cur) + (how === "subtract" ? -toNumber(value) : toNumber(value));
        return;
      }
      let list = toList(cur);
      const add = toList(value);
      if (how === "append") list = list.concat(add);
      else if (how === "prepend") list = add.concat(list);
      else list = list.filter((x) => add.indexOf(x) < 0);
      this.__data[name] = normalize(f, f.multi ? list : list);
    }
    load(data) { for (const k of Object.keys(data || {})) this.set(k, data[k]); }
    getString(name) { return toStr(this.__data[name]); }
    getInt(name) { return Math.trunc(toNumber(this.__data[name])); }
    getInt64(name) { return this.getInt(name); }
    getFloat(name) { return toNumber(this.__data[name]); }
    getBool(name) { return toBool(this.__data[name]); }
    getDateTime(name) { return new DateTime(this.__data[name] || ""); }
    getStringSlice(name) { return toList(this.__data[name]); }
    getGeoPoint(name) { return this.__data[name] || { lon: 0, lat: 0 }; }
    unmarshalJSONField(name, dst) { Object.assign(dst, this.__data[name] || {}); }
    email() { return this.getString("email"); }
    setEmail(v) { this.set("email", v); }
    verified() { return this.getBool("verified"); }
    setVerified(v) { this.set("verified", v); }
    emailVisibility() { return this.getBool("emailVisibility"); }
    setEmailVisibility(v) { this.set("emailVisibility", v); }
    tokenKey() { return this.getString("tokenKey"); }
    setTokenKey(v) { this.__data.tokenKey = toStr(v); }
    refreshTokenKey() { this.__data.tokenKey = call("randomString", 50); }
    setPassword(v) { this.set("password", v); this.refreshTokenKey(); }
    setRandomPassword() { const p = call("randomString", 30); this.setPassword(p); return p; }
    validatePassword(p) { return call("validatePassword", this, toStr(p)); }
    isSuperuser() { return this.__cname === "_superusers"; }
    newAuthToken() { return call("newToken", this, "auth", 0); }
    newStaticAuthToken(d) { return call("newToken", this, "auth", Number(d) || 0); }
    newVerificationToken() { return call("newToken", this, "verification", 0); }
    newPasswordResetToken() { return call("newToken", this, "passwordReset", 0); }
    newEmailChangeToken(email) { return call("newToken", this, "emailChange", 0, toStr(email)); }
    newFileToken() { return call("newToken", this, "file", 0); }
    hide(...names) { for (const n of names) if (this.__hidden.indexOf(n) < 0) this.__hidden.push(n); return this; }
    unhide(...names) { this.__hidden = this.__hidden.filter((n) => names.indexOf(n) < 0); for (const n of names) this.__hidden.push("!" + n); return this; }
    withCustomData(v) { this.__custom = !!v; return this; }
    ignoreEmailVisibility(v) { this.__ignoreEmailVisibility = !!v; return this; }
    ignoreUnchangedFields() { return this; }
    expand() { return this.__expand; }
    setExpand(v) { this.__expand = v || {}; }
    mergeExpand(v) { Object.assign(this.__expand, v || {}); }
    expandedOne(rel) { const v = this.__expand[rel]; return Array.isArray(v) ? v[0] || null : v || null; }
    expandedAll(rel) { const v = this.__expand[rel]; return v ? (Array.isArray(v) ? v : [v]) : []; }
    fieldsData() { return Object.assign({}, this.__data); }
    customData() { return {}; }
    publicExport() { return call("recordExport", this); }
    toJSON() { return this.publicExport(); }
    toString() { return JSON.stringify(this.publicExport()); }
  }

  // ---------- collections ----------
  class FieldsList {
    constructor(list) { this.__list = (list || []).map((f) => Object.assign({}, f)); }
    get length() { return this.__list.length; }
    add(...fs) { for (const f of fs) { const d = f && f.__field ? f.__field : Object.assign({}, f); const i = this.__list.findIndex((x) => (d.id && x.id === d.id) || x.name === d.name); if (i >= 0) this.__list[i] = Object.assign(this.__list[i], d); else this.__list.push(d); } }
    addAt(i, ...fs) { const d = fs.map((f) => (f && f.__field ? f.__field : Object.assign({}, f))); this.__list.splice(i, 0, ...d); }
    getByName(n) { return this.__list.find((f) => f.name === n) || null; }
    getById(id) { return this.__list.find((f) => f.id === id) || null; }
    removeById(id) { this.__list = this.__list.filter((f) => f.id !== id); }
    removeByName(n) { this.__list = this.__list.filter((f) => f.name !== n); }
    fieldNames() { return this.__list.map((f) => f.name); }
    asMap() { const m = {}; for (const f of this.__list) m[f.name] = f; return m; }
    toJSON() { return this.__list; }
    map(fn) { return this.__list.map(fn); }
    forEach(fn) { return this.__list.forEach(fn); }
    filter(fn) { return this.__list.filter(fn); }
    find(fn) { return this.__list.find(fn); }
    [Symbol.iterator]() { return this.__list[Symbol.iterator](); }
  }
  class Collection {
    constructor(data) {
      data = data || {};
      this.id = ""; this.name = ""; this.type = "base"; this.system = false;
      this.listRule = null; this.viewRule = null; this.createRule = null; this.updateRule = null; this.deleteRule = null;
      this.indexes = [];
      for (const k of Object.keys(data)) if (k !== "fields" && k !== "schema") this[k] = data[k];
      this.fields = new FieldsList((data.fields || data.schema || []).filter((f) => f && typeof f === "object" && f.type));
    }
    static __from(d) { return new Collection(d); }
    __dump() { const o = {}; for (const k of Object.keys(this)) if (k !== "fields") o[k] = enc(this[k]); o.fields = this.fields.__list; return o; }
    isAuth() { return this.type === "auth"; }
    isBase() { return this.type === "base"; }
    isView() { return this.type === "view"; }
    tableName() { return this.name; }
    addIndex(name, unique, columns, where) {
      this.removeIndex(name);
      this.indexes.push("CREATE " + (unique ? "UNIQUE " : "") + "INDEX `" + name + "` ON `" + this.name + "` (" + columns + ")" + (where ? " WHERE " + where : ""));
    }
    removeIndex(name) { this.indexes = this.indexes.filter((i) => !new RegExp("INDEX\\s+(IF NOT EXISTS\\s+)?[`\"\\[]?" + name + "[`\"\\]]?\\s").test(i)); }
    getIndex(name) { return this.indexes.find((i) => new RegExp("INDEX\\s+[`\"\\[]?" + name + "[`\"\\]]?\\s").test(i)) || ""; }
    toJSON() { return this.__dump(); }
  }
  function fieldClass(type) {
    return class {
      constructor(data) { this.__field = Object.assign({}, data || {}, { type: type }); for (const k of Object.keys(this.__field)) this[k] = this.__field[k]; }
      toJSON() { return this.__field; }
    };
  }
  const FIELD_TYPES = { NumberField: "number", BoolField: "bool", TextField: "text", URLField: "url", EmailField: "email", EditorField: "editor", PasswordField: "password", DateField: "date", AutodateField: "autodate", JSONField: "json", RelationField: "relation", SelectField: "select", FileField: "file", GeoPointField: "geoPoint" };
  for (const n of Object.keys(FIELD_TYPES)) g[n] = fieldClass(FIELD_TYPES[n]);
  g.Field = class { constructor(data) { this.__field = Object.assign({}, data || {}); for (const k of Object.keys(this.__field)) this[k] = this.__field[k]; } toJSON() { return this.__field; } };

  // ---------- dynamic models ----------
  const nullMarks = {};
  for (const n of ["nullString", "nullInt", "nullFloat", "nullBool", "nullArray", "nullObject"]) {
    const mark = { __nullable: n };
    nullMarks[n] = mark;
    g[n] = () => mark;
  }
  function camel(k) {
    if (/^[A-Z0-9_]+$/.test(k)) return k.toLowerCase();
    const m = /^([A-Z]{2,})(.*)$/.exec(k);
    if (m) return m[1].slice(0, -1).toLowerCase() + m[1].slice(-1) + m[2];
    return k[0].toLowerCase() + k.slice(1);
  }
  function jsonMap(v) {
    const o = Object.assign({}, v || {});
    Object.defineProperty(o, "get", { value: (k) => (o[k] === undefined ? null : o[k]) });
    return o;
  }
  class DynamicModel {
    constructor(shape) {
      if (!shape || typeof shape !== "object" || !Object.keys(shape).length) throw new GoError("[DynamicModel] missing shape data");
      Object.defineProperty(this, "__shape", { value: shape });
      for (const k of Object.keys(shape)) this[camel(k)] = DynamicModel.__zero(shape[k]);
    }
    static __kind(v) {
      if (v && v.__nullable) return v.__nullable;
      if (typeof v === "string") return "string";
      if (typeof v === "boolean") return "bool";
      if (typeof v === "number") return Object.is(v, -0) || !Number.isInteger(v) ? "float" : "int";
      if (Array.isArray(v)) return "array";
      return "object";
    }
    static __zero(v) {
      switch (DynamicModel.__kind(v)) {
        case "string": return "";
        case "bool": return false;
        case "int": case "float": return 0;
        case "array": return [];
        case "object": return jsonMap({});
        default: return null;
      }
    }
    __fill(row) {
      for (const k of Object.keys(this.__shape)) {
        let v = row[k];
        const kind = DynamicModel.__kind(this.__shape[k]);
        const nullable = kind.startsWith("null");
        if (v === null || v === undefined) { this[camel(k)] = nullable ? null : DynamicModel.__zero(this.__shape[k]); continue; }
        if (kind === "string" || kind === "nullString") v = typeof v === "string" ? v : toStr(v);
        else if (kind === "int" || kind === "nullInt") v = Math.trunc(toNumber(v));
        else if (kind === "float" || kind === "nullFloat") v = toNumber(v);
        else if (kind === "bool" || kind === "nullBool") v = toBool(v);
        else if (kind === "array" || kind === "nullArray") { if (typeof v === "string") { try { v = JSON.parse(v); } catch (_) { v = []; } } if (!Array.isArray(v)) v = []; }
        else { if (typeof v === "string") { try { v = JSON.parse(v); } catch (_) { v = {}; } } v = jsonMap(v); }
        this[camel(k)] = v;
      }
      return this;
    }
    __values() { const o = {}; for (const k of Object.keys(this.__shape)) o[k] = this[camel(k)]; return o; }
    toJSON() { return this.__values(); }
  }
  class TypedArray extends Array {}
  function arrayOf(model) {
    const a = new TypedArray();
    Object.defineProperty(a, "__model", { value: model });
    return a;
  }
  function fillDst(dst, rows, many) {
    const make = (row, proto) => {
      if (proto instanceof DynamicModel) return new DynamicModel(proto.__shape).__fill(row);
      if (proto instanceof Record) return row instanceof Record ? row : Object.assign(proto, row);
      return Object.assign(proto && typeof proto === "object" ? proto : {}, row);
    };
    if (many) {
      const model = dst.__model;
      dst.length = 0;
      for (const row of rows) dst.push(make(row, model instanceof DynamicModel ? model : model instanceof Record ? new Record() : {}));
      return;
    }
    if (!rows.length) throw new GoError("sql: no rows in result set");
    if (dst instanceof DynamicModel) dst.__fill(rows[0]);
    else if (dst instanceof Record && rows[0] instanceof Record) Object.assign(dst, rows[0]);
    else Object.assign(dst, rows[0]);
  }

  // ---------- query builder ----------
  class Expression {
    constructor(kind, args) { this.kind = kind; this.args = args; }
    __dump() { return { kind: this.kind, args: enc(this.args) }; }
    build() { return call("buildExpr", this); }
  }
  const $dbx = {};
  for (const k of ["exp", "hashExp", "not", "and", "or", "in", "notIn", "like", "notLike", "orLike", "orNotLike", "exists", "notExists", "between", "notBetween"]) {
    $dbx[k] = (...args) => new Expression(k, args);
  }
  class Query {
    constructor(db, parts) { this.__db = db; this.__p = Object.assign({ params: {} }, parts); }
    __clone(extra) { return new Query(this.__db, Object.assign({}, this.__p, extra)); }
    bind(params) { this.__p.params = Object.assign({}, this.__p.params, params || {}); return this; }
    select(...cols) { this.__p.select = (this.__p.select || []).concat(cols); return this; }
    andSelect(...cols) { return this.select(...cols); }
    distinct(v) { this.__p.distinct = v !== false; return this; }
    from(...t) { this.__p.from = t; return this; }
    where(e) { if (e) this.__p.where = [e]; return this; }
    andWhere(e) { if (e) this.__p.where = (this.__p.where || []).concat([e]); return this; }
    orWhere(e) { if (e) this.__p.where = [$dbx.or($dbx.and(...(this.__p.where || [])), e)]; return this; }
    innerJoin(t, e) { return this.__join("INNER JOIN", t, e); }
    leftJoin(t, e) { return this.__join("LEFT JOIN", t, e); }
    rightJoin(t, e) { return this.__join("RIGHT JOIN", t, e); }
    join(kind, t, e) { return this.__join(kind, t, e); }
    __join(kind, t, e) { this.__p.joins = (this.__p.joins || []).concat([{ kind: kind, table: t, on: e || null }]); return this; }
    orderBy(...c) { this.__p.order = c; return this; }
    andOrderBy(...c) { this.__p.order = (this.__p.order || []).concat(c); return this; }
    groupBy(...c) { this.__p.group = c; return this; }
    andGroupBy(...c) { this.__p.group = (this.__p.group || []).concat(c); return this; }
    having(e) { this.__p.having = [e]; return this; }
    andHaving(e) { this.__p.having = (this.__p.having || []).concat([e]); return this; }
    limit(n) { this.__p.limit = Math.trunc(Number(n)); return this; }
    offset(n) { this.__p.offset = Math.trunc(Number(n)); return this; }
    __spec() { return { params: this.__p.params, sql: this.__p.sql || null, select: this.__p.select || null, distinct: !!this.__p.distinct, from: this.__p.from || null, where: this.__p.where || null, joins: this.__p.joins || null, order: this.__p.order || null, group: this.__p.group || null, having: this.__p.having || null, limit: this.__p.limit === undefined ? null : this.__p.limit, offset: this.__p.offset === undefined ? null : this.__p.offset, records: this.__p.records || null }; }
    build() { return this; }
    execute() { const r = call("dbExecute", this.__spec()); return { rowsAffected: () => r.rowsAffected, lastInsertId: () => r.lastInsertId }; }
    all(dst) { const rows = call("dbQuery", this.__spec()); if (dst) fillDst(dst, rows, true); return rows; }
    one(dst) { const rows = call("dbQuery", Object.assign(this.__spec(), { limit: 1 })); if (dst) fillDst(dst, rows, false); else if (!rows.length) throw new GoError("sql: no rows in result set"); return rows[0]; }
    row(...ptrs) { const rows = call("dbQuery", Object.assign(this.__spec(), { limit: 1 })); if (!rows.length) throw new GoError("sql: no rows in result set"); return Object.values(rows[0]); }
    column(dst) { const rows = call("dbQuery", this.__spec()); const vals = rows.map((r) => Object.values(r)[0]); if (dst) { dst.length = 0; dst.push(...vals); } return vals; }
    rawSQL() { return this.__p.sql || ""; }
    getSQL() { return this.__p.sql || ""; }
  }
  function makeDb() {
    return {
      newQuery: (sql) => new Query(null, { sql: String(sql) }),
      select: (...cols) => new Query(null, { select: cols }),
      insert: (table, params) => new Query(null, { sql: call("sqlInsert", table, params) , params: params }),
      update: (table, params, where) => new Query(null, { sql: call("sqlUpdate", table, params, where || null), params: Object.assign({}, params, call("exprParams", where || null)) }),
      delete: (table, where) => new Query(null, { sql: call("sqlDelete", table, where || null), params: call("exprParams", where || null) }),
    };
  }

  // ---------- $app ----------
  const storeNs = "store";
  function makeApp() {
    const app = {
      findRecordById: (c, id) => call("findRecordById", collRef(c), toStr(id)),
      findRecordsByIds: (c, ids) => call("findRecordsByIds", collRef(c), ids || []),
      findAllRecords: (c, ...exprs) => call("findAllRecords", collRef(c), exprs),
      findFirstRecordByData: (c, key, value) => call("findFirstRecordByData", collRef(c), toStr(key), value),
      findRecordsByFilter: (c, filter, sort, limit, offset, params) => call("findRecordsByFilter", collRef(c), toStr(filter), toStr(sort), Math.trunc(toNumber(limit)), Math.trunc(toNumber(offset)), params || {}),
      findFirstRecordByFilter: (c, filter, params) => call("findFirstRecordByFilter", collRef(c), toStr(filter), params || {}),
      countRecords: (c, ...exprs) => call("countRecords", collRef(c), exprs),
      findAuthRecordByEmail: (c, email) => call("findAuthRecordByEmail", collRef(c), toStr(email)),
      findAuthRecordByToken: (token, ...types) => call("findAuthRecordByToken", toStr(token), types),
      findCollectionByNameOrId: (n) => call("findCollectionByNameOrId", toStr(n)),
      findCachedCollectionByNameOrId: (n) => call("findCollectionByNameOrId", toStr(n)),
      findAllCollections: (...types) => call("findAllCollections", types),
      save: (m) => saveModel(m, true),
      saveNoValidate: (m) => saveModel(m, false),
      validate: (m) => call("validate", m),
      delete: (m) => { call("delete", m); },
      db: () => makeDb(),
      nonconcurrentDB: () => makeDb(),
      concurrentDB: () => makeDb(),
      recordQuery: (c) => new Query(null, { records: collRef(c) }),
      expandRecord: (r, expands) => { const out = call("expandRecords", [r], expands || []); if (out[0]) r.__expand = out[0].__expand; return {}; },
      expandRecords: (rs, expands) => { const out = call("expandRecords", rs, expands || []); rs.forEach((r, i) => { r.__expand = out[i].__expand; }); return {}; },
      canAccessRecord: (r, info, rule) => call("canAccessRecord", r, info || null, rule === undefined ? null : rule),
      runInTransaction: (fn) => runInTransaction(fn),
      isTransactional: () => call("isTransactional"),
      settings: () => call("settings"),
      store: () => appStore,
      cron: () => cronApi,
      logger: () => logger,
      isDev: () => call("isDev"),
      dataDir: () => call("dataDir"),
      isBootstrapped: () => call("isBootstrapped"),
      newMailClient: () => ({ send: (msg) => { call("sendMail", msg); } }),
      tableColumns: (t) => call("tableColumns", toStr(t)),
      hasTable: (t) => call("hasTable", toStr(t)),
    };
    return app;
  }
  function collRef(c) { return c instanceof Collection ? c.id : toStr(c); }
  function saveModel(m, validate) {
    if (m instanceof Record) {
      const saved = call("saveRecord", m, validate);
      m.__data = saved.__data;
      m.__original = saved.__original;
      m.__cid = saved.__cid;
      m.__cname = saved.__cname;
      m.__fields = saved.__fields;
      return;
    }
    if (m instanceof Collection) {
      const saved = call("saveCollection", m);
      const fresh = saved;
      for (const k of Object.keys(fresh)) m[k] = fresh[k];
      return;
    }
    if (m && m.__isSettings) {
      call("saveSettings", m);
      return;
    }
    throw new GoError("unsupported model");
  }
  function runInTransaction(fn) {
    const token = call("txBegin");
    let result;
    try {
      result = fn(g.$app);
    } catch (err) {
      call("txEnd", token, false);
      throw err;
    }
    call("txEnd", token, true);
    return result;
  }
  const appStore = {
    get: (k) => call("storeGet", toStr(k)),
    set: (k, v) => { call("storeSet", toStr(k), v); },
    has: (k) => call("storeHas", toStr(k)),
    remove: (k) => { call("storeRemove", toStr(k)); },
    getOrSet: (k, fn) => { if (call("storeHas", toStr(k))) return call("storeGet", toStr(k)); const v = fn(); call("storeSet", toStr(k), v); return v; },
    getAll: () => call("storeAll"),
    reset: (obj) => { call("storeReset", obj || {}); },
    length: () => Object.keys(call("storeAll")).length,
  };
  const cronApi = {
    jobs: () => call("cronJobs").map((j) => ({ id: () => j.id, expression: () => j.expression, expr: j.expression, __id: j.id })),
    add: (id, expr, fn) => g.cronAdd(id, expr, fn),
    remove: (id) => g.cronRemove(id),
    hasStarted: () => true,
    total: () => call("cronJobs").length,
  };
  const logger = {};
  for (const lvl of ["debug", "info", "warn", "error"]) {
    logger[lvl] = (msg, ...kv) => { call("log", lvl, toStr(msg), kv.map(enc)); };
  }
  logger.with = () => logger;
  logger.withGroup = () => logger;

  // ---------- console ----------
  function formatArgs(args) {
    if (args.length && typeof args[0] === "string" && /%[sdifv]/.test(args[0])) {
      let i = 1;
      const head = args[0].replace(/%([sdifv%])/g, (m, c) => {
        if (c === "%") return "%";
        if (i >= args.length) return m;
        const v = args[i++];
        return c === "d" || c === "i" ? String(Math.trunc(Number(v))) : c === "f" ? String(Number(v)) : String(v);
      });
      return [head].concat(args.slice(i).map((a) => String(a))).join(" ");
    }
    return args.map((a) => String(a)).join(" ");
  }
  g.console = {
    log: (...a) => nativeLog("info", formatArgs(a)),
    info: (...a) => nativeLog("info", formatArgs(a)),
    debug: (...a) => nativeLog("info", formatArgs(a)),
    warn: (...a) => nativeLog("warn", formatArgs(a)),
    error: (...a) => nativeLog("error", formatArgs(a)),
    trace: (...a) => nativeLog("info", formatArgs(a)),
  };

  // ---------- utilities ----------
  function toStringFn(v, maxBytes) {
    if (v === null || v === undefined) return "";
    if (typeof v === "string") return v;
    if (typeof v === "number" || typeof v === "boolean" || typeof v === "bigint") return String(v);
    if (v.__reader) return v.__text();
    if (v.__open) return call("readerText", v.__open); // an opened file reader as plain data
    if (v.__bytes) return call("bytesToString", Array.from(v));
    if (v.__jsonRaw !== undefined) return v.toString();
    return JSON.stringify(v);
  }
  function toBytes(v) {
    if (v === null || v === undefined) return markBytes([]);
    if (typeof v === "string") return markBytes(utf8Bytes(v));
    if (v.__reader) return markBytes(utf8Bytes(v.__text()));
    if (v.__open) return markBytes(utf8Bytes(call("readerText", v.__open)));
    if (Array.isArray(v)) return markBytes(v.slice());
    return markBytes(utf8Bytes(JSON.stringify(v)));
  }
  function markBytes(arr) {
    Object.defineProperty(arr, "__bytes", { value: true });
    return arr;
  }
  g.toString = toStringFn;
  g.readerToString = toStringFn;
  g.toBytes = toBytes;
  g.sleep = (ms) => nativeSleep(Math.max(0, Number(ms) || 0));
  g.arrayOf = arrayOf;
  g.unmarshal = (data, dst) => {
    const src = typeof data === "string" ? JSON.parse(data) : JSON.parse(JSON.stringify(enc(data)));
    if (dst instanceof Collection) {
      for (const k of Object.keys(src)) {
        if (k === "fields") { dst.fields = new FieldsList(src.fields); continue; }
        dst[k] = src[k];
      }
      return;
    }
    if (dst instanceof Record) { dst.load(src); return; }
    Object.assign(dst, src);
  };

  // ---------- namespaces ----------
  g.$security = {
    randomString: (n) => call("randomString", Math.trunc(toNumber(n))),
    randomStringWithAlphabet: (n, abc) => call("randomStringWithAlphabet", Math.trunc(toNumber(n)), toStr(abc)),
    pseudorandomString: (n) => call("randomString", Math.trunc(toNumber(n))),
    pseudorandomStringWithAlphabet: (n, abc) => call("randomStringWithAlphabet", Math.trunc(toNumber(n)), toStr(abc)),
    randomStringByRegex: (re) => call("randomStringByRegex", toStr(re)),
    md5: (s) => call("hash", "md5", toStr(s)),
    sha256: (s) => call("hash", "sha256", toStr(s)),
    sha512: (s) => call("hash", "sha512", toStr(s)),
    hs256: (s, k) => call("hmac", "sha256", toStr(s), toStr(k)),
    hs512: (s, k) => call("hmac", "sha512", toStr(s), toStr(k)),
    equal: (a, b) => call("equal", toStr(a), toStr(b)),
    encrypt: (d, k) => call("encrypt", toStr(d), toStr(k)),
    decrypt: (d, k) => call("decrypt", toStr(d), toStr(k)),
    createJWT: (claims, key, secs) => call("createJWT", claims || {}, toStr(key), Math.trunc(toNumber(secs))),
    parseJWT: (t, key) => call("parseJWT", toStr(t), toStr(key)),
    parseUnverifiedJWT: (t) => call("parseUnverifiedJWT", toStr(t)),
  };
  g.$os = {
    getenv: (k) => call("getenv", toStr(k)),
    args: call("args"),
    exit: (code) => call("exit", Math.trunc(toNumber(code))),
    getwd: () => call("getwd"),
    tempDir: () => call("tempDir"),
    readFile: (p) => markBytes(call("readFile", toStr(p))),
    writeFile: (p, data, perm) => { call("writeFile", toStr(p), typeof data === "string" ? utf8Bytes(data) : Array.from(data || [])); },
    mkdir: (p) => { call("mkdir", toStr(p), false); },
    mkdirAll: (p) => { call("mkdir", toStr(p), true); },
    remove: (p) => { call("remove", toStr(p), false); },
    removeAll: (p) => { call("remove", toStr(p), true); },
    rename: (a, b) => { call("rename", toStr(a), toStr(b)); },
    stat: (p) => { const s = call("stat", toStr(p)); return { name: () => s.name, size: () => s.size, isDir: () => s.isDir, mode: () => s.mode, modTime: () => new DateTime(s.modTime) }; },
    readDir: (p) => call("readDir", toStr(p)).map((s) => ({ name: () => s.name, isDir: () => s.isDir })),
    cmd: (name, ...args) => makeCmd(toStr(name), args.map(toStr)),
    exec: (name, ...args) => makeCmd(toStr(name), args.map(toStr)),
  };
  function makeCmd(name, args) {
    const cmd = { dir: "", env: [] };
    const run = (combined) => markBytes(call("cmd", name, args, cmd.dir || "", cmd.env || [], combined));
    cmd.output = () => run(false);
    cmd.combinedOutput = () => run(true);
    cmd.run = () => { run(false); };
    return cmd;
  }
  g.$http = {
    send: (opts) => {
      opts = opts || {};
      let body = opts.body === undefined || opts.body === null ? "" : opts.body;
      if (opts.data !== undefined && body === "") body = JSON.stringify(opts.data);
      const multipart = body && typeof body.__entries === "function" ? body.__entries() : null;
      if (multipart) body = "";
      const r = call("httpSend", { url: toStr(opts.url), method: toStr(opts.method || "GET").toUpperCase(), body: typeof body === "string" ? body : JSON.stringify(body), multipart: multipart, headers: opts.headers || {}, timeout: toNumber(opts.timeout || 120) });
      const bytes = markBytes(r.body);
      let json = null;
      try { json = JSON.parse(r.text); } catch (_) { json = null; }
      return { statusCode: r.statusCode, headers: r.headers, cookies: r.cookies || {}, body: bytes, raw: r.text, json: json };
    },
  };
  g.$filepath = {
    base: (p) => call("filepath", "base", toStr(p)),
    dir: (p) => call("filepath", "dir", toStr(p)),
    ext: (p) => call("filepath", "ext", toStr(p)),
    clean: (p) => call("filepath", "clean", toStr(p)),
    isAbs: (p) => toStr(p).startsWith("/"),
    join: (...ps) => call("filepath", "join", ps.map(toStr)),
    split: (p) => { const s = toStr(p); const i = s.lastIndexOf("/"); return [s.slice(0, i + 1), s.slice(i + 1)]; },
    toSlash: (p) => toStr(p),
    fromSlash: (p) => toStr(p),
  };

  // ---------- $apis middlewares ----------
  function nativeMw(name, args, fn) {
    Object.defineProperty(fn, "__native", { value: { native: name, args: enc(args) } });
    return fn;
  }
  g.$apis = {
    requireAuth: (...collections) => nativeMw("requireAuth", collections, (e) => {
      if (!e.auth) throw new UnauthorizedError("The request requires valid record authorization token.");
      if (collections.length && collections.indexOf(e.auth.__cname) < 0 && collections.indexOf(e.auth.__cid) < 0) {
        throw new ForbiddenError("The authorized record is not allowed to perform this action.");
      }
      return e.next();
    }),
    requireSuperuserAuth: () => nativeMw("requireSuperuserAuth", [], (e) => {
      if (!e.auth) throw new UnauthorizedError("The request requires valid record authorization token.");
      if (e.auth.__cname !== "_superusers") throw new ForbiddenError("The authorized record is not allowed to perform this action.");
      return e.next();
    }),
    requireSuperuserOrOwnerAuth: (param) => nativeMw("requireSuperuserOrOwnerAuth", [param], (e) => {
      if (!e.auth) throw new UnauthorizedError("The request requires superuser or record authorization token.");
      if (e.auth.__cname !== "_superusers" && e.auth.id !== e.request.pathValue(param || "id")) throw new ForbiddenError("You are not allowed to perform this request.");
      return e.next();
    }),
    requireGuestOnly: () => nativeMw("requireGuestOnly", [], (e) => {
      if (e.auth) throw new BadRequestError("The request can be accessed only by guests.");
      return e.next();
    }),
    bodyLimit: (n) => nativeMw("bodyLimit", [n], (e) => {
      if (e.request.__bodyLen() > Number(n)) throw new ApiError(413, "Request entity too large.");
      return e.next();
    }),
    gzip: () => nativeMw("gzip", [], (e) => e.next()),
    skipSuccessActivityLog: () => nativeMw("skipSuccessActivityLog", [], (e) => e.next()),
    activityLogger: () => nativeMw("activityLogger", [], (e) => e.next()),
    recordAuthResponse: (e, record, method, meta) => {
      const r = call("recordAuthResponse", record, toStr(method), meta === undefined ? null : meta, e.__authInfo());
      if (r === null) return;
      return e.json(200, r);
    },
    enrichRecord: (e, record, ...expands) => { const out = call("enrichRecords", [record], expands, e.__authInfo()); Object.assign(record, out[0]); },
    enrichRecords: (e, records, ...expands) => { const out = call("enrichRecords", records, expands, e.__authInfo()); records.forEach((r, i) => Object.assign(r, out[i])); },
  };

  class Middleware {
    constructor(fn, priority, id) { this.fn = fn; this.priority = Math.trunc(toNumber(priority)); this.id = id ? toStr(id) : ""; }
  }
  class Cookie {
    constructor(o) { Object.assign(this, { name: "", value: "", path: "", domain: "", maxAge: 0, secure: false, httpOnly: false, sameSite: 0 }, o || {}); }
  }
  class MailerMessage {
    constructor(o) { Object.assign(this, { from: { address: "", name: "" }, to: [], bcc: [], cc: [], subject: "", html: "", text: "", headers: {}, attachments: {}, inlineAttachments: {} }, o || {}); }
  }
  class RequestInfo {
    constructor(o) { Object.assign(this, { query: {}, headers: {}, body: {}, auth: null, method: "", context: "default" }, o || {}); }
    hasSuperuserAuth() { return !!(this.auth && this.auth.__cname === "_superusers"); }
    clone() { return new RequestInfo(this); }
  }

  Object.assign(g, {
    ApiError, BadRequestError, UnauthorizedError, ForbiddenError, NotFoundError, TooManyRequestsError,
    InternalServerError, ValidationError, GoError, Record, Collection, FieldsList, DynamicModel, DateTime,
    Middleware, Cookie, MailerMessage, RequestInfo, $dbx,
  });
  Object.defineProperty(g, "__makeApp", { value: makeApp });
  Object.defineProperty(g, "__enc", { value: enc });
  // JSON of an answer body: plain data is encoded here; records and collections go through their export
  Object.defineProperty(g, "__encJson", {
    value: (data) => {
      // plain data is written by Rust straight from the value; the rest goes through enc
      const plain = nativeJson(data, objectProto);
      if (plain !== undefined) return plain;
      const before = encTags;
      const v = enc(data);
      return encTags === before ? JSON.stringify(v) : call("jsonEncode", v);
    },
  });
  Object.defineProperty(g, "__revive", { value: revive });
  Object.defineProperty(g, "__sentenize", { value: sentenize });
  Object.defineProperty(g, "__toStr", { value: toStr });
  Object.defineProperty(g, "__markBytes", { value: markBytes });
  g.$app = makeApp();
})(globalThis);
