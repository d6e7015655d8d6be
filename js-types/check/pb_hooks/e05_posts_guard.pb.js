/// <reference path="../pb_data/types.d.ts" />
// Spec 08 §8 E5: update and delete rules in code.
onRecordUpdateRequest((e) => {
  if (e.record.getString("status") === "public" && !e.hasSuperuserAuth()) throw new ForbiddenError("Only superusers can publish.")
  e.next()
}, "posts")
onRecordDeleteRequest((e) => {
  if (e.record.getBool("published")) throw new BadRequestError("Published posts can't be deleted.")
  e.next()
}, "posts")
