/// <reference path="../pb_data/types.d.ts" />
// Spec 08 §8 E2: response helpers.
routerAdd("GET", "/r/string", (e) => e.string(201, "plain text"))
routerAdd("GET", "/r/redirect", (e) => e.redirect(307, "/api/hello/redirected"))
routerAdd("GET", "/r/header", (e) => {
  e.response.header().set("X-Custom", "yes")
  e.setCookie(new Cookie({ name: "sid", value: "abc", path: "/", httpOnly: true }))
  return e.json(200, { ok: true })
})
