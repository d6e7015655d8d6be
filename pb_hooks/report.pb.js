/// <reference path="../pb_data/types.d.ts" />

// A report route built on $app.findRecordsByFilter: the most viewed posts with at least `min` views.
// The filter uses the API filter syntax; `{:min}` is bound from the params object, so user input is
// never pasted into the filter text. Superusers only.
//
// Expects a `posts` collection with `title`, `slug` (text) and `views` (number).
//   GET /api/report/top-posts?min=10&limit=5 -> 200 {"min":10,"total":2,"items":[{"title":...,"slug":...,"views":50},...]}
routerAdd("GET", "/api/report/top-posts", (e) => {
  const { intParam } = require(`${__hooks}/lib/utils.js`)
  const min = intParam(e, "min", 0, 0, 1000000000)
  const limit = intParam(e, "limit", 10, 1, 100)
  const records = $app.findRecordsByFilter("posts", "views >= {:min}", "-views,title", limit, 0, { min: min })
  return e.json(200, {
    min: min,
    total: $app.countRecords("posts", $dbx.exp("views >= {:min}", { min: min })),
    items: records.map((r) => ({ title: r.getString("title"), slug: r.getString("slug"), views: r.getInt("views") })),
  })
}, $apis.requireSuperuserAuth())
