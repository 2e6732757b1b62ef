// End-to-end runs: the built tap as a child process against the in-process simulator, compared with the
// simulator's ground truth.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runTapProcess, type TapResult } from '../../scripts/lib/processes.js';
import type { Simulator } from '../../src/simulator/server.js';
import { builtInStreams } from '../../src/streams/registry.js';
import { MetricAggregates } from '../../src/streams/metric_aggregates.js';
import { ReportStream } from '../../src/tap/reports/report-stream.js';
import type { KlaviyoStream } from '../../src/tap/engine/stream.js';
import { discover } from '../../src/tap/singer/catalog.js';
import { NOW_MARGIN } from '../../src/tap/engine/partition-range.js';
import { childEnv } from './child-env.js';

export const SIM_KEY = 'pk_sim_e2e_secret';
/**
 * Every stream but the Reporting API's: their daily quota needs a simulated day and their series re-read recent
 * days on purpose, so they have their own end-to-end test (reports-e2e.test.ts).
 */
export const STREAMS = builtInStreams().filter((s) => !isQueryStream(s));

/** The POST query streams (Reporting API, metric aggregates): their own end-to-end and nock tests. */
export function isQueryStream(stream: KlaviyoStream): boolean {
  return stream instanceof ReportStream || stream instanceof MetricAggregates;
}

export type Row = Record<string, unknown>;

export interface E2eRun extends TapResult {
  records: Map<string, Row[]>;
  state: unknown;
  lines: string[];
}

/** A catalog selecting every stream and every field (costly ones included). */
export function fullCatalog(): unknown {
  const catalog = discover(STREAMS);
  for (const s of catalog.streams) for (const m of s.metadata) m.metadata['selected'] = true;
  return catalog;
}

export class E2eWorkspace {
  readonly dir = mkdtempSync(join(tmpdir(), 'tap-klaviyo-e2e-'));
  private runs = 0;

  constructor(
    readonly sim: Simulator,
    readonly config: Record<string, unknown> = {},
  ) {}

  write(name: string, value: unknown): string {
    const path = join(this.dir, name);
    writeFileSync(path, JSON.stringify(value));
    return path;
  }

  /** `catalog` null: no --catalog (every stream with its default fields, as Meltano selects them). */
  async run(state?: unknown, catalog: unknown = fullCatalog(), env: NodeJS.ProcessEnv = {}): Promise<E2eRun> {
    const result = await this.runToFile(catalog, state, env);
    return { ...result, ...parseOutput(readFileSync(result.file, 'utf8')) };
  }

  /** Runs the tap with this workspace's config; its stdout goes to the returned file. */
  async runToFile(catalog: unknown = fullCatalog(), state?: unknown, env: NodeJS.ProcessEnv = {}): Promise<TapResult & { file: string }> {
    const n = ++this.runs;
    const config = this.write(`config-${n}.json`, {
      api_key: SIM_KEY,
      base_url: this.sim.url,
      start_date: '2020-01-01T00:00:00Z',
      lookback_days: 0,
      initial_retry_wait_s: 0.05,
      max_retry_wait_s: 0.5,
      request_timeout_s: 3,
      ...this.config,
    });
    const args = ['--config', config, ...(catalog === null ? [] : ['--catalog', this.write(`catalog-${n}.json`, catalog)])];
    if (state !== undefined) args.push('--state', this.write(`state-${n}.json`, state));
    const file = join(this.dir, `out-${n}.jsonl`);
    const result = await runTapProcess(args, file, childEnv(env));
    return { ...result, file };
  }
}

export function parseOutput(text: string): { records: Map<string, Row[]>; state: unknown; lines: string[] } {
  const records = new Map<string, Row[]>();
  let state: unknown;
  const lines = text.split('\n').filter(Boolean);
  for (const line of lines) {
    const m = JSON.parse(line) as { type: string; stream?: string; record?: Row; value?: unknown };
    if (m.type === 'RECORD' && m.stream && m.record) {
      const rows = records.get(m.stream) ?? [];
      rows.push(m.record);
      records.set(m.stream, rows);
    }
    if (m.type === 'STATE') state = m.value;
  }
  return { records, state, lines };
}

export function keyOf(stream: string): (r: Row) => string {
  const key = builtInStreams().find((s) => s.name === stream)?.primaryKey ?? ['id'];
  return (r) => key.map((k) => String(r[k])).join('|');
}

/** Records by key, in a canonical form (sorted keys) for comparison. */
export function canonical(rows: Iterable<Row>, stream: string): Map<string, string> {
  const key = keyOf(stream);
  const out = new Map<string, string>();
  for (const r of rows) out.set(key(r), JSON.stringify(Object.keys(r).sort().map((k) => [k, r[k]])));
  return out;
}

export function truth(sim: Simulator, stream: string): Row[] {
  return [...sim.groundTruth(stream)];
}

/** An instant just older than the tap's no-read margin: data dated then is readable by a run starting now. */
export function settledNow(): string {
  return new Date(Date.now() - NOW_MARGIN / 1000 - 2000).toISOString();
}

/** Waits until the tap's no-read margin before now has passed, so data dated "now" is readable. */
export function settle(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, NOW_MARGIN / 1000 + 1500));
}

export type State = { bookmarks: Record<string, Record<string, unknown>> };

/** The state with the active version of `streams` made `days` old, as if that many days had passed since it began. */
export function aged(state: unknown, streams: readonly string[], days: number): State {
  const copy = structuredClone(state) as State;
  for (const stream of streams) {
    const entry = copy.bookmarks[stream];
    assert.ok(typeof entry?.['active_version'] === 'number', `${stream} has an active version`);
    entry['active_version'] = Date.now() - days * 86_400_000;
  }
  return copy;
}
