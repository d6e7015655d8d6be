/// <reference path="../pb_data/types.d.ts" />

// A record hook: fills `slug` from `title` when a `posts` record is created without one.
// It runs for every create (REST API, dashboard, `$app.save` in other hooks), before validation;
// change `e.record` first, then call `e.next()` to let the save go on.
//
// Expects a `posts` collection with the text fields `title` and `slug`.
//   POST /api/collections/posts/records {"title":"Héllo, World!"} -> the record has slug "hello-world"
onRecordCreate((e) => {
  if (!e.record.getString("slug")) {
    const { slugify } = require(`${__hooks}/lib/utils.js`)
    e.record.set("slug", slugify(e.record.getString("title")))
  }
  e.next()
}, "posts")
