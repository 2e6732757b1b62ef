// --sample N: a preview of the first N records of each selected stream, read with a page size as close to N as
// the endpoint allows, from start_date, in one or two pages (a child stream: its first few parents). Nothing goes
// to stdout and no state is read or written: it is for a person looking at the data before a sync.
import { readFilters, readPartitions } from '../engine/archived.js';
import type { TapConfig } from '../config/config.js';
import type { KlaviyoClient } from '../http/http.js';
import type { SingerRecord } from '../singer/messages.js';
import { paginate } from '../http/paginate.js';
import { planReplication, windowFilters } from '../engine/replication.js';
import { StateStore } from '../state/state.js';
import { firstPageUrl, replicationRange } from '../engine/partition-range.js';
import type { StreamRuntime } from '../engine/stream-types.js';
import { ConfigError } from '../shared/errors.js';
import { runMemo } from '../engine/sync.js';
import type { SelectedStream } from '../engine/sync-types.js';

export const MAX_SAMPLE = 100;
/** A child stream reads its first parents' children until N records: at most this many parents. */
const MAX_PARTITIONS = 3;
const MAX_PAGES = 2;
/** Table cells are cut to this many characters. */
const CELL = 28;

export interface SampleDeps {
  config: TapConfig;
  client: KlaviyoClient;
  startedAt: number;
}

/** The first `n` records of the stream, shaped like a sync's (selected fields only). */
export async function sampleStream(s: SelectedStream, n: number, deps: SampleDeps, memo: StreamRuntime['memo']): Promise<SingerRecord[]> {
  const { stream, shaper, selected } = s;
  const overrides = { ...deps.config.streams[stream.name], page_size: n };
  const config: TapConfig = { ...deps.config, streams: { ...deps.config.streams, [stream.name]: overrides } };
  const rt: StreamRuntime = { client: deps.client, config, selected, memo };
  const plan = planReplication(stream.replicationKey, stream.replicationApiField, stream.facts, stream.sortsByKey);
  const out: SingerRecord[] = [];
  let partitions = 0;
  for await (const partition of readPartitions(stream, rt)) {
    if (out.length >= n || partitions++ >= MAX_PARTITIONS) break;
    const base = await readFilters(stream, partition, rt);
    if (base === null) continue;
    const range = plan ? replicationRange(stream, partition, config, new StateStore(undefined), deps.startedAt) : null;
    const window = plan && range ? windowFilters(plan, { from: range.lower, to: range.upper }) : [];
    let pages = 0;
    for await (const page of paginate(deps.client, firstPageUrl(stream, plan, rt, partition, [...base, ...window]), stream.budget(rt))) {
      for (const resource of page.data) for (const record of stream.toRecords(resource, page, partition, rt)) if (out.length < n) out.push(shaper.fit(record));
      if (out.length >= n || ++pages >= MAX_PAGES) break;
    }
  }
  return out;
}

/** One JSON line per record: `{"stream": ..., "record": ...}`. */
export function sampleJsonLines(stream: string, records: readonly SingerRecord[]): string {
  return records.map((record) => `${JSON.stringify({ stream, record })}\n`).join('');
}

/** A heading, then the records as aligned columns (the selected fields, keys first), long values cut short. */
export function sampleTable(stream: string, fields: readonly string[], records: readonly SingerRecord[]): string {
  const heading = `${stream}: ${records.length} record(s)\n`;
  if (records.length === 0) return `${heading}\n`;
  const rows = records.map((r) => fields.map((f) => cell(r[f])));
  const widths = fields.map((f, i) => Math.max(f.length, ...rows.map((row) => row[i]?.length ?? 0)));
  const line = (cells: readonly string[]): string => `${cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  ').trimEnd()}\n`;
  return heading + line(fields) + line(widths.map((w) => '-'.repeat(w))) + rows.map(line).join('') + '\n';
}

function cell(value: unknown): string {
  const text = value === undefined || value === null ? '' : typeof value === 'string' ? value : JSON.stringify(value);
  const flat = text.replace(/\s+/g, ' ');
  return flat.length > CELL ? `${flat.slice(0, CELL - 1)}…` : flat;
}

export interface SampleOptions {
  count: number;
  format: 'table' | 'json';
}

/** Checks `--sample N` and `--format`. */
export function sampleOptions(count: string, format: string): SampleOptions {
  const n = Number(count);
  if (!/^\d+$/.test(count) || n < 1 || n > MAX_SAMPLE) throw new ConfigError(`--sample must be a whole number from 1 to ${MAX_SAMPLE} (got ${count})`, 'sample');
  if (format !== 'table' && format !== 'json') throw new ConfigError(`--format with --sample must be table or json (got ${format})`, 'format');
  return { count: n, format };
}

/** The preview of each selected stream in turn, as text for stderr. */
export async function* sampleOutput(selected: readonly SelectedStream[], options: SampleOptions, deps: SampleDeps): AsyncGenerator<string> {
  const memo = runMemo();
  for (const s of selected) {
    const records = await sampleStream(s, options.count, deps, memo);
    const keys = s.stream.keyProperties;
    const fields = [...keys, ...Object.keys((s.schema['properties'] ?? {}) as object).filter((f) => !keys.includes(f))];
    yield options.format === 'json' ? sampleJsonLines(s.stream.name, records) : sampleTable(s.stream.name, fields, records);
  }
}
