/// <reference path="../pb_data/types.d.ts" />
// Spec 08 §8 E12: $http, $security, JSON fields.
routerAdd("GET", "/http/self", (e) => {
  const res = $http.send({ url: "http://127.0.0.1:8105/api/hello/http?greet=Yo", timeout: 5 })
  const rec = $app.findFirstRecordByData("posts", "slug", "first")
  return e.json(200, { status: res.statusCode, json: res.json, text: toString(res.body),
    metaA: JSON.parse(rec.getString("meta")).a, rawDotA: rec.get("meta").a ?? null,
    token: $security.createJWT({ sub: "123" }, "secretkey", 3600).split(".").length })
})
