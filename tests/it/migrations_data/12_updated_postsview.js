/// <reference path="../pb_data/types.d.ts" />
migrate((app) => {
  const collection = app.findCollectionByNameOrId("pbc_1075318263")

  // update collection data
  unmarshal({
    "viewQuery": "SELECT id, title, views FROM posts"
  }, collection)

  // remove field
  collection.fields.removeById("_clone_zdq6")

  // add field
  collection.fields.addAt(1, new Field({
    "autogeneratePattern": "",
    "help": "<b>Tîtle</b> & \"q\"",
    "hidden": false,
    "id": "_clone_7olb",
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

  // add field
  collection.fields.addAt(2, new Field({
    "help": "",
    "hidden": false,
    "id": "_clone_Vgg6",
    "max": null,
    "min": null,
    "name": "views",
    "onlyInt": true,
    "presentable": false,
    "required": false,
    "system": false,
    "type": "number"
  }))

  return app.save(collection)
}, (app) => {
  const collection = app.findCollectionByNameOrId("pbc_1075318263")

  // update collection data
  unmarshal({
    "viewQuery": "SELECT id, title FROM posts"
  }, collection)

  // add field
  collection.fields.addAt(1, new Field({
    "autogeneratePattern": "",
    "help": "<b>Tîtle</b> & \"q\"",
    "hidden": false,
    "id": "_clone_zdq6",
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

  // remove field
  collection.fields.removeById("_clone_7olb")

  // remove field
  collection.fields.removeById("_clone_Vgg6")

  return app.save(collection)
})
