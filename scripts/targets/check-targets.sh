#!/usr/bin/env bash
# Loads one full sync of every stream of the tap (run against the bundled Klaviyo simulator) into real
# third-party Singer targets, counts what each one loaded per stream and compares it with the RECORD messages
# the tap wrote. Prints one table; exits non-zero if any installed target fails.
#
# The targets are not installed by this script: each one is looked up in its own virtualenv under
# $TARGETS_VENV_DIR (default /root/target-venvs) and skipped with "skipped: not installed" when absent:
#   pipelinewise-target-postgres/bin/target-postgres   transferwise/pipelinewise-target-postgres
#   meltanolabs-target-postgres/bin/target-postgres    MeltanoLabs/target-postgres (Meltano SDK)
#   target-jsonl/bin/target-jsonl                      andyh1203/target-jsonl
#   target-csv/bin/target-csv                          MeltanoLabs/target-csv (Meltano SDK)
#   singer-tools/bin/singer-check-tap                  singer-io/singer-tools (reads the tap output on stdin)
#
# The two PostgreSQL targets load into a throwaway cluster (initdb + pg_ctl from $TARGETS_PG_BIN, default
# /usr/lib/postgresql/15/bin) in a temporary directory, listening on a free port of 127.0.0.1 only, trust auth,
# one database per target; it is stopped and removed at exit. As root the cluster runs as $TARGETS_PG_OS_USER
# (default postgres).
#
# Environment:
#   TARGETS_VENV_DIR   where the targets' virtualenvs are            (default /root/target-venvs)
#   TARGETS_ONLY       comma-separated subset of the target names above (default: all)
#   TARGETS_WORK_DIR   where outputs and logs go                     (default: a new /tmp/check-targets.XXXXXX)
#   TARGETS_TIMEOUT    seconds allowed to each target run            (default 900)
#   TARGETS_DIAGNOSE   1: re-run a failing target on each stream alone to name the failing streams (default 1)
#   TARGETS_SKIP_BUILD 1: do not run tsc first                       (default 0)
#   TARGETS_SCALE / TARGETS_SEED   simulator data set                (default small / 42)
#   TARGETS_HOSTILE_RATE  share of values the simulator serves off-spec (wrong types, odd dates; default 0)
#   TARGETS_TAP_DIR    the tap checkout to build and run (default: this repository), e.g. a `git archive` of
#                      another commit with node_modules linked in
set -uo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "${TARGETS_TAP_DIR:-$HERE/../..}" && pwd)"
HARNESS=(python3 "$HERE/harness.py")
VENVS="${TARGETS_VENV_DIR:-/root/target-venvs}"
TIMEOUT="${TARGETS_TIMEOUT:-900}"
DIAGNOSE="${TARGETS_DIAGNOSE:-1}"
PG_BIN="${TARGETS_PG_BIN:-/usr/lib/postgresql/15/bin}"
PG_OS_USER="${TARGETS_PG_OS_USER:-postgres}"
ALL_TARGETS=(pipelinewise-target-postgres meltanolabs-target-postgres target-jsonl target-csv singer-check-tap)

WORK="${TARGETS_WORK_DIR:-}"
if [[ -z "$WORK" ]]; then WORK="$(mktemp -d /tmp/check-targets.XXXXXX)"; else mkdir -p "$WORK"; fi
WORK="$(cd "$WORK" && pwd)"
RESULTS="$WORK/results"
rm -rf "$RESULTS" && mkdir -p "$RESULTS"

log() { printf '[check-targets] %s\n' "$*" >&2; }
die() { log "error: $*"; exit 2; }

