/// <reference path="../pb_data/types.d.ts" />
// Spec 08 §8 E8: queries, require and DynamicModel.
routerAdd("GET", "/db/demo", (e) => {
  const utils = require(`${__hooks}/lib/utils.js`)          // module.exports = { slugify, ... }
  const first = $app.findFirstRecordByFilter("posts", "slug = {:slug}", { slug: "first" })
  const rows = arrayOf(new DynamicModel({ id: "", title: "", views: 0 }))
  $app.db().select("id", "title", "views").from("posts")
    .where($dbx.exp("views >= {:v}", { v: 5 })).orderBy("views DESC").limit(5).all(rows)
  return e.json(200, { slug: utils.slugify("  Hello, World!  "), first: first.id,
    publicCount: $app.countRecords("posts", $dbx.hashExp({ status: "public" })), rows })
})
