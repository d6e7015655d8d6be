/// <reference path="../pb_data/types.d.ts" />
// Spec 08 §8 E9: transactions.
routerAdd("POST", "/db/tx", (e) => {
  const body = e.requestInfo().body
  try {
    $app.runInTransaction((txApp) => {
      const coll = txApp.findCollectionByNameOrId("posts")
      txApp.save(new Record(coll, { title: "tx A " + body.n }))
      txApp.save(new Record(coll, { title: "tx B " + body.n }))
      if (body.fail) throw new Error("rollback please")
    })
  } catch (err) {
    return e.json(400, { rolledBack: true, error: err.message })
  }
  return e.json(200, { committed: true })
})
