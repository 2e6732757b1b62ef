#!/usr/bin/env bash
# Meltano 4 as a new user meets it: a copy of this working tree is set up with the README's own commands (npm ci,
# npm pack + npm install -g, meltano config set/list, meltano test, meltano add --from-ref, --inherit-from, meltano
# run) and the repository's meltano.yml and meltano-hub/tap-klaviyo.yml, against the bundled simulator, then:
#   1. runs it into target-jsonl, MeltanoLabs target-duckdb and MeltanoLabs target-postgres (activate_version on),
#      and again into target-postgres with hard_delete after the simulator deleted tags, a coupon and catalog
#      items: every checked table equals the ground truth;
#   2. the two-account recipe (two simulators, two seeds) into one schema as A, B, A (with a tag deleted in A before
#      its second run), with and without hard_delete: every row of both accounts is there and none is
#      soft-deleted, but A's deleted tag;
#   3. loads with account_id_column into a schema loaded without it: as it is (the target refuses: its old key;
#      nothing retired), and migrated as docs/many-accounts.md says;
#   4. meltano test in both projects; 5. a catalog schema override (Meltano's schema extra) reaches the SCHEMA
#      message, and one the tap cannot honour is refused in one line.
# Prints PASS/FAIL lines and a summary; exits 1 if anything failed. Not part of npm test.
# Needs: the real tools of ../shared/tools/singer-harness/build.sh in $SINGER_HARNESS (default ~/singer-harness:
# bin/meltano, bin/target-jsonl, bin/target-postgres-sdk, bin/target-duckdb, bin/duckdb-query), PostgreSQL binaries
# ($PG_BIN, default the newest /usr/lib/postgresql/*/bin; a throwaway cluster on a free loopback port, as postgres
# when run as root), npm's cache (npm ci --prefer-offline). Skips (exit 0) when meltano is not there.
# Usage: bash scripts/meltano-check.sh        (about 10 minutes; work folder kept and printed at the end)
set -uo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
H="${SINGER_HARNESS:-$HOME/singer-harness}"
[[ -d "$H/bin" ]] && PATH="$H/bin:$PATH"
if ! command -v meltano >/dev/null; then echo "meltano-check: skipped: meltano is not installed (build the tools: FETCH_MIRROR=... bash ../shared/tools/singer-harness/build.sh $H)"; exit 0; fi
for tool in target-jsonl target-postgres-sdk target-duckdb duckdb-query; do
  command -v "$tool" >/dev/null || { echo "meltano-check: skipped: $tool is not in $H/bin"; exit 0; }
