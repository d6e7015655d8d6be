/// <reference path="../pb_data/types.d.ts" />
// Spec 08 §8 E3: middlewares and auth.
routerAdd("GET", "/r/me", (e) => e.json(200, { id: e.auth.id, email: e.auth.email(), super: e.hasSuperuserAuth() }),
  $apis.requireAuth())
routerAdd("GET", "/owner/{id}", (e) => e.json(200, { ok: 1 }), $apis.requireSuperuserOrOwnerAuth("id"))
