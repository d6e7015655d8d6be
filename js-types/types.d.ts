// Ferrobase: TypeScript declarations of the JavaScript API of pb_hooks and pb_migrations.
//
// Ferrobase writes this file to `<dataDir>/types.d.ts` when it starts, with a fingerprint of its
// content as the first line. A file whose first line already holds the same fingerprint is left
// alone, so edits further down survive until a Ferrobase build with different declarations.
// Nothing at runtime reads the file: it gives editors completion, hover docs and type checks.
//
// Use it from a hook or migration file:
//
//     /// <reference path="../pb_data/types.d.ts" />
//
// or from a jsconfig.json next to pb_data (see js-types/README.md in the Ferrobase repository).
// The declarations describe a runtime without DOM or Node.js: use `"lib": ["ES2022"]` and
// `"types": []` so that browser or Node globals (fetch, document, setInterval, ...) are not offered.
//
// Conventions
// * Names follow the runtime's Go→JS mapping: a Go method `FindRecordById` is `findRecordById`,
//   `JSONField` is `jsonField`, `OAuth2` is `oauth2`, an all-caps `ID` is `id`. Struct fields are
//   properties and methods are functions: `record.id` but `record.email()`.
// * A native call that can fail returns its value and throws a `GoError` when it fails; the
//   signatures show only the value. Missing arguments become zero values ("", 0, false, null),
//   which is why many trailing parameters are optional here.
// * Go byte slices are arrays of numbers (`toString(bytes)` gives the text).
// * Runtime globals are the lines that start with `declare function`, `declare var`,
//   `declare const`, `declare class` or `declare namespace`, except the Go-package namespaces at
//   the end (`core`, `dbx`, `http`, `types`, ...): those hold types only, are not globals, and
//   their `declare namespace` line ends with the comment `// types only, not a runtime global`.
//
// Where each global exists (one ambient file cannot express it, so everything is declared everywhere):
// * top level of `*.pb.js` (the loader): everything except `migrate`;
// * inside hook, route, middleware and cron handlers: everything except `migrate`, `routerAdd`,
//   `routerUse` and the `on*` registrars; `$app` is the handler's `e.app` (the transactional app
//   inside a transaction);
// * migrations: `migrate`, the helpers, classes and `$`-namespaces, but no `$app` (use the `app`
//   argument), `$apis`, error classes (`ApiError`, `BadRequestError`, ...), `routerAdd`,
//   `routerUse`, `cronAdd`, `cronRemove` or `on*`.
//
// Handlers are re-compiled from their source text: a handler does not see the top-level
// `const`/`let`/functions of its file. Share code with `require(`${__hooks}/lib/x.js`)` inside
// the handler, and process-wide state with `$app.store()`.
//
// Ferrobase extensions (PocketBase 0.40.6 does not have them; code that uses them does not run there):
// * `async` handlers: the promise a handler returns is awaited before the hook chain goes on, and
//   its rejection is the handler's error (PocketBase only tolerates them and logs a warning).
// * `setTimeout`/`clearTimeout` inside handlers (absent in PocketBase).
// * ES module `import`/`export` between local files (PocketBase has only CommonJS `require`).
// * Globals built into the QuickJS engine: `queueMicrotask`, `atob`/`btoa`, `performance`,
//   `DOMException`, `InternalError` (absent in PocketBase), and `routerPre` (PocketBase 0.22's name
//   of `routerUse`).

// -------------------------------------------------------------------
// JavaScript environment: console, CommonJS, process, Buffer, timers
// -------------------------------------------------------------------

/**
 * The console. `log`, `info` and `debug` print one line to stdout, `warn` and `error` to stderr,
 * each prefixed with the log timestamp. Arguments are joined with spaces and not inspected
 * (`{a: 1}` prints `[object Object]`); a leading `%s`/`%d` format is applied.
 * Console output does not reach the `_logs` table: use `$app.logger()` for that.
 *
 * @group JavaScript environment
 */
interface Console {
  log(...data: any[]): void
  info(...data: any[]): void
  debug(...data: any[]): void
  warn(...data: any[]): void
  error(...data: any[]): void
}

/** @group JavaScript environment */
declare var console: Console

/**
 * CommonJS `require`. Relative specifiers resolve against the process working directory, not
 * against the hooks dir, so write `` require(`${__hooks}/lib/utils.js`) ``. Bare names are looked up
 * in `node_modules/` from the working directory upwards, `.json` files are parsed, and the
 * built-in modules are `util`, `buffer`, `console` and `process`.
 *
 * Modules are cached per runtime: a module-level variable keeps its value between calls that
 * happen to use the same pooled runtime, but is not shared between runtimes.
 *
 * @group JavaScript environment
 */
interface NodeRequire {
  (id: string): any
}

/** @group JavaScript environment */
declare var require: NodeRequire

/**
 * The CommonJS module object. It exists only inside files loaded with `require()`;
 * in `*.pb.js` files and migrations `typeof module === "undefined"`.
 *
 * @group JavaScript environment
 */
declare var module: { exports: any } | undefined

/**
 * Node-style process information: `process.env.HOME`, `process.argv`.
 *
 * @group JavaScript environment
 */
declare var process: {
  env: { [key: string]: string | undefined }
  argv: Array<string>
}

/**
 * A small Node-compatible `Buffer`: `Buffer.from("hi").toString("base64")` gives `"aGk="`.
 * Encodings: `utf8`, `base64`, `hex`.
 *
 * @group JavaScript environment
 */
interface Buffer extends Uint8Array {
  toString(encoding?: "utf8" | "utf-8" | "base64" | "hex" | string): string
}

/** @group JavaScript environment */
declare var Buffer: {
  from(data: string | ArrayLike<number> | ArrayBuffer, encoding?: "utf8" | "utf-8" | "base64" | "hex" | string): Buffer
}

/**
 * Ferrobase: runs `callback` after `ms` milliseconds. Inside a handler, the handler's call
 * finishes only once its pending timers have run. PocketBase has no timers (use `sleep`).
 *
 * @group JavaScript environment
 */
declare function setTimeout(callback: (...args: any[]) => void, ms?: number, ...args: any[]): number

/**
 * Ferrobase: cancels a timer started with `setTimeout`.
 *
 * @group JavaScript environment
 */
declare function clearTimeout(id: number | undefined): void

/**
 * Ferrobase (QuickJS built-in): queues `callback` as a microtask; it runs before the handler's call
 * finishes. PocketBase has no `queueMicrotask`.
 *
 * @group JavaScript environment
 */
declare function queueMicrotask(callback: () => void): void

/**
 * Ferrobase (QuickJS built-in): decodes a base64 string into a "binary string" (one character per
 * byte). PocketBase has no `atob`: portable code uses `Buffer.from(s, "base64")`.
 *
 * @group JavaScript environment
 */
declare function atob(data: string): string

/**
 * Ferrobase (QuickJS built-in): encodes a "binary string" (characters up to U+00FF) as base64.
 * PocketBase has no `btoa`: portable code uses `Buffer.from(s).toString("base64")`.
 *
 * @group JavaScript environment
 */
declare function btoa(data: string): string

/**
 * Ferrobase (QuickJS built-in): a monotonic clock. PocketBase has no `performance`.
 *
 * @group JavaScript environment
 */
interface Performance {
  /** Milliseconds (fractional) since the runtime started. */
  now(): number
  /** The wall-clock time, in milliseconds since the Unix epoch, that `now()` counts from. */
  readonly timeOrigin: number
}

/** @group JavaScript environment */
declare var performance: Performance

/**
 * Ferrobase (QuickJS built-in): the error class of web APIs, thrown for example by `atob` on
 * invalid input. PocketBase has no `DOMException`.
 *
 * @group JavaScript environment
 */
interface DOMException extends Error {
  readonly name: string
  readonly message: string
  readonly code: number
}

/** @group JavaScript environment */
declare var DOMException: {
  new (message?: string, name?: string): DOMException
  readonly prototype: DOMException
}

/**
 * Ferrobase (QuickJS built-in): the class of some engine-internal errors. PocketBase has no
 * `InternalError`. (Too deep a recursion throws a `RangeError` in both.)
 *
 * @group JavaScript environment
 */
declare class InternalError extends Error {
  constructor(message?: string)
}

/**
 * The error thrown when a native (Go-side in PocketBase) call fails, for example
 * `$app.findRecordById` on a missing id. It is an `Error`: `String(err)` gives
 * `"GoError: <message>"`, and `err instanceof GoError` tells it apart from errors thrown by JS code.
 *
 * Left uncaught in a route or hook, a "no rows" or "file does not exist" GoError becomes a 404,
 * a validation error from `$app.save` a 400 with the field errors, anything else a 400 with the
 * generic message.
 *
 * @group PocketBase
 */
interface GoError extends Error {
  name: "GoError"
  message: string
  /** The wrapped native error. */
  value: any
}

/** @group PocketBase */
declare var GoError: {
  new (message?: string): GoError
  readonly prototype: GoError
}

// -------------------------------------------------------------------
// cron
// -------------------------------------------------------------------

/**
 * Registers (or replaces) the cron job `jobId`. `cronExpr` has five fields
 * (`minute hour day-of-month month day-of-week`, e.g. `"*\/5 * * * *"`) or is a macro such as
 * `@yearly`, `@monthly`, `@weekly`, `@daily`, `@midnight` or `@hourly`.
 * An error thrown by the job is logged with its id. Jobs show in `$app.cron().jobs()`.
 *
 * ```js
 * cronAdd("cleanup_drafts", "0 3 * * *", () => {
 *   $app.db().newQuery("DELETE FROM posts WHERE status = 'draft'").execute()
 * })
 * ```
 *
 * @group PocketBase
 */
declare function cronAdd(jobId: string, cronExpr: string, handler: () => void): void

/**
 * Removes the cron job `jobId` (nothing happens when there is none).
 *
 * @group PocketBase
 */
declare function cronRemove(jobId: string): void

// -------------------------------------------------------------------
// router
// -------------------------------------------------------------------

/**
 * What a route or global middleware can be: a function that calls `e.next()`, its source text,
 * a `Middleware` (explicit priority and id) or a native middleware from `$apis`.
 *
 * @group PocketBase
 */
type MiddlewareArg =
  | ((e: core.RequestEvent) => void)
  | string
  | Middleware
  | hook.Handler<core.RequestEvent>

/**
 * Adds a route, mounted when `serve` starts.
 *
 * `method` is an exact HTTP method (upper-cased; a `GET` route also answers `HEAD`).
 * `path` uses Go 1.22 mux patterns: `{name}` is one segment, `{rest...}` the remainder,
 * `{$}` only the exact trailing slash. Read a parameter with `e.request.pathValue("name")`.
 * The middlewares run before the handler, in order, each continuing with `e.next()`.
 *
 * ```js
 * routerAdd("GET", "/api/greet/{name}", (e) => {
 *   return e.json(200, { hello: e.request.pathValue("name") })
 * }, $apis.requireAuth())
 * ```
 *
 * @group PocketBase
 */
declare function routerAdd(
  method: string,
  path: string,
  handler: string | ((e: core.RequestEvent) => void),
  ...middlewares: Array<MiddlewareArg>
): void

/**
 * Adds global middlewares that run for every matched route, the built-in ones included.
 * Each must call `e.next()` to continue.
 *
 * ```js
 * routerUse((e) => {
 *   e.response.header().set("X-Served-By", "hooks")
 *   return e.next()
 * })
 * ```
 *
 * @group PocketBase
 */
declare function routerUse(...middlewares: Array<MiddlewareArg>): void

/**
 * Ferrobase: the same as `routerUse` (the name PocketBase 0.22 and older used for middlewares that
 * run before routing). PocketBase 0.40.6 has no `routerPre`: write `routerUse`.
 *
 * @deprecated use `routerUse`
 * @group PocketBase
 */
declare function routerPre(...middlewares: Array<MiddlewareArg>): void

// -------------------------------------------------------------------
// base globals
// -------------------------------------------------------------------

/**
 * The absolute path of the hooks directory, e.g. `/srv/app/pb_hooks`.
 * Available in hooks and migrations.
 *
 * @group PocketBase
 */
declare var __hooks: string

/**
 * The app API without the `on*` hook methods (the global `on*` functions replace them).
 * This is the type of `e.app`, of `$app` and of the `app`/`txApp` arguments.
 *
 * @group PocketBase
 */
type CoreApp = core.App

/**
 * The running app, as `$app`.
 *
 * @group PocketBase
 */
interface PocketBase extends core.App {
  /** The root CLI command; add custom commands with `$app.rootCmd.addCommand(new Command({...}))`. */
  rootCmd: cobra.Command
}

/**
 * The running app. Inside a handler it is the handler's `e.app`, which is the transactional app
 * when the handler runs inside a transaction. Not available in migrations: use the `app`
 * argument there.
 *
 * ```js
 * const post = $app.findFirstRecordByData("posts", "slug", "hello")
 * ```
 *
 * @namespace
 * @group PocketBase
 */
declare var $app: PocketBase

/**
 * Loads and renders Go `html/template` templates (contextual auto-escaping).
 *
 * ```js
 * const html = $template.loadFiles(`${__hooks}/views/layout.html`, `${__hooks}/views/page.html`)
 *   .render({ title: "Hi" })
 * const text = $template.loadString("Hello {{.name}}!").render({ name: "Bob" })
 * ```
 *
 * @namespace
 * @group PocketBase
 */
declare var $template: template.Registry

/**
 * @deprecated Use `toString(reader, maxBytes)`.
 * @group PocketBase
 */
declare function readerToString(reader: any, maxBytes?: number): string

/**
 * Converts a value to a string: a reader (e.g. `e.request.body`) is read (up to `maxBytes`,
 * 32 MiB by default), a byte slice becomes its text, `null`/`undefined` becomes `""`, numbers and
 * booleans their string form, and anything else its JSON text.
 *
 * Note: a plain JS array of numbers is not a byte slice; `toString([104, 105])` is `"[104,105]"`.
 *
 * ```js
 * const raw = toString(e.request.body)
 * const out = toString($os.cmd("date").output())
 * ```
 *
 * @group PocketBase
 */
declare function toString(val: any, maxBytes?: number): string

/**
 * The inverse of `toString`: a string gives its UTF-8 bytes, a reader its content (up to
 * `maxBytes`), `null` an empty array, another value its JSON bytes.
 *
 * @group PocketBase
 */
declare function toBytes(val: any, maxBytes?: number): Array<number>

/**
 * Blocks the calling thread for `milliseconds`.
 *
 * @group PocketBase
 */
declare function sleep(milliseconds: number): void

/**
 * An empty typed array to fill with `.all()` or `.column()`.
 *
 * ```js
 * const rows = arrayOf(new DynamicModel({ id: "", views: 0 }))
 * $app.db().select("id", "views").from("posts").all(rows)
 *
 * const records = arrayOf(new Record)
 * $app.recordQuery("posts").where($dbx.hashExp({ status: "public" })).all(records)
 * ```
 *
 * @group PocketBase
 */
declare function arrayOf<T>(model: T): Array<T>

/**
 * Merges `data` into `dst` through a JSON round trip (`dst` is a Collection, Record, DynamicModel
 * or another native value).
 *
 * ```js
 * unmarshal({ listRule: "", viewRule: null }, collection)
 * ```
 *
 * @group PocketBase
 */
declare function unmarshal(data: any, dst: any): void

/**
 * A row destination for queries whose shape is given by example values:
 * `""` string, `0` integer, `-0` float, `false` boolean, `[]` JSON array, `{}` JSON object
 * (read it with `.get(key)`), and `nullString()`, `nullInt()`, `nullFloat()`, `nullBool()`,
 * `nullArray()`, `nullObject()` for nullable columns.
 *
 * The column and JSON name is the key as written; the property is its lowerCamelCase form
 * (`Roles` is read as `model.roles`). An empty shape throws.
 *
 * ```js
 * const row = new DynamicModel({ total: 0, avg: -0, name: nullString() })
 * $app.db().newQuery("SELECT COUNT(*) AS total, AVG(views) AS avg, NULL AS name FROM posts").one(row)
 * ```
 *
 * @group PocketBase
 */
declare class DynamicModel {
  [key: string]: any
  constructor(shape?: { [key: string]: any })
}

/** A nullable string column for `DynamicModel`. @group PocketBase */
declare function nullString(): string
/** A nullable integer column for `DynamicModel`. @group PocketBase */
declare function nullInt(): number
/** A nullable float column for `DynamicModel`. @group PocketBase */
declare function nullFloat(): number
/** A nullable boolean column for `DynamicModel`. @group PocketBase */
declare function nullBool(): boolean
/** A nullable JSON array column for `DynamicModel`. @group PocketBase */
declare function nullArray(): Array<any>
/** A nullable JSON object column for `DynamicModel`. @group PocketBase */
declare function nullObject(): { get(key: string): any; set(key: string, value: any): void }

interface Context extends context.Context {}
/**
 * A Go `context.Context`, optionally derived from `parent` with one `key`/`value` pair.
 *
 * ```js
 * const ctx = new Context(null, "source", "hooks")
 * $app.saveWithContext(ctx, record)
 * ```
 *
 * @group PocketBase
 */
