// --plan against the simulator: a table on stdout and nothing else (no Singer message, no state), a few
// requests per stream, and estimates within 2x of the pages the sync then makes.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runTapProcess, syncSummary } from '../scripts/lib/processes.js';
import { startSimulator, type Simulator } from '../src/simulator/server.js';
import { E2eWorkspace, fullCatalog, SIM_KEY, STREAMS } from './helpers/e2e.js';
import { catalogOfStreams } from './helpers/tap-files.js';
import { CHILD_ENV } from './helpers/child-env.js';

interface Row {
  partitions: number;
  requests: number;
  floor: boolean;
}

function parseTable(text: string): Map<string, Row> {
  const rows = new Map<string, Row>();
  for (const line of text.trim().split('\n').slice(2)) {
    const [stream, partitions, requests] = line.split(/\s{2,}/);
    if (!stream || requests === undefined) continue;
    rows.set(stream, { partitions: Number(partitions), requests: Number(requests.replace('>=', '')), floor: requests.startsWith('>=') });
  }
  return rows;
}

describe('--plan (simulator)', function () {
  this.timeout(240_000);
  let sim: Simulator;

  before(async () => {
    sim = await startSimulator({ seed: 9, scale: 'small', apiKey: SIM_KEY, rateLimitSpeedup: 8 });
  });
  after(async () => sim.close());

  it('prints only a table, writes no state, and estimates within 2x of the pages a sync makes', async () => {
    const ws = new E2eWorkspace(sim);
    const config = ws.write('plan-config.json', { api_key: SIM_KEY, base_url: sim.url, start_date: '2020-01-01T00:00:00Z', lookback_days: 0 });
    const catalog = ws.write('plan-catalog.json', fullCatalog());
    sim.resetStats();
    const out = join(ws.dir, 'plan.txt');
    const planned = await runTapProcess(['--config', config, '--catalog', catalog, '--plan'], out, CHILD_ENV);
    assert.equal(planned.code, 0, planned.stderr.slice(-2000));
    const text = readFileSync(out, 'utf8');
    assert.match(text.split('\n')[0] ?? '', /^stream\s+partitions\s+requests\s+tier/);
    for (const line of text.split('\n')) assert.ok(!line.startsWith('{'), `not a Singer message: ${line}`);
    assert.ok(!text.includes(SIM_KEY) && !planned.stderr.includes(SIM_KEY), 'the key never shows');
    const table = parseTable(text);
    const streams = STREAMS;
    assert.deepEqual([...table.keys()].sort(), [...streams.map((s) => s.name), 'total'].sort());
    const planRequests = sim.stats().total;
    assert.ok(planRequests <= 6 * streams.length, `a handful of requests per stream (${planRequests})`);

    const sync = await ws.run(undefined, fullCatalog());
    assert.equal(sync.code, 0, sync.stderr.slice(-2000));
    const pages = syncSummary(sync.stderr)?.streams ?? {};
    const report: string[] = [];
    for (const s of streams) {
      const est = table.get(s.name);
      const actual = pages[s.name]?.pages ?? 0;
      if (!est) continue;
      report.push(`${s.name}: estimated ${est.floor ? '>=' : ''}${est.requests}, synced ${actual} pages`);
      if (s.parent) continue; // its estimate also counts the parent listings
      if (est.floor) assert.ok(est.requests <= actual, report.at(-1));
      else assert.ok(est.requests <= 2 * actual && actual <= 2 * est.requests, report.at(-1));
    }
    console.log(report.join('\n'));
    const events = table.get('events');
    assert.ok(events && events.requests >= 2, 'events span several pages at this scale');
  });

  it('estimates a due full refresh from the start, and an incremental run from the bookmarks', async () => {
    const ws = new E2eWorkspace(sim);
    const stream = 'global_exclusions';
    const config = ws.write('refresh-config.json', { api_key: SIM_KEY, base_url: sim.url, start_date: '2020-01-01T00:00:00Z', streams: { [stream]: { page_size: 2 } } });
    const catalog = ws.write('refresh-catalog.json', catalogOfStreams([stream]));
    const synced = await ws.run(undefined, catalogOfStreams([stream]));
    assert.equal(synced.code, 0, synced.stderr.slice(-2000));
    const requests = async (name: string, state: unknown): Promise<number> => {
      const out = join(ws.dir, `${name}.txt`);
      const planned = await runTapProcess(['--config', config, '--catalog', catalog, '--state', ws.write(`${name}.json`, state), '--plan'], out, CHILD_ENV);
      assert.equal(planned.code, 0, planned.stderr.slice(-2000));
      return parseTable(readFileSync(out, 'utf8')).get(stream)?.requests ?? -1;
    };
    const state = synced.state as { bookmarks: Record<string, { active_version: number }> };
    const incremental = await requests('fresh', state);
    const aged = structuredClone(state);
    if (aged.bookmarks[stream]) aged.bookmarks[stream].active_version -= 8 * 86_400_000;
    const refresh = await requests('aged', aged);
    assert.ok(refresh > incremental, `a due refresh reads every suppression again (${refresh} requests, incremental ${incremental})`);
  });
});
