#!/usr/bin/env bash
# A full sync of every stream (no catalog: every stream with its default fields, as Meltano selects them) against a
# Prism mock of Klaviyo's official OpenAPI spec: an account shaped by the spec's examples, which this project did
# not write (no "Placed Order", ids and links of its own). Prints the tap's exit code and the records per stream;
# exits with the tap's code. Not part of npm test: Prism is not a dependency of the project.
#
# Prism (@stoplight/prism-cli) is not installed by this script. Install it outside the repository and point at it:
#   npm install --prefix /tmp/prism @stoplight/prism-cli@5.16.0
#   PRISM_PREFIX=/tmp/prism scripts/prism-check.sh
# Without it (`npx --no-install prism` finds nothing) the script says so and exits 0.
#
# Environment:
#   PRISM_PREFIX     where @stoplight/prism-cli is installed (npm --prefix)  (default: this repository)
#   KLAVIYO_OPENAPI  the spec to mock            (default: ../shared/klaviyo-api/openapi-stable.json beside the repo)
#   PRISM_PORT       the port Prism listens on, on 127.0.0.1 (the tap takes plain http on loopback only) (default 4010)
#   PRISM_WORK_DIR   where the output and logs go                              (default: a new /tmp/prism-check.XXXXXX)
#   PRISM_START_S    seconds to wait for Prism to load the spec                (default 300)
set -uo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/.." && pwd)"
SPEC="${KLAVIYO_OPENAPI:-$ROOT/../shared/klaviyo-api/openapi-stable.json}"
PORT="${PRISM_PORT:-4010}"
WORK="${PRISM_WORK_DIR:-$(mktemp -d /tmp/prism-check.XXXXXX)}"
PRISM=(npx --no-install ${PRISM_PREFIX:+--prefix "$PRISM_PREFIX"} prism)

if ! version="$("${PRISM[@]}" --version 2>/dev/null)"; then
  echo "prism-check: skipped: @stoplight/prism-cli is not installed (npm install --prefix /tmp/prism @stoplight/prism-cli@5.16.0, then PRISM_PREFIX=/tmp/prism)"
  exit 0
fi
if [ ! -f "$SPEC" ]; then
  echo "prism-check: the spec $SPEC is missing; set KLAVIYO_OPENAPI" >&2
  exit 2
fi
mkdir -p "$WORK"
(cd "$ROOT" && npx tsc -p .) || exit 1

# A session of its own, so that stopping it stops npx's child (Prism itself) too.
setsid "${PRISM[@]}" mock --host 127.0.0.1 --port "$PORT" "$SPEC" >"$WORK/prism.log" 2>&1 &
PRISM_PID=$!
trap 'kill -- -"$PRISM_PID" 2>/dev/null; wait "$PRISM_PID" 2>/dev/null' EXIT
deadline=$((SECONDS + ${PRISM_START_S:-300}))
until grep -q 'Prism is listening' "$WORK/prism.log"; do
  if ! kill -0 "$PRISM_PID" 2>/dev/null || [ "$SECONDS" -ge "$deadline" ]; then
    echo "prism-check: Prism did not start (see $WORK/prism.log)" >&2
    exit 1
  fi
  sleep 1
done

cat >"$WORK/config.json" <<JSON
{"api_key": "pk_prism_check_0000", "base_url": "http://127.0.0.1:$PORT", "request_timeout_s": 30, "max_retries": 2}
JSON
started=$SECONDS
node "$ROOT/dist/src/tap/bin.js" --config "$WORK/config.json" >"$WORK/out.jsonl" 2>"$WORK/tap.log"
code=$?
echo "prism-check: Prism $version, spec $SPEC"
echo "prism-check: tap exit $code in $((SECONDS - started)) s; output $WORK/out.jsonl, log $WORK/tap.log"
node -e '
  const lines = require("fs").readFileSync(process.argv[1], "utf8").split("\n").filter(Boolean);
  const streams = new Map();
  for (const line of lines) {
    const m = JSON.parse(line);
    if (m.type === "SCHEMA") streams.set(m.stream, streams.get(m.stream) ?? 0);
    if (m.type === "RECORD") streams.set(m.stream, (streams.get(m.stream) ?? 0) + 1);
  }
  const total = [...streams.values()].reduce((a, b) => a + b, 0);
  const empty = [...streams].filter(([, n]) => n === 0).map(([s]) => s);
  console.log(`prism-check: ${streams.size} streams, ${total} records; without records: ${empty.join(", ") || "none"}`);
  for (const [s, n] of [...streams].sort()) console.log(`  ${s.padEnd(24)} ${n}`);
' "$WORK/out.jsonl"
grep -E '^(WARN|ERROR)|^tap-klaviyo:' "$WORK/tap.log" | sed 's/^/prism-check: tap: /'
exit "$code"
