/// <reference path="../pb_data/types.d.ts" />
migrate((app) => {
  const authors = app.findCollectionByNameOrId("authors")
  const a = new Record(authors, { name: "Ursula", bio: "<p>SF</p>" })
  app.save(a)

  const books = app.findCollectionByNameOrId("books")
  const b = new Record(books)
  b.set("title", "The Dispossessed")
  b.set("pages", 387)
  b.set("author", a.id)
  b.set("tags", ["a", "c"])
  b.set("meta", { award: "Hugo" })
  app.save(b)

  app.db().newQuery("UPDATE books SET isbn = {:isbn} WHERE title = {:t}").bind({ isbn: "978-0", t: "The Dispossessed" }).execute()

  const settings = app.settings()
  settings.meta.appName = "Library"
  app.save(settings)
}, (app) => {
  const b = app.findFirstRecordByData("books", "title", "The Dispossessed")
  app.delete(b)
})