SIM_PID=""
PG_DIR=""
PG_PORT=""
cleanup() {
  if [[ -n "$SIM_PID" ]] && kill -0 "$SIM_PID" 2>/dev/null; then kill "$SIM_PID" 2>/dev/null; wait "$SIM_PID" 2>/dev/null; fi
  if [[ -n "$PG_DIR" && -f "$PG_DIR/data/postmaster.pid" ]]; then pg_as_owner "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m fast -w stop >/dev/null 2>&1; fi
  if [[ -n "$PG_DIR" ]]; then rm -rf "$PG_DIR"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'; }

# ---------------------------------------------------------------------------------------------------------------
# 1. the tap's full sync against the simulator, once
# ---------------------------------------------------------------------------------------------------------------
cd "$ROOT" || die "cannot cd to $ROOT"
if [[ "${TARGETS_SKIP_BUILD:-0}" != 1 ]]; then
  log "building the tap (npx tsc -p .)"
  npx --no-install tsc -p . >"$WORK/tsc.log" 2>&1 || { cat "$WORK/tsc.log" >&2; die "the tap does not build"; }
fi
[[ -f dist/src/tap/bin.js && -f dist/src/simulator/cli.js ]] || die "dist/ has no built tap; run npx tsc -p ."

log "starting the simulator"
node dist/src/simulator/cli.js --port 0 --seed "${TARGETS_SEED:-42}" --scale "${TARGETS_SCALE:-small}" \
  --api-key pk_sim_demo --no-rate-limits --hostile-rate "${TARGETS_HOSTILE_RATE:-0}" >"$WORK/simulator.out" 2>"$WORK/simulator.err" &
SIM_PID=$!
SIM_URL=""
for _ in $(seq 1 600); do
  first="$(head -n1 "$WORK/simulator.out" 2>/dev/null)"
  if [[ "$first" =~ ^listening\ on\ (http://[^[:space:]]+)$ ]]; then SIM_URL="${BASH_REMATCH[1]}"; break; fi
  kill -0 "$SIM_PID" 2>/dev/null || break
  sleep 0.1
done
[[ -n "$SIM_URL" ]] || { cat "$WORK/simulator.err" >&2; die "the simulator did not start (first line: ${first:-none})"; }
log "simulator: $SIM_URL"

cat >"$WORK/tap-config.json" <<EOF
{"api_key":"pk_sim_demo","base_url":"$SIM_URL","start_date":"2020-01-01T00:00:00Z","lookback_days":0}
EOF
node dist/src/tap/bin.js --config "$WORK/tap-config.json" --discover >"$WORK/catalog.discovered.json" 2>"$WORK/tap-discover.err" \
  || { cat "$WORK/tap-discover.err" >&2; die "discovery failed"; }
"${HARNESS[@]}" select-all "$WORK/catalog.discovered.json" "$WORK/catalog.json" || die "cannot select the catalog"
log "full sync of every stream (all fields selected)"
started=$SECONDS
node dist/src/tap/bin.js --config "$WORK/tap-config.json" --catalog "$WORK/catalog.json" >"$WORK/tap-output.jsonl" 2>"$WORK/tap-sync.err"
tap_rc=$?
[[ $tap_rc -eq 0 ]] || { tail -n 20 "$WORK/tap-sync.err" >&2; die "the tap's sync exited with $tap_rc"; }
kill "$SIM_PID" 2>/dev/null; wait "$SIM_PID" 2>/dev/null; SIM_PID=""
"${HARNESS[@]}" record-counts "$WORK/tap-output.jsonl" "$RESULTS/records.json" || die "cannot read the tap output"
tap_rev="$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo 'not a git checkout')"
if [[ "$tap_rev" != 'not a git checkout' ]] && ! git -C "$ROOT" diff-index --quiet HEAD -- 2>/dev/null; then tap_rev="$tap_rev + uncommitted changes"; fi
"${HARNESS[@]}" meta "$RESULTS/tap.json" dir "$ROOT" revision "$tap_rev"
STREAMS=($(python3 -c 'import json,sys; print(" ".join(sorted(json.load(open(sys.argv[1])))))' "$RESULTS/records.json"))
log "tap output: $(wc -l <"$WORK/tap-output.jsonl") messages, ${#STREAMS[@]} streams, $((SECONDS - started)) s"

# ---------------------------------------------------------------------------------------------------------------
# 2. targets
# ---------------------------------------------------------------------------------------------------------------
selected() { [[ -z "${TARGETS_ONLY:-}" || ",$TARGETS_ONLY," == *",$1,"* ]]; }

target_bin() {
  case "$1" in
    pipelinewise-target-postgres) echo "$VENVS/pipelinewise-target-postgres/bin/target-postgres" ;;
    meltanolabs-target-postgres) echo "$VENVS/meltanolabs-target-postgres/bin/target-postgres" ;;
    target-jsonl) echo "$VENVS/target-jsonl/bin/target-jsonl" ;;
    target-csv) echo "$VENVS/target-csv/bin/target-csv" ;;
    singer-check-tap) echo "$VENVS/singer-tools/bin/singer-check-tap" ;;
  esac
}

