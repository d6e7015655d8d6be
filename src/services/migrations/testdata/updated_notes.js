/// <reference path="../pb_data/types.d.ts" />
migrate((app) => {
  const collection = app.findCollectionByNameOrId("pbc_3395098727")

  // update collection data
  unmarshal({
    "indexes": [
      "CREATE INDEX idx_notes_title ON notes2 (title)"
    ],
    "listRule": "",
    "name": "notes2",
    "viewRule": "title != \"<x>\" && n > 1"
  }, collection)

  // remove field
  collection.fields.removeById("select2063623452")

  // add field
  collection.fields.addAt(1, new Field({
    "help": "",
    "hidden": false,
    "id": "bool271442091",
    "name": "done",
    "presentable": false,
    "required": false,
    "system": false,
    "type": "bool"
  }))

  // update field
  collection.fields.addAt(2, new Field({
    "autogeneratePattern": "",
    "help": "<b>Title</b> & ü \"q\"\ttab",
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
}, (app) => {
  const collection = app.findCollectionByNameOrId("pbc_3395098727")

  // update collection data
  unmarshal({
    "indexes": [],
    "listRule": null,
    "name": "notes",
    "viewRule": null
  }, collection)

  // add field
  collection.fields.addAt(2, new Field({
    "help": "",
    "hidden": false,
    "id": "select2063623452",
    "maxSelect": 1,
    "name": "status",
    "presentable": false,
    "required": false,
    "system": false,
    "type": "select",
    "values": [
      "a",
      "b"
    ]
  }))

  // remove field
  collection.fields.removeById("bool271442091")

  // update field
  collection.fields.addAt(1, new Field({
    "autogeneratePattern": "",
    "help": "<b>Title</b> & ü \"q\"\ttab",
    "hidden": false,
    "id": "text724990059",
    "max": 100,
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
