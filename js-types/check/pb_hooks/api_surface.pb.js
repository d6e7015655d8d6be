/// <reference path="../pb_data/types.d.ts" />
// A wider tour of the API than the fixtures, so that the declarations are checked against real use.

// --- request events -------------------------------------------------------------------------
routerAdd("POST", "/tour/request/{id}", (e) => {
  const info = e.requestInfo()
  const page = parseInt(e.request.url.query().get("page") || "1")
  const ua = e.request.userAgent() + " " + e.request.header.get("Accept")
  const cookie = e.request.cookie("sid")
  e.set("seen", true)
  const data = new DynamicModel({ title: "", count: 0, ratio: -0, tags: [], meta: {}, note: nullString() })
  e.bindBody(data)
  const files = e.findUploadedFiles("document")
  e.response.header().add("X-Page", String(page))
  if (!e.auth && info.method === "POST") {
    throw e.unauthorizedError("Sign in first.", {})
  }
  return e.json(200, {
    id: e.request.pathValue("id"),
    ua,
    sid: cookie ? cookie.value : null,
    ip: e.realIP(),
    tls: e.isTLS(),
    superuser: info.hasSuperuserAuth(),
    context: info.context,
    seen: e.get("seen"),
    title: data.title,
    files: files.map((f) => f.originalName + ":" + f.size),
    written: e.written(),
  })
}, $apis.bodyLimit(1 << 20), $apis.gzip(), new Middleware((e) => e.next(), 10, "tour"))

routerAdd("GET", "/tour/static/{path...}", $apis.static(`${__hooks}/../pb_public`, true))
routerAdd("GET", "/tour/blob", (e) => e.blob(200, "application/octet-stream", toBytes("raw")))
routerAdd("GET", "/tour/html", (e) => {
  const html = $template.loadString("<p>{{.name}}</p>").render({ name: "Bob<b>" })
  return e.html(200, html)
})

// --- records and collections ------------------------------------------------------------------
routerAdd("GET", "/tour/records", (e) => {
  const posts = $app.findCollectionByNameOrId("posts")
  const list = $app.findRecordsByFilter(posts, "status = {:s}", "-created", 20, 0, { s: "public" })
  const out = list.map((r) => {
    $apis.enrichRecord(e, r, "author")
    const created = r.getDateTime("created")
    const author = r.expandedOne("author")
    return {
      id: r.id,
      title: r.getString("title"),
      tags: r.getStringSlice("tags"),
      views: r.getInt("views") + r.getFloat("score"),
      createdUnix: created.unix(),
      createdText: created.string(),
      author: author ? author.email() : "",
      meta: JSON.parse(r.getString("meta") || "null"),
      isNew: r.isNew(),
      table: r.tableName(),
    }
  })
  const records = arrayOf(new Record())
  $app.recordQuery("posts").where($dbx.hashExp({ status: ["public", "featured"] }))
    .andWhere($dbx.not($dbx.like("title", "draft"))).limit(5).all(records)
  $apis.enrichRecords(e, records)
  $app.expandRecords(records, ["author"], null)
  return e.json(200, { out, records, auth: posts.isAuth(), rule: posts.listRule })
})

routerAdd("POST", "/tour/users", (e) => {
  const users = $app.findCollectionByNameOrId("users")
  const user = new Record(users)
  user.setEmail("new@example.com")
  user.setPassword("Passw0rd!23")
  user.setVerified(true)
  user.set("tags+", "new")
  $app.save(user)
  const token = user.newAuthToken()
  const found = $app.findAuthRecordByEmail("users", "new@example.com")
  const same = $app.findAuthRecordByToken(token, "auth")
  return $apis.recordAuthResponse(e, found.id === same.id ? found : user, "password", { welcome: true })
})

// --- query builder ------------------------------------------------------------------------------
routerAdd("GET", "/tour/sql", (e) => {
  const db = $app.db()
  const n = new DynamicModel({ n: 0 })
  db.select("count(*) as n").from("posts").where($dbx.in("status", "a", "b")).one(n)
  const titles = arrayOf("")
  db.newQuery("SELECT title FROM posts").column(titles)
  const res = db.insert("notes", { title: "x" }).execute()
  db.update("notes", { title: "y" }, $dbx.hashExp({ id: res.lastInsertId() })).execute()
  db.delete("notes", $dbx.between("created", "2020-01-01", "2021-01-01")).execute()
  const joined = arrayOf(new DynamicModel({ title: "", email: "" }))
  db.select("p.title", "u.email").from("posts p")
    .leftJoin("users u", $dbx.exp("u.id = p.author"))
    .andOrderBy("p.created DESC").groupBy("p.id").offset(10).limit(10).all(joined)
  return e.json(200, { n: n.n, titles, joined, sql: db.newQuery("SELECT 1").sql() })
})