# distribution whose version names the target, then its key dependencies
target_dists() {
  case "$1" in
    pipelinewise-target-postgres) echo "pipelinewise-target-postgres pipelinewise-singer-python psycopg2-binary jsonschema inflection joblib simplejson backoff" ;;
    meltanolabs-target-postgres) echo "meltanolabs-target-postgres singer-sdk sqlalchemy psycopg psycopg2-binary jsonschema python-backoff" ;;
    target-jsonl) echo "target-jsonl singer-python jsonschema simplejson pendulum" ;;
    target-csv) echo "meltanolabs-target-csv singer-sdk jsonschema python-backoff" ;;
    singer-check-tap) echo "singer-tools singer-python jsonschema attrs strict-rfc3339 terminaltables simplejson" ;;
  esac
}

dist_versions() { # PYTHON DIST... -> "dist=version ..." (first one alone on the first line)
  "$1" - "${@:2}" <<'EOF'
import importlib.metadata as m, sys
def v(d):
    try: return m.version(d)
    except m.PackageNotFoundError: return 'absent'
print(v(sys.argv[1]))
print(' '.join('%s=%s' % (d, v(d)) for d in sys.argv[2:]))
EOF
}

pg_as_owner() { if [[ $EUID -eq 0 ]]; then runuser -u "$PG_OS_USER" -- "$@"; else "$@"; fi; }
psql_q() { PGOPTIONS='-c client_min_messages=warning' "$PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$PG_PORT" -U postgres "$@"; }

start_postgres() {
  [[ -n "$PG_PORT" ]] && return 0
  [[ -x "$PG_BIN/initdb" && -x "$PG_BIN/pg_ctl" && -x "$PG_BIN/psql" ]] || return 1
  PG_DIR="$(mktemp -d /tmp/check-targets-pg.XXXXXX)"
  chmod 755 "$PG_DIR"
  [[ $EUID -eq 0 ]] && chown "$PG_OS_USER" "$PG_DIR"
  local port; port="$(free_port)"
  log "starting a throwaway PostgreSQL on 127.0.0.1:$port ($PG_DIR)"
  pg_as_owner "$PG_BIN/initdb" -D "$PG_DIR/data" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >"$WORK/pg-initdb.log" 2>&1 \
    || { cat "$WORK/pg-initdb.log" >&2; return 1; }
  pg_as_owner "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/server.log" -w -t 60 \
    -o "-p $port -c listen_addresses=127.0.0.1 -k $PG_DIR -c fsync=off" start >"$WORK/pg-start.log" 2>&1 \
    || { cat "$WORK/pg-start.log" "$PG_DIR/server.log" >&2; return 1; }
  PG_PORT="$port"
}

fresh_db() { # DB: (re)create an empty database
  psql_q -d postgres -c "DROP DATABASE IF EXISTS \"$1\"" -c "CREATE DATABASE \"$1\"" >/dev/null
}

pg_counts() { # DB SCHEMA COUNTS_JSON: count(*) of every table of SCHEMA
  local db="$1" schema="$2" out="$3" tables t
  : >"$out.psql"
  tables="$(psql_q -d "$db" -At -c "SELECT table_name FROM information_schema.tables WHERE table_schema = '$schema' AND table_type = 'BASE TABLE' ORDER BY 1")"
  for t in $tables; do
    printf '%s|%s\n' "$t" "$(psql_q -d "$db" -At -c "SELECT count(*) FROM \"$schema\".\"$t\"")" >>"$out.psql"
  done
  "${HARNESS[@]}" pg-counts "$out.psql" "$out"
}

# prepare TARGET DIR: a fresh destination for one run, and its config file DIR/config.json
prepare() {
  local t="$1" d="$2" db
  mkdir -p "$d/out"
  case "$t" in
    pipelinewise-target-postgres)
      db="pipelinewise$3"; fresh_db "$db"
      cat >"$d/config.json" <<EOF
{"host":"127.0.0.1","port":$PG_PORT,"user":"postgres","password":"unused-trust-auth","dbname":"$db",
 "default_target_schema":"tap_klaviyo","validate_records":false,"temp_dir":"$d/out"}
EOF
      echo "$db" >"$d/db" ;;
    meltanolabs-target-postgres)
      db="meltanolabs$3"; fresh_db "$db"
      cat >"$d/config.json" <<EOF
{"host":"127.0.0.1","port":$PG_PORT,"user":"postgres","password":"unused-trust-auth","database":"$db",
 "default_target_schema":"tap_klaviyo","ssl_enable":false}