declare class Context implements context.Context {
  constructor(parentCtx?: Context | context.Context | null, key?: any, value?: any)
}

/**
 * A new record of `collection` (a Collection object), optionally loaded with `data` through
 * `record.load` (field normalisation and the `field+`/`+field`/`field-` modifiers apply).
 * `record.id` stays `""` until the first save unless set.
 *
 * Declared as a constructor constant so that TypeScript's own `Record<K, V>` type stays usable.
 *
 * ```js
 * const posts = $app.findCollectionByNameOrId("posts")
 * const record = new Record(posts, { title: "Hello" })
 * $app.save(record)
 * ```
 *
 * @group PocketBase
 */
declare const Record: {
  new (collection?: core.Collection | null, data?: { [key: string]: any }): core.Record
}

interface Collection extends core.Collection {}
/**
 * A collection model; `data` is decoded as JSON (unknown keys are ignored).
 *
 * Give `fields` as plain objects with a `type`. REF: typed instances (`new TextField(...)`)
 * inside this array are dropped by PocketBase because their JSON has no `type` key; add those
 * afterwards with `collection.fields.add(...)`.
 *
 * ```js
 * const posts = new Collection({
 *   type: "base",
 *   name: "posts",
 *   listRule: "status = 'public'",
 *   fields: [
 *     { name: "title", type: "text", required: true, max: 200 },
 *     { name: "status", type: "select", values: ["draft", "public"], maxSelect: 1 },
 *   ],
 *   indexes: ["CREATE INDEX idx_posts_status ON posts (status)"],
 * })
 * posts.fields.add(new NumberField({ name: "views", onlyInt: true }))
 * app.save(posts)
 * ```
 *
 * @group PocketBase
 */
declare class Collection implements core.Collection {
  constructor(data?: core.CollectionInit)
}

interface FieldsList extends core.FieldsList {}
/**
 * A list of fields (usually `collection.fields`).
 *
 * @group PocketBase
 */
declare class FieldsList implements core.FieldsList {
  constructor(fields?: Array<core.FieldInit | core.Field>)
}

interface Field extends core.Field {}
/**
 * A field of the type named by `data.type`.
 *
 * ```js
 * collection.fields.addAt(1, new Field({ type: "bool", name: "featured" }))
 * ```
 *
 * @group PocketBase
 */
declare class Field implements core.Field {
  constructor(data?: core.FieldInit)
}

interface NumberField extends core.NumberField {}
/** A `number` field. @group PocketBase */
declare class NumberField implements core.NumberField {
  constructor(data?: Partial<core.NumberField>)
}

interface BoolField extends core.BoolField {}
/** A `bool` field. @group PocketBase */
declare class BoolField implements core.BoolField {
  constructor(data?: Partial<core.BoolField>)
}

interface TextField extends core.TextField {}
/** A `text` field. @group PocketBase */
declare class TextField implements core.TextField {
  constructor(data?: Partial<core.TextField>)
}

interface URLField extends core.URLField {}
/** A `url` field. @group PocketBase */
declare class URLField implements core.URLField {
  constructor(data?: Partial<core.URLField>)
}

interface EmailField extends core.EmailField {}
/** An `email` field. @group PocketBase */
declare class EmailField implements core.EmailField {
  constructor(data?: Partial<core.EmailField>)
}

interface EditorField extends core.EditorField {}
/** An `editor` (rich text) field. @group PocketBase */
declare class EditorField implements core.EditorField {
  constructor(data?: Partial<core.EditorField>)
}

interface PasswordField extends core.PasswordField {}
/** A `password` field. @group PocketBase */
declare class PasswordField implements core.PasswordField {
  constructor(data?: Partial<core.PasswordField>)
}

interface DateField extends core.DateField {}
/** A `date` field. @group PocketBase */
declare class DateField implements core.DateField {
  constructor(data?: Partial<core.DateField>)
}

interface AutodateField extends core.AutodateField {}
/** An `autodate` field (set on create and/or update). @group PocketBase */
declare class AutodateField implements core.AutodateField {
  constructor(data?: Partial<core.AutodateField>)
}

interface JSONField extends core.JSONField {}
/** A `json` field. @group PocketBase */
declare class JSONField implements core.JSONField {
  constructor(data?: Partial<core.JSONField>)
}

interface RelationField extends core.RelationField {}
/** A `relation` field. @group PocketBase */
declare class RelationField implements core.RelationField {
  constructor(data?: Partial<core.RelationField>)
}

interface SelectField extends core.SelectField {}
/** A `select` field. @group PocketBase */
declare class SelectField implements core.SelectField {
  constructor(data?: Partial<core.SelectField>)
}

interface FileField extends core.FileField {}
/** A `file` field. @group PocketBase */
declare class FileField implements core.FileField {
  constructor(data?: Partial<core.FileField>)
}

interface GeoPointField extends core.GeoPointField {}
/** A `geoPoint` field. @group PocketBase */
declare class GeoPointField implements core.GeoPointField {
  constructor(data?: Partial<core.GeoPointField>)
}

interface MailerMessage extends mailer.Message {}
/**
 * An e-mail, sent with `$app.newMailClient().send(message)`.
 *
 * ```js
 * const message = new MailerMessage({
 *   from: { address: $app.settings().meta.senderAddress, name: $app.settings().meta.senderName },
 *   to: [{ address: "someone@example.com" }],
 *   subject: "Welcome",
 *   html: "<p>Hello!</p>",
 * })
 * $app.newMailClient().send(message)
 * ```
 *
 * @group PocketBase
 */
declare class MailerMessage implements mailer.Message {
  constructor(message?: Partial<mailer.Message>)
}

interface Command extends cobra.Command {}
/**
 * A custom CLI command.
 *
 * ```js
 * $app.rootCmd.addCommand(new Command({
 *   use: "hello",
 *   run: (cmd, args) => console.log("Hello", args.join(" ")),
 * }))
 * ```
 *
 * @group PocketBase
 */
declare class Command implements cobra.Command {
  constructor(cmd?: Partial<cobra.Command>)
}

/**
 * Request data as rules see it (`@request.*`); useful with `$app.canAccessRecord`.
 * Declared as a constructor constant so that it does not clash with other `RequestInfo` types.
 *
 * @group PocketBase
 */
declare const RequestInfo: {
  new (info?: Partial<core.RequestInfo>): core.RequestInfo
}

/**
 * A middleware with an explicit priority (lower runs earlier; the default is 0) and id.
 *
 * ```js
 * routerUse(new Middleware((e) => {
 *   e.response.header().set("X-Early", "1")
 *   return e.next()
 * }, -100, "early"))
 * ```
 *
 * @group PocketBase
 */
declare class Middleware {
  private __middleware
  constructor(func: string | ((e: core.RequestEvent) => void), priority?: number, id?: string)
}

interface Timezone extends time.Location {}
/**
 * A time zone by IANA name (`"Europe/Sofia"`); `""` or `"UTC"` is UTC, `"Local"` the system zone.
 *
 * @group PocketBase
 */
declare class Timezone implements time.Location {
  constructor(name?: string)
}

interface DateTime extends types.DateTime {}
/**
 * A date and time. Without arguments it is now; a string is parsed in UTC or in the zone named
 * by `defaultParseInLocation` when the string has no zone of its own.
 *
 * ```js
 * const d = new DateTime("2024-01-02 03:04:05.000Z")
 * d.addDate(0, 1, 0).string() // "2024-02-02 03:04:05.000Z"
 * ```
 *
 * @group PocketBase
 */
declare class DateTime implements types.DateTime {
  constructor(date?: string, defaultParseInLocation?: string)
}

interface ValidationError extends ozzo_validation.Error {}
/**
 * A field error for the `data` of an API error. The message is sentence-cased in the response
 * (`"too short"` becomes `"Too short."`).
 *
 * ```js
 * throw new BadRequestError("Invalid data.", { title: new ValidationError("too_short", "too short") })
 * ```
 *
 * @group PocketBase
 */
declare class ValidationError implements ozzo_validation.Error {
  constructor(code?: string, message?: string)
}

interface Cookie extends http.Cookie {}
/**
 * A cookie for `e.setCookie`.
 *
 * ```js
 * e.setCookie(new Cookie({ name: "sid", value: "abc", path: "/", httpOnly: true, secure: true }))
 * ```
 *
 * @group PocketBase
 */
declare class Cookie implements http.Cookie {
  constructor(options?: Partial<http.Cookie>)
}

interface SubscriptionMessage extends subscriptions.Message {}
/**
 * A realtime message to send to a client.
 *
 * ```js
 * const client = $app.subscriptionsBroker().clientById(clientId)
 * client.send(new SubscriptionMessage({ name: "notice", data: JSON.stringify({ text: "hi" }) }))
 * ```
 *
 * @group PocketBase
 */
declare class SubscriptionMessage implements subscriptions.Message {
  constructor(options?: Partial<subscriptions.Message>)
}

// -------------------------------------------------------------------
// $dbx: query expressions
// -------------------------------------------------------------------

/**
 * Expressions for `where`, `having`, `join` and the `$app` finders.
 * Placeholders look like `{:name}`; `{{table}}` and `[[column]]` quote identifiers.
 *
 * ```js
 * $app.db().select("id", "title").from("posts")
 *   .where($dbx.and($dbx.exp("views >= {:min}", { min: 5 }), $dbx.in("status", "public", "featured")))
 *   .all(rows)
 * ```
 *
 * @group PocketBase
 */
declare namespace $dbx {
  /**
   * Column equality from an object: `{status: "public"}` is `status = 'public'`, an array value
   * is `IN (...)` and `null` is `IS NULL`; several keys are joined with `AND`.
   */
  export function hashExp(pairs: { [column: string]: any }): dbx.Expression
  /** A raw SQL expression with optional `{:name}` parameters. */
  export function exp(expr: string, ...params: Array<dbx.Params>): dbx.Expression
  /** `NOT (e)`. */
  export function not(e: dbx.Expression): dbx.Expression
  /** Joins expressions with `AND` (empty ones are skipped). */
  export function and(...exps: Array<dbx.Expression>): dbx.Expression
  /** Joins expressions with `OR` (empty ones are skipped). */
  export function or(...exps: Array<dbx.Expression>): dbx.Expression
  function _in(col: string, ...values: Array<any>): dbx.Expression
  /** `col IN (values...)`; exported under the reserved word: `$dbx.in("id", a, b)`. */
  export { _in as in }
  /** `col NOT IN (values...)`. */
  export function notIn(col: string, ...values: Array<any>): dbx.Expression
  /** `col LIKE '%v%'` for each value, joined with `AND` (the `%` are added, the value is escaped). */
  export function like(col: string, ...values: Array<string>): dbx.LikeExp
  /** Like `like`, joined with `OR`. */
  export function orLike(col: string, ...values: Array<string>): dbx.LikeExp
  /** `col NOT LIKE '%v%'`, joined with `AND`. */
  export function notLike(col: string, ...values: Array<string>): dbx.LikeExp
  /** `col NOT LIKE '%v%'`, joined with `OR`. */
  export function orNotLike(col: string, ...values: Array<string>): dbx.LikeExp
  /** `EXISTS (e)`. */
  export function exists(e: dbx.Expression): dbx.Expression
  /** `NOT EXISTS (e)`. */
  export function notExists(e: dbx.Expression): dbx.Expression
  /** `col BETWEEN from AND to`. */
  export function between(col: string, from: any, to: any): dbx.Expression
  /** `col NOT BETWEEN from AND to`. */
  export function notBetween(col: string, from: any, to: any): dbx.Expression
}

// -------------------------------------------------------------------
// $mails
// -------------------------------------------------------------------

/**
 * Sends the built-in auth e-mails of a record's collection (templates from the collection
 * options, through `onMailerRecord*Send`).
 *
 * @group PocketBase
 */
declare namespace $mails {
  /** Sends the password reset e-mail. */
  function sendRecordPasswordReset(app: CoreApp, authRecord: core.Record): void
  /** Sends the verification e-mail. */
  function sendRecordVerification(app: CoreApp, authRecord: core.Record): void
  /** Sends the e-mail change confirmation to `newEmail`. */
  function sendRecordChangeEmail(app: CoreApp, authRecord: core.Record, newEmail: string): void
  /** Sends the one-time password `pass` of the OTP `otpId`. */
  function sendRecordOTP(app: CoreApp, authRecord: core.Record, otpId: string, pass: string): void
  /** Sends the new-login alert; `info` describes the client. */
  function sendRecordAuthAlert(app: CoreApp, authRecord: core.Record, info: string): void
}

// -------------------------------------------------------------------
// $security
// -------------------------------------------------------------------

/**
 * Random strings, hashes, HMAC, AES-GCM and JWT helpers.
 *
 * ```js
 * const token = $security.createJWT({ sub: user.id }, "signing-key", 3600)
 * const claims = $security.parseJWT(token, "signing-key") // throws on a bad signature
 * ```
 *
 * @group PocketBase
 */
declare namespace $security {
  /** A cryptographically random `[A-Za-z0-9]` string of `length` characters. */
  function randomString(length: number): string
  /** A cryptographically random string from `alphabet`. */
  function randomStringWithAlphabet(length: number, alphabet: string): string
  /** A random string matching the regular expression `pattern`. */
  function randomStringByRegex(pattern: string, ...optFlags: Array<number>): string
  /** A fast, non-cryptographic random `[A-Za-z0-9]` string. */
  function pseudorandomString(length: number): string
  /** A fast, non-cryptographic random string from `alphabet`. */
  function pseudorandomStringWithAlphabet(length: number, alphabet: string): string
  /** Encrypts with AES-256-GCM (`key` has 32 characters); the result is base64 with the nonce prepended. */
  function encrypt(data: string | Array<number>, key: string): string
  /** Decrypts the output of `encrypt`. */
  function decrypt(cipherText: string, key: string): string
  /** HMAC-SHA256 of `text`, lowercase hex. */
  function hs256(text: string, secret: string): string
  /** HMAC-SHA512 of `text`, lowercase hex. */
  function hs512(text: string, secret: string): string
  /** Constant-time string comparison. */
  function equal(hash1: string, hash2: string): boolean
  /** MD5 of `text`, lowercase hex. */
  function md5(text: string): string
  /** SHA-256 of `text`, lowercase hex. */
  function sha256(text: string): string
  /** SHA-512 of `text`, lowercase hex. */
  function sha512(text: string): string
  /** An HS256 JWT with `payload` and an `exp` claim `secDuration` seconds from now. */
  function createJWT(payload: { [key: string]: any }, signingKey: string, secDuration: number): string
  /** The claims of `token` without checking its signature. */
  function parseUnverifiedJWT(token: string): { [key: string]: any }
  /** The claims of `token`; throws when the signature or the time claims are invalid. */
  function parseJWT(token: string, verificationKey: string): { [key: string]: any }
}

// -------------------------------------------------------------------
// $filesystem
// -------------------------------------------------------------------

/**
 * Files for file fields, and standalone storage clients.
 *
 * ```js
 * record.set("avatar", $filesystem.fileFromPath("/tmp/avatar.png"))
 * record.set("doc", $filesystem.fileFromBytes(toBytes("hello"), "hello.txt"))
 * ```
 *
 * @group PocketBase
 */
declare namespace $filesystem {
  /** A file from a local path. */
  function fileFromPath(path: string): filesystem.File
  /** A file from bytes, with the given original name. */
  function fileFromBytes(b: string | Array<number>, name: string): filesystem.File
  /** A file from an uploaded multipart part. */
  function fileFromMultipart(mh: multipart.FileHeader): filesystem.File
  /** Downloads `url` into a file (timeout `secTimeout` seconds, 120 by default). */
  function fileFromURL(url: string, secTimeout?: number): filesystem.File
  /**
   * A storage client for one S3 bucket; call `close()` when done. `$app.newFilesystem()` is
   * usually what you want (it follows the app settings).
   */
  function s3(bucketName: string, region: string, endpoint: string, accessKey: string, secretKey: string, s3ForcePathStyle: boolean): filesystem.System
  /** A storage client over a local directory; call `close()` when done. */
  function local(dirPath: string): filesystem.System
}

// -------------------------------------------------------------------
// $filepath
// -------------------------------------------------------------------

/**
 * Go `path/filepath`: `$filepath.ext("a.tar.gz")` is `".gz"`,
 * `$filepath.split("/a/b/c.txt")` is `["/a/b/", "c.txt"]`.
 *
 * @group PocketBase
 */
declare namespace $filepath {
  function base(path: string): string
  function clean(path: string): string
  function dir(path: string): string
  function ext(path: string): string
  function fromSlash(path: string): string
  function glob(pattern: string): Array<string>
  function isAbs(path: string): boolean
  function join(...elem: Array<string>): string
  function match(pattern: string, name: string): boolean
  function rel(basePath: string, targPath: string): string
  function split(path: string): [string, string]
  function splitList(path: string): Array<string>
  function toSlash(path: string): string
  /** Calls `fn` for each file under `root` in lexical order; return a non-null error to stop. */
  function walk(root: string, fn: (path: string, info: fs.FileInfo, err: any) => any): void
  /** Like `walk` with directory entries (cheaper). */
  function walkDir(root: string, fn: (path: string, d: fs.DirEntry, err: any) => any): void
}

