/// <reference path="../pb_data/types.d.ts" />
// A wider tour of the migration API (spec 09 §8).
migrate((app) => {
  const notes = new Collection({
    type: "base",
    name: "notes",
    listRule: "@request.auth.id != ''",
    viewRule: "@request.auth.id != ''",
    createRule: null,
    fields: [
      { name: "title", type: "text", required: true, min: 1, max: 120 },
      { name: "body", type: "editor" },
      { name: "owner", type: "relation", collectionId: "_pb_users_auth_", maxSelect: 1, cascadeDelete: true },
      { name: "created", type: "autodate", onCreate: true },
    ],
    indexes: ["CREATE INDEX idx_notes_owner ON notes (owner)"],
  })
  notes.fields.add(new NumberField({ name: "rank", onlyInt: true, min: 0 }))
  notes.fields.addAt(1, new Field({ type: "bool", name: "pinned" }))
  notes.fields.add(new SelectField({ name: "color", values: ["red", "blue"], maxSelect: 1 }))
  notes.fields.add(new FileField({ name: "files", maxSelect: 3, maxSize: 1 << 20, mimeTypes: ["image/png"] }))
  notes.addIndex("idx_notes_rank", false, "rank", "")
  app.save(notes)

  const title = notes.fields.getByName("title")
  title.presentable = true
  app.save(notes)

  const users = app.findCollectionByNameOrId("users")
  users.passwordAuth.identityFields = ["email", "username"]
  users.otp.enabled = true
  users.authToken.duration = 3600
  app.save(users)

  const superuser = new Record(app.findCollectionByNameOrId("_superusers"))
  superuser.set("email", "ops@example.com")
  superuser.set("password", "Passw0rd!23")
  app.save(superuser)

  const settings = app.settings()
  settings.meta.appName = "Tour"
  settings.logs.maxDays = 3
  settings.batch.enabled = true
  app.save(settings)

  app.importCollections([{ name: "imported", type: "base", fields: [{ name: "x", type: "text" }] }], false)
  const affected = app.db().newQuery("UPDATE notes SET rank = 1 WHERE rank IS NULL").execute().rowsAffected()
  if (!app.isTransactional() || affected < 0) throw new Error("unexpected")
}, (app) => {
  app.delete(app.findCollectionByNameOrId("notes"))
  app.delete(app.findCollectionByNameOrId("imported"))
})
