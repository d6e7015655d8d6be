// An ES module used by ferrobase_extras.pb.js (Ferrobase extension: `import` between local files).
export function greet(name) {
  return "Hello " + String(name).trim() + "!"
}

export const DEFAULT_NAME = "world"
