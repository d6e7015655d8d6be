/// <reference path="../pb_data/types.d.ts" />
// Every line after a `@ts-expect-error` comment must be a type error. If the declarations stop
// catching one of these mistakes, `tsc` reports the unused directive and the check fails.

// @ts-expect-error: there is no onServe global (REF); use routerAdd/routerUse
onServe((e) => e.next())

// @ts-expect-error: routerAdd needs a handler
routerAdd("GET", "/x")

// @ts-expect-error: cronAdd needs an expression
cronAdd("job", () => {})

routerAdd("GET", "/mistakes", (e) => {
  // @ts-expect-error: a typo in an $app method
  $app.findRecordByIdd("posts", "x")
  // @ts-expect-error: e.json takes the status first, as a number
  e.json({ ok: true }, 200)
  // @ts-expect-error: requestInfo is a method on request events
  const body = e.requestInfo.body
  // @ts-expect-error: email is a method, not a property
  const lower = e.auth.email.toLowerCase()
  // @ts-expect-error: createJWT needs a duration
  $security.createJWT({ sub: "1" }, "key")
  // @ts-expect-error: field values are read with get(), not as properties
  const t = $app.findRecordById("posts", "x").title
  // @ts-expect-error: the $dbx helpers take expressions, not strings
  $dbx.not("a = 1")
  // @ts-expect-error: not a $os function
  $os.readFileSync("x")
  return e.json(200, { body, lower, t })
})

onRecordEnrich((e) => {
  // @ts-expect-error: on this event requestInfo is a property, not a method
  e.requestInfo()
  e.next()
})

onRecordCreate((e) => {
  // @ts-expect-error: record events have no request
  e.request.url
  e.next()
}, "posts")

migrate((app) => {
  const c = new Collection({
    name: "typed",
    // @ts-expect-error: REF drops typed field instances here; give plain objects with `type`
    fields: [new TextField({ name: "title" })],
  })
  // @ts-expect-error: not a field type
  c.fields.add(new Field({ name: "x", type: "string" }))
  app.save(c)
})

// @ts-expect-error: a plain object is not a middleware
routerUse({ not: "a middleware" })

routerAdd("GET", "/collection-type", (e) => {
  const c = $app.findCollectionByNameOrId("posts")
  // @ts-expect-error: collection types are "base", "auth" and "view"
  return e.json(200, { ok: c.type === "bsae" })
})
