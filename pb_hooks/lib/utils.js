// Shared helpers for the hook files. Handlers load this with
// `require(`${__hooks}/lib/utils.js`)` *inside* the handler: a handler is re-compiled from its
// source text, so top-level bindings of a .pb.js file (including a top-level `require`) are not
// visible in it. Files in lib/ are not loaded by themselves (only *.pb.js directly in pb_hooks/).

/** "  Hello, World!  " -> "hello-world" (ASCII letters and digits, dashes between words). */
function slugify(text) {
  return String(text || "")
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "") // drop accents: "é" -> "e"
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")
}

/** Reads an integer query parameter with a default and bounds. */
function intParam(e, name, def, min, max) {
  const raw = e.request.url.query().get(name)
  const n = raw === "" ? def : parseInt(raw, 10)
  if (isNaN(n)) return def
  return Math.min(max, Math.max(min, n))
}

module.exports = { slugify, intParam }