// -------------------------------------------------------------------
// $os
// -------------------------------------------------------------------

/**
 * Operating system helpers (Go `os` and `os/exec`).
 *
 * ```js
 * const out = toString($os.cmd("git", "rev-parse", "HEAD").output()).trim()
 * const cfg = JSON.parse(toString($os.readFile(`${__hooks}/config.json`)))
 * ```
 *
 * @group PocketBase
 */
declare namespace $os {
  /** Prepares an external command; run it with `output()`, `combinedOutput()` or `run()`. */
  function cmd(name: string, ...args: Array<string>): exec.Cmd
  /** Alias of `cmd`. */
  function exec(name: string, ...args: Array<string>): exec.Cmd
  /** The command line, starting with the program name. */
  let args: Array<string>
  /** Exits the process with `code`. */
  function exit(code: number): void
  /** The value of an environment variable (`""` when unset). */
  function getenv(key: string): string
  /** A read-only file system rooted at `dir` (e.g. for `$apis.static`). */
  function dirFS(dir: string): fs.FS
  /** The whole file as bytes. */
  function readFile(name: string): Array<number>
  /** Writes `data` to a file, creating it with `perm` (e.g. `0o644`). */
  function writeFile(name: string, data: string | Array<number>, perm: number): void
  function stat(name: string): fs.FileInfo
  function readDir(name: string): Array<fs.DirEntry>
  function tempDir(): string
  function truncate(name: string, size: number): void
  function getwd(): string
  function mkdir(name: string, perm: number): void
  function mkdirAll(path: string, perm: number): void
  function rename(oldpath: string, newpath: string): void
  function remove(name: string): void
  function removeAll(path: string): void
  /** A directory handle whose operations cannot leave it. */
  function openRoot(name: string): os.Root
  /** Opens `name` inside `dir` without leaving it. */
  function openInRoot(dir: string, name: string): os.File
}

// -------------------------------------------------------------------
// forms (legacy helpers)
// -------------------------------------------------------------------

interface AppleClientSecretCreateForm extends forms.AppleClientSecretCreate {}
/** Generates the client secret JWT for "Sign in with Apple". @group PocketBase */
declare class AppleClientSecretCreateForm implements forms.AppleClientSecretCreate {
  constructor(app: CoreApp)
}

interface RecordUpsertForm extends forms.RecordUpsert {}
/** Creates or updates a record from request-like data, with the API's checks. @group PocketBase */
declare class RecordUpsertForm implements forms.RecordUpsert {
  constructor(app: CoreApp, record: core.Record)
}

interface TestEmailSendForm extends forms.TestEmailSend {}
/** Sends a test e-mail with one of the auth templates. @group PocketBase */
declare class TestEmailSendForm implements forms.TestEmailSend {
  constructor(app: CoreApp)
}

interface TestS3FilesystemForm extends forms.TestS3Filesystem {}
/** Checks the S3 settings (`"storage"` or `"backups"`). @group PocketBase */
declare class TestS3FilesystemForm implements forms.TestS3Filesystem {
  constructor(app: CoreApp)
}

// -------------------------------------------------------------------
// API errors
// -------------------------------------------------------------------

// Thrown (or returned) from a handler, these become the error response
// `{"status": N, "message": "...", "data": {...}}`. The message is sentence-cased (trimmed,
// first letter upper-cased, final "." added). In `data`, a `ValidationError` becomes
// `{code, message}`, nested objects recurse and any other value becomes
// `{"code": "validation_invalid_value", "message": "Invalid value."}`.
// An instance is a native object: `err.status`, `err.message` and `err.data` can be read,
// `err instanceof BadRequestError` holds, but it is not `instanceof Error` nor `instanceof ApiError`.

interface ApiError extends router.ApiError {}
/**
 * An API error with any status; the default message is the HTTP status text.
 *
 * ```js
 * throw new ApiError(418, "I am a teapot.", { brew: new ValidationError("no_coffee", "tea only") })
 * ```
 *
 * @group PocketBase
 */
declare class ApiError implements router.ApiError {
  constructor(status?: number, message?: string, data?: any)
}

interface NotFoundError extends router.ApiError {}
/** 404; default message `The requested resource wasn't found.` @group PocketBase */
declare class NotFoundError implements router.ApiError {
  constructor(message?: string, data?: any)
}

interface BadRequestError extends router.ApiError {}
/** 400; default message `Something went wrong while processing your request.` @group PocketBase */
declare class BadRequestError implements router.ApiError {
  constructor(message?: string, data?: any)
}

interface ForbiddenError extends router.ApiError {}
/** 403; default message `You are not allowed to perform this request.` @group PocketBase */
declare class ForbiddenError implements router.ApiError {
  constructor(message?: string, data?: any)
}

interface UnauthorizedError extends router.ApiError {}
/** 401; default message `Missing or invalid authentication.` @group PocketBase */
declare class UnauthorizedError implements router.ApiError {
  constructor(message?: string, data?: any)
}

interface TooManyRequestsError extends router.ApiError {}
/** 429; default message `Too Many Requests.` @group PocketBase */
declare class TooManyRequestsError implements router.ApiError {
  constructor(message?: string, data?: any)
}

interface InternalServerError extends router.ApiError {}
/**
 * 500; default message `Something went wrong while processing your request.`
 * (PocketBase's own declarations wrongly say 429.)
 *
 * @group PocketBase
 */
declare class InternalServerError implements router.ApiError {
  constructor(message?: string, data?: any)
}

// -------------------------------------------------------------------
// $apis
// -------------------------------------------------------------------

/**
 * Native middlewares, the static file handler and API response helpers.
 *
 * ```js
 * routerAdd("GET", "/dashboard/{path...}", $apis.static(`${__hooks}/../pb_public/dashboard`, true))
 * routerAdd("POST", "/api/admin-only", (e) => e.json(200, { ok: true }), $apis.requireSuperuserAuth())
 * ```
 *
 * @group PocketBase
 */
declare namespace $apis {
  /**
   * A route handler that serves files from a directory path or an `fs.FS`. The route must end
   * with a `{path...}` parameter. With `indexFallback`, missing paths serve the root
   * `index.html` (single page apps).
   */
  function _static(dirOrFS: string | fs.FS, indexFallback: boolean): (e: core.RequestEvent) => void
  export { _static as static }
  /** 400 `The request can be accessed only by guests.` for authenticated requests. */
  export function requireGuestOnly(): hook.Handler<core.RequestEvent>
  /**
   * 401 without a valid record token; 403 when the record's collection is not one of
   * `optCollectionNames` (any auth collection when none is given).
   */
  export function requireAuth(...optCollectionNames: Array<string>): hook.Handler<core.RequestEvent>
  /** 401/403 unless the request is authenticated as a superuser. */
  export function requireSuperuserAuth(): hook.Handler<core.RequestEvent>
  /**
   * Allows superusers and the record whose id is the path parameter `ownerIdPathParam`
   * (default `"id"`).
   */
  export function requireSuperuserOrOwnerAuth(ownerIdPathParam?: string): hook.Handler<core.RequestEvent>
  /** Allows only auth records of the collection named by the path parameter `collectionPathParam`. */
  export function requireSameCollectionContextAuth(collectionPathParam?: string): hook.Handler<core.RequestEvent>
  /** Skips the request log entry when the request succeeds. */
  export function skipSuccessActivityLog(): hook.Handler<core.RequestEvent>
  /** Gzip-compresses the response when the client accepts it. */
  export function gzip(): hook.Handler<core.RequestEvent>
  /** 413 `Request entity too large.` for bodies over `limitBytes`. */
  export function bodyLimit(limitBytes: number): hook.Handler<core.RequestEvent>
  /**
   * Applies the API visibility rules to `record` for this request (hidden fields, email
   * visibility, `onRecordEnrich`) and expands `defaultExpands` plus the request's `?expand=`.
   */
  export function enrichRecord(e: core.RequestEvent, record: core.Record, ...defaultExpands: Array<string>): void
  /** `enrichRecord` for a list. */
  export function enrichRecords(e: core.RequestEvent, records: Array<core.Record>, ...defaultExpands: Array<string>): void
  /**
   * Writes the standard auth response `{token, record, meta}` (MFA, login alerts and
   * `onRecordAuthRequest` included). `authMethod` names the method (`"password"`, `"oauth2"`, ...;
   * `""` skips the MFA check and the alert).
   */
  export function recordAuthResponse(e: core.RequestEvent, authRecord: core.Record, authMethod: string, meta?: any): void
}

// -------------------------------------------------------------------
// $http
// -------------------------------------------------------------------

/**
 * A multipart form body for `$http.send`. Values are strings or `$filesystem` files; the
 * multipart content type is set by `$http.send`.
 *
 * @group PocketBase
 */
declare class FormData {
  constructor()
  append(key: string, value: string | filesystem.File | any): void
  set(key: string, value: string | filesystem.File | any): void
  delete(key: string): void
  get(key: string): any
  getAll(key: string): Array<any>
  has(key: string): boolean
  keys(): Array<string>
  values(): Array<any>
  entries(): Array<[string, any]>
}

/**
 * Outgoing HTTP requests (synchronous).
 *
 * @group PocketBase
 */
declare namespace $http {
  /**
   * Sends one request and returns once the whole answer is read. Non-2xx answers do not throw;
   * network errors and timeouts throw a `GoError`.
   *
   * ```js
   * const res = $http.send({
   *   url: "https://api.example.com/items",
   *   method: "POST",
   *   body: JSON.stringify({ name: "x" }),
   *   headers: { "content-type": "application/json" },
   *   timeout: 10,
   * })
   * if (res.statusCode === 200) console.log(res.json.id)
   * ```
   */
  function send(config: {
    url: string
    /** `"GET"` by default. */
    method?: string
    body?: string | FormData
    headers?: { [key: string]: string }
    /** Seconds, 120 by default. */
    timeout?: number
    /** @deprecated Use `body`. */
    data?: { [key: string]: any }
  }): {
    statusCode: number
    /** By canonical header name, e.g. `res.headers["Content-Type"][0]`. */
    headers: { [key: string]: Array<string> }
    cookies: { [key: string]: http.Cookie }
    /** The body parsed as JSON, or null. */
    json: any
    /** The raw body bytes; `toString(res.body)` gives the text. */
    body: Array<number>
    /** @deprecated Use `toString(res.body)`. */
    raw: string
  }
}

// -------------------------------------------------------------------
// migrations
// -------------------------------------------------------------------

/**
 * Registers the migration of this file (available only in `pb_migrations/*.js`). Both callbacks
 * receive the transactional app; a thrown error rolls the migration back. Without `down`,
 * reverting only forgets the migration.
 *
 * ```js
 * migrate((app) => {
 *   const c = app.findCollectionByNameOrId("posts")
 *   c.fields.add(new BoolField({ name: "featured" }))
 *   app.save(c)
 * }, (app) => {
 *   const c = app.findCollectionByNameOrId("posts")
 *   c.fields.removeByName("featured")
 *   app.save(c)
 * })
 * ```
 *
 * @group PocketBase
 */
declare function migrate(up: (txApp: CoreApp) => void, down?: ((txApp: CoreApp) => void) | null): void

// -------------------------------------------------------------------
// hooks: one registrar per app hook (83)
// -------------------------------------------------------------------

// Every registrar adds `handler` to the hook's chain. A handler must call `e.next()` to run the
// rest of the chain and, at its end, the default action (the write, the response, ...); without it
// the chain stops silently. `e.next()` throws when the rest of the chain fails. Handlers run in
// registration order (file name order, then source order). A handler that throws, or returns an
// API error, fails the chain.
//
// With `...tags`, the handler runs only for those collections (record and collection hooks:
// name or id) or tables (model hooks). Without tags it runs for all.
//
// `*Request` events carry the request: Ferrobase exposes `e.request`, `e.response` and
// `e.requestEvent` on them (REF: PocketBase leaves `e.request`/`e.response` undefined there;
// use `e.requestEvent.request` for code that must run on both).
//
// Ferrobase: a handler may be `async`; the chain waits for its promise, and a rejection is the
// handler's error.
//
// There is no `onServe`: add routes with `routerAdd`/`routerUse`.

/**
 * Fires when a backup is created (`e.name`, `e.exclude`).
 *
 * @group PocketBase
 */
declare function onBackupCreate(handler: (e: core.BackupEvent) => void): void

/**
 * Fires when a backup is restored (`e.name`, `e.exclude`).
 *
 * @group PocketBase
 */
declare function onBackupRestore(handler: (e: core.BackupEvent) => void): void

/**
 * Fires for `POST /api/batch`; `e.batch` lists the sub-requests.
 *
 * @group PocketBase
 */
declare function onBatchRequest(handler: (e: core.BatchRequestEvent) => void): void

/**
 * Fires when the app starts, for every CLI command. The database and settings are ready only after `e.next()`; without `e.next()` the app never bootstraps.
 *
 * @group PocketBase
 */
declare function onBootstrap(handler: (e: core.BootstrapEvent) => void): void

/**
 * Fires when the app releases its resources (database connections, cron, logger).
 *
 * @group PocketBase
 */
declare function onBootstrapClear(handler: (e: core.BootstrapEvent) => void): void

/**
 * Fires after a failed create of a collection (validation failures and rolled-back transactions included); `e.error` holds the error. Tags: collection names or ids.
 *
 * @group PocketBase
 */
declare function onCollectionAfterCreateError(handler: (e: core.CollectionErrorEvent) => void, ...tags: Array<string>): void

/**
 * Fires after a successful create of a collection; inside a transaction, after the commit. Tags: collection names or ids.
 *
 * @group PocketBase
 */
declare function onCollectionAfterCreateSuccess(handler: (e: core.CollectionEvent) => void, ...tags: Array<string>): void

/**
 * Fires after a failed delete of a collection (validation failures and rolled-back transactions included); `e.error` holds the error. Tags: collection names or ids.
 *
 * @group PocketBase
 */
declare function onCollectionAfterDeleteError(handler: (e: core.CollectionErrorEvent) => void, ...tags: Array<string>): void

/**
 * Fires after a successful delete of a collection; inside a transaction, after the commit. Tags: collection names or ids.
 *
 * @group PocketBase
 */
declare function onCollectionAfterDeleteSuccess(handler: (e: core.CollectionEvent) => void, ...tags: Array<string>): void

/**
 * Fires after a failed update of a collection (validation failures and rolled-back transactions included); `e.error` holds the error. Tags: collection names or ids.
 *
 * @group PocketBase
 */
declare function onCollectionAfterUpdateError(handler: (e: core.CollectionErrorEvent) => void, ...tags: Array<string>): void

/**
 * Fires after a successful update of a collection; inside a transaction, after the commit. Tags: collection names or ids.
 *
 * @group PocketBase
 */
declare function onCollectionAfterUpdateSuccess(handler: (e: core.CollectionEvent) => void, ...tags: Array<string>): void

/**
 * Fires on every create of a collection: API, `$app.save`/`$app.delete`, migrations. It runs before validation and before the write; change the model before `e.next()`; throw to abort. Tags: collection names or ids.
 *
 * @group PocketBase
 */
declare function onCollectionCreate(handler: (e: core.CollectionEvent) => void, ...tags: Array<string>): void

/**
 * Fires right before the create of a collection is written to the database (inside `e.next()` of the create hook, after validation). Tags: collection names or ids.
 *
 * @group PocketBase
 */
declare function onCollectionCreateExecute(handler: (e: core.CollectionEvent) => void, ...tags: Array<string>): void

/**
 * Fires for `POST /api/collections` before the collection is created.
 *
 * @group PocketBase
 */
declare function onCollectionCreateRequest(handler: (e: core.CollectionRequestEvent) => void): void

/**
 * Fires on every delete of a collection: API, `$app.save`/`$app.delete`, migrations. It runs before the row is deleted; throw to abort. Tags: collection names or ids.
 *
 * @group PocketBase
 */
declare function onCollectionDelete(handler: (e: core.CollectionEvent) => void, ...tags: Array<string>): void

/**
 * Fires right before the delete of a collection is written to the database (inside `e.next()` of the delete hook, after validation). Tags: collection names or ids.
 *
 * @group PocketBase
 */
declare function onCollectionDeleteExecute(handler: (e: core.CollectionEvent) => void, ...tags: Array<string>): void

/**
 * Fires for `DELETE /api/collections/{collection}`.
 *
 * @group PocketBase
 */
declare function onCollectionDeleteRequest(handler: (e: core.CollectionRequestEvent) => void): void

/**
 * Fires on every update of a collection: API, `$app.save`/`$app.delete`, migrations. It runs before validation and before the write; change the model before `e.next()`; throw to abort. Tags: collection names or ids.
 *
 * @group PocketBase
 */
declare function onCollectionUpdate(handler: (e: core.CollectionEvent) => void, ...tags: Array<string>): void

/**
 * Fires right before the update of a collection is written to the database (inside `e.next()` of the update hook, after validation). Tags: collection names or ids.
 *
 * @group PocketBase
 */
declare function onCollectionUpdateExecute(handler: (e: core.CollectionEvent) => void, ...tags: Array<string>): void

/**
 * Fires for `PATCH /api/collections/{collection}`.
 *
 * @group PocketBase
 */
