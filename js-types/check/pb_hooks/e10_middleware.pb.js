/// <reference path="../pb_data/types.d.ts" />
// Spec 08 §8 E10: global middleware, catching inner errors.
routerUse(new Middleware((e) => { e.response.header().set("X-Mw-Order", "global"); return e.next() }, -100, "mark"))
routerUse((e) => {
  if (e.request.header.get("X-Block") === "1") throw new TooManyRequestsError("Blocked by middleware.")
  return e.next()
})
routerAdd("GET", "/misc/catch", (e) => e.json(200, { ok: true }),
  (e) => { try { e.next() } catch (err) { return e.json(200, { caught: String(err) }) } },
  (e) => { throw new NotFoundError("inner handler failed") })
