/// <reference path="../pb_data/types.d.ts" />
migrate((app) => {
  const collection = app.findCollectionByNameOrId("pbc_1125843985")

  // update collection data
  unmarshal({
    "indexes": [],
    "listRule": "title != '<a>&ü'"
  }, collection)

  // update field
  collection.fields.addAt(12, new Field({
    "autogeneratePattern": "",
    "help": "<b>Tîtle</b> & \"q\"",
    "hidden": false,
    "id": "text724990059",
    "max": 300,
    "min": 0,
    "name": "title",
    "pattern": "",
    "presentable": false,
    "primaryKey": false,
    "required": true,
    "system": false,
    "type": "text"
  }))

  return app.save(collection)
}, (app) => {
  const collection = app.findCollectionByNameOrId("pbc_1125843985")

  // update collection data
  unmarshal({
    "indexes": [
      "CREATE INDEX idx_posts_title ON posts (title)"
    ],
    "listRule": ""
  }, collection)

  // update field
  collection.fields.addAt(12, new Field({
    "autogeneratePattern": "",
    "help": "",
    "hidden": false,
    "id": "text724990059",
    "max": 200,
    "min": 0,
    "name": "title",
    "pattern": "",
    "presentable": false,
    "primaryKey": false,
    "required": true,
    "system": false,
    "type": "text"
  }))

  return app.save(collection)
})