declare function onCollectionUpdateRequest(handler: (e: core.CollectionRequestEvent) => void): void

/**
 * Fires when a collection is validated (inside the default action of the create/update hooks, unless saved without validation). Tags: collection names or ids.
 *
 * @group PocketBase
 */
declare function onCollectionValidate(handler: (e: core.CollectionEvent) => void, ...tags: Array<string>): void

/**
 * Fires for `GET /api/collections/{collection}`.
 *
 * @group PocketBase
 */
declare function onCollectionViewRequest(handler: (e: core.CollectionRequestEvent) => void): void

/**
 * Fires for `PUT /api/collections/import` (`e.collectionsData`, `e.deleteMissing`).
 *
 * @group PocketBase
 */
declare function onCollectionsImportRequest(handler: (e: core.CollectionsImportRequestEvent) => void): void

/**
 * Fires for `GET /api/collections` after the query (`e.collections`, `e.result`).
 *
 * @group PocketBase
 */
declare function onCollectionsListRequest(handler: (e: core.CollectionsListRequestEvent) => void): void

/**
 * Fires before a file is served by `GET /api/files/...` (`e.servedPath`, `e.servedName` can be changed). Tags: collection names or ids.
 *
 * @group PocketBase
 */
declare function onFileDownloadRequest(handler: (e: core.FileDownloadRequestEvent) => void, ...tags: Array<string>): void

/**
 * Fires for `POST /api/files/token` (`e.token` can be changed). Tags: collection names or ids.
 *
 * @group PocketBase
 */
declare function onFileTokenRequest(handler: (e: core.FileTokenRequestEvent) => void, ...tags: Array<string>): void

/**
 * Fires before the new-login alert e-mail is sent (`e.message`, `e.record`, `e.meta`). Tags: collection names or ids.
 *
 * @group PocketBase
 */
declare function onMailerRecordAuthAlertSend(handler: (e: core.MailerRecordEvent) => void, ...tags: Array<string>): void

/**
 * Fires before the e-mail change confirmation is sent. Tags: collection names or ids.
 *
 * @group PocketBase
 */
declare function onMailerRecordEmailChangeSend(handler: (e: core.MailerRecordEvent) => void, ...tags: Array<string>): void

/**
 * Fires before the OTP e-mail is sent. Tags: collection names or ids.
 *
 * @group PocketBase
 */
declare function onMailerRecordOTPSend(handler: (e: core.MailerRecordEvent) => void, ...tags: Array<string>): void

/**
 * Fires before the password reset e-mail is sent. Tags: collection names or ids.
 *
 * @group PocketBase
 */
declare function onMailerRecordPasswordResetSend(handler: (e: core.MailerRecordEvent) => void, ...tags: Array<string>): void

/**
 * Fires before the verification e-mail is sent. Tags: collection names or ids.
 *
 * @group PocketBase
 */
declare function onMailerRecordVerificationSend(handler: (e: core.MailerRecordEvent) => void, ...tags: Array<string>): void

/**
 * Fires for every outgoing e-mail. Without `e.next()` the e-mail is not sent.
 *
 * @group PocketBase
 */
declare function onMailerSend(handler: (e: core.MailerEvent) => void): void

/**
 * Fires after a failed create of any model (record, collection, log, ...) (validation failures and rolled-back transactions included); `e.error` holds the error. Tags: table names.
 *
 * @group PocketBase
 */
declare function onModelAfterCreateError(handler: (e: core.ModelErrorEvent) => void, ...tags: Array<string>): void

/**
 * Fires after a successful create of any model (record, collection, log, ...); inside a transaction, after the commit. Tags: table names.
 *
 * @group PocketBase
 */
declare function onModelAfterCreateSuccess(handler: (e: core.ModelEvent) => void, ...tags: Array<string>): void

/**
 * Fires after a failed delete of any model (record, collection, log, ...) (validation failures and rolled-back transactions included); `e.error` holds the error. Tags: table names.
 *
 * @group PocketBase
 */
declare function onModelAfterDeleteError(handler: (e: core.ModelErrorEvent) => void, ...tags: Array<string>): void

/**
 * Fires after a successful delete of any model (record, collection, log, ...); inside a transaction, after the commit. Tags: table names.
 *
 * @group PocketBase
 */
declare function onModelAfterDeleteSuccess(handler: (e: core.ModelEvent) => void, ...tags: Array<string>): void

/**
 * Fires after a failed update of any model (record, collection, log, ...) (validation failures and rolled-back transactions included); `e.error` holds the error. Tags: table names.
 *
 * @group PocketBase
 */
declare function onModelAfterUpdateError(handler: (e: core.ModelErrorEvent) => void, ...tags: Array<string>): void

/**
 * Fires after a successful update of any model (record, collection, log, ...); inside a transaction, after the commit. Tags: table names.
 *
 * @group PocketBase
 */
declare function onModelAfterUpdateSuccess(handler: (e: core.ModelEvent) => void, ...tags: Array<string>): void

/**
 * Fires on every create of any model (record, collection, log, ...): API, `$app.save`/`$app.delete`, migrations. It runs before validation and before the write; change the model before `e.next()`; throw to abort. Tags: table names.
 *
 * @group PocketBase
 */
declare function onModelCreate(handler: (e: core.ModelEvent) => void, ...tags: Array<string>): void

/**
 * Fires right before the create of any model (record, collection, log, ...) is written to the database (inside `e.next()` of the create hook, after validation). Tags: table names.
 *
 * @group PocketBase
 */
declare function onModelCreateExecute(handler: (e: core.ModelEvent) => void, ...tags: Array<string>): void

/**
 * Fires on every delete of any model (record, collection, log, ...): API, `$app.save`/`$app.delete`, migrations. It runs before the row is deleted; throw to abort. Tags: table names.
 *
 * @group PocketBase
 */
declare function onModelDelete(handler: (e: core.ModelEvent) => void, ...tags: Array<string>): void

/**
 * Fires right before the delete of any model (record, collection, log, ...) is written to the database (inside `e.next()` of the delete hook, after validation). Tags: table names.
 *
 * @group PocketBase
 */
declare function onModelDeleteExecute(handler: (e: core.ModelEvent) => void, ...tags: Array<string>): void

/**
 * Fires on every update of any model (record, collection, log, ...): API, `$app.save`/`$app.delete`, migrations. It runs before validation and before the write; change the model before `e.next()`; throw to abort. Tags: table names.
 *
 * @group PocketBase
 */
declare function onModelUpdate(handler: (e: core.ModelEvent) => void, ...tags: Array<string>): void

/**
 * Fires right before the update of any model (record, collection, log, ...) is written to the database (inside `e.next()` of the update hook, after validation). Tags: table names.
 *
 * @group PocketBase
 */
declare function onModelUpdateExecute(handler: (e: core.ModelEvent) => void, ...tags: Array<string>): void

/**
 * Fires when any model (record, collection, log, ...) is validated (inside the default action of the create/update hooks, unless saved without validation). Tags: table names.
 *
 * @group PocketBase
 */
declare function onModelValidate(handler: (e: core.ModelEvent) => void, ...tags: Array<string>): void

/**
 * Fires when a client opens `GET /api/realtime` (`e.client`, `e.idleTimeout`).
 *
 * @group PocketBase
 */
declare function onRealtimeConnectRequest(handler: (e: core.RealtimeConnectRequestEvent) => void): void

/**
 * Fires before a realtime message is sent to a client (`e.client`, `e.message`).
 *
 * @group PocketBase
 */
declare function onRealtimeMessageSend(handler: (e: core.RealtimeMessageEvent) => void): void

/**
 * Fires for `POST /api/realtime` (`e.client`, `e.subscriptions`).
 *
 * @group PocketBase
 */
declare function onRealtimeSubscribeRequest(handler: (e: core.RealtimeSubscribeRequestEvent) => void): void

/**
 * Fires after a failed create of a record (validation failures and rolled-back transactions included); `e.error` holds the error. Tags: collection names or ids.
 *
 * @group PocketBase
 */
declare function onRecordAfterCreateError(handler: (e: core.RecordErrorEvent) => void, ...tags: Array<string>): void

/**
 * Fires after a successful create of a record; inside a transaction, after the commit. Tags: collection names or ids.
 *
 * @group PocketBase
 */
declare function onRecordAfterCreateSuccess(handler: (e: core.RecordEvent) => void, ...tags: Array<string>): void

/**
 * Fires after a failed delete of a record (validation failures and rolled-back transactions included); `e.error` holds the error. Tags: collection names or ids.
 *
 * @group PocketBase
 */
declare function onRecordAfterDeleteError(handler: (e: core.RecordErrorEvent) => void, ...tags: Array<string>): void

/**
 * Fires after a successful delete of a record; inside a transaction, after the commit. Tags: collection names or ids.
 *
 * @group PocketBase
 */
declare function onRecordAfterDeleteSuccess(handler: (e: core.RecordEvent) => void, ...tags: Array<string>): void

/**
 * Fires after a failed update of a record (validation failures and rolled-back transactions included); `e.error` holds the error. Tags: collection names or ids.
 *
 * @group PocketBase
 */
declare function onRecordAfterUpdateError(handler: (e: core.RecordErrorEvent) => void, ...tags: Array<string>): void

/**
 * Fires after a successful update of a record; inside a transaction, after the commit. Tags: collection names or ids.
 *
 * @group PocketBase
 */
declare function onRecordAfterUpdateSuccess(handler: (e: core.RecordEvent) => void, ...tags: Array<string>): void

/**
 * Fires for `auth-refresh`. Tags: collection names or ids.
 *
 * @group PocketBase
 */
declare function onRecordAuthRefreshRequest(handler: (e: core.RecordAuthRefreshRequestEvent) => void, ...tags: Array<string>): void

/**
 * Fires before every auth response (password, OAuth2, OTP, refresh, ...). `e.meta = {...}` replaces the response `meta`; `e.authMethod` names the method. Tags: collection names or ids.
 *
 * @group PocketBase
 */
declare function onRecordAuthRequest(handler: (e: core.RecordAuthRequestEvent) => void, ...tags: Array<string>): void

/**
 * Fires for `auth-with-oauth2` after the provider answered (`e.oAuth2User`, `e.record` is null for a new user, `e.createData`). Tags: collection names or ids.
 *
 * @group PocketBase
 */
declare function onRecordAuthWithOAuth2Request(handler: (e: core.RecordAuthWithOAuth2RequestEvent) => void, ...tags: Array<string>): void

/**
 * Fires for `auth-with-otp` (`e.record`, `e.otp`). Tags: collection names or ids.
 *
 * @group PocketBase
 */
declare function onRecordAuthWithOTPRequest(handler: (e: core.RecordAuthWithOTPRequestEvent) => void, ...tags: Array<string>): void

/**
 * Fires for `auth-with-password` before the password check (`e.identity`, `e.identityField`, `e.password`; `e.record` is null when no record matched). Tags: collection names or ids.
 *
 * @group PocketBase
 */
declare function onRecordAuthWithPasswordRequest(handler: (e: core.RecordAuthWithPasswordRequestEvent) => void, ...tags: Array<string>): void

/**
 * Fires for `confirm-email-change` (`e.record`, `e.newEmail`). Tags: collection names or ids.
 *
 * @group PocketBase
 */
declare function onRecordConfirmEmailChangeRequest(handler: (e: core.RecordConfirmEmailChangeRequestEvent) => void, ...tags: Array<string>): void

/**
 * Fires for `confirm-password-reset`. Tags: collection names or ids.
 *
 * @group PocketBase
 */
declare function onRecordConfirmPasswordResetRequest(handler: (e: core.RecordConfirmPasswordResetRequestEvent) => void, ...tags: Array<string>): void

/**
 * Fires for `confirm-verification`. Tags: collection names or ids.
 *
 * @group PocketBase
 */
declare function onRecordConfirmVerificationRequest(handler: (e: core.RecordConfirmVerificationRequestEvent) => void, ...tags: Array<string>): void

/**
 * Fires on every create of a record: API, `$app.save`/`$app.delete`, migrations. It runs before validation and before the write; change the model before `e.next()`; throw to abort. Tags: collection names or ids.
 *
 * @group PocketBase
 */
declare function onRecordCreate(handler: (e: core.RecordEvent) => void, ...tags: Array<string>): void

/**
 * Fires right before the create of a record is written to the database (inside `e.next()` of the create hook, after validation). Tags: collection names or ids.
 *
 * @group PocketBase
 */
declare function onRecordCreateExecute(handler: (e: core.RecordEvent) => void, ...tags: Array<string>): void

/**
 * Fires for `POST /api/collections/{collection}/records` before the record is saved. `e.record` holds the submitted data (`id` still `""`); throw to reject. Tags: collection names or ids.
 *
 * @group PocketBase
 */
declare function onRecordCreateRequest(handler: (e: core.RecordRequestEvent) => void, ...tags: Array<string>): void

/**
 * Fires on every delete of a record: API, `$app.save`/`$app.delete`, migrations. It runs before the row is deleted; throw to abort. Tags: collection names or ids.
 *
 * @group PocketBase
 */
declare function onRecordDelete(handler: (e: core.RecordEvent) => void, ...tags: Array<string>): void

/**
 * Fires right before the delete of a record is written to the database (inside `e.next()` of the delete hook, after validation). Tags: collection names or ids.
 *
 * @group PocketBase
 */
declare function onRecordDeleteExecute(handler: (e: core.RecordEvent) => void, ...tags: Array<string>): void

/**
 * Fires for `DELETE /api/collections/{collection}/records/{id}`. Tags: collection names or ids.
 *
 * @group PocketBase
 */
declare function onRecordDeleteRequest(handler: (e: core.RecordRequestEvent) => void, ...tags: Array<string>): void

/**
 * Fires every time the API serialises a record (list, view, create, update, auth, realtime, expand). Use `e.record.hide(...)`, `unhide(...)`, `withCustomData(true)` + `set(...)`. `e.requestInfo` is a property. Tags: collection names or ids.
 *
 * @group PocketBase
 */
declare function onRecordEnrich(handler: (e: core.RecordEnrichEvent) => void, ...tags: Array<string>): void

/**
 * Fires for `request-email-change` (`e.newEmail`). Tags: collection names or ids.
 *
 * @group PocketBase
 */
declare function onRecordRequestEmailChangeRequest(handler: (e: core.RecordRequestEmailChangeRequestEvent) => void, ...tags: Array<string>): void

/**
 * Fires for `request-otp` (`e.record` may be null, `e.password` is the generated code). Tags: collection names or ids.
 *
 * @group PocketBase
 */
declare function onRecordRequestOTPRequest(handler: (e: core.RecordCreateOTPRequestEvent) => void, ...tags: Array<string>): void

/**
 * Fires for `request-password-reset`. Tags: collection names or ids.
 *
 * @group PocketBase
 */
declare function onRecordRequestPasswordResetRequest(handler: (e: core.RecordRequestPasswordResetRequestEvent) => void, ...tags: Array<string>): void

/**
 * Fires for `request-verification`. Tags: collection names or ids.
 *
 * @group PocketBase
 */
declare function onRecordRequestVerificationRequest(handler: (e: core.RecordRequestVerificationRequestEvent) => void, ...tags: Array<string>): void

/**
 * Fires on every update of a record: API, `$app.save`/`$app.delete`, migrations. It runs before validation and before the write; change the model before `e.next()`; throw to abort. Tags: collection names or ids.
 *
 * @group PocketBase
 */
declare function onRecordUpdate(handler: (e: core.RecordEvent) => void, ...tags: Array<string>): void

/**
 * Fires right before the update of a record is written to the database (inside `e.next()` of the update hook, after validation). Tags: collection names or ids.
 *
 * @group PocketBase
 */
declare function onRecordUpdateExecute(handler: (e: core.RecordEvent) => void, ...tags: Array<string>): void

/**
 * Fires for `PATCH /api/collections/{collection}/records/{id}` before the save; `e.record.original()` is the stored copy. Tags: collection names or ids.
 *
 * @group PocketBase
 */
declare function onRecordUpdateRequest(handler: (e: core.RecordRequestEvent) => void, ...tags: Array<string>): void

/**
 * Fires when a record is validated (inside the default action of the create/update hooks, unless saved without validation). Tags: collection names or ids.
 *
 * @group PocketBase
 */
declare function onRecordValidate(handler: (e: core.RecordEvent) => void, ...tags: Array<string>): void

/**
 * Fires for `GET /api/collections/{collection}/records/{id}`. Tags: collection names or ids.
 *
 * @group PocketBase
 */
declare function onRecordViewRequest(handler: (e: core.RecordRequestEvent) => void, ...tags: Array<string>): void

/**
 * Fires for `GET /api/collections/{collection}/records` after the query (`e.records`, `e.result`). Tags: collection names or ids.
 *
 * @group PocketBase
 */
declare function onRecordsListRequest(handler: (e: core.RecordsListRequestEvent) => void, ...tags: Array<string>): void

/**
 * Fires for `GET /api/settings` (`e.settings`).
 *
 * @group PocketBase
 */
declare function onSettingsListRequest(handler: (e: core.SettingsListRequestEvent) => void): void

/**
 * Fires when the settings are (re)loaded.
 *
 * @group PocketBase
 */
