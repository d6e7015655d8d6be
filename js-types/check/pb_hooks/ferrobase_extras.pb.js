/// <reference path="../pb_data/types.d.ts" />
// Ferrobase extensions (not in PocketBase 0.40.6): ES module imports between local files,
// async handlers whose promise is awaited, and setTimeout inside handlers.
import { greet, DEFAULT_NAME } from "./lib/greet.js"

console.log(greet(DEFAULT_NAME))

routerAdd("GET", "/extras/later", async (e) => {
  const waited = await new Promise((resolve) => {
    const id = setTimeout(() => resolve(25), 25)
    if (id < 0) clearTimeout(id)
  })
  return e.json(200, { waited })
})

onRecordCreate(async (e) => {
  await Promise.resolve()
  e.record.set("slug", String(e.record.getString("title")).toLowerCase())
  e.next()
}, "posts")
