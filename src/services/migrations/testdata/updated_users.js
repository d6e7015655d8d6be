/// <reference path="../pb_data/types.d.ts" />
migrate((app) => {
  const collection = app.findCollectionByNameOrId("_pb_users_auth_")

  // update collection data
  unmarshal({
    "authToken": {
      "duration": 1000
    },
    "createRule": null,
    "emailChangeToken": {
      "duration": 100
    },
    "oauth2": {
      "mappedFields": {
        "name": ""
      }
    },
    "otp": {
      "length": 6
    }
  }, collection)

  return app.save(collection)
}, (app) => {
  const collection = app.findCollectionByNameOrId("_pb_users_auth_")

  // update collection data
  unmarshal({
    "authToken": {
      "duration": 432000
    },
    "createRule": "",
    "emailChangeToken": {
      "duration": 1800
    },
    "oauth2": {
      "mappedFields": {
        "name": "name"
      }
    },
    "otp": {
      "length": 8
    }
  }, collection)

  return app.save(collection)
})