declare function onSettingsReload(handler: (e: core.SettingsReloadEvent) => void): void

/**
 * Fires for `PATCH /api/settings` (`e.oldSettings`, `e.newSettings`).
 *
 * @group PocketBase
 */
declare function onSettingsUpdateRequest(handler: (e: core.SettingsUpdateRequestEvent) => void): void

/**
 * Fires when the app stops: shutdown, end of a CLI command, hooks-watch restart (`e.isRestart`).
 *
 * @group PocketBase
 */
declare function onTerminate(handler: (e: core.TerminateEvent) => void): void

// ===================================================================
// Types by Go package (types only, not globals)
// ===================================================================

/** A JSON-like object with string keys. */
type JSONObject = { [key: string]: any }

/**
 * The app and its models, events and settings.
 */
declare namespace core { // types only, not a runtime global
  // -----------------------------------------------------------------
  // App
  // -----------------------------------------------------------------

  /**
   * The app API (`$app`, `e.app`, the `app` of migrations and `txApp` of transactions).
   * The `on*` hook methods are left out: use the global `on*` functions.
   *
   * Collection arguments named `collectionModelOrIdentifier` accept a collection name, id or
   * `Collection` object. Finders throw a `GoError` ("sql: no rows in result set") when nothing
   * matches; uncaught in a route it becomes a 404.
   */
  interface App {
    // --- state and services ---
    /** The app without hooks: its `save`/`delete` skip every model and record hook. */
    unsafeWithoutHooks(): App
    /** The app logger; its entries go to the `_logs` table (`$app.logger().info("msg", "key", value)`). */
    logger(): slog.Logger
    isBootstrapped(): boolean
    /** True inside `runInTransaction` and in migrations. */
    isTransactional(): boolean
    /** Information about the open transaction, or null outside one. */
    txInfo(): TxAppInfo | null
    bootstrap(): void
    resetBootstrapState(): void
    /** The data directory (`pb_data`). */
    dataDir(): string
    /** The name of the environment variable with the settings encryption key. */
    encryptionEnv(): string
    isDev(): boolean
    /** The current settings (a copy is made by `clone()`; save changes with `$app.save(settings)`). */
    settings(): Settings
    /** A process-wide key/value store shared by every runtime and request. */
    store(): store.Store<string, any>
    /** The cron scheduler (`$app.cron().jobs()` lists the jobs, system ones included). */
    cron(): cron.Cron
    /** The realtime clients. */
    subscriptionsBroker(): subscriptions.Broker
    /** A mail client from the SMTP settings (or sendmail when SMTP is off). */
    newMailClient(): mailer.Mailer
    /** The file storage of the app (local or S3); call `close()` when done. */
    newFilesystem(): filesystem.System
    /** The backups storage; call `close()` when done. */
    newBackupsFilesystem(): filesystem.System
    reloadSettings(): void
    createBackup(ctx: context.Context | null, name: string): void
    restoreBackup(ctx: context.Context | null, name: string): void
    restart(): void
    runSystemMigrations(): void
    runAppMigrations(): void
    runAllMigrations(): void

    // --- database ---
    /** The query builder of the main database (`data.db`). */
    db(): dbx.Builder
    concurrentDB(): dbx.Builder
    nonconcurrentDB(): dbx.Builder
    /** The query builder of the logs database (`auxiliary.db`). */
    auxDB(): dbx.Builder
    auxConcurrentDB(): dbx.Builder
    auxNonconcurrentDB(): dbx.Builder
    hasTable(tableName: string): boolean
    auxHasTable(tableName: string): boolean
    tableColumns(tableName: string): Array<string>
    tableInfo(tableName: string): Array<TableInfoRow>
    /** Index name → `CREATE INDEX` statement. */
    tableIndexes(tableName: string): { [name: string]: string }
    deleteTable(dangerousTableName: string): void
    deleteView(dangerousViewName: string): void
    saveView(dangerousViewName: string, dangerousSelectQuery: string): void
    createViewFields(dangerousSelectQuery: string): FieldsList
    dryRunView(dangerousSelectQuery: string, sampleSize: number): DryRunViewResult
    vacuum(): void
    auxVacuum(): void

    // --- models ---
    modelQuery(model: Model): dbx.SelectQuery
    auxModelQuery(model: Model): dbx.SelectQuery
    /** Deletes a record, collection or other model (hooks and cascades included). */
    delete(model: Model): void
    deleteWithContext(ctx: context.Context | null, model: Model): void
    auxDelete(model: Model): void
    auxDeleteWithContext(ctx: context.Context | null, model: Model): void
    /**
     * Validates and saves a record, collection or settings. A validation failure throws; left
     * uncaught in a route it becomes a 400 with the field errors in `data`.
     */
    save(model: Model): void
    saveWithContext(ctx: context.Context | null, model: Model): void
    /** Saves without running validation (the hooks still run). */
    saveNoValidate(model: Model): void
    saveNoValidateWithContext(ctx: context.Context | null, model: Model): void
    auxSave(model: Model): void
    auxSaveWithContext(ctx: context.Context | null, model: Model): void
    auxSaveNoValidate(model: Model): void
    auxSaveNoValidateWithContext(ctx: context.Context | null, model: Model): void
    validate(model: Model): void
    validateWithContext(ctx: context.Context | null, model: Model): void
    /**
     * Runs `fn` in one database transaction. A throw inside rolls back and is re-thrown.
     * Inside `fn`, use `txApp`, never `$app` of an outer scope.
     *
     * ```js
     * $app.runInTransaction((txApp) => {
     *   const posts = txApp.findCollectionByNameOrId("posts")
     *   txApp.save(new Record(posts, { title: "a" }))
     *   txApp.save(new Record(posts, { title: "b" }))
     * })
     * ```
     */
    runInTransaction(fn: (txApp: App) => void): void
    auxRunInTransaction(fn: (txApp: App) => void): void

    // --- logs ---
    logQuery(): dbx.SelectQuery
    findLogById(id: string): Log
    logsStats(expr?: dbx.Expression | null): Array<LogsStatsItem>
    deleteOldLogs(createdBefore: time.Time | types.DateTime): void

    // --- collections ---
    collectionQuery(): dbx.SelectQuery
    /** All collections, or only those of the given types (`"base"`, `"auth"`, `"view"`). */
    findAllCollections(...collectionTypes: Array<string>): Array<Collection>
    reloadCachedCollections(): void
    findCollectionByNameOrId(nameOrId: string): Collection
    findCachedCollectionByNameOrId(nameOrId: string): Collection
    /** The collections (and their fields) that reference `collection` through relations. */
    findCollectionReferences(collection: Collection, ...excludeIds: Array<string>): { [collectionId: string]: Array<Field> }
    findCachedCollectionReferences(collection: Collection, ...excludeIds: Array<string>): { [collectionId: string]: Array<Field> }
    isCollectionNameUnique(name: string, ...excludeIds: Array<string>): boolean
    /** Deletes every record of `collection` (hooks included). */
    truncateCollection(collection: Collection): void
    /** Imports collections given as plain objects; `deleteMissing` removes the others. */
    importCollections(toImport: Array<JSONObject>, deleteMissing: boolean): void
    importCollectionsByMarshaledJSON(rawSliceOfMaps: string | Array<number>, deleteMissing: boolean): void
    syncRecordTableSchema(newCollection: Collection, oldCollection: Collection | null): void

    // --- auth related records ---
    findAllExternalAuthsByRecord(authRecord: Record): Array<ExternalAuth>
    findAllExternalAuthsByCollection(collection: Collection): Array<ExternalAuth>
    findFirstExternalAuthByExpr(expr: dbx.Expression): ExternalAuth
    deleteAllExternalAuthsByRecord(authRecord: Record): void
    findAllMFAsByRecord(authRecord: Record): Array<MFA>
    findAllMFAsByCollection(collection: Collection): Array<MFA>
    findMFAById(id: string): MFA
    deleteAllMFAsByRecord(authRecord: Record): void
    deleteExpiredMFAs(): void
    findAllOTPsByRecord(authRecord: Record): Array<OTP>
    findAllOTPsByCollection(collection: Collection): Array<OTP>
    findOTPById(id: string): OTP
    deleteAllOTPsByRecord(authRecord: Record): void
    deleteExpiredOTPs(): void
    findAllAuthOriginsByRecord(authRecord: Record): Array<AuthOrigin>
    findAllAuthOriginsByCollection(collection: Collection): Array<AuthOrigin>
    findAuthOriginById(id: string): AuthOrigin
    findAuthOriginByRecordAndFingerprint(authRecord: Record, fingerprint: string): AuthOrigin
    deleteAllAuthOriginsByRecord(authRecord: Record): void

    // --- records ---
    /** A select query over the collection's table that fills `new Record` / `arrayOf(new Record)`. */
    recordQuery(collectionModelOrIdentifier: string | Collection): dbx.SelectQuery
    /** The record with `recordId`; `optFilters` can narrow the query (`(q) => q.andWhere(...)`). */
    findRecordById(collectionModelOrIdentifier: string | Collection, recordId: string, ...optFilters: Array<(q: dbx.SelectQuery) => void>): Record
    findRecordsByIds(collectionModelOrIdentifier: string | Collection, recordIds: Array<string>, ...optFilters: Array<(q: dbx.SelectQuery) => void>): Array<Record>
    findAllRecords(collectionModelOrIdentifier: string | Collection, ...exprs: Array<dbx.Expression>): Array<Record>
    /** The first record whose column `key` equals `value`. */
    findFirstRecordByData(collectionModelOrIdentifier: string | Collection, key: string, value: any): Record
    /**
     * Records matching an API filter (`"views > {:min} && status = 'public'"`) with `{:name}`
     * parameters from `params`; `sort` looks like `"-created,title"`; `limit` 0 means no limit.
     *
     * ```js
     * const top = $app.findRecordsByFilter("posts", "views >= {:min}", "-views", 10, 0, { min: 100 })
     * ```
     */
    findRecordsByFilter(collectionModelOrIdentifier: string | Collection, filter: string, sort?: string, limit?: number, offset?: number, ...params: Array<dbx.Params>): Array<Record>
    findFirstRecordByFilter(collectionModelOrIdentifier: string | Collection, filter: string, ...params: Array<dbx.Params>): Record
    countRecords(collectionModelOrIdentifier: string | Collection, ...exprs: Array<dbx.Expression>): number
    /** The auth record of a token; `validTypes` limits the token types (`"auth"`, `"file"`, `"verification"`, ...). */
    findAuthRecordByToken(token: string, ...validTypes: Array<string>): Record
    findAuthRecordByEmail(collectionModelOrIdentifier: string | Collection, email: string): Record
    /** Whether the request described by `requestInfo` passes `accessRule` for `record`. */
    canAccessRecord(record: Record, requestInfo: RequestInfo, accessRule: string | null): boolean
    /**
     * Loads the relations `expands` (`["author", "comments_via_post.user"]`) into `record.expand()`.
     * Returns the errors per expand path.
     */
    expandRecord(record: Record, expands: Array<string>, optFetchFunc?: ExpandFetchFunc | null): { [path: string]: Error }
    expandRecords(records: Array<Record>, expands: Array<string>, optFetchFunc?: ExpandFetchFunc | null): { [path: string]: Error }
    /** Finds the record of a view collection that owns `filename` in `fileFieldName`. */
    findRecordByViewFile(viewCollectionModelOrIdentifier: string | Collection, fileFieldName: string, filename: string): Record
  }

  /** Custom loader for `expandRecord(s)`. */
  interface ExpandFetchFunc {
    (relCollection: Collection, relIds: Array<string>): Array<Record>
  }

  interface TxAppInfo {
    /** Runs `fn` once the transaction ends (`txErr` is its error, or null after a commit). */
    onComplete(fn: (txErr: Error | null) => void): void
  }

  interface TableInfoRow {
    pk: number
    index: number
    name: string
    type: string
    notNull: boolean
    defaultValue: any
  }

  interface DryRunViewResult {
    fields: FieldsList
    sample: Array<Record>
  }

  interface LogsStatsItem {
    date: types.DateTime
    total: number
  }

  // -----------------------------------------------------------------
  // Models
  // -----------------------------------------------------------------

  /** Anything `$app.save`/`$app.delete` accepts: records, collections, settings and other models. */
  interface Model {
    tableName(): string
    pk(): any
    lastSavedPK(): any
    isNew(): boolean
    markAsNew(): void
    markAsNotNew(): void
  }

  /**
   * A record of a collection. Field values are read and written with `get`/`set` and the typed
   * getters; `record.title` does not exist. `JSON.stringify(record)` and `e.json(200, record)`
   * give the public JSON (hidden fields, tokenKey and password left out; email only when visible).
   */
  interface Record extends Model {
    /** The record id (`""` until the first save unless set). */
    id: string

    collection(): Collection
    /** The original (stored) copy; for a new record a copy of itself. */
    original(): Record
    /** A copy with only the field values, without expand and custom data. */
    fresh(): Record
    clone(): Record
    /** The names of the record's hook tags: collection id and name. */
    hookTags(): Array<string>
    baseFilesPath(): string
    postScan(): void

    // --- values ---
    /**
     * A field value (or a custom value set with `withCustomData`). Missing fields read as null.
     * A `json` field gives its raw bytes: use `getString` + `JSON.parse`, or `unmarshalJSONField`.
     */
    get(key: string): any
    /**
     * Sets a field value, normalised by the field type (`"42"` → 42 for numbers, `0` → false for
     * bools). Modifiers: `"tags+"` appends, `"+tags"` prepends, `"tags-"` removes, `"views+"`
     * adds to a number.
     */
    set(key: string, value: any): void
    /** Sets the value only when the collection has such a field; returns the field or null. */
    setIfFieldExists(key: string, value: any): Field | null
    /** Sets several values through `set`. */
    load(data: JSONObject): void
    /** The value without the field's getter. */
    getRaw(key: string): any
    /** Sets the value without normalisation. */
    setRaw(key: string, value: any): void
    getString(key: string): string
    getInt(key: string): number
    getInt64(key: string): number
    getFloat(key: string): number
    getBool(key: string): boolean
    getDateTime(key: string): types.DateTime
    getStringSlice(key: string): Array<string>
    getGeoPoint(key: string): types.GeoPoint
    /** Decodes a `json` field into `result` (a `DynamicModel`, an `arrayOf(...)`, ...). */
    unmarshalJSONField(key: string, result: any): void
    /** New files set on a file field and not saved yet. */
    getUnsavedFiles(key: string): Array<filesystem.File>
    /** @deprecated Use `getUnsavedFiles`. */
    getUploadedFiles(key: string): Array<filesystem.File>
    findFileFieldByFile(filename: string): FileField | null
    /** The values of every field by name. */
    fieldsData(): JSONObject
    /** The custom (non-field) values. */
    customData(): JSONObject
    /** The values as stored in the database. */
    dbExport(app: App): JSONObject
    /** The public JSON form as an object. */
    publicExport(): JSONObject
    replaceModifiers(data: JSONObject): JSONObject

    // --- expand ---
    /** The expanded relations by field name. */
    expand(): JSONObject
    setExpand(expand: JSONObject): void
    mergeExpand(expand: JSONObject): void
    /** The expanded record of a single relation, or null. */
    expandedOne(relField: string): Record | null
    /** The expanded records of a relation (also works for a single relation). */
    expandedAll(relField: string): Array<Record>

    // --- serialisation ---
    /** Hides fields from the JSON output. */
    hide(...fieldNames: Array<string>): Record
    /** Shows hidden fields in the JSON output. */
    unhide(...fieldNames: Array<string>): Record
    /** Allows custom (non-field) values set with `set` in the JSON output. */
    withCustomData(state: boolean): Record
    /** Always includes the email in the JSON output. */
    ignoreEmailVisibility(state: boolean): Record
    /** Makes the next save skip writing fields that did not change. */
    ignoreUnchangedFields(state: boolean): Record
    marshalJSON(): Array<number>
    unmarshalJSON(data: string | Array<number>): void

    // --- auth records ---
    email(): string
    setEmail(email: string): void
    verified(): boolean
    setVerified(verified: boolean): void
    emailVisibility(): boolean
    setEmailVisibility(visible: boolean): void
    /** Sets the password (hashed on save) and a new tokenKey. */
    setPassword(password: string): void
    /** Sets a random password and returns it. */
    setRandomPassword(): string
    validatePassword(password: string): boolean
    tokenKey(): string
    setTokenKey(key: string): void
    /** A new tokenKey: every token issued before becomes invalid. */
    refreshTokenKey(): void
    /** Whether the record belongs to `_superusers`. */
    isSuperuser(): boolean
    newAuthToken(): string
    newVerificationToken(): string
    newPasswordResetToken(): string
    newEmailChangeToken(newEmail: string): string
    newFileToken(): string
    /** An auth token that a password change does not revoke; `duration` in nanoseconds (0 = the collection's). */
    newStaticAuthToken(duration: time.Duration): string
  }

  /** The collection types. */
  type CollectionType = "base" | "auth" | "view"