// --- app services -------------------------------------------------------------------------------
routerAdd("GET", "/tour/app", (e) => {
  const settings = $app.settings()
  const jobs = $app.cron().jobs().map((j) => ({ id: j.id(), expr: j.expression() }))
  $app.store().set("hits", ($app.store().get("hits") || 0) + 1)
  const count = $app.store().getOrSet("since", () => new DateTime().string())
  $app.logger().info("tour", "hits", $app.store().get("hits"), "dev", $app.isDev())
  const fsys = $app.newFilesystem()
  const exists = fsys.exists("some/key.txt")
  fsys.close()
  const broker = $app.subscriptionsBroker()
  return e.json(200, {
    app: settings.meta.appName,
    smtp: settings.smtp.enabled,
    rateLimits: settings.rateLimits.rules.map((r) => r.label),
    jobs,
    count,
    exists,
    clients: broker.totalClients(),
    dataDir: $app.dataDir(),
    tx: $app.isTransactional(),
  })
})

routerAdd("POST", "/tour/mail", (e) => {
  const user = e.auth
  if (!user) throw new UnauthorizedError()
  $mails.sendRecordVerification($app, user)
  const message = new MailerMessage({
    from: { address: $app.settings().meta.senderAddress, name: $app.settings().meta.senderName },
    to: [{ address: user.email() }],
    subject: "Report",
    text: "see attachment",
    attachments: { "report.txt": $filesystem.fileFromBytes(toBytes("hello"), "report.txt").reader.open() },
  })
  $app.newMailClient().send(message)
  return e.noContent(204)
})

// --- helpers ------------------------------------------------------------------------------------
routerAdd("GET", "/tour/helpers", (e) => {
  const key = $security.randomString(32)
  const sealed = $security.encrypt("secret", key)
  const opened = $security.decrypt(sealed, key)
  const claims = $security.parseJWT($security.createJWT({ sub: "1" }, key, 60), key)
  const out = toString($os.cmd("echo", "hi").output())
  const parts = $filepath.split("/a/b/c.txt")
  const stat = $os.stat(__hooks)
  const home = process.env.HOME || ""
  const b64 = Buffer.from("hi").toString("base64")
  const when = new DateTime("2024-01-02 03:04:05.000Z", "Europe/Sofia").addDate(0, 1, 0)
  const zone = new Timezone("UTC").string()
  const res = $http.send({ url: "http://127.0.0.1:1/", method: "POST", body: new FormData(), headers: { a: "b" } })
  return e.json(200, {
    opened, sub: claims.sub, out, parts, dir: stat.isDir(), home, b64,
    when: when.string(), zone, status: res.statusCode, ct: res.headers["Content-Type"],
    same: $security.equal($security.md5("a"), $security.sha256("a")),
  })
})

// --- hooks ----------------------------------------------------------------------------------------
onRecordAfterCreateError((e) => {
  console.error("create failed", e.record.collection().name, String(e.error))
  e.next()
}, "posts")

onModelCreate((e) => {
  console.log("model", e.model.tableName(), e.type)
  e.next()
})

onCollectionAfterUpdateSuccess((e) => {
  console.log("collection", e.collection.name, e.collection.fields.fieldNames().join(","))
  e.next()
})

onRecordsListRequest((e) => {
  e.result.items = e.records.filter((r) => !r.getBool("hidden"))
  e.next()
}, "posts")

onRecordViewRequest((e) => {
  // Ferrobase: e.request and e.requestEvent.request are the same request.
  const q = e.requestEvent.request.url.query().get("x") || e.request.url.rawQuery
  e.record.set("viewedWith", q)
  e.next()
})

onRecordAuthWithOAuth2Request((e) => {
  if (e.isNewRecord && e.oAuth2User.email.endsWith("@blocked.example")) {
    throw new ForbiddenError("Sign-ups from this domain are closed.")
  }
  e.createData.name = e.oAuth2User.name
  e.next()
}, "users")

onRecordRequestOTPRequest((e) => {
  if (!e.record) throw new NotFoundError()
  e.next()
})

onMailerRecordPasswordResetSend((e) => {
  e.message.subject = "[" + e.app.settings().meta.appName + "] " + e.message.subject
  e.next()
})

onRealtimeSubscribeRequest((e) => {
  e.subscriptions = e.subscriptions.filter((s) => !s.startsWith("secret"))
  e.next()
})

onRealtimeMessageSend((e) => {
  console.log("to", e.client.id(), e.message.name)
  e.next()
})

onSettingsUpdateRequest((e) => {
  if (e.newSettings.meta.appName !== e.oldSettings.meta.appName) console.log("renamed")
  e.next()
})

onFileDownloadRequest((e) => {
  e.servedName = "download-" + e.servedName
  e.next()
})

onBatchRequest((e) => {
  if (e.batch.length > 10) throw new BadRequestError("Too many.")
  e.next()
})

onCollectionsImportRequest((e) => {
  console.log(e.collectionsData.length, e.deleteMissing)
  e.next()
})

onBackupCreate((e) => {
  e.exclude.push("big_cache")
  e.next()
})

onBootstrapClear((e) => e.next())
onSettingsReload((e) => e.next())

cronAdd("tour_cleanup", "@daily", () => {
  const cutoff = new DateTime().addDate(0, 0, -30)
  $app.db().newQuery("DELETE FROM notes WHERE created < {:c}").bind({ c: cutoff.string() }).execute()
})
cronRemove("tour_cleanup")

$app.rootCmd.addCommand(new Command({
  use: "tour",
  short: "prints the app name",
  run: (cmd, args) => console.log($app.settings().meta.appName, args.length),
}))
