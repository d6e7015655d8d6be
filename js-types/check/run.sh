#!/usr/bin/env bash
# Type-checks the sample hooks and migrations of js-types/check, and the example hooks of the
# repository's pb_hooks/, against js-types/types.d.ts.
#
#   bash js-types/check/run.sh            # from anywhere; exit code 0 = no type errors
#
# The samples are copied into a temporary project laid out like a real one (pb_data/types.d.ts,
# pb_hooks/, pb_migrations/, jsconfig.json), then checked three ways:
#   1. the recommended jsconfig.json (ES2022, no DOM, no Node types), checkJs;
#   2. an editor's default environment (DOM library, skipLibCheck);
#   3. the declarations alone with "strict": true.
# Lines marked `// @ts-expect-error` in the samples must fail to type-check, so the check also
# fails when the declarations stop catching those mistakes.
#
# TypeScript comes from npm, installed once into a directory outside the repository:
#   TS_VERSION        (default 5.9.3; 7.x works too)
#   FERROBASE_TSC_DIR (default ${TMPDIR:-/tmp}/ferrobase-tsc-$TS_VERSION)
#   TSC               a tsc binary to use instead of installing one
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
types="$here/../types.d.ts"
ts_version="${TS_VERSION:-5.9.3}"
tsc_dir="${FERROBASE_TSC_DIR:-${TMPDIR:-/tmp}/ferrobase-tsc-$ts_version}"

if [[ -z "${TSC:-}" ]]; then
  TSC="$tsc_dir/node_modules/.bin/tsc"
  if [[ ! -x "$TSC" ]] || [[ "$("$TSC" --version 2>/dev/null)" != "Version $ts_version" ]]; then
    command -v npm >/dev/null || { echo "js-types check: npm is required to install TypeScript" >&2; exit 1; }
    mkdir -p "$tsc_dir"
    echo "js-types check: installing typescript@$ts_version into $tsc_dir" >&2
    npm install --prefix "$tsc_dir" --no-audit --no-fund --no-save --silent "typescript@$ts_version" >&2
  fi
fi

work="$(mktemp -d "${TMPDIR:-/tmp}/ferrobase-js-types.XXXXXX")"
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/pb_data"
cp "$types" "$work/pb_data/types.d.ts"
cp -r "$here/pb_hooks" "$here/pb_migrations" "$here/jsconfig.json" "$work/"
# the repository's example hooks (pb_hooks/ at the root) are checked too
repo_hooks="$here/../../pb_hooks"
if [[ -d "$repo_hooks" ]]; then
  for f in "$repo_hooks"/*.pb.js; do cp "$f" "$work/pb_hooks/repo_$(basename "$f")"; done
  for f in "$repo_hooks"/lib/*.js; do cp "$f" "$work/pb_hooks/lib/repo_$(basename "$f")"; done
fi

# The editor-default variant: DOM library and automatic @types, declaration files not checked.
node -e '
  const fs = require("fs"), c = JSON.parse(fs.readFileSync(process.argv[1], "utf8"));
  c.compilerOptions.lib = ["ES2022", "DOM"]; delete c.compilerOptions.types; c.compilerOptions.skipLibCheck = true;
  fs.writeFileSync(process.argv[2], JSON.stringify(c, null, 2));
' "$work/jsconfig.json" "$work/jsconfig.dom.json"

# The declarations alone, strict.
cat >"$work/tsconfig.strict.json" <<'EOF'
{
  "compilerOptions": { "strict": true, "noEmit": true, "target": "ES2022", "lib": ["ES2022"], "types": [] },
  "files": ["pb_data/types.d.ts"]
}
EOF

status=0
for config in jsconfig.json jsconfig.dom.json tsconfig.strict.json; do
  if out="$(cd "$work" && "$TSC" -p "$config" 2>&1)"; then
    echo "js-types check: $config OK"
  else
    status=1
    echo "js-types check: $config FAILED" >&2
    # Point at the checked-in files rather than the temporary copy.
    printf '%s\n' "$out" | sed -e "s#^pb_data/types.d.ts#js-types/types.d.ts#" -e "s#^pb_hooks/lib/repo_#=pb_hooks/lib/#" \
      -e "s#^pb_hooks/repo_#=pb_hooks/#" -e "s#^pb_#js-types/check/pb_#" -e "s#^=##" >&2
  fi
done
exit $status