  /**
   * A collection (base, auth or view). Rules are `null` for "superusers only" and a filter
   * string otherwise (`""` means everyone).
   */
  interface Collection extends Model {
    id: string
    name: string
    type: CollectionType
    system: boolean
    fields: FieldsList
    indexes: types.JSONArray<string>
    created: types.DateTime
    updated: types.DateTime
    listRule: string | null
    viewRule: string | null
    createRule: string | null
    updateRule: string | null
    deleteRule: string | null
    rawOptions: types.JSONRaw

    // --- view collections ---
    viewQuery: string

    // --- auth collections ---
    authRule: string | null
    manageRule: string | null
    authAlert: AuthAlertConfig
    oauth2: OAuth2Config
    passwordAuth: PasswordAuthConfig
    mfa: MFAConfig
    otp: OTPConfig
    authToken: TokenConfig
    passwordResetToken: TokenConfig
    emailChangeToken: TokenConfig
    verificationToken: TokenConfig
    fileToken: TokenConfig
    verificationTemplate: EmailTemplate
    resetPasswordTemplate: EmailTemplate
    confirmEmailChangeTemplate: EmailTemplate

    isBase(): boolean
    isAuth(): boolean
    isView(): boolean
    baseFilesPath(): string
    /**
     * Adds or replaces the index `name`.
     *
     * ```js
     * collection.addIndex("idx_posts_slug", true, "slug", "")
     * ```
     */
    addIndex(name: string, unique: boolean, columnsExpr: string, optWhereExpr?: string): void
    removeIndex(name: string): void
    /** The `CREATE INDEX` statement of `name`, or `""`. */
    getIndex(name: string): string
    /** Turns the integrity checks of a save (e.g. of system collections) on or off. */
    integrityChecks(enable: boolean): void
    dbExport(app: App): JSONObject
    marshalJSON(): Array<number>
    unmarshalJSON(b: string | Array<number>): void
    postScan(): void
    string(): string
  }

  /** The data `new Collection(...)` accepts (JSON keys of the collection). */
  interface CollectionInit {
    id?: string
    name?: string
    type?: CollectionType
    system?: boolean
    listRule?: string | null
    viewRule?: string | null
    createRule?: string | null
    updateRule?: string | null
    deleteRule?: string | null
    /** Plain field objects with a `type` (see `Collection`). */
    fields?: Array<FieldInit>
    indexes?: Array<string>
    viewQuery?: string
    authRule?: string | null
    manageRule?: string | null
    authAlert?: Partial<AuthAlertConfig>
    oauth2?: Partial<OAuth2Config>
    passwordAuth?: Partial<PasswordAuthConfig>
    mfa?: Partial<MFAConfig>
    otp?: Partial<OTPConfig>
    authToken?: Partial<TokenConfig>
    passwordResetToken?: Partial<TokenConfig>
    emailChangeToken?: Partial<TokenConfig>
    verificationToken?: Partial<TokenConfig>
    fileToken?: Partial<TokenConfig>
    verificationTemplate?: Partial<EmailTemplate>
    resetPasswordTemplate?: Partial<EmailTemplate>
    confirmEmailChangeTemplate?: Partial<EmailTemplate>
  }

  interface TokenConfig {
    /** The signing secret (at least 30 characters). */
    secret: string
    /** Seconds. */
    duration: number
    durationTime(): time.Duration
    validate(): void
  }

  interface EmailTemplate {
    subject: string
    body: string
    /** The subject and body with the placeholders replaced. */
    resolve(placeholders: { [placeholder: string]: any }): [string, string]
    validate(): void
  }

  interface AuthAlertConfig {
    enabled: boolean
    emailTemplate: EmailTemplate
    validate(): void
  }

  interface OAuth2Config {
    enabled: boolean
    providers: Array<OAuth2ProviderConfig>
    mappedFields: OAuth2KnownFields
    getProviderConfig(name: string): [OAuth2ProviderConfig, boolean]
    validate(): void
  }

  interface OAuth2ProviderConfig {
    name: string
    clientId: string
    clientSecret: string
    displayName: string
    authURL: string
    tokenURL: string
    userInfoURL: string
    pkce: boolean | null
    extra: JSONObject
    initProvider(): auth.Provider
    validate(): void
  }

  interface OAuth2KnownFields {
    id: string
    name: string
    username: string
    avatarURL: string
  }

  interface PasswordAuthConfig {
    enabled: boolean
    identityFields: Array<string>
    validate(): void
  }

  interface MFAConfig {
    enabled: boolean
    /** Seconds. */
    duration: number
    rule: string
    durationTime(): time.Duration
    validate(): void
  }

  interface OTPConfig {
    enabled: boolean
    /** Seconds. */
    duration: number
    length: number
    emailTemplate: EmailTemplate
    durationTime(): time.Duration
    validate(): void
  }

  // -----------------------------------------------------------------
  // Fields
  // -----------------------------------------------------------------

  /** The field types. */
  type FieldType =
    | "text" | "number" | "bool" | "email" | "url" | "editor" | "date" | "autodate"
    | "select" | "file" | "relation" | "json" | "password" | "geoPoint"

  /**
   * A field as a plain object (the JSON form), e.g. `{name: "title", type: "text", required: true}`.
   * The options depend on the type.
   */
  interface FieldInit {
    type: FieldType
    name: string
    id?: string
    system?: boolean
    hidden?: boolean
    presentable?: boolean
    required?: boolean
    help?: string
    /** text/password: min length; number: min value; date: min date. */
    min?: number | string | null
    /** text/password: max length; number: max value; date: max date. */
    max?: number | string | null
    pattern?: string
    autogeneratePattern?: string
    primaryKey?: boolean
    onlyInt?: boolean
    cost?: number
    exceptDomains?: Array<string>
    onlyDomains?: Array<string>
    convertURLs?: boolean
    maxSize?: number
    onCreate?: boolean
    onUpdate?: boolean
    values?: Array<string>
    maxSelect?: number
    minSelect?: number
    mimeTypes?: Array<string>
    thumbs?: Array<string>
    protected?: boolean
    collectionId?: string
    cascadeDelete?: boolean
  }

  /**
   * Any field. Its options are those of its type (see the `*Field` interfaces), hence the index
   * signature: `collection.fields.getByName("title").required = true`.
   */
  interface Field {
    [option: string]: any
    id: string
    name: string
    system: boolean
    hidden: boolean
    presentable: boolean
    /** The type name (`"text"`, `"number"`, ...). */
    type(): string
    getId(): string
    setId(id: string): void
    getName(): string
    setName(name: string): void
    getSystem(): boolean
    setSystem(system: boolean): void
    getHidden(): boolean
    setHidden(hidden: boolean): void
    columnType(app: App): string
    prepareValue(record: Record, raw: any): any
    validateValue(ctx: context.Context, app: App, record: Record): void
    validateSettings(ctx: context.Context, app: App, collection: Collection): void
  }

  /** The properties and methods every field class has. */
  interface BaseField {
    id: string
    name: string
    system: boolean
    hidden: boolean
    presentable: boolean
    type(): string
    getId(): string
    setId(id: string): void
    getName(): string
    setName(name: string): void
    getSystem(): boolean
    setSystem(system: boolean): void
    getHidden(): boolean
    setHidden(hidden: boolean): void
    columnType(app: App): string
    prepareValue(record: Record, raw: any): any
    validateValue(ctx: context.Context, app: App, record: Record): void
    validateSettings(ctx: context.Context, app: App, collection: Collection): void
  }

  interface NumberField extends BaseField {
    help: string
    required: boolean
    onlyInt: boolean
    min: number | null
    max: number | null
  }

  interface BoolField extends BaseField {
    help: string
    required: boolean
  }

  interface TextField extends BaseField {
    help: string
    required: boolean
    /** Min length in characters (0 = no limit). */
    min: number
    /** Max length in characters (0 = the default limit). */
    max: number
    /** A regular expression the value must match. */
    pattern: string
    /** A regex-like pattern that generates a value when none is given (e.g. `[a-z0-9]{15}`). */
    autogeneratePattern: string
    primaryKey: boolean
    validatePlainValue(value: string): void
  }

  interface URLField extends BaseField {
    help: string
    required: boolean
    exceptDomains: Array<string>
    onlyDomains: Array<string>
  }

  interface EmailField extends BaseField {
    help: string
    required: boolean
    exceptDomains: Array<string>
    onlyDomains: Array<string>
  }

  interface EditorField extends BaseField {
    help: string
    required: boolean
    /** Max size in bytes (0 = the default). */
    maxSize: number
    convertURLs: boolean
    calculateMaxBodySize(): number
  }

  interface PasswordField extends BaseField {
    help: string
    required: boolean
    min: number
    max: number
    pattern: string
    /** The bcrypt cost (0 = the default). */
    cost: number
  }

  interface DateField extends BaseField {
    help: string
    required: boolean
    min: types.DateTime | string
    max: types.DateTime | string
  }

  interface AutodateField extends BaseField {
    onCreate: boolean
    onUpdate: boolean
  }

  interface JSONField extends BaseField {
    help: string
    required: boolean
    maxSize: number
    calculateMaxBodySize(): number
  }

  interface RelationField extends BaseField {
    help: string
    required: boolean
    /** The id of the related collection. */
    collectionId: string
    cascadeDelete: boolean
    minSelect: number
    /** 1 (or 0) for a single relation, more for a multiple one. */
    maxSelect: number
    isMultiple(): boolean
  }

  interface SelectField extends BaseField {
    help: string
    required: boolean
    values: Array<string>
    /** 1 (or 0) for a single select, more for a multiple one. */
    maxSelect: number
    isMultiple(): boolean
  }

  interface FileField extends BaseField {
    help: string
    required: boolean
    /** Max size of one file in bytes (0 = the default 5 MiB). */
    maxSize: number
    /** 1 (or 0) for a single file, more for several. */
    maxSelect: number
    mimeTypes: Array<string>
    /** Thumb sizes such as `"100x100"`, `"0x300"`, `"100x100t"`. */
    thumbs: Array<string>
    /** Protected files need a file token. */
    protected: boolean
    isMultiple(): boolean
    calculateMaxBodySize(): number
  }

  interface GeoPointField extends BaseField {
    help: string
    required: boolean
  }

  /** The fields of a collection: an array with lookup helpers. */
  interface FieldsList extends Array<Field> {
    /** Adds fields, replacing one with the same id or name. */
    add(...fields: Array<Field | BaseField>): void
    /** Adds fields at `pos`, replacing one with the same id or name. */
    addAt(pos: number, ...fields: Array<Field | BaseField>): void
    addMarshaledJSON(rawJSON: string | Array<number>): void
    addMarshaledJSONAt(pos: number, rawJSON: string | Array<number>): void
    /** The field named `fieldName`, or null. */
    getByName(fieldName: string): Field
    /** The field with id `fieldId`, or null. */
    getById(fieldId: string): Field
    removeByName(fieldName: string): void
    removeById(fieldId: string): void
    fieldNames(): Array<string>
    asMap(): { [name: string]: Field }
    clone(): FieldsList
    marshalJSON(): Array<number>
    unmarshalJSON(data: string | Array<number>): void
    string(): string
  }

  // -----------------------------------------------------------------
  // Auth related models
  // -----------------------------------------------------------------

  /** A link between an auth record and an OAuth2 account (`_externalAuths`). */
  interface ExternalAuth extends Record {
    collectionRef(): string
    setCollectionRef(collectionId: string): void
    recordRef(): string
    setRecordRef(recordId: string): void
    provider(): string
    setProvider(provider: string): void
    providerId(): string
    setProviderId(providerId: string): void
    created(): types.DateTime
    updated(): types.DateTime
  }

  /** A pending multi-factor authentication (`_mfas`). */
  interface MFA extends Record {
    collectionRef(): string
    setCollectionRef(collectionId: string): void
    recordRef(): string
    setRecordRef(recordId: string): void
    method(): string
    setMethod(method: string): void
    hasExpired(maxElapsed: time.Duration): boolean
    created(): types.DateTime
    updated(): types.DateTime
  }

  /** A one-time password (`_otps`). */
  interface OTP extends Record {
    collectionRef(): string
    setCollectionRef(collectionId: string): void
    recordRef(): string
    setRecordRef(recordId: string): void
    sentTo(): string
    setSentTo(val: string): void
    hasExpired(maxElapsed: time.Duration): boolean
    created(): types.DateTime
    updated(): types.DateTime
  }

  /** A known device of an auth record (`_authOrigins`), used by the login alerts. */
  interface AuthOrigin extends Record {
    collectionRef(): string
    setCollectionRef(collectionId: string): void
    recordRef(): string
    setRecordRef(recordId: string): void
    fingerprint(): string
    setFingerprint(fingerprint: string): void
    created(): types.DateTime
    updated(): types.DateTime
  }

  /** A row of the `_logs` table. */
  interface Log extends Model {
    id: string
    created: types.DateTime
    data: types.JSONMap<any>
    message: string
    level: number
  }

  // -----------------------------------------------------------------
  // Settings
  // -----------------------------------------------------------------

  /** The app settings; change a copy and save it with `$app.save(settings)`. */
  interface Settings extends Model {
    meta: MetaConfig
    smtp: SMTPConfig
    s3: S3Config
    backups: BackupsConfig
    batch: BatchConfig
    rateLimits: RateLimitsConfig
    trustedProxy: TrustedProxyConfig
    logs: LogsConfig
    superuserIPs: Array<string>
    clone(): Settings
    merge(other: Settings): void
    marshalJSON(): Array<number>
    string(): string
  }

  interface MetaConfig {
    appName: string
    appURL: string
    senderName: string
    senderAddress: string
    hideControls: boolean
    validate(): void
  }

  interface SMTPConfig {
    enabled: boolean
    port: number
    host: string
    username: string
    password: string
    /** `"PLAIN"` (default) or `"LOGIN"`. */
    authMethod: string
    tls: boolean
    localName: string
    validate(): void
  }

  interface S3Config {
    enabled: boolean
    bucket: string
    region: string
    endpoint: string
    accessKey: string
    secret: string
    forcePathStyle: boolean
    validate(): void
  }

  interface BackupsConfig {
    /** Cron expression of the automatic backups (`""` = off). */
    cron: string
    cronMaxKeep: number
    s3: S3Config
    validate(): void
  }

  interface BatchConfig {
    enabled: boolean
    maxRequests: number
    /** Seconds. */
    timeout: number
    maxBodySize: number
    validate(): void
  }

  interface RateLimitsConfig {
    enabled: boolean
    rules: Array<RateLimitRule>
    excludedIPs: Array<string>
    findRateLimitRule(searchLabels: Array<string>, ...optOnlyAudience: Array<string>): [RateLimitRule, boolean]
    validate(): void
  }

  interface RateLimitRule {
    /** A path prefix (`/api/`), an exact `METHOD /path`, or a tag such as `*:create` or `users:auth`. */
    label: string
    /** `""`, `"@guest"` or `"@auth"`. */
    audience: string
    /** Seconds. */
    duration: number
    maxRequests: number
    durationTime(): time.Duration
    string(): string
    validate(): void
  }

  interface TrustedProxyConfig {
    headers: Array<string>
    useLeftmostIP: boolean
    validate(): void
  }

  interface LogsConfig {
    maxDays: number
    minLevel: number
    logIP: boolean
    logAuthId: boolean
    maxDataSize: number
    validate(): void
  }

  // -----------------------------------------------------------------
  // Request data
  // -----------------------------------------------------------------

  /**
   * The request as rules see it (`@request.*`). `query` and `headers` keep the first value of
   * each key; header keys are lower-cased with `-` replaced by `_` (`user_agent`).
   */
  interface RequestInfo {
    query: { [key: string]: string }
    headers: { [key: string]: string }
    /** The parsed JSON body, or the form fields (numeric strings cast to numbers). */
    body: { [key: string]: any }
    /** The authenticated record, or null. */
    auth: Record | null
    method: string
    /** `"default"` for normal requests, `"realtime"`, `"protectedFile"`, `"oauth2"`, ... */
    context: string
    hasSuperuserAuth(): boolean
    clone(): RequestInfo
  }

  /** One sub-request of a batch. */
  interface InternalRequest {
    method: string
    url: string
    headers: { [key: string]: string }
    body: { [key: string]: any }
    validate(): void
  }

  // -----------------------------------------------------------------
  // Events
  // -----------------------------------------------------------------

  /**
   * The event of routes, middlewares (`routerAdd`, `routerUse`) and, through the `*Request` hook
   * events, of the REST API.
   */
  interface RequestEvent extends hook.Event, router.Event {
    app: App
    /** The authenticated record (superusers are records of `_superusers`), or null for guests. */
    auth: Record | null
    hasSuperuserAuth(): boolean
    /** The client IP, from the trusted proxy headers when configured. */
    realIP(): string
    /**
     * The request data as rules see it. Reading `e.request.body` yourself before calling it (or
     * `bindBody`) makes them fail; calling it first keeps the body readable.
     */
    requestInfo(): RequestInfo
  }

  /**
   * The base of every `*Request` hook event: the request event members plus `requestEvent`.
   *
   * REF: PocketBase leaves `e.request` and `e.response` undefined on these events (use
   * `e.requestEvent.request`); Ferrobase exposes them as well.
   */
  interface RequestHookEvent extends RequestEvent {
    /** The request event of the API call (`e.requestEvent.request`, `e.requestEvent.response`). */
    requestEvent: RequestEvent
  }

