// What the reliability scenarios share: catalogs of a few streams, counting lost and duplicated records
// against the simulator's ground truth, which records a STATE covers, the secret check, and runs of the
// built tap with any arguments.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runTapProcess } from '../../scripts/lib/processes.js';
import { discover, type Catalog } from '../../src/tap/singer/catalog.js';
import { toMicros } from '../../src/tap/shared/time.js';
import { report } from '../reliability/report.js';
import { canonical, keyOf, parseOutput, SIM_KEY, STREAMS, type E2eRun, type E2eWorkspace, type Row } from './e2e.js';
import { childEnv } from './child-env.js';

/** A catalog with only `streams`, every field selected (the ground truth carries every field). */
export function catalogOf(streams: readonly string[]): Catalog {
  const catalog = discover(STREAMS);
  const entries = catalog.streams.filter((s) => streams.includes(s.tap_stream_id));
  assert.equal(entries.length, streams.length, `unknown stream in ${streams.join(', ')}`);
  for (const entry of entries) for (const m of entry.metadata) m.metadata['selected'] = true;
  return { streams: entries };
}

/** The records of `stream` a run sent, each with the index of its stdout line. */
export function sentRecords(run: { lines: string[] }, stream: string): Array<{ line: number; record: Row }> {
  const out: Array<{ line: number; record: Row }> = [];
  run.lines.forEach((text, line) => {
    const m = JSON.parse(text) as { type: string; stream?: string; record?: Row };
    if (m.type === 'RECORD' && m.stream === stream && m.record) out.push({ line, record: m.record });
  });
  return out;
}

export interface StateLine {
  line: number;
  value: StateValue;
}

export interface Bookmark {
  replication_key: string;
  replication_key_value: string;
  boundary_ids?: string[];
}

export interface StateValue {
  bookmarks: Record<string, Bookmark | { partitions: Array<Bookmark & { context: Record<string, string> }> }>;
}

/** Every STATE message of a run, in order, with its stdout line index. */
export function stateLines(run: { lines: string[] }): StateLine[] {
  const out: StateLine[] = [];
  run.lines.forEach((text, line) => {
    const m = JSON.parse(text) as { type: string; value?: StateValue };
    if (m.type === 'STATE' && m.value) out.push({ line, value: m.value });
  });
  return out;
}

/** Every replication-key value a state holds (all streams, all partitions), as microseconds. */
export function bookmarkValues(state: StateValue): Array<{ where: string; micros: number }> {
  const out: Array<{ where: string; micros: number }> = [];
  for (const [stream, entry] of Object.entries(state.bookmarks ?? {})) {
    const marks = 'partitions' in entry ? entry.partitions : [entry];
    for (const mark of marks) {
      // An entry may hold only table versions (`active_version`, `pending_version`): no bookmark there.
      if (typeof mark.replication_key_value !== 'string') continue;
      const micros = toMicros(mark.replication_key_value);
      assert.ok(micros !== null, `${stream}: bookmark ${mark.replication_key_value} is not a datetime`);
      out.push({ where: `${stream} ${mark.replication_key_value}`, micros });
    }
  }
  return out;
}

/**
 * Whether `state` already covers `record` of a stream with one bookmark (not partitioned): its replication value
 * is before the bookmark, or at it with its id among `boundary_ids`. A resumed run must not send it again.
 */
export function covers(state: StateValue | undefined, stream: string, record: Row): boolean {
  const mark = state?.bookmarks?.[stream];
  if (!mark || 'partitions' in mark) return false;
  const value = toMicros(String(record[mark.replication_key]));
  const at = toMicros(mark.replication_key_value);
  if (value === null || at === null) return false;
  return value < at || (value === at && (mark.boundary_ids ?? []).includes(String(record['id'])));
}

export interface Tally {
  expected: number;
  /** Expected records no run delivered with exactly the expected content. */
  lost: number;
  /** Records delivered more than once (same identity), beyond the first. */
  duplicates: number;
  missing: string[];
  duplicated: string[];
}

/**
 * Compares what runs sent of `stream` with what they had to deliver. A record counts as delivered when some
 * run sent it with exactly the ground-truth content; `identity` (default: the stream's key) says which sends
 * are the same record, for duplicates (use key + replication value where a record legitimately changes).
 */
export function tally(stream: string, expected: readonly Row[], sent: readonly Row[], identity: (r: Row) => string = keyOf(stream)): Tally {
  const contentOf = (r: Row): string => [...canonical([r], stream).values()][0] ?? '';
  const seen = new Map<string, number>();
  const contents = new Map<string, Set<string>>();
  for (const r of sent) {
    const id = identity(r);
    seen.set(id, (seen.get(id) ?? 0) + 1);
    contents.set(id, (contents.get(id) ?? new Set()).add(contentOf(r)));
  }
  const missing = expected.map(identity).filter((id, i) => !contents.get(id)?.has(contentOf(expected[i] ?? {})));
  const duplicated = [...seen].filter(([, n]) => n > 1).map(([id]) => id);
  const duplicates = [...seen.values()].reduce((sum, n) => sum + n - 1, 0);
  return { expected: expected.length, lost: missing.length, duplicates, missing, duplicated };
}

