/// <reference path="../pb_data/types.d.ts" />
migrate((app) => {
  const collection = app.findCollectionByNameOrId("pbc_651071666")

  // update collection data
  unmarshal({
    "name": "zz"
  }, collection)

  return app.save(collection)
}, (app) => {
  const collection = app.findCollectionByNameOrId("pbc_651071666")

  // update collection data
  unmarshal({
    "name": "ZTest"
  }, collection)

  return app.save(collection)
})
