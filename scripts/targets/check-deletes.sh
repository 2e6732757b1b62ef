#!/usr/bin/env bash
# Deletes through real targets: three runs of the tap against the bundled simulator, each loaded into
# MeltanoLabs target-postgres (hard_delete, ACTIVATE_VERSION) and pipelinewise-target-postgres (hard_delete,
# `_sdc_deleted_at` records from emit_deleted_records). Between run 1 and 2 the simulator removes list and segment
# members, lifts suppressions and deletes tags, a coupon and catalog items; run 3 starts from run 2's state with
# the member streams' active version made 8 days old, so their full refresh is due. Prints, per run and stream,
# the ground-truth row count and the rows each target holds. Needs `npx tsc -p .` first (uses dist/), PostgreSQL
# binaries ($TARGETS_PG_BIN, default /usr/lib/postgresql/15/bin) and both targets under $TARGETS_VENV_DIR
# (default /root/target-venvs, as check-targets.sh). Runs as root (the cluster runs as postgres) or as its owner.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
PG_BIN="${TARGETS_PG_BIN:-/usr/lib/postgresql/15/bin}"
VENVS="${TARGETS_VENV_DIR:-/root/target-venvs}"
W="$(mktemp -d /tmp/check-deletes.XXXXXX)"
STREAMS=(tags coupons catalog_items catalog_variants list_members segment_members global_exclusions)
as_pg() { if [[ $EUID -eq 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi; }
mkdir -p "$W/pg" && chmod 755 "$W" && { [[ $EUID -ne 0 ]] || chown postgres "$W/pg"; }
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')
as_pg "$PG_BIN/initdb" -D "$W/pg/data" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
as_pg "$PG_BIN/pg_ctl" -D "$W/pg/data" -l "$W/pg/server.log" -w -o "-p $PORT -c listen_addresses=127.0.0.1 -k $W/pg -c fsync=off" start >/dev/null
SIM_PID=""
cleanup() { as_pg "$PG_BIN/pg_ctl" -D "$W/pg/data" -m fast -w stop >/dev/null || true; if [[ -n "$SIM_PID" ]]; then kill "$SIM_PID" || true; fi; }
trap cleanup EXIT
q() { "$PG_BIN/psql" -X -q -At -h 127.0.0.1 -p "$PORT" -U postgres "$@"; }
q -d postgres -c 'CREATE DATABASE meltanolabs' -c 'CREATE DATABASE pipelinewise'

node "$ROOT/dist/src/simulator/cli.js" --port 0 --seed 42 --scale small --api-key pk_sim_demo --no-rate-limits >"$W/sim.out" 2>"$W/sim.err" &
SIM_PID=$!
for _ in $(seq 1 300); do [[ -s "$W/sim.out" ]] && break; sleep 0.1; done
URL="$(head -n1 "$W/sim.out" | grep -o 'http://[^ ]*' | head -n1)"
[[ -n "$URL" ]] || { echo "the simulator did not start: $(cat "$W/sim.err")" >&2; exit 2; }

selected="$(printf '"%s",' "${STREAMS[@]}")"
(cd "$ROOT" && node --input-type=module -e "import { catalogOfStreams } from './dist/tests/helpers/tap-files.js'; console.log(JSON.stringify(catalogOfStreams([${selected%,}])))") >"$W/catalog.json"
echo "{\"api_key\":\"pk_sim_demo\",\"base_url\":\"$URL\",\"start_date\":\"2020-01-01T00:00:00Z\",\"emit_deleted_records\":true}" >"$W/tap.json"
echo "{\"host\":\"127.0.0.1\",\"port\":$PORT,\"user\":\"postgres\",\"password\":\"trust\",\"database\":\"meltanolabs\",\"default_target_schema\":\"tap_klaviyo\",\"ssl_enable\":false,\"hard_delete\":true}" >"$W/meltanolabs.json"
echo "{\"host\":\"127.0.0.1\",\"port\":$PORT,\"user\":\"postgres\",\"password\":\"trust\",\"dbname\":\"pipelinewise\",\"default_target_schema\":\"tap_klaviyo\",\"validate_records\":false,\"hard_delete\":true,\"add_metadata_columns\":true,\"temp_dir\":\"$W\"}" >"$W/pipelinewise.json"

run() { # N [STATE]: one tap run, loaded into both targets; its last STATE goes to state-N.json
  node "$ROOT/dist/src/tap/bin.js" --config "$W/tap.json" --catalog "$W/catalog.json" ${2:+--state "$2"} >"$W/out-$1.jsonl" 2>"$W/tap-$1.err"
  "$VENVS/meltanolabs-target-postgres/bin/target-postgres" --config "$W/meltanolabs.json" <"$W/out-$1.jsonl" >/dev/null 2>"$W/meltanolabs-$1.err"
  "$VENVS/pipelinewise-target-postgres/bin/target-postgres" --config "$W/pipelinewise.json" <"$W/out-$1.jsonl" >/dev/null 2>"$W/pipelinewise-$1.err"
  grep '"type":"STATE"' "$W/out-$1.jsonl" | tail -n1 | python3 -c 'import json, sys; print(json.dumps(json.load(sys.stdin)["value"]))' >"$W/state-$1.json"
}
table() { # LABEL
  for s in "${STREAMS[@]}"; do
    printf '%-22s %-18s %8s %12s %13s\n' "$1" "$s" "$(curl -s "$URL/__admin/ground-truth/$s" | wc -l)" \
      "$(q -d meltanolabs -c "SELECT count(*) FROM tap_klaviyo.$s")" "$(q -d pipelinewise -c "SELECT count(*) FROM tap_klaviyo.$s")"
  done
}

printf '%-22s %-18s %8s %12s %13s\n' run stream truth meltanolabs pipelinewise
run 1 && table "1 first sync"
curl -s -X POST "$URL/__admin/mutate" -d '{"removedListMembers":8,"removedSegmentMembers":8,"liftedSuppressions":4,"deletedTags":2,"deletedCoupons":1,"deletedCatalogItems":2}' >/dev/null
run 2 "$W/state-1.json" && table "2 incremental"
python3 - "$W/state-2.json" "$W/state-2-aged.json" <<'PY'
import json, sys, time
state = json.load(open(sys.argv[1]))
for stream in ['list_members', 'segment_members', 'global_exclusions']:
    state['bookmarks'][stream]['active_version'] = int(time.time() * 1000) - 8 * 86_400_000
json.dump(state, open(sys.argv[2], 'w'))
PY
run 3 "$W/state-2-aged.json" && table "3 full refresh due"
echo "outputs and logs: $W"
