/// <reference path="../pb_data/types.d.ts" />
// Spec 08 §8 E1: path and query parameters.
routerAdd("GET", "/api/hello/{name}", (e) => {
  const greet = e.request.url.query().get("greet") || "Hello"
  return e.json(200, { message: greet + " " + e.request.pathValue("name") + "!" })
})
