/// <reference path="../pb_data/types.d.ts" />
// Spec 08 §8 E7: auth responses.
onRecordAuthRequest((e) => { e.meta = { greeting: "welcome back", method: e.authMethod }; e.next() }, "users")
onRecordAuthWithPasswordRequest((e) => {
  if (e.identity === "blocked@example.com") throw new ForbiddenError("Account blocked.")
  e.next()
}, "users")