  interface BootstrapEvent extends hook.Event {
    app: App
  }

  interface TerminateEvent extends hook.Event {
    app: App
    /** True when the stop is a hooks-watch restart. */
    isRestart: boolean
  }

  interface BackupEvent extends hook.Event {
    app: App
    context: context.Context
    /** The backup name. */
    name: string
    /** Data dir entries left out of the backup or the restore. */
    exclude: Array<string>
  }

  interface SettingsReloadEvent extends hook.Event {
    app: App
  }

  interface ModelEvent extends hook.Event {
    app: App
    context: context.Context
    /** `"create"`, `"update"`, `"delete"` or `"validate"`. */
    type: string
    model: Model
  }

  interface ModelErrorEvent extends ModelEvent {
    error: Error
  }

  interface RecordEvent extends hook.Event {
    app: App
    context: context.Context
    /** `"create"`, `"update"`, `"delete"` or `"validate"`. */
    type: string
    record: Record
  }

  interface RecordErrorEvent extends RecordEvent {
    error: Error
  }

  interface CollectionEvent extends hook.Event {
    app: App
    context: context.Context
    /** `"create"`, `"update"`, `"delete"` or `"validate"`. */
    type: string
    collection: Collection
  }

  interface CollectionErrorEvent extends CollectionEvent {
    error: Error
  }

  interface MailerEvent extends hook.Event {
    app: App
    mailer: mailer.Mailer
    /** The message; change it before `e.next()`. */
    message: mailer.Message
  }

  interface MailerRecordEvent extends MailerEvent {
    record: Record
    /** Template data, e.g. `token` or `otpId`. */
    meta: JSONObject
  }

  interface RecordEnrichEvent extends hook.Event {
    app: App
    record: Record
    /** The request being answered (a property, not a method). */
    requestInfo: RequestInfo
  }

  interface RecordRequestEvent extends RequestHookEvent {
    collection: Collection
    record: Record
  }

  interface RecordsListRequestEvent extends RequestHookEvent {
    collection: Collection
    records: Array<Record>
    /** The page that will be sent (`items` are the records). */
    result: search.Result
  }

  interface RecordAuthRequestEvent extends RequestHookEvent {
    collection: Collection
    record: Record
    token: string
    /** The response `meta`; assign a new object to replace it. */
    meta: any
    /** `"password"`, `"oauth2"`, `"otp"`, `"impersonate"`, ... */
    authMethod: string
  }

  interface RecordAuthWithPasswordRequestEvent extends RequestHookEvent {
    collection: Collection
    /** The matched record, or null when none matched the identity. */
    record: Record | null
    identity: string
    /** `""` when the client did not send one. */
    identityField: string
    password: string
  }

  interface RecordAuthWithOAuth2RequestEvent extends RequestHookEvent {
    collection: Collection
    providerName: string
    providerClient: auth.Provider
    /** The linked or matched record, or null for a new user. */
    record: Record | null
    /** The user data from the provider. */
    oAuth2User: auth.AuthUser
    /** The client's `createData` for a new record. */
    createData: JSONObject
    isNewRecord: boolean
  }

  interface RecordAuthRefreshRequestEvent extends RequestHookEvent {
    collection: Collection
    record: Record
  }

  interface RecordRequestPasswordResetRequestEvent extends RequestHookEvent {
    collection: Collection
    record: Record
  }

  interface RecordConfirmPasswordResetRequestEvent extends RequestHookEvent {
    collection: Collection
    record: Record
  }

  interface RecordRequestVerificationRequestEvent extends RequestHookEvent {
    collection: Collection
    record: Record
  }

  interface RecordConfirmVerificationRequestEvent extends RequestHookEvent {
    collection: Collection
    record: Record
  }

  interface RecordRequestEmailChangeRequestEvent extends RequestHookEvent {
    collection: Collection
    record: Record
    newEmail: string
  }

  interface RecordConfirmEmailChangeRequestEvent extends RequestHookEvent {
    collection: Collection
    record: Record
    newEmail: string
  }

  interface RecordCreateOTPRequestEvent extends RequestHookEvent {
    collection: Collection
    /** The record, or null when the email matched none. */
    record: Record | null
    /** The generated one-time password. */
    password: string
  }

  interface RecordAuthWithOTPRequestEvent extends RequestHookEvent {
    collection: Collection
    record: Record
    otp: OTP
  }

  interface CollectionRequestEvent extends RequestHookEvent {
    collection: Collection
  }

  interface CollectionsListRequestEvent extends RequestHookEvent {
    collections: Array<Collection>
    result: search.Result
  }

  interface CollectionsImportRequestEvent extends RequestHookEvent {
    collectionsData: Array<JSONObject>
    deleteMissing: boolean
  }

  interface FileDownloadRequestEvent extends RequestHookEvent {
    collection: Collection
    record: Record
    fileField: FileField
    /** The storage key that will be served. */
    servedPath: string
    /** The file name of the response. */
    servedName: string
    /** Why a requested thumb could not be served (the original is served instead), or null. */
    thumbError: Error | null
  }

  interface FileTokenRequestEvent extends RequestHookEvent {
    record: Record
    token: string
  }

  interface RealtimeConnectRequestEvent extends RequestHookEvent {
    client: subscriptions.Client
    idleTimeout: time.Duration
    maxTimeout: time.Duration
  }

  interface RealtimeSubscribeRequestEvent extends RequestHookEvent {
    client: subscriptions.Client
    subscriptions: Array<string>
  }

  interface RealtimeMessageEvent extends RequestHookEvent {
    client: subscriptions.Client
    message: subscriptions.Message
  }

  interface SettingsListRequestEvent extends RequestHookEvent {
    settings: Settings
  }

  interface SettingsUpdateRequestEvent extends RequestHookEvent {
    oldSettings: Settings
    newSettings: Settings
  }

  interface BatchRequestEvent extends RequestHookEvent {
    batch: Array<InternalRequest>
  }
}

/**
 * Hook chains.
 */
declare namespace hook { // types only, not a runtime global
  /** The base of every hook event. */
  interface Event {
    /**
     * Runs the rest of the chain (the later handlers and, last, the default action).
     * Throws when the rest of the chain fails; the error can be caught. A second call in the
     * same handler does nothing.
     */
    next(): void
  }

  /** A native handler with its id and priority (what the `$apis` middlewares are). */
  interface Handler<T> {
    id: string
    priority: number
    func: (e: T) => void
  }
}

/**
 * HTTP routing: the request/response part of request events, and API errors.
 */
declare namespace router { // types only, not a runtime global
  /** The request and response helpers of a request event. */
  interface Event {
    /** The incoming request. */
    request: http.Request
    /** The response writer (`e.response.header().set(...)`). */
    response: http.ResponseWriter

    /** A value stored on this request by an earlier middleware. */
    get(key: string): any
    /** Stores a value on this request (for later middlewares and the handler). */
    set(key: string, value: any): void
    getAll(): JSONObject
    setAll(m: JSONObject): void

    /** Whether a response was already written. */
    written(): boolean
    /** The status of the written response (0 when none). */
    status(): number
    /** Flushes the written part of the response to the client. */
    flush(): void
    /** Whether the request came over TLS. */
    isTLS(): boolean
    /** The IP of the direct peer (no proxy headers). */
    remoteIP(): string
    /** Adds a `Set-Cookie` header. */
    setCookie(cookie: http.Cookie): void

    /**
     * Writes `data` as JSON (`application/json`). Records and native values use their JSON form,
     * byte arrays become base64, `null`/`undefined` give `null`.
     */
    json(status: number, data: any): void
    /** Writes `data` as `text/plain; charset=utf-8`. */
    string(status: number, data: string): void
    /** Writes `data` as `text/html; charset=utf-8`. */
    html(status: number, data: string): void
    /** Writes `data` as XML (a plain JS object cannot be XML-encoded). */
    xml(status: number, data: any): void
    /** Writes raw bytes with the given content type. */
    blob(status: number, contentType: string, b: string | Array<number>): void
    /** Streams a reader with the given content type. */
    stream(status: number, contentType: string, reader: io.Reader): void
    /** Serves `filename` from a file system (e.g. `$os.dirFS(...)`). */
    fileFS(fsys: fs.FS, filename: string): void
    /** Writes an empty response (e.g. 204). */
    noContent(status: number): void
    /** Redirects; `status` must be 300-399. */
    redirect(status: number, url: string): void

    /**
     * Decodes the body (JSON, multipart or urlencoded) into a `DynamicModel`, `Record` or other
     * native value. A type mismatch throws (a 400 when uncaught). A plain JS object cannot be a
     * destination.
     *
     * ```js
     * const data = new DynamicModel({ title: "", tags: [] })
     * e.bindBody(data)
     * ```
     */
    bindBody(dst: any): void
    /** The files uploaded under the multipart field `key`. */
    findUploadedFiles(key: string): Array<filesystem.File>

    /** An API error to throw or return: 400. */
    badRequestError(message?: string, errData?: any): ApiError
    /** An API error to throw or return: 404. */
    notFoundError(message?: string, errData?: any): ApiError
    /** An API error to throw or return: 403. */
    forbiddenError(message?: string, errData?: any): ApiError
    /** An API error to throw or return: 401. */
    unauthorizedError(message?: string, errData?: any): ApiError
    /** An API error to throw or return: 429. */
    tooManyRequestsError(message?: string, errData?: any): ApiError
    /** An API error to throw or return: 500. */
    internalServerError(message?: string, errData?: any): ApiError
    /** An API error to throw or return with any status. */
    error(status: number, message?: string, errData?: any): ApiError
  }

  /** The JSON error response `{status, message, data}`. */
  interface ApiError {
    status: number
    message: string
    data: JSONObject
    /** The message. */
    error(): string
    /** The `data` as given, before it was made safe. */
    rawData(): any
    is(target: any): boolean
  }
}

/**
 * Go `net/http` values.
 */
declare namespace http { // types only, not a runtime global
  /** The incoming request. */
  interface Request {
    method: string
    url: url.URL
    /** `HTTP/1.1`, `HTTP/2.0`, ... */
    proto: string
    protoMajor: number
    protoMinor: number
    header: Header
    /** The body as a reader: `toString(e.request.body)`. */
    body: io.ReadCloser
    contentLength: number
    transferEncoding: Array<string>
    close: boolean
    host: string
    /** Parsed form values (after `parseForm`/`formValue`). */
    form: url.Values
    postForm: url.Values
    trailer: Header
    /** The peer address, `ip:port`. */
    remoteAddr: string
    requestURI: string
    /** The matched route pattern. */
    pattern: string
    /** A path parameter of the route (`{name}` or `{rest...}`). */
    pathValue(name: string): string
    setPathValue(name: string, value: string): void
    context(): context.Context
    cookie(name: string): Cookie
    cookies(): Array<Cookie>
    cookiesNamed(name: string): Array<Cookie>
    addCookie(c: Cookie): void
    /** The first value of a query or form field. */
    formValue(key: string): string
    postFormValue(key: string): string
    formFile(key: string): [any, multipart.FileHeader]
    parseForm(): void
    parseMultipartForm(maxMemory: number): void
    userAgent(): string
    referer(): string
    /** `[username, password, ok]` of the Basic authorization header. */
    basicAuth(): [string, string, boolean]
    setBasicAuth(username: string, password: string): void
    protoAtLeast(major: number, minor: number): boolean
  }

  /** Header values by canonical name. */
  interface Header {
    [name: string]: any
    /** The first value of `key` (case-insensitive), or `""`. */
    get(key: string): string
    set(key: string, value: string): void
    add(key: string, value: string): void
    del(key: string): void
    values(key: string): Array<string>
    clone(): Header
  }

  /** The response writer. */
  interface ResponseWriter {
    header(): Header
    write(data: string | Array<number>): number
    writeHeader(statusCode: number): void
  }

  /** 1 default, 2 Lax, 3 Strict, 4 None. */
  type SameSite = number

  interface Cookie {
    name: string
    value: string
    quoted: boolean
    path: string
    domain: string
    expires: time.Time | Date
    rawExpires: string
    /** Seconds; 0 = no Max-Age, negative = delete now. */
    maxAge: number
    secure: boolean
    httpOnly: boolean
    sameSite: SameSite
    partitioned: boolean
    raw: string
    unparsed: Array<string>
    /** The `Set-Cookie` form. */
    string(): string
    valid(): void
  }
}

/**
 * Go `net/url` values.
 */
declare namespace url { // types only, not a runtime global
  interface URL {
    scheme: string
    opaque: string
    host: string
    /** The decoded path. */
    path: string
    rawPath: string
    omitHost: boolean
    forceQuery: boolean
    /** The query without `?`. */
    rawQuery: string
    fragment: string
    rawFragment: string
    /** The parsed query: `e.request.url.query().get("page")`. */
    query(): Values
    hostname(): string
    port(): string
    isAbs(): boolean
    escapedPath(): string
    escapedFragment(): string
    requestURI(): string
    redacted(): string
    string(): string
    parse(ref: string): URL
    resolveReference(ref: URL): URL
    joinPath(...elem: Array<string>): URL
  }

  /** Query or form values: several values per key. */
  interface Values {
    [key: string]: any
    /** The first value of `key`, or `""`. */
    get(key: string): string
    set(key: string, value: string): void
    add(key: string, value: string): void
    del(key: string): void
    has(key: string): boolean
    encode(): string
  }
}

/**
 * Go `io` readers and writers.
 */
declare namespace io { // types only, not a runtime global
  interface Reader {
    read(p: Array<number>): number
  }
  interface Writer {
    write(p: string | Array<number>): number
  }
  interface ReadCloser extends Reader {
    close(): void
  }
}

/**
 * The database query builder (ozzo-dbx).
 */
declare namespace dbx { // types only, not a runtime global
  /** Named parameters for `{:name}` placeholders. */
  type Params = { [name: string]: any }

  /** A query expression, built with `$dbx`. */
  interface Expression {
    build(db: any, params: Params): string
  }

  interface LikeExp extends Expression {
    /** Custom escape pairs (`["%", "\\%"]`). */
    escape(...chars: Array<string>): LikeExp
    /** Whether the value is matched at the start/end only (`false, true` gives `value%`). */
    match(left: boolean, right: boolean): LikeExp
  }

  /** The result of `execute()`. */
  interface Result {
    lastInsertId(): number
    rowsAffected(): number
  }

  /** The query builder (`$app.db()`). */
  interface Builder {
    /** A raw SQL query with `{:name}` placeholders. */
    newQuery(sql: string): Query
    select(...cols: Array<string>): SelectQuery
    insert(table: string, cols: Params): Query
    upsert(table: string, cols: Params, ...constraints: Array<string>): Query
    update(table: string, cols: Params, where: Expression | null): Query
    delete(table: string, where: Expression | null): Query
    createTable(table: string, cols: { [column: string]: string }, ...options: Array<string>): Query
    renameTable(oldName: string, newName: string): Query
    dropTable(table: string): Query
    truncateTable(table: string): Query
    addColumn(table: string, col: string, typ: string): Query
    dropColumn(table: string, col: string): Query
    renameColumn(table: string, oldName: string, newName: string): Query
    alterColumn(table: string, col: string, typ: string): Query
    addPrimaryKey(table: string, name: string, ...cols: Array<string>): Query
    dropPrimaryKey(table: string, name: string): Query
    addForeignKey(table: string, name: string, cols: Array<string>, refCols: Array<string>, refTable: string, ...options: Array<string>): Query
    dropForeignKey(table: string, name: string): Query
    createIndex(table: string, name: string, ...cols: Array<string>): Query
    createUniqueIndex(table: string, name: string, ...cols: Array<string>): Query
    dropIndex(table: string, name: string): Query
    quote(s: string): string
    quoteSimpleTableName(s: string): string
    quoteSimpleColumnName(s: string): string
    generatePlaceholder(n: number): string
  }

  /** A built query. Destinations are `DynamicModel`/`Record` objects or `arrayOf(...)` arrays. */
  interface Query {
    /** Binds `{:name}` parameters. */
    bind(params: Params): Query
    /** Runs a statement that returns no rows. */
    execute(): Result
    /** Fills `dst` with the first row; throws when there is none. */
    one(dst: any): void
    /** Fills the array `dst` (from `arrayOf(...)`) with every row. */
    all(dst: any): void
    /** Scans the first row's columns into `dst` values. */
    row(...dst: Array<any>): void
    /** Fills the array `dst` with the first column of every row. */
    column(dst: any): void
    /** The SQL text. */
    sql(): string
    params(): Params
    prepare(): Query
    close(): void
    withContext(ctx: context.Context): Query
    context(): context.Context
  }

