/// <reference path="../pb_data/types.d.ts" />
// Spec 08 §8 E4: request hook with validation and defaults.
onRecordCreateRequest((e) => {
  const title = e.record.getString("title")
  if (title.toLowerCase().includes("spam")) {
    throw new BadRequestError("Spam is not allowed.", { title: new ValidationError("spam", "contains spam") })
  }
  if (!e.record.getString("slug")) e.record.set("slug", title.toLowerCase().replace(/[^a-z0-9]+/g, "-"))
  if (e.auth) e.record.set("author", e.auth.id)
  e.next()
}, "posts")
onRecordCreate((e) => { if (e.record.getInt("views") === 0) e.record.set("views", 1); e.next() }, "posts")
