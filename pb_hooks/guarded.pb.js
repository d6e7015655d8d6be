/// <reference path="../pb_data/types.d.ts" />

// A route only signed-in `users` may call: `$apis.requireAuth("users")` rejects guests (401) and
// records of other auth collections, superusers included (403), before the handler runs.
//
//   GET /api/me  (Authorization: <users token>) -> 200 {"id":"...","email":"...","verified":false}
//   GET /api/me  (no token)                     -> 401
routerAdd("GET", "/api/me", (e) => {
  return e.json(200, {
    id: e.auth.id,
    email: e.auth.email(),
    verified: e.auth.verified(),
  })
}, $apis.requireAuth("users"))
