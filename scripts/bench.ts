// npm run bench: one table of what a full-history backfill costs against the simulator: speed against Klaviyo's
// rate-limit ceiling, the tap's own CPU per record, its peak memory, and what network latency does. Each case
// starts its own simulator (the tap's CPU and memory are read from its `sync finished` line, so the simulator
// sharing the machine does not count; the tap's two threads, worker and relay, both do). Nothing is asserted:
// figures only.
//   npm run bench                 scale large, all cases (about 8-10 minutes)
//   npm run bench -- --quick      scale medium, events only (a couple of minutes)
//   npm run bench -- --hourly     only the hourly run on an unchanged account
//   npm run bench -- --layouts    events large in the simulator's own layout, then in each of its layout variations
//                                 alone and all at once: CPU per record of each over the own layout's (about 11 minutes)
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { LAYOUT_VARIATIONS, VARIED } from '../src/simulator/api/layout.js';
import type { SimulatorStats } from '../src/simulator/http/stats.js';
import { builtInStreams } from '../src/streams/registry.js';
import { discover } from '../src/tap/singer/catalog.js';
import { lastState, runTapProcess, startSimulatorProcess, syncSummary, type RunningSimulator } from './lib/processes.js';

const OUT = 'bench-output';
const KEY = 'pk_sim_bench';
const quick = process.argv.includes('--quick');
const hourlyOnly = process.argv.includes('--hourly');
const layoutsOnly = process.argv.includes('--layouts');

interface Case {
  name: string;
  stream: string;
  scale: 'medium' | 'large';
  /** Klaviyo's per-endpoint rate limits in the simulator (off: the tap's CPU is the limit). */
  limits: boolean;
  latencyMs: number;
  jitterMs: number;
  /** The simulator's `layout` knob (its own layout when absent). */
  layout?: string;
  /** Another case this one is compared with: its time (latency ratio), its CPU per record, or its peak RSS (memory growth). */
  compare?: { with: string; by: 'time' | 'cpu' | 'rss' };
}

/** `base` with the simulator's layout knob at `layout`, its CPU per record compared with base's. */
const inLayout = (base: Case, layout: string, name: string): Case => ({ ...base, name, layout, compare: { with: base.name, by: 'cpu' } });

const LARGE = quick ? 'medium' : 'large';
const EVENTS_CPU: Case = { name: `events ${LARGE}, no limits (CPU)`, stream: 'events', scale: LARGE, limits: false, latencyMs: 0, jitterMs: 0 };
const CASES: Case[] = [
  EVENTS_CPU,
  // The same world in other layouts (member order, whitespace, escapes, added members...: src/simulator/README.md).
  inLayout(EVENTS_CPU, VARIED, `events ${LARGE}, varied layout, no limits (CPU)`),
  ...(quick
    ? []
    : [{ name: 'events medium, no limits', stream: 'events', scale: 'medium', limits: false, latencyMs: 0, jitterMs: 0, compare: { with: 'events large, no limits (CPU)', by: 'rss' } } satisfies Case]),
  { name: `events ${LARGE}, limits, 0 ms`, stream: 'events', scale: LARGE, limits: true, latencyMs: 0, jitterMs: 0 },
  { name: `events ${LARGE}, limits, 500±200 ms`, stream: 'events', scale: LARGE, limits: true, latencyMs: 500, jitterMs: 200, compare: { with: `events ${LARGE}, limits, 0 ms`, by: 'time' } },
  ...(quick
    ? []
    : [
        // Without the simulator's limits the tap still paces itself at the tier's 750/min: about a minute.
        { name: 'profiles large, no limits (CPU)', stream: 'profiles', scale: 'large', limits: false, latencyMs: 0, jitterMs: 0 } satisfies Case,
        { name: 'profiles large, limits, 300±100 ms', stream: 'profiles', scale: 'large', limits: true, latencyMs: 300, jitterMs: 100 } satisfies Case,
      ]),
];

/** --layouts: the events backfill in the simulator's own layout, then in each variation alone and all at once. */
const OWN_LAYOUT: Case = { ...EVENTS_CPU, name: 'events large, own layout, no limits (CPU)', scale: 'large' };
const LAYOUT_CASES: Case[] = [OWN_LAYOUT, ...[...LAYOUT_VARIATIONS, VARIED].map((layout) => inLayout(OWN_LAYOUT, layout, `events large, layout ${layout}, no limits (CPU)`))];