  /** A SELECT under construction. */
  interface SelectQuery {
    select(...cols: Array<string>): SelectQuery
    andSelect(...cols: Array<string>): SelectQuery
    distinct(v: boolean): SelectQuery
    selectOption(option: string): SelectQuery
    from(...tables: Array<string>): SelectQuery
    where(e: Expression): SelectQuery
    andWhere(e: Expression): SelectQuery
    orWhere(e: Expression): SelectQuery
    join(typ: string, table: string, on: Expression): SelectQuery
    innerJoin(table: string, on: Expression): SelectQuery
    leftJoin(table: string, on: Expression): SelectQuery
    rightJoin(table: string, on: Expression): SelectQuery
    /** Columns with an optional direction: `orderBy("views DESC", "title")`. */
    orderBy(...cols: Array<string>): SelectQuery
    andOrderBy(...cols: Array<string>): SelectQuery
    groupBy(...cols: Array<string>): SelectQuery
    andGroupBy(...cols: Array<string>): SelectQuery
    having(e: Expression): SelectQuery
    andHaving(e: Expression): SelectQuery
    orHaving(e: Expression): SelectQuery
    union(q: Query): SelectQuery
    unionAll(q: Query): SelectQuery
    limit(limit: number): SelectQuery
    offset(offset: number): SelectQuery
    bind(params: Params): SelectQuery
    andBind(params: Params): SelectQuery
    preFragment(fragment: string): SelectQuery
    postFragment(fragment: string): SelectQuery
    withContext(ctx: context.Context): SelectQuery
    context(): context.Context
    /** The built query. */
    build(): Query
    /** Fills `dst` with the first row; throws when there is none. */
    one(dst: any): void
    /** Fills the array `dst` (from `arrayOf(...)`) with every row. */
    all(dst: any): void
    row(...dst: Array<any>): void
    column(dst: any): void
  }
}

/**
 * Value types of records and settings.
 */
declare namespace types { // types only, not a runtime global
  /**
   * A date and time, in the form `"2024-01-02 03:04:05.678Z"` (`string()`, JSON).
   * `record.getDateTime("created")` and `new DateTime(...)` give one.
   */
  interface DateTime {
    /** `"2024-01-02 03:04:05.678Z"`, or `""` for the zero value. */
    string(): string
    /** Seconds since the Unix epoch. */
    unix(): number
    time(): time.Time
    isZero(): boolean
    add(duration: time.Duration): DateTime
    sub(u: DateTime): time.Duration
    addDate(years: number, months: number, days: number): DateTime
    after(u: DateTime): boolean
    before(u: DateTime): boolean
    compare(u: DateTime): number
    equal(u: DateTime): boolean
    marshalJSON(): Array<number>
    unmarshalJSON(b: string | Array<number>): void
  }

  /**
   * Raw JSON: an array of bytes whose `String()` is the JSON text. `record.get("meta")` of a
   * `json` field gives one; read it with `JSON.parse(record.getString("meta"))`.
   */
  interface JSONRaw extends Array<number> {
    string(): string
    marshalJSON(): Array<number>
  }

  /** A JSON object; read values with `get`. */
  interface JSONMap<T> {
    [key: string]: any
    get(key: string): T
    set(key: string, value: T): void
    string(): string
    marshalJSON(): Array<number>
  }

  /** A JSON array. */
  interface JSONArray<T> extends Array<T> {
    string(): string
    marshalJSON(): Array<number>
  }

  /** A `geoPoint` field value. */
  interface GeoPoint {
    lon: number
    lat: number
    asMap(): JSONObject
    string(): string
  }
}

/**
 * Go `time` values.
 */
declare namespace time { // types only, not a runtime global
  /** Nanoseconds (`1e9` is one second). */
  type Duration = number

  /** 1 (January) to 12. */
  type Month = number

  /** 0 (Sunday) to 6. */
  type Weekday = number

  interface Location {
    string(): string
  }

  interface Time {
    unix(): number
    unixMilli(): number
    unixMicro(): number
    unixNano(): number
    year(): number
    month(): Month
    day(): number
    hour(): number
    minute(): number
    second(): number
    nanosecond(): number
    weekday(): Weekday
    yearDay(): number
    isZero(): boolean
    utc(): Time
    local(): Time
    in(loc: Location): Time
    location(): Location
    add(d: Duration): Time
    addDate(years: number, months: number, days: number): Time
    sub(u: Time): Duration
    after(u: Time): boolean
    before(u: Time): boolean
    equal(u: Time): boolean
    compare(u: Time): number
    truncate(d: Duration): Time
    round(d: Duration): Time
    /** Go layout formatting (`"2006-01-02 15:04:05"`). */
    format(layout: string): string
    string(): string
  }
}

/**
 * Go `context`.
 */
declare namespace context { // types only, not a runtime global
  interface Context {
    /** `[deadline, ok]`. */
    deadline(): [time.Time, boolean]
    /** The error after cancellation, or null. */
    err(): Error | null
    value(key: any): any
  }
}

/**
 * E-mail messages and clients.
 */
declare namespace mailer { // types only, not a runtime global
  /** An address `{address, name?}`. */
  type Address = { address: string; name?: string }

  interface Message {
    from: Address
    to: Array<Address>
    bcc: Array<Address>
    cc: Array<Address>
    subject: string
    html: string
    text: string
    headers: { [name: string]: string }
    /** Attachments by file name (readers, e.g. from `$filesystem` files' `reader`). */
    attachments: { [name: string]: io.Reader }
    inlineAttachments: { [name: string]: io.Reader }
  }

  interface Mailer {
    send(message: Message): void
  }
}

/**
 * Stored files and storage clients.
 */
declare namespace filesystem { // types only, not a runtime global
  /** A file to store in a file field. */
  interface File {
    /** The stored (normalised, suffixed) name. */
    name: string
    originalName: string
    size: number
    /** Where the content comes from; `open()` gives an `io.Reader` (a mail attachment, `toString(r)`). */
    reader: FileReader
    asMap(): JSONObject
  }

  interface FileReader {
    open(): io.Reader
  }

  /** A storage client (local or S3). */
  interface System {
    exists(fileKey: string): boolean
    attributes(fileKey: string): blob.Attributes
    /** A reader of the stored file; close it when done. */
    getReader(fileKey: string): blob.Reader
    /** @deprecated Use `getReader`. */
    getFile(fileKey: string): blob.Reader
    /** A copy of a stored file as a new `File` for another record. */
    getReuploadableFile(fileKey: string, preserveName: boolean): File
    copy(srcKey: string, dstKey: string): void
    list(prefix: string): Array<blob.ListObject>
    upload(content: string | Array<number>, fileKey: string): void
    uploadFile(file: File, fileKey: string): void
    uploadMultipart(fh: multipart.FileHeader, fileKey: string): void
    delete(fileKey: string): void
    /** Deletes every key under `prefix`; returns the errors. */
    deletePrefix(prefix: string): Array<Error>
    isEmptyDir(dir: string): boolean
    serve(res: http.ResponseWriter, req: http.Request, fileKey: string, name: string): void
    createThumb(originalKey: string, thumbKey: string, thumbSize: string): void
    setContext(ctx: context.Context): void
    close(): void
  }
}

/**
 * Blob storage values.
 */
declare namespace blob { // types only, not a runtime global
  interface Attributes {
    cacheControl: string
    contentDisposition: string
    contentEncoding: string
    contentLanguage: string
    contentType: string
    metadata: { [key: string]: string }
    createTime: time.Time
    modTime: time.Time
    size: number
    md5: Array<number>
    eTag: string
  }

  interface ListObject {
    key: string
    modTime: time.Time
    size: number
    md5: Array<number>
    isDir: boolean
  }

  interface Reader extends io.ReadCloser {
    contentType(): string
    modTime(): time.Time
    size(): number
  }
}

/**
 * Multipart uploads.
 */
declare namespace multipart { // types only, not a runtime global
  interface FileHeader {
    filename: string
    header: { [name: string]: Array<string> }
    size: number
  }
}

/**
 * Templates (`$template`).
 */
declare namespace template { // types only, not a runtime global
  interface Registry {
    /** Adds template functions for the next loads. */
    addFuncs(funcs: { [name: string]: (...args: any[]) => any }): Registry
    /** Parses the files (later ones can define blocks of earlier ones); cached by the file list. */
    loadFiles(...filenames: Array<string>): Renderer
    loadString(text: string): Renderer
    loadFS(fsys: fs.FS, ...globPatterns: Array<string>): Renderer
  }

  interface Renderer {
    /** Executes the template with `data` and returns the text. */
    render(data?: any): string
  }
}

/**
 * The app store (`$app.store()`).
 */
declare namespace store { // types only, not a runtime global
  /** A concurrent key/value store. */
  interface Store<K, T> {
    get(key: K): T
    /** `[value, found]`. */
    getOk(key: K): [T, boolean]
    getAll(): { [key: string]: T }
    /** The value of `key`, setting it to `setFunc()` first when missing. */
    getOrSet(key: K, setFunc: () => T): T
    has(key: K): boolean
    set(key: K, value: T): void
    /** Sets `key` to `fn(oldValue)` atomically. */
    setFunc(key: K, fn: (old: T) => T): void
    /** Sets the value unless the store already holds `maxAllowedElements`. */
    setIfLessThanLimit(key: K, value: T, maxAllowedElements: number): boolean
    remove(key: K): void
    removeAll(): void
    reset(newData: { [key: string]: T }): void
    keys(): Array<K>
    values(): Array<T>
    length(): number
  }
}

/**
 * The cron scheduler (`$app.cron()`).
 */
declare namespace cron { // types only, not a runtime global
  interface Cron {
    /** Same as the global `cronAdd`. */
    add(jobId: string, cronExpr: string, fn: () => void): void
    mustAdd(jobId: string, cronExpr: string, fn: () => void): void
    remove(jobId: string): void
    removeAll(): void
    total(): number
    /** Every job, system ones (`__pb*__`) included. */
    jobs(): Array<Job>
    hasStarted(): boolean
    start(): void
    stop(): void
    setInterval(d: time.Duration): void
    setTimezone(l: time.Location): void
  }

  interface Job {
    id(): string
    expression(): string
    run(): void
  }
}

/**
 * Structured logging (`$app.logger()`); entries go to the `_logs` table.
 */
declare namespace slog { // types only, not a runtime global
  interface Logger {
    /** `msg` plus alternating keys and values: `info("sent", "to", email, "ms", 12)`. */
    debug(msg: string, ...args: Array<any>): void
    info(msg: string, ...args: Array<any>): void
    warn(msg: string, ...args: Array<any>): void
    error(msg: string, ...args: Array<any>): void
    /** A logger that adds the given key/value pairs to every entry. */
    with(...args: Array<any>): Logger
    /** A logger that nests the next keys under `name`. */
    withGroup(name: string): Logger
  }
}

/**
 * Realtime clients and messages.
 */
declare namespace subscriptions { // types only, not a runtime global
  interface Message {
    name: string
    /** The payload (text or bytes). */
    data: string | Array<number>
  }

  interface Client {
    id(): string
    /** The subscriptions, optionally only those starting with one of `prefixes`, with their options. */
    subscriptions(...prefixes: Array<string>): { [subscription: string]: any }
    subscribe(...subs: Array<string>): void
    unsubscribe(...subs: Array<string>): void
    hasSubscription(sub: string): boolean
    /** A value attached to the client (the auth record is under `"auth"`). */
    get(key: string): any
    set(key: string, value: any): void
    unset(key: string): void
    send(m: Message): void
    discard(): void
    isDiscarded(): boolean
  }

  interface Broker {
    clients(): { [id: string]: Client }
    chunkedClients(chunkSize: number): Array<Array<Client>>
    totalClients(): number
    clientById(clientId: string): Client
    register(client: Client): void
    unregister(clientId: string): void
  }
}

/**
 * List results.
 */
declare namespace search { // types only, not a runtime global
  /** A list page, as sent by the list endpoints. */
  interface Result {
    page: number
    perPage: number
    totalItems: number
    totalPages: number
    /** The items of the page (records for `onRecordsListRequest`). */
    items: any
  }
}

/**
 * OAuth2 providers.
 */
declare namespace auth { // types only, not a runtime global
  /** The user data an OAuth2 provider returned. */
  interface AuthUser {
    id: string
    name: string
    username: string
    email: string
    avatarURL: string
    accessToken: string
    refreshToken: string
    expiry: types.DateTime
    /** The provider's user JSON as is. */
    rawUser: JSONObject
  }

  interface Provider {
    displayName(): string
    pkce(): boolean
    scopes(): Array<string>
    clientId(): string
    clientSecret(): string
    redirectURL(): string
    authURL(): string
    tokenURL(): string
    userInfoURL(): string
    extra(): JSONObject
    setScopes(scopes: Array<string>): void
    setClientId(clientId: string): void
    setClientSecret(secret: string): void
    setRedirectURL(url: string): void
    setAuthURL(url: string): void
    setTokenURL(url: string): void
    setUserInfoURL(url: string): void
    setExtra(data: JSONObject): void
    buildAuthURL(state: string, ...opts: Array<any>): string
    fetchToken(code: string, ...opts: Array<any>): oauth2.Token
    fetchRawUserInfo(token: oauth2.Token): Array<number>
    fetchAuthUser(token: oauth2.Token): AuthUser
  }
}

/**
 * OAuth2 tokens.
 */
declare namespace oauth2 { // types only, not a runtime global
  interface Token {
    accessToken: string
    tokenType: string
    refreshToken: string
    expiry: time.Time
    expiresIn: number
    extra(key: string): any
    valid(): boolean
  }
}

/**
 * Go `io/fs`.
 */
declare namespace fs { // types only, not a runtime global
  /** A read-only file system (`$os.dirFS(...)`). */
  interface FS {
    open(name: string): any
  }

  interface FileInfo {
    name(): string
    size(): number
    /** The permission and mode bits. */
    mode(): number
    modTime(): time.Time
    isDir(): boolean
  }

  interface DirEntry {
    name(): string
    isDir(): boolean
    type(): number
    info(): FileInfo
  }
}

/**
 * Go `os` values.
 */
declare namespace os { // types only, not a runtime global
  interface File {
    name(): string
    read(b: Array<number>): number
    write(b: string | Array<number>): number
    writeString(s: string): number
    readDir(n: number): Array<fs.DirEntry>
    stat(): fs.FileInfo
    truncate(size: number): void
    sync(): void
    close(): void
  }

  /** A directory handle whose operations stay inside it. */
  interface Root {
    name(): string
    fs(): fs.FS
    open(name: string): File
    create(name: string): File
    openRoot(name: string): Root
    readFile(name: string): Array<number>
    writeFile(name: string, data: string | Array<number>, perm: number): void
    stat(name: string): fs.FileInfo
    mkdir(name: string, perm: number): void
    mkdirAll(name: string, perm: number): void
    remove(name: string): void
    removeAll(name: string): void
    rename(oldname: string, newname: string): void
    close(): void
  }
}

/**
 * Go `os/exec`.
 */
declare namespace exec { // types only, not a runtime global
  /** A prepared external command (`$os.cmd(...)`). */
  interface Cmd {
    path: string
    args: Array<string>
    /** `KEY=value` entries; empty means the current environment. */
    env: Array<string>
    /** The working directory. */
    dir: string
    stdin: io.Reader | null
    stdout: io.Writer | null
    stderr: io.Writer | null
    /** Runs the command and returns its standard output as bytes. */
    output(): Array<number>
    /** Runs the command and returns its standard output and error as bytes. */
    combinedOutput(): Array<number>
    /** Runs the command and waits; throws on a non-zero exit. */
    run(): void
    start(): void
    wait(): void
    environ(): Array<string>
    string(): string
  }
}

/**
 * Validation errors.
 */
declare namespace ozzo_validation { // types only, not a runtime global
  interface Error {
    code(): string
    message(): string
    error(): string
    params(): JSONObject
    setMessage(message: string): Error
    setParams(params: JSONObject): Error
  }
}

/**
 * CLI commands.
 */
declare namespace cobra { // types only, not a runtime global
  interface Command {
    /** The usage line; its first word is the command name. */
    use: string
    aliases: Array<string>
    short: string
    long: string
    example: string
    hidden: boolean
    deprecated: string
    run: (cmd: Command, args: Array<string>) => void
    addCommand(...cmds: Array<Command>): void
    removeCommand(...cmds: Array<Command>): void
    commands(): Array<Command>
    name(): string
    execute(): void
  }
}

/**
 * Legacy forms.
 */
declare namespace forms { // types only, not a runtime global
  interface AppleClientSecretCreate {
    clientId: string
    teamId: string
    keyId: string
    privateKey: string
    /** Seconds. */
    duration: number
    validate(): void
    /** The generated client secret. */
    submit(): string
  }

  interface RecordUpsert {
    setContext(ctx: context.Context): void
    setApp(app: CoreApp): void
    setRecord(record: core.Record): void
    resetAccess(): void
    grantManagerAccess(): void
    grantSuperuserAccess(): void
    hasManageAccess(): boolean
    /** Loads request-like data (field values, files, modifiers). */
    load(data: JSONObject): void
    submit(): void
    drySubmit(callback: (txApp: CoreApp, drySavedRecord: core.Record) => void): void
  }

  interface TestEmailSend {
    email: string
    /** `"verification"`, `"password-reset"`, `"email-change"`, `"otp"` or `"login-alert"`. */
    template: string
    /** The auth collection of the template (default `_superusers`). */
    collection: string
    validate(): void
    submit(): void
  }

  interface TestS3Filesystem {
    /** `"storage"` or `"backups"`. */
    filesystem: string
    validate(): void
    submit(): void
  }
}
