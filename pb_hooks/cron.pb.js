/// <reference path="../pb_data/types.d.ts" />

// A cron job: every 10 minutes, count the users and keep the numbers in the app store, which is
// shared by every handler (a global variable would only live in one pooled runtime).
// Superusers see the job in GET /api/crons and can run it now with POST /api/crons/users_stats.
//
//   GET /api/stats -> 200 {"users":3,"verified":1,"at":"2025-01-01 10:00:00.000Z"}, or 404 before the first run
cronAdd("users_stats", "*/10 * * * *", () => {
  $app.store().set("users_stats", {
    users: $app.countRecords("users"),
    verified: $app.countRecords("users", $dbx.hashExp({ verified: true })),
    at: new DateTime().string(),
  })
})

routerAdd("GET", "/api/stats", (e) => {
  const stats = $app.store().get("users_stats")
  if (!stats) throw new NotFoundError("No stats yet: the users_stats job has not run.")
  return e.json(200, stats)
})