interface Result {
  c: Case;
  records: number;
  requests: number;
  seconds: number;
  /** When the tap started (the floor depends on where in Klaviyo's clock minute that falls). */
  startedAtMs: number;
  cpuSeconds: number;
  rssMb: number;
  /** Bytes of the response bodies the simulator sent the tap (its stats): layouts differ in bytes per record. */
  bodyBytes: number;
}

/** Every stream's default fields, and the streams `selected` says. */
function catalogFor(selected: (stream: string) => boolean): unknown {
  const catalog = discover(builtInStreams());
  for (const s of catalog.streams) {
    const root = s.metadata.find((m) => m.breadcrumb.length === 0);
    if (root) root.metadata['selected'] = selected(s.tap_stream_id);
  }
  return catalog;
}

/** The simulator's counters (GET /__admin/stats). */
async function statsOf(sim: RunningSimulator): Promise<SimulatorStats> {
  return (await (await fetch(`${sim.url}/__admin/stats`)).json()) as SimulatorStats;
}

async function runCase(c: Case, index: number): Promise<Result> {
  const args = ['--seed', '42', '--scale', c.scale, '--api-key', KEY, '--latency-ms', String(c.latencyMs), '--jitter-ms', String(c.jitterMs), ...(c.layout ? ['--layout', c.layout] : [])];
  // Without limits the tap's CPU is what is measured: the simulator takes only the CPU the tap leaves.
  const sim = await startSimulatorProcess(c.limits ? args : [...args, '--no-rate-limits'], { lowPriority: !c.limits });
  try {
    const config = join(OUT, `config-${index}.json`);
    writeFileSync(config, JSON.stringify({ api_key: KEY, base_url: sim.url, start_date: '2020-01-01T00:00:00Z', lookback_days: 0 }));
    const catalog = join(OUT, `catalog-${c.stream}.json`);
    writeFileSync(catalog, JSON.stringify(catalogFor((name) => name === c.stream)));
    const startedAtMs = Date.now();
    const started = process.hrtime.bigint();
    const result = await runTapProcess(['--config', config, '--catalog', catalog], join(OUT, `case-${index}.jsonl`));
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    if (result.code !== 0) throw new Error(`${c.name}: the tap failed:\n${result.stderr.slice(-2000)}`);
    const summary = syncSummary(result.stderr);
    const stats = await statsOf(sim);
    return {
      c,
      records: summary?.streams[c.stream]?.records ?? 0,
      requests: summary?.requests ?? 0,
      seconds,
      startedAtMs,
      cpuSeconds: summary?.cpu_s ?? 0,
      rssMb: summary?.max_rss_mb ?? 0,
      bodyBytes: stats.bodyBytes,
    };
  } finally {
    await sim.stop();
  }
}

/**
 * The least time Klaviyo's windows allow for `requests` requests started at `startedAtMs`: its steady windows are
 * fixed clock minutes (the simulator's too), so a run can use what is left of the current minute, then a full
 * minute's worth per minute, each at no more than the burst rate.
 */
function floorSeconds(requests: number, perSecond: number, perMinute: number, startedAtMs: number): number {
  let elapsed = 0;
  let windowSeconds = 60 - (startedAtMs % 60_000) / 1000;
  let left = requests;
  for (;;) {
    const sent = Math.min(left, perMinute, Math.floor(perSecond * windowSeconds));
    left -= sent;
    if (left <= 0) return elapsed + sent / perSecond;
    elapsed += windowSeconds;
    windowSeconds = 60;
  }
}

/**
 * The least time the steady limit allows for `requests`, whenever they start: at most `perMinute` in any minute
 * from the first, each minute's at the burst rate (1,000 requests of profiles: 63.3 s).
 */
function steadyFloorSeconds(requests: number, perSecond: number, perMinute: number): number {
  const minutes = Math.floor((requests - 1) / perMinute);
  return minutes * 60 + (requests - minutes * perMinute) / perSecond;
}

/**
 * Shares of the two floors, each floor time (the fewest requests, full pages, fastest pace allowed) / time taken:
 * the steady limit's, then that of Klaviyo's fixed clock minutes from the moment the tap started.
 */
