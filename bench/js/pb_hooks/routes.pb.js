/// <reference path="../pb_data/types.d.ts" />

// The routes of the JS benchmark (bench/js/run.sh), served unchanged by PocketBase and Ferrobase.

// (i) a JS route answering a small JSON document
routerAdd("GET", "/bench/json", (e) => {
  return e.json(200, {
    message: "hello " + e.request.url.query().get("name"),
    n: 42,
    list: [1, 2, 3, 4, 5],
    nested: { ok: true, pi: 3.14159 },
  })
})

// (ii) a CPU-bound route: naive recursive fib(27) = 196418 (about 630,000 calls)
routerAdd("GET", "/bench/fib", (e) => {
  function fib(n) {
    return n < 2 ? n : fib(n - 1) + fib(n - 2)
  }
  return e.json(200, { fib: fib(27) })
})
