// npm run demo: the tap against the bundled Klaviyo simulator, with no key and no network.
// Starts the simulator on a free port, runs --discover, a full sync of every stream into demo-output/, adds
// new data to the simulated account, runs again from the saved state, and prints a table per stream.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { NOW_MARGIN } from '../src/tap/engine/partition-range.js';
import { lastState, runTapProcess, startSimulatorProcess, syncSummary, type TapResult } from './lib/processes.js';

const OUT = 'demo-output';
const SIM_KEY = 'pk_sim_demo';

function check(step: string, result: TapResult): void {
  if (result.code !== 0) {
    process.stderr.write(result.stderr);
    throw new Error(`${step} failed with exit code ${result.code}`);
  }
}

async function main(): Promise<void> {
  mkdirSync(OUT, { recursive: true });
  const sim = await startSimulatorProcess(['--seed', '42', '--scale', 'small', '--api-key', SIM_KEY]);
  try {
    const config = join(OUT, 'config.json');
    // report_days 60: each report is one request a run (the Reporting API allows 2 a minute per endpoint).
    writeFileSync(config, JSON.stringify({ api_key: SIM_KEY, base_url: sim.url, start_date: '2024-01-01T00:00:00Z', lookback_days: 0, report_days: 60 }, null, 2));
    process.stdout.write(`simulator: ${sim.url}\n`);

    check('discovery', await runTapProcess(['--config', config, '--discover'], join(OUT, 'catalog.json')));
    const catalog = join(OUT, 'catalog.json');

    const started = Date.now();
    const full = await runTapProcess(['--config', config, '--catalog', catalog], join(OUT, 'full-sync.jsonl'));
    check('full sync', full);
    const fullSeconds = (Date.now() - started) / 1000;
    writeFileSync(join(OUT, 'state.json'), JSON.stringify(lastState(join(OUT, 'full-sync.jsonl')), null, 2));

    const mutation = await fetch(`${sim.url}/__admin/mutate`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      // dated just before the tap's no-read margin (it never reads the last 10 s, where data may still settle)
      body: JSON.stringify({ newEvents: 120, updatedProfiles: 15, newProfiles: 5, tieEvents: 6, at: new Date(Date.now() - NOW_MARGIN / 1000 - 2000).toISOString() }),
    });
    if (!mutation.ok) throw new Error(`the simulator refused the mutation: ${mutation.status}`);
    process.stdout.write('new data arrived in the simulated account\n');

    const incremental = await runTapProcess(['--config', config, '--catalog', catalog, '--state', join(OUT, 'state.json')], join(OUT, 'incremental-sync.jsonl'));
    check('incremental sync', incremental);
    writeFileSync(join(OUT, 'state-2.json'), JSON.stringify(lastState(join(OUT, 'incremental-sync.jsonl')), null, 2));

    const first = syncSummary(full.stderr);
    const second = syncSummary(incremental.stderr);
    if (!first || !second) throw new Error('the tap printed no summary');
    const rows = Object.entries(first.streams).map(([name, s]) => {
      const again = second.streams[name];
      return [name, s.records, s.pages, s.seconds.toFixed(2), again?.records ?? 0, again?.pages ?? 0];
    });
    const header = ['stream', 'records', 'pages', 'seconds', '2nd run records', '2nd run pages'];
    const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i]).length)));
    const line = (cells: Array<string | number>): string => cells.map((c, i) => String(c).padEnd(widths[i] ?? 0)).join('  ');
    process.stdout.write(`\n${line(header)}\n${line(widths.map((w) => '-'.repeat(w)))}\n${rows.map(line).join('\n')}\n`);
    process.stdout.write(
      `\nfull sync: ${fullSeconds.toFixed(1)} s, ${first.requests} requests (${first.retries} retried); incremental: ${second.requests} requests\n` +
        `Singer output, catalog and state are in ${OUT}/\n`,
    );
  } finally {
    await sim.stop();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`demo: ${(err as Error).message}\n`);
  process.exitCode = 1;
});