/** Sums tallies (for one report row over several streams or seeds). */
export function sumTallies(tallies: readonly Tally[]): Tally {
  return {
    expected: tallies.reduce((s, t) => s + t.expected, 0),
    lost: tallies.reduce((s, t) => s + t.lost, 0),
    duplicates: tallies.reduce((s, t) => s + t.duplicates, 0),
    missing: tallies.flatMap((t) => t.missing),
    duplicated: tallies.flatMap((t) => t.duplicated),
  };
}

/** Asserts nothing was lost or duplicated, showing the first offenders. */
export function assertComplete(t: Tally, what: string): void {
  assert.deepEqual(
    { lost: t.lost, duplicates: t.duplicates, missing: t.missing.slice(0, 5), duplicated: t.duplicated.slice(0, 5) },
    { lost: 0, duplicates: 0, missing: [], duplicated: [] },
    what,
  );
}

export const SECRETS_SCENARIO = '10. secrets: key never in stdout, stderr, state';

/**
 * Asserts the API key shows nowhere in a run's stdout (records and STATE), stderr, or its final state, and
 * counts the run on the secrets row of the report.
 */
export function assertNoSecret(run: { lines: string[]; stderr: string; state?: unknown }, key: string = SIM_KEY): void {
  assert.ok(key.length >= 8, 'a key long enough to search for');
  assert.ok(!run.stderr.includes(key), 'API key in stderr');
  const leaked = run.lines.findIndex((l) => l.includes(key));
  assert.equal(leaked, -1, `API key in stdout line ${leaked}`);
  assert.ok(!JSON.stringify(run.state ?? null).includes(key), 'API key in the state');
  report({ scenario: SECRETS_SCENARIO, runs: 1, expected: 0, lost: 0, duplicates: 0, note: 'runs scanned; expected/lost not applicable' });
}

/** The tap's settings for `ws` (as `E2eWorkspace.run` writes them), with `extra` merged over them. */
export function tapConfig(ws: E2eWorkspace, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    api_key: SIM_KEY,
    base_url: ws.sim.url,
    start_date: '2020-01-01T00:00:00Z',
    lookback_days: 0,
    initial_retry_wait_s: 0.05,
    max_retry_wait_s: 0.5,
    request_timeout_s: 3,
    ...ws.config,
    ...extra,
  };
}

let argRuns = 0;

/** Runs the built tap with `--config` (the workspace's settings plus `extra`) and `args`, e.g. `['--test']`. */
export async function runWithArgs(ws: E2eWorkspace, args: string[], extra: Record<string, unknown> = {}, env: NodeJS.ProcessEnv = {}): Promise<E2eRun & { stdout: string }> {
  const n = ++argRuns;
  const config = ws.write(`args-config-${n}.json`, tapConfig(ws, extra));
  const out = join(ws.dir, `args-out-${n}.txt`);
  const result = await runTapProcess(['--config', config, ...args], out, childEnv(env));
  const stdout = readFileSync(out, 'utf8');
  const parsed = stdout.startsWith('{') ? parseOutput(stdout) : { records: new Map<string, Row[]>(), state: undefined, lines: stdout.split('\n').filter(Boolean) };
  return { ...result, ...parsed, stdout };
}

/** The last stderr line (where the tap puts its one-line failure). */
export function lastLine(stderr: string): string {
  return stderr.trimEnd().split('\n').pop() ?? '';
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** ISO instant `seconds` before now, on a whole second. */
export function secondsAgo(seconds: number): string {
  return new Date(Math.floor(Date.now() / 1000 - seconds) * 1000).toISOString();
}

/** Ground truth of `streams` now. */
export function snapshotOf(sim: E2eWorkspace['sim'], streams: readonly string[]): Map<string, Row[]> {
  return new Map(streams.map((s) => [s, [...sim.groundTruth(s)]]));
}

/** Per stream, the rows of `after` that are new or whose replication key moved since `before`. */
export function changedSince(before: Map<string, Row[]>, after: Map<string, Row[]>): Map<string, Row[]> {
  const out = new Map<string, Row[]>();
  for (const [stream, rows] of after) {
    const key = keyOf(stream);
    const rk = STREAMS.find((s) => s.name === stream)?.replicationKey;
    const old = new Map((before.get(stream) ?? []).map((r) => [key(r), r]));
    out.set(stream, rows.filter((r) => !rk || !old.has(key(r)) || old.get(key(r))?.[rk] !== r[rk]));
  }
  return out;
}

/** The bookmark of a stream (or of its partition whose context `row` matches), or undefined. */
export function bookmarkFor(state: StateValue | undefined, stream: string, row: Row): Bookmark | undefined {
  const entry = state?.bookmarks?.[stream];
  if (!entry) return undefined;
  if (!('partitions' in entry)) return entry;
  return entry.partitions.find((p) => Object.entries(p.context).every(([k, v]) => row[k] === v));
}
