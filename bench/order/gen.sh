#!/usr/bin/env bash
# Regenerates bench/order/ferrobase.order, the function order the release binary is linked with
# (build.rs passes it to the linker). It lists the functions `serve` runs while starting (first), then
# those a few typical requests run: laid out together, start-up touches a few hundred pages of code
# instead of pages all over the binary. Run it after big changes to start-up or the request path:
#   cargo build --release && bash bench/order/gen.sh
# Needs valgrind (callgrind). A stale list is harmless: unknown names are skipped at link time.
set -euo pipefail
cd "$(dirname "$0")/../.."
BIN="$(pwd)/target/release/ferrobase"
OUT="$(pwd)/bench/order/ferrobase.order"
WORK="$(mktemp -d)"
trap 'pkill -f "127.0.0.1:18096" 2>/dev/null || true; [ -n "${KEEP:-}" ] || rm -rf "$WORK"' EXIT
PORT=18096
URL="http://127.0.0.1:$PORT"
echo "work dir: $WORK" >&2
mkdir -p "$WORK/pb_hooks"
"$BIN" superuser upsert order@example.com OrderPass-12345 --dir "$WORK/pb_data" >/dev/null
valgrind --tool=callgrind --demangle=no --dump-instr=no --callgrind-out-file="$WORK/cg.%p" \
  "$BIN" serve --http="127.0.0.1:$PORT" --dir "$WORK/pb_data" --hooksDir "$WORK/pb_hooks" >"$WORK/serve.log" 2>&1 &
for _ in $(seq 600); do curl -s -o /dev/null "$URL/api/health" && break; sleep 0.2; done
sleep 2
callgrind_control -d >/dev/null   # dump 1: start-up and idle
json() { curl -sf -H 'content-type: application/json' "$@"; }
TOKEN=$(json -d '{"identity":"order@example.com","password":"OrderPass-12345"}' \
  "$URL/api/collections/_superusers/auth-with-password" | python3 -c 'import json,sys;print(json.load(sys.stdin)["token"])')
auth=(-H "Authorization: $TOKEN")
USERS=$(json "${auth[@]}" "$URL/api/collections/users" | python3 -c 'import json,sys;print(json.load(sys.stdin)["id"])')
json "${auth[@]}" -X PATCH -d '{"viewRule":""}' "$URL/api/collections/users" >/dev/null
json "${auth[@]}" -d "{\"name\":\"posts\",\"type\":\"base\",\"listRule\":\"published = true\",\"viewRule\":\"published = true\",\"createRule\":\"@request.auth.id != ''\",\"updateRule\":\"@request.auth.id != ''\",\"fields\":[{\"name\":\"title\",\"type\":\"text\"},{\"name\":\"views\",\"type\":\"number\"},{\"name\":\"published\",\"type\":\"bool\"},{\"name\":\"author\",\"type\":\"relation\",\"collectionId\":\"$USERS\",\"maxSelect\":1},{\"name\":\"created\",\"type\":\"autodate\",\"onCreate\":true},{\"name\":\"updated\",\"type\":\"autodate\",\"onCreate\":true,\"onUpdate\":true}],\"indexes\":[\"CREATE INDEX idx_posts_created ON posts (created)\"]}" \
  "$URL/api/collections" >/dev/null
json -d '{"email":"writer@example.com","password":"WriterPass-123","passwordConfirm":"WriterPass-123"}' \
  "$URL/api/collections/users/records" >/dev/null
USER=$(json -d '{"identity":"writer@example.com","password":"WriterPass-123"}' "$URL/api/collections/users/auth-with-password")
UTOKEN=$(echo "$USER" | python3 -c 'import json,sys;print(json.load(sys.stdin)["token"])')
UID_=$(echo "$USER" | python3 -c 'import json,sys;print(json.load(sys.stdin)["record"]["id"])')
uauth=(-H "Authorization: $UTOKEN")
for i in 1 2 3; do
  ID=$(json "${uauth[@]}" -d "{\"title\":\"post $i\",\"views\":$i,\"published\":true,\"author\":\"$UID_\"}" \
    "$URL/api/collections/posts/records" | python3 -c 'import json,sys;print(json.load(sys.stdin)["id"])')
  curl -sf -o /dev/null "$URL/api/collections/posts/records/$ID"
  json "${uauth[@]}" -X PATCH -d '{"views+":1}' "$URL/api/collections/posts/records/$ID" >/dev/null
done
curl -sf -o /dev/null "$URL/api/collections/posts/records?filter=views%3E1&sort=-created&perPage=30"
curl -sf -o /dev/null "$URL/api/collections/posts/records?filter=views%3E1&sort=-created&perPage=30&expand=author"
# JS hooks, loaded by hot reload (so that start-up without hooks stays apart): a JSON route, a record hook
cat >"$WORK/pb_hooks/order.pb.js" <<'JS'
routerAdd("GET", "/order/json", (e) => e.json(200, { message: "hello " + e.request.url.query().get("name"), n: 42 }))
onRecordCreate((e) => e.next(), "posts")
JS
for _ in $(seq 300); do curl -sf -o /dev/null "$URL/order/json?name=x" && break; sleep 0.2; done
for i in 4 5 6; do
  curl -sf -o /dev/null "$URL/order/json?name=$i"
  json "${uauth[@]}" -d "{\"title\":\"post $i\",\"views\":$i,\"published\":true}" "$URL/api/collections/posts/records" >/dev/null
done
pkill -INT -f "127.0.0.1:$PORT"
wait || true
python3 - "$WORK" "$OUT" <<'PY'
import glob, os, re, sys
work, out = sys.argv[1], sys.argv[2]
def functions(path):
    names, seen = {}, []
    for line in open(path, errors="replace"):
        m = re.match(r"^(c?fn)=\((\d+)\)(?: (.*))?$", line.rstrip("\n"))
        if not m:
            continue
        kind, ident, name = m.groups()
        if name:
            names[ident] = name
        if kind == "fn" and ident not in seen:
            seen.append(ident)
    return [names[i] for i in seen if i in names and not names[i].startswith("0x")]
# callgrind names the dumps it was asked for cg.<pid>.1, .2, …, and the one at exit cg.<pid>
def when(path):
    parts = os.path.basename(path).split(".")
    return int(parts[2]) if len(parts) > 2 else 1 << 30
dumps = sorted(glob.glob(work + "/cg.*"), key=when)
first = functions(dumps[0])
later = [f for d in dumps[1:] for f in functions(d)]
order, seen = [], set()
for f in first + later:
    if f not in seen:
        seen.add(f)
        order.append(f)
open(out, "w").write("\n".join(order) + "\n")
print(f"{out}: {len(first)} start-up functions, {len(order)} in all")
PY
