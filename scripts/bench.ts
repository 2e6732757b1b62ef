// npm run bench: how close a full-history backfill gets to Klaviyo's rate-limit ceiling, and how much memory
// it takes. Starts the simulator (scale large: ~1M events, 100k profiles; simulated network latency; the real
// per-endpoint rate limits), runs the built tap per stream, and prints the figures. Nothing is asserted.
//   npm run bench                 events + profiles (a few minutes)
//   npm run bench -- --quick      scale medium, events only
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ENDPOINTS } from '../src/generated/endpoints.js';
import { builtInStreams } from '../src/streams/registry.js';
import { discover } from '../src/tap/catalog.js';
import { runTapProcess, startSimulatorProcess, syncSummary } from './lib/processes.js';

const OUT = 'bench-output';
const KEY = 'pk_sim_bench';
const quick = process.argv.includes('--quick');
const BENCH_STREAMS = quick ? ['events'] : ['events', 'profiles'];
const LATENCY_MS = 40;
const JITTER_MS = 20;

function catalogFor(stream: string): unknown {
  const catalog = discover(builtInStreams());
  for (const s of catalog.streams) {
    const root = s.metadata.find((m) => m.breadcrumb.length === 0);
    if (root) root.metadata['selected'] = s.tap_stream_id === stream;
  }
  return catalog;
}

interface Row {
  stream: string;
  records: number;
  requests: number;
  seconds: number;
  tier: { perSecond: number; perMinute: number };
  pageSize: number;
  rssMb: number;
  cpuSeconds: number;
}

async function benchStream(url: string, stream: string): Promise<Row> {
  const config = join(OUT, 'config.json');
  writeFileSync(config, JSON.stringify({ api_key: KEY, base_url: url, start_date: '2020-01-01T00:00:00Z', lookback_days: 0 }));
  const catalog = join(OUT, `catalog-${stream}.json`);
  writeFileSync(catalog, JSON.stringify(catalogFor(stream)));
  const started = process.hrtime.bigint();
  const result = await runTapProcess(['--config', config, '--catalog', catalog], join(OUT, `${stream}.jsonl`));
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (result.code !== 0) throw new Error(`${stream}: the tap failed:\n${result.stderr.slice(-2000)}`);
  const summary = syncSummary(result.stderr);
  const facts = builtInStreams().find((s) => s.name === stream)?.facts ?? ENDPOINTS['/api/events'];
  return {
    stream,
    records: summary?.streams[stream]?.records ?? 0,
    requests: summary?.requests ?? 0,
    seconds,
    tier: facts?.rateLimit ?? { perSecond: 1, perMinute: 1 },
    pageSize: facts?.pageSize?.max ?? 1,
    rssMb: summary?.max_rss_mb ?? 0,
    cpuSeconds: summary?.cpu_s ?? 0,
  };
}

/**
 * The least time Klaviyo's fixed windows allow for `requests` requests: whole steady windows (one per minute),
 * then what is left at the burst rate.
 */
function floorSeconds(requests: number, perSecond: number, perMinute: number): number {
  const fullMinutes = Math.ceil(requests / perMinute) - 1;
  return fullMinutes * 60 + (requests - fullMinutes * perMinute) / perSecond;
}

function print(rows: Row[]): void {
  const header = ['stream', 'records', 'requests', 'seconds', 'records/s', 'requests/min', 'rate-limit floor s', 'speed vs ceiling', 'tap CPU s', 'peak RSS MB'];
  const body = rows.map((r) => {
    // The ceiling: the fewest requests (full pages) at the fastest pace the endpoint's tier allows.
    const floor = floorSeconds(Math.ceil(r.records / r.pageSize), r.tier.perSecond, r.tier.perMinute);
    return [r.stream, r.records, r.requests, r.seconds.toFixed(1), Math.round(r.records / r.seconds), Math.round((r.requests / r.seconds) * 60), floor.toFixed(1), `${Math.round((floor / r.seconds) * 100)}%`, r.cpuSeconds.toFixed(1), r.rssMb].map(String);
  });
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((b) => (b[i] ?? '').length)));
  const line = (cells: string[]): string => cells.map((c, i) => c.padStart(widths[i] ?? 0)).join('  ');
  process.stdout.write(`\n${line(header)}\n${body.map(line).join('\n')}\n`);
}

async function main(): Promise<void> {
  mkdirSync(OUT, { recursive: true });
  const scale = quick ? 'medium' : 'large';
  process.stdout.write(`simulator: scale ${scale}, latency ${LATENCY_MS}±${JITTER_MS} ms, Klaviyo's rate limits on\n`);
  const sim = await startSimulatorProcess(['--seed', '42', '--scale', scale, '--api-key', KEY, '--latency-ms', String(LATENCY_MS), '--jitter-ms', String(JITTER_MS)]);
  try {
    const rows: Row[] = [];
    for (const stream of BENCH_STREAMS) {
      process.stdout.write(`${stream}: full backfill...\n`);
      rows.push(await benchStream(sim.url, stream));
    }
    print(rows);
    process.stdout.write(
      `\nrate-limit floor: the least time Klaviyo's burst and steady windows allow for these records in full pages;\n` +
        `speed vs ceiling = floor / seconds. The simulator shares this machine's CPU with the tap.\n`,
    );
  } finally {
    await sim.stop();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`bench: ${(err as Error).message}\n`);
  process.exitCode = 1;
});