done
PG_BIN="${PG_BIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)}"
W="$(mktemp -d /tmp/meltano-check.XXXXXX)"
P="$W/project"            # a fresh copy of the working tree: the clone a user would have
PY="$(dirname "$(readlink -f "$(command -v meltano)")")/python"
export MELTANO_SEND_ANONYMOUS_USAGE_STATS=false NO_COLOR=1
FAILS=0; PASSES=0; SUMMARY=()
pass() { PASSES=$((PASSES + 1)); SUMMARY+=("PASS  $*"); echo "PASS  $*"; }
fail() { FAILS=$((FAILS + 1)); SUMMARY+=("FAIL  $*"); echo "FAIL  $*"; }
check() { local what="$1"; shift; if "$@"; then pass "$what"; else fail "$what"; fi; }
log() { echo "----  $*"; }
PIDS=()
as_pg() { if [[ $EUID -eq 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi; }
cleanup() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null; done
  [[ -f "$W/pg/data/postmaster.pid" ]] && as_pg "$PG_BIN/pg_ctl" -D "$W/pg/data" -m fast -w stop >/dev/null 2>&1
}
trap cleanup EXIT
trap 'exit 130' INT TERM
free_port() { "$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

# ---- services: PostgreSQL, two simulated accounts ----
mkdir -p "$W/pg" && chmod 755 "$W" && { [[ $EUID -ne 0 ]] || chown postgres "$W/pg"; }
PGPORT=$(free_port)
as_pg "$PG_BIN/initdb" -D "$W/pg/data" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
as_pg "$PG_BIN/pg_ctl" -D "$W/pg/data" -l "$W/pg/server.log" -w -o "-p $PGPORT -c listen_addresses=127.0.0.1 -k $W/pg -c fsync=off" start >/dev/null
q() { "$PG_BIN/psql" -X -q -At -h 127.0.0.1 -p "$PGPORT" -U postgres -d warehouse "$@"; }
"$PG_BIN/psql" -X -q -h 127.0.0.1 -p "$PGPORT" -U postgres -d postgres -c 'CREATE DATABASE warehouse'
simulator() { # NAME SEED: starts a simulated account; sets URL_<NAME>
  node "$ROOT/dist/src/simulator/cli.js" --port 0 --seed "$2" --scale small --api-key "pk_sim_$1" --no-rate-limits >"$W/sim-$1.out" 2>"$W/sim-$1.err" &
  PIDS+=($!)
  for _ in $(seq 1 300); do [[ -s "$W/sim-$1.out" ]] && break; sleep 0.1; done
  printf -v "URL_$1" '%s' "$(head -n1 "$W/sim-$1.out" | grep -o 'http://[^ ]*' | head -n1)"
}
simulator a 42; simulator b 43
truth() { curl -s "$1/__admin/ground-truth/$2" | grep -c .; }   # URL STREAM: rows of the ground truth
mutate() { curl -s -X POST "$1/__admin/mutate" -d "$2" >/dev/null; }
account_of() { curl -s "$1/__admin/ground-truth/accounts" | head -n1 | "$PY" -c 'import json, sys; print(json.load(sys.stdin)["id"])'; }
ACCOUNT_A=$(account_of "$URL_a"); ACCOUNT_B=$(account_of "$URL_b")
log "work folder $W; accounts $ACCOUNT_A ($URL_a), $ACCOUNT_B ($URL_b); PostgreSQL on 127.0.0.1:$PGPORT"

# ---- Install, as the README says: npm ci in a clone, then npm pack + npm install -g ----
mkdir -p "$P" && (cd "$ROOT" && git ls-files -co --exclude-standard -z | xargs -0 tar -cf - 2>/dev/null) | tar -xf - -C "$P"
(cd "$P" && npm ci --prefer-offline --no-audit --no-fund >"$W/npm-ci.log" 2>&1)
check "npm ci in a fresh copy builds dist/ and ./dist/src/tap/bin.js is executable" test -x "$P/dist/src/tap/bin.js"
(cd "$P" && npm pack --silent >"$W/npm-pack.log" 2>&1)
npm install -g --prefix "$W/global" --prefer-offline --no-audit --no-fund "$P"/tap-klaviyo-*.tgz >"$W/npm-install.log" 2>&1
version=$("$W/global/bin/tap-klaviyo" --version 2>&1)
check "npm install -g ./tap-klaviyo-<version>.tgz: tap-klaviyo on PATH ($version), no install-script warning" \
  bash -c "[[ '$version' == tap-klaviyo\ * ]] && ! grep -q 'install-scripts\|prepare' '$W/npm-install.log'"
export PATH="$W/global/bin:$PATH"

# ---- The example project (meltano.yml): the loaders point at the harness (no pip registry here) ----
cd "$P" || exit 1
"$PY" - "$H" "$PGPORT" "$W" <<'PY'
import sys, yaml
h, port, w = sys.argv[1:]
d = yaml.safe_load(open('meltano.yml'))
pg = {'host': '127.0.0.1', 'port': int(port), 'user': 'postgres', 'password': 'trust', 'database': 'warehouse', 'add_record_metadata': True}
loaders = {l['name']: l for l in d['plugins']['loaders']}
loaders['target-jsonl'].update(namespace='target_jsonl', executable=f'{h}/bin/target-jsonl', config={'destination_path': 'output', 'do_timestamp_file': False})
loaders['target-postgres'].update(namespace='target_postgres', executable=f'{h}/bin/target-postgres-sdk', config={**pg, 'default_target_schema': 'klaviyo'})
for l in loaders.values(): l.pop('variant', None); l.pop('pip_url', None)
d['plugins']['loaders'] += [
  {'name': 'target-duckdb', 'namespace': 'target_duckdb', 'executable': f'{h}/bin/target-duckdb', 'config': {'filepath': f'{w}/warehouse.duckdb', 'default_target_schema': 'klaviyo'}},
  {'name': 'target-postgres--hard', 'inherit_from': 'target-postgres', 'config': {'default_target_schema': 'klaviyo_hard', 'hard_delete': True}},
  {'name': 'target-postgres--accounts', 'inherit_from': 'target-postgres', 'config': {'default_target_schema': 'accounts'}},
  {'name': 'target-postgres--accounts-hard', 'inherit_from': 'target-postgres', 'config': {'default_target_schema': 'accounts_hard', 'hard_delete': True}},
  {'name': 'target-postgres--migrate', 'inherit_from': 'target-postgres', 'config': {'default_target_schema': 'migrate'}},
  {'name': 'target-postgres--unmigrated', 'inherit_from': 'target-postgres', 'config': {'default_target_schema': 'unmigrated'}},
]
yaml.safe_dump(d, open('meltano.yml', 'w'), sort_keys=False)
PY
mkdir -p output
m() { meltano "$@" >>"$W/meltano.log" 2>&1; }
m config set tap-klaviyo api_key pk_sim_a
m config set tap-klaviyo base_url "$URL_a"
m config set tap-klaviyo start_date 2015-01-01T00:00:00Z
# One request per report and metric: the tap keeps to Klaviyo's documented 2/min for series reports.
m config set tap-klaviyo report_days 30
m config set tap-klaviyo streams "{\"metric_aggregates\": {\"start_date\": \"$(date -u -d '-40 days' +%Y-%m-%d)\"}}"
meltano config list tap-klaviyo >"$W/config-list.txt" 2>&1
check "meltano config list tap-klaviyo shows every setting's description" grep -q 'Most keys a stream keeps in state' "$W/config-list.txt"
check "meltano test tap-klaviyo (the tap's --test, settings from TAP_KLAVIYO_*)" m test tap-klaviyo
check "meltano add tap-klaviyo--a --inherit-from tap-klaviyo" m add tap-klaviyo--a --inherit-from tap-klaviyo
m add tap-klaviyo--b --inherit-from tap-klaviyo
for x in a b; do
  m config set "tap-klaviyo--$x" api_key "pk_sim_$x"; url="URL_$x"; m config set "tap-klaviyo--$x" base_url "${!url}"
  m config set "tap-klaviyo--$x" account_id_column true
done

CHECKED=(tags coupons catalog_items metrics lists segments list_members segment_members global_exclusions campaigns flows profiles events)
run() { local label="$1"; shift; if meltano run --no-install "$@" >"$W/run-$label.log" 2>&1; then return 0; fi; fail "meltano run $* ($W/run-$label.log)"; return 1; }
same_counts() { # LABEL COUNT_FN URL [ACCOUNT]: every checked stream's live rows equal the ground truth's
  local label="$1" fn="$2" url="$3" bad=()
  for s in "${CHECKED[@]}"; do local t g; t=$(truth "$url" "$s"); g=$("$fn" "$s" "${4:-}"); [[ "$t" == "$g" ]] || bad+=("$s $g/$t"); done
  check "$label: ${#CHECKED[@]} tables equal the ground truth${bad[*]:+ (wrong: ${bad[*]})}" test ${#bad[@]} -eq 0
}
jsonl_rows() { if [[ -f "output/$1.jsonl" ]]; then grep -c . "output/$1.jsonl"; else echo 0; fi; }
duck_rows() { duckdb-query "SELECT count(*) FROM klaviyo.$1" "$W/warehouse.duckdb" 2>/dev/null | tail -n1; }
pg_live() { q -c "SELECT count(*) FROM $SCHEMA.$1 WHERE _sdc_deleted_at IS NULL${2:+ AND account_id = '$2'}" 2>/dev/null || echo missing; }
pg_dead() { q -c "SELECT count(*) FROM $SCHEMA.$1 WHERE _sdc_deleted_at IS NOT NULL${2:+ AND account_id = '$2'}" 2>/dev/null || echo missing; }

# ---- 1. one account into each target ----
log "1. one account (seed 42) into target-jsonl, target-duckdb, target-postgres (activate_version on)"
run jsonl tap-klaviyo target-jsonl && same_counts "target-jsonl" jsonl_rows "$URL_a"
run duckdb tap-klaviyo target-duckdb && same_counts "MeltanoLabs target-duckdb" duck_rows "$URL_a"
SCHEMA=klaviyo; run postgres tap-klaviyo target-postgres && same_counts "MeltanoLabs target-postgres" pg_live "$URL_a"
SCHEMA=klaviyo_hard; run hard-1 tap-klaviyo target-postgres--hard
mutate "$URL_a" '{"deletedTags":2,"deletedCoupons":1,"deletedCatalogItems":2}'
run hard-2 tap-klaviyo target-postgres--hard && same_counts "MeltanoLabs target-postgres, hard_delete, after deletes in Klaviyo" pg_live "$URL_a"
check "the second run into target-postgres--hard was incremental (state saved)" grep -q 'bookmark\|replication_key_value' <(meltano state get dev:tap-klaviyo-to-target-postgres--hard 2>/dev/null)

# ---- 2. the two-account recipe: A, B, A into one schema ----
for SCHEMA in accounts accounts_hard; do
  loader="target-postgres--${SCHEMA//_/-}"
  log "2. two accounts into one schema ($loader): A, B, A; a tag of A deleted before its second run"
  run "$SCHEMA-a1" tap-klaviyo--a "$loader" && run "$SCHEMA-b1" tap-klaviyo--b "$loader"
  [[ "$SCHEMA" == accounts ]] && gone=$(curl -s -X POST "$URL_a/__admin/mutate" -d '{"deletedTags":1}' | "$PY" -c 'import json, sys; print(",".join(json.load(sys.stdin)["deleted"]["tags"]))')
  run "$SCHEMA-a2" tap-klaviyo--a "$loader" || continue
  same_counts "$loader, account A after A, B, A" pg_live "$URL_a" "$ACCOUNT_A"
  same_counts "$loader, account B after A, B, A" pg_live "$URL_b" "$ACCOUNT_B"
  dead=(); for s in "${CHECKED[@]}"; do n=$(pg_dead "$s" "$ACCOUNT_B"); [[ "$n" == 0 ]] || dead+=("$s:$n"); done
  check "$loader: no row of account B is soft-deleted${dead[*]:+ (${dead[*]})}" test ${#dead[@]} -eq 0
  check "$loader: the target read no ACTIVATE_VERSION" bash -c "for r in a1 b1 a2; do grep -q ', 0 activate version messages' '$W/run-$SCHEMA-'\$r.log || exit 1; done"
done
SCHEMA=accounts
deleted=$(q -c "SELECT string_agg(id, ',') FROM accounts.tags WHERE _sdc_deleted_at IS NOT NULL AND account_id = '$ACCOUNT_A'")
check "accounts: A's deleted tag is soft-deleted (its _sdc_deleted_at record), nothing else of A ($deleted)" test "$deleted" == "$gone"

# ---- 3. a schema loaded without account_id_column: as it is, then migrated (docs/many-accounts.md) ----
log "3. unmigrated: load without account_id_column, then with it (the target keeps its old key)"
SCHEMA=unmigrated
if run unmigrated-1 tap-klaviyo target-postgres--unmigrated; then
  TAP_KLAVIYO_ACCOUNT_ID_COLUMN=true meltano run --no-install tap-klaviyo target-postgres--unmigrated >"$W/run-unmigrated-2.log" 2>&1; code=$?
  why=$(grep -o 'duplicate key value violates unique constraint "[a-z_]*"' "$W/run-unmigrated-2.log" | head -n1)
  check "unmigrated: the load with account_id_column fails (exit $code: ${why:-see $W/run-unmigrated-2.log})" test "$code" -ne 0
  dead=0; for s in "${CHECKED[@]}"; do n=$(pg_dead "$s"); [[ "$n" =~ ^[0-9]+$ ]] && dead=$((dead + n)); done
  check "unmigrated: no row was soft-deleted ($dead)" test "$dead" -eq 0
  same_counts "unmigrated: no row was retired" pg_live "$URL_a"
fi
log "3. migrate: load without account_id_column, migrate the tables, load with it"
SCHEMA=migrate
if run migrate-1 tap-klaviyo target-postgres--migrate; then
  sed -n '/^ *-- migrate-begin/,/^ *-- migrate-end/p' "$ROOT/docs/many-accounts.md" | sed "s/:= 'klaviyo'/:= 'migrate'/; s/:= 'AbC123'/:= '$ACCOUNT_A'/" >"$W/migrate.sql"
  check "the migration of docs/many-accounts.md runs" q -v ON_ERROR_STOP=1 -f "$W/migrate.sql"
  TAP_KLAVIYO_ACCOUNT_ID_COLUMN=true run migrate-2 tap-klaviyo target-postgres--migrate && same_counts "migrated schema, then account_id_column on" pg_live "$URL_a" "$ACCOUNT_A"
  check "migrated schema: no row without account_id" test "$(q -c "SELECT count(*) FROM migrate.tags WHERE account_id IS NULL")" == 0
fi

# ---- 4. the Hub-style definition in a new project ----
log "4. meltano add tap-klaviyo --from-ref meltano-hub/tap-klaviyo.yml in a new project"
(cd "$W" && meltano init hub-project --no-usage-stats >>"$W/meltano.log" 2>&1)
cd "$W/hub-project" || exit 1
check "meltano add tap-klaviyo --from-ref meltano-hub/tap-klaviyo.yml" m add tap-klaviyo --from-ref "$P/meltano-hub/tap-klaviyo.yml"
m config set tap-klaviyo api_key pk_sim_b; m config set tap-klaviyo base_url "$URL_b"
check "meltano test tap-klaviyo (hub definition, tap-klaviyo from npm install -g)" m test tap-klaviyo

# ---- 5. a catalog schema override (Meltano's schema extra) ----
log "5. Meltano's schema extra on tags"
"$PY" - <<'PY'
import yaml
d = yaml.safe_load(open('meltano.yml'))
base = {'inherit_from': 'tap-klaviyo', 'select': ['tags.*']}
d['plugins']['extractors'] += [
  {**base, 'name': 'tap-klaviyo--schema', 'schema': {'tags': {'name': {'type': ['string', 'null'], 'description': 'Tag name (meltano-check)'}, 'team': {'type': ['string', 'null']}}}},
  {**base, 'name': 'tap-klaviyo--bad-schema', 'schema': {'tags': {'name': {'type': ['integer', 'null']}}}},
]
yaml.safe_dump(d, open('meltano.yml', 'w'), sort_keys=False)
PY
meltano invoke tap-klaviyo--schema >"$W/schema-run.jsonl" 2>"$W/schema-run.err"
check "a schema override reaches the SCHEMA message (description, added property)" \
  bash -c "grep '\"type\":\"SCHEMA\",\"stream\":\"tags\"' '$W/schema-run.jsonl' | grep -q 'Tag name (meltano-check)' && grep '\"type\":\"SCHEMA\",\"stream\":\"tags\"' '$W/schema-run.jsonl' | grep -q '\"team\"'"
meltano invoke tap-klaviyo--bad-schema >"$W/bad-schema.jsonl" 2>"$W/bad-schema.err"; code=$?
check "an override the tap cannot honour: exit 2, one line naming stream and property" \
  bash -c "[[ $code == 2 ]] && grep -q 'tap-klaviyo: --catalog: stream tags, property name: \"type\"' '$W/bad-schema.err' && [[ ! -s '$W/bad-schema.jsonl' ]]"

echo
echo "meltano-check: $PASSES passed, $FAILS failed ($(meltano --version 2>/dev/null | head -n1); $("$PG_BIN/postgres" --version); node $(node --version)); outputs and logs: $W"
printf '%s\n' "${SUMMARY[@]}"
[[ $FAILS -eq 0 ]]
