#!/usr/bin/env bash
# The project's test command: every test, sharing one release build.
#   1. unit + integration tests (cargo test --release; also builds target/release/ferrobase)
#   2. the editor declarations (js-types/check: TypeScript over js-types/types.d.ts and sample hooks)
#   3. the SDK and JSVM conformance files and cases listed in tests/conformance.txt, against that binary
#   4. drop-in compatibility with the original PocketBase 0.40.6 in both directions
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT="$(pwd)"
CONF="$(cd "$ROOT/../shared/conformance" && pwd)"
BIN="$ROOT/target/release/ferrobase"

echo "== test dependencies (real components the tests start on loopback)"
# the mail tests run a real SMTP server on loopback (aiosmtpd)
python3 -c "import aiosmtpd" 2>/dev/null || python3 -m pip install --quiet --disable-pip-version-check aiosmtpd
# the S3 tests run a real S3-compatible server on loopback (moto)
python3 -c "import moto.server" 2>/dev/null || python3 -m pip install --quiet --disable-pip-version-check 'moto[server]'
echo "== npm install (tests/sdk021: the JS SDK 0.21 for the legacy admin API test)"
[ -f tests/sdk021/node_modules/pocketbase/package.json ] || (cd tests/sdk021 && npm ci --no-audit --no-fund --loglevel=error)
echo "== npm packages of the test OIDC provider (tests/oidc)"
[ -d tests/oidc/node_modules/oidc-provider ] || (cd tests/oidc && npm ci --no-audit --no-fund --loglevel=error)

echo "== unit and integration tests"
cargo test --release

echo "== js-types declarations (TypeScript check)"
bash js-types/check/run.sh

sdk=()
jsvm=()
while read -r kind name _; do
  case "$kind" in
    sdk) sdk+=("$name") ;;
    jsvm) jsvm+=("$name") ;;
    ''|'#'*) ;;
    *) echo "tests/conformance.txt: unknown kind '$kind'" >&2; exit 2 ;;
  esac
done < tests/conformance.txt

if [ "${#sdk[@]}" -gt 0 ]; then
  echo "== SDK conformance: ${sdk[*]}"
  CONF_ONLY="${sdk[*]}" "$CONF/run.sh" "$CONF/sdk" "$BIN"
fi
for case_name in "${jsvm[@]}"; do
  echo "== JSVM conformance: $case_name"
  (cd "$CONF/jsvm" && node run.mjs "$BIN" cases/shared "$case_name")
done

echo "== drop-in compatibility with PocketBase 0.40.6"
python3 tests/compat/oracle_compat.py "$BIN"