EOF
      echo "$db" >"$d/db" ;;
    target-jsonl)
      echo "{\"destination_path\":\"$d/out\",\"do_timestamp_file\":false}" >"$d/config.json" ;;
    target-csv)
      echo "{\"output_path\":\"$d/out\",\"file_naming_scheme\":\"{stream_name}.csv\",\"overwrite_behavior\":\"replace_file\"}" >"$d/config.json" ;;
    singer-check-tap) : ;;
  esac
}

# count TARGET DIR: rows loaded per stream into DIR/counts.json
count() {
  local t="$1" d="$2"
  case "$t" in
    pipelinewise-target-postgres | meltanolabs-target-postgres) pg_counts "$(cat "$d/db")" tap_klaviyo "$d/counts.json" ;;
    target-jsonl) "${HARNESS[@]}" file-counts jsonl "$d/out" "$d/counts.json" ;;
    target-csv) "${HARNESS[@]}" file-counts csv "$d/out" "$d/counts.json" ;;
    singer-check-tap) "${HARNESS[@]}" check-tap-counts "$d/stdout" "$d/counts.json" ;;
  esac
}

# run TARGET BIN DIR INPUT: one run of the target on INPUT; rc, seconds and error line into DIR/meta.json
run() {
  local t="$1" bin="$2" d="$3" input="$4" rc start
  local args=(--config "$d/config.json")
  [[ "$t" == singer-check-tap ]] && args=()
  start=$(date +%s.%N)
  (cd "$d/out" && timeout "$TIMEOUT" "$bin" "${args[@]}" <"$input" >"$d/stdout" 2>"$d/stderr")
  rc=$?
  "${HARNESS[@]}" meta "$d/meta.json" rc "$rc" seconds "$(python3 -c "import sys; print('%.1f' % (float(sys.argv[2]) - float(sys.argv[1])))" "$start" "$(date +%s.%N)")"
  if [[ $rc -ne 0 ]]; then
    [[ $rc -eq 124 ]] && echo "timed out after ${TIMEOUT} s" >>"$d/stderr"
    "${HARNESS[@]}" meta "$d/meta.json" error_line "$("${HARNESS[@]}" error-line "$d/stderr")"
  fi
  count "$t" "$d"
  return $rc
}

for t in "${ALL_TARGETS[@]}"; do
  selected "$t" || continue
  echo "$t" >>"$RESULTS/targets.txt"
  d="$RESULTS/$t"; mkdir -p "$d"
  bin="$(target_bin "$t")"
  if [[ ! -x "$bin" ]]; then
    log "$t: skipped: not installed ($bin)"
    "${HARNESS[@]}" meta "$d/meta.json" skipped "not installed ($bin)"
    continue
  fi
  if [[ "$t" == *postgres* ]] && ! start_postgres; then
    log "$t: skipped: no PostgreSQL ($PG_BIN)"
    "${HARNESS[@]}" meta "$d/meta.json" skipped "no PostgreSQL server could be started from $PG_BIN"
    continue
  fi
  py="$(dirname "$bin")/python"
  { read -r version; read -r deps; } < <(dist_versions "$py" $(target_dists "$t"))
  "${HARNESS[@]}" meta "$d/meta.json" version "$version" deps "$deps"
  log "$t $version: loading"
  prepare "$t" "$d" ""
  if run "$t" "$bin" "$d" "$WORK/tap-output.jsonl" && "${HARNESS[@]}" complete "$RESULTS/records.json" "$d/counts.json"; then
    log "$t: loaded everything"
    continue
  fi
  log "$t: failed or incomplete ($("${HARNESS[@]}" error-line "$d/stderr"))"
  [[ "$DIAGNOSE" == 1 ]] || continue
  log "$t: re-running on each stream alone to find the failing ones"
  for s in "${STREAMS[@]}"; do
    sd="$d/diag/$s"; mkdir -p "$sd"
    "${HARNESS[@]}" only-stream "$WORK/tap-output.jsonl" "$s" "$sd/input.jsonl"
    prepare "$t" "$sd" "_diag"
    "${HARNESS[@]}" meta "$sd/meta.json" expected "$("${HARNESS[@]}" expected "$RESULTS/records.json" "$s")"
    run "$t" "$bin" "$sd" "$sd/input.jsonl" >/dev/null 2>&1
    rm -f "$sd/input.jsonl"
  done
done

# ---------------------------------------------------------------------------------------------------------------
# 3. the table
# ---------------------------------------------------------------------------------------------------------------
echo
"${HARNESS[@]}" report "$RESULTS"
status=$?
echo
echo "outputs and logs: $WORK"
exit $status
