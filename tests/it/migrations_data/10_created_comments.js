/// <reference path="../pb_data/types.d.ts" />
migrate((app) => {
  const collection = new Collection({
    "createRule": null,
    "deleteRule": null,
    "fields": [
      {
        "autogeneratePattern": "[a-z0-9]{15}",
        "help": "",
        "hidden": false,
        "id": "text3208210256",
        "max": 15,
        "min": 15,
        "name": "id",
        "pattern": "^[a-z0-9]+$",
        "presentable": false,
        "primaryKey": true,
        "required": true,
        "system": true,
        "type": "text"
      },
      {
        "cascadeDelete": true,
        "collectionId": "pbc_1125843985",
        "help": "",
        "hidden": false,
        "id": "relation1519021197",
        "maxSelect": 1,
        "minSelect": 0,
        "name": "post",
        "presentable": false,
        "required": false,
        "system": false,
        "type": "relation"
      },
      {
        "cost": 0,
        "help": "",
        "hidden": false,
        "id": "password2693238678",
        "max": 0,
        "min": 0,
        "name": "pw",
        "pattern": "",
        "presentable": false,
        "required": false,
        "system": false,
        "type": "password"
      }
    ],
    "id": "pbc_533777971",
    "indexes": [],
    "listRule": null,
    "name": "comments",
    "system": false,
    "type": "base",
    "updateRule": null,
    "viewRule": null
  });

  return app.save(collection);
}, (app) => {
  const collection = app.findCollectionByNameOrId("pbc_533777971");

  return app.delete(collection);
})