function floorShares(r: Result): [string, string] {
  const facts = r.c.limits ? builtInStreams().find((s) => s.name === r.c.stream)?.facts : undefined;
  if (!facts?.pageSize) return ['-', '-'];
  const { perSecond, perMinute } = facts.rateLimit;
  const requests = Math.ceil(r.records / facts.pageSize.max);
  const share = (floor: number): string => `${Math.round((floor / r.seconds) * 100)}%`;
  return [share(steadyFloorSeconds(requests, perSecond, perMinute)), share(floorSeconds(requests, perSecond, perMinute, r.startedAtMs))];
}

/** Runs of the latency comparison after the first, each pair in turn (0 ms, then with latency): the machine is shared. */
const MORE_PAIRS = quick || layoutsOnly ? 0 : 2;

/** Every pair's ratio of a time or CPU comparison, by the name of the case compared (see pairUp). */
const pairRatios = new Map<string, number[]>();

const cpuPerRecord = (r: Result): number => (r.records > 0 ? r.cpuSeconds / r.records : NaN);

/** A pair's ratio: time (latency) or CPU per record (layout), the case compared over the one it is compared with. */
function ratioOf(slow: Result, fast: Result): number {
  return slow.c.compare?.by === 'cpu' ? cpuPerRecord(slow) / cpuPerRecord(fast) : slow.seconds / fast.seconds;
}

/**
 * Runs each time or CPU comparison MORE_PAIRS more times, alternating its two cases (the machine is shared: a pair
 * run back to back sees about the same load), and puts the pair with the median ratio in `results` (the table shows
 * that pair; its ratio column lists every pair's).
 */
async function pairUp(results: Result[]): Promise<void> {
  for (const slow of results.filter((r) => r.c.compare?.by === 'time' || r.c.compare?.by === 'cpu')) {
    const fast = results.find((o) => o.c.name === slow.c.compare?.with);
    if (!fast) continue;
    const pairs = [{ fast, slow }];
    for (let n = 0; n < MORE_PAIRS; n++) {
      process.stdout.write(`${fast.c.name} and ${slow.c.name}, pair ${n + 2}...\n`);
      pairs.push({ fast: await runCase(fast.c, results.indexOf(fast)), slow: await runCase(slow.c, results.indexOf(slow)) });
    }
    const ratio = (p: { fast: Result; slow: Result }): number => ratioOf(p.slow, p.fast);
    pairRatios.set(slow.c.name, pairs.map(ratio));
    const median = [...pairs].sort((a, b) => ratio(a) - ratio(b))[Math.floor(pairs.length / 2)] ?? pairs[0];
    if (!median) continue;
    results[results.indexOf(fast)] = median.fast;
    results[results.indexOf(slow)] = median.slow;
  }
}

function comparison(r: Result, all: Result[]): string {
  const other = all.find((o) => o.c.name === r.c.compare?.with);
  if (!r.c.compare || !other) return '';
  if (r.c.compare.by === 'time' || r.c.compare.by === 'cpu') {
    const ratios = pairRatios.get(r.c.name) ?? [];
    const each = ratios.length > 1 ? ` (pairs: ${ratios.map((x) => x.toFixed(2)).join(', ')})` : '';
    if (r.c.compare.by === 'time') return `latency ratio ${ratioOf(r, other).toFixed(2)}${each}`;
    const cpuPerByte = (x: Result): number => x.cpuSeconds / x.bodyBytes;
    const kbPerRecord = (x: Result): string => (x.bodyBytes / x.records / 1000).toFixed(2);
    return `CPU ratio ${ratioOf(r, other).toFixed(2)}${each}; per MB received ${(cpuPerByte(r) / cpuPerByte(other)).toFixed(2)} (${kbPerRecord(other)} -> ${kbPerRecord(r)} KB a record)`;
  }
  return `RSS ${other.rssMb >= r.rssMb ? '+' : ''}${Math.round(((other.rssMb - r.rssMb) / r.rssMb) * 100)}% at large`;
}

function print(results: Result[]): void {
  const header = ['case', 'records', 'requests', 'seconds', 'records/s', 'requests/min', 'steady limit', 'clock-minute floor', 'tap CPU µs/record', 'peak RSS MB', 'compared'];
  const body = results.map((r) =>
    [
      r.c.name,
      r.records,
      r.requests,
      r.seconds.toFixed(1),
      Math.round(r.records / r.seconds),
      Math.round((r.requests / r.seconds) * 60),
      ...floorShares(r),
      r.records > 0 ? ((r.cpuSeconds / r.records) * 1e6).toFixed(1) : '-',
      r.rssMb,
      comparison(r, results),
    ].map(String),
  );
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((b) => (b[i] ?? '').length)));
  const line = (cells: string[]): string => `| ${cells.map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join(' | ')} |`;
  const rule = `|${widths.map((w, i) => (i === 0 ? `-${'-'.repeat(w)}-` : `${'-'.repeat(w + 1)}:`)).join('|')}|`;
  process.stdout.write(`\n${line(header)}\n${rule}\n${body.map(line).join('\n')}\n`);
}

