/// <reference path="../pb_data/types.d.ts" />

// A custom route with a path parameter and a query parameter.
//
//   GET /api/hello/world            -> 200 {"message":"Hello world!"}
//   GET /api/hello/world?greet=Hi   -> 200 {"message":"Hi world!"}
//   POST /api/hello/world           -> 404 (only GET, and HEAD, are routed)
routerAdd("GET", "/api/hello/{name}", (e) => {
  const name = e.request.pathValue("name")
  const greet = e.request.url.query().get("greet") || "Hello"
  return e.json(200, { message: greet + " " + name + "!" })
})
