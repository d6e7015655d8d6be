/// <reference path="../pb_data/types.d.ts" />
// Spec 08 §8 E6: hiding and computed fields.
onRecordEnrich((e) => {
  if (!e.requestInfo.hasSuperuserAuth()) e.record.hide("secret")
  e.record.withCustomData(true)
  e.record.set("titleLength", e.record.getString("title").length)
  e.next()
}, "posts")