/**
 * An hourly run on an unchanged account: a full sync of every stream (scale medium, default settings), then the
 * same sync again from its last STATE. Prints the second run's requests per endpoint, as the simulator counted them.
 */
async function hourlyRun(): Promise<void> {
  const sim = await startSimulatorProcess(['--seed', '42', '--scale', 'medium', '--api-key', KEY, '--no-rate-limits']);
  try {
    const config = join(OUT, 'config-hourly.json');
    writeFileSync(config, JSON.stringify({ api_key: KEY, base_url: sim.url, start_date: '2020-01-01T00:00:00Z' }));
    const catalog = join(OUT, 'catalog-all.json');
    writeFileSync(catalog, JSON.stringify(catalogFor(() => true)));
    const full = await runTapProcess(['--config', config, '--catalog', catalog], join(OUT, 'hourly-0.jsonl'));
    if (full.code !== 0) throw new Error(`hourly run: the full sync failed:\n${full.stderr.slice(-2000)}`);
    const state = join(OUT, 'state-hourly.json');
    writeFileSync(state, JSON.stringify(lastState(join(OUT, 'hourly-0.jsonl'))));
    await fetch(`${sim.url}/__admin/stats/reset`, { method: 'POST' });
    const again = await runTapProcess(['--config', config, '--catalog', catalog, '--state', state], join(OUT, 'hourly-1.jsonl'));
    if (again.code !== 0) throw new Error(`hourly run: the second sync failed:\n${again.stderr.slice(-2000)}`);
    const stats = await statsOf(sim);
    const records = syncSummary(again.stderr)?.streams ?? {};
    const sent = Object.entries(records)
      .filter(([, s]) => s.records > 0)
      .map(([name, s]) => `${name} ${s.records}`);
    const rows = Object.entries(stats.requests).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
    process.stdout.write(
      `\nhourly run on an unchanged account (scale medium, every stream, default settings): ${stats.total} requests\n` +
        rows.map(([operation, n]) => `  ${String(n).padStart(5)}  ${operation}`).join('\n') +
        `\nrecords sent again: ${sent.length > 0 ? sent.join(', ') : 'none'}\n`,
    );
  } finally {
    await sim.stop();
  }
}

async function main(): Promise<void> {
  mkdirSync(OUT, { recursive: true });
  const results: Result[] = [];
  for (const [i, c] of (hourlyOnly ? [] : layoutsOnly ? LAYOUT_CASES : CASES).entries()) {
    process.stdout.write(`${c.name}...\n`);
    results.push(await runCase(c, i));
  }
  if (results.length > 0) {
    await pairUp(results);
    print(results);
    process.stdout.write(
      `\nsteady limit: the least time the tier's limits allow for these records in full pages (at most its steady rate in any\n` +
        `minute, each at its burst rate), as a share of the time taken. clock-minute floor: the same, counting Klaviyo's steady\n` +
        `windows as fixed clock minutes from the moment the tap started (a start late in a minute can use its end and the next).\n` +
        `tap CPU: user+sys of the tap process (its own resource usage), per record. Latency: the simulator's per-request delay\n` +
        `± jitter. The simulator shares this machine's CPU with the tap. Latency ratio: the two events runs with limits are run\n` +
        `${MORE_PAIRS + 1} times in turn; the table shows the pair whose ratio is the median. CPU ratio: tap CPU per record with the\n` +
        (layoutsOnly
          ? `simulator's layout knob at each variation alone, then all at once (varied), over its own layout, one run each.\n`
          : `simulator's layout knob at varied (every variation at once) over its own layout, pairs run in turn the same way.\n`) +
        `Per MB received: the same ratio per MB of response bodies the simulator sent (its stats) instead of per record.\n`,
    );
  }
  if (!layoutsOnly) await hourlyRun();
}

main().catch((err: unknown) => {
  process.stderr.write(`bench: ${(err as Error).message}\n`);
  process.exitCode = 1;
});
