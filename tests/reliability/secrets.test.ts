// Scenario 10, secrets. Every run of the other scenarios already asserts that the API key is nowhere in stdout,
// stderr or state (assertNoSecret). Here: a `links.next` pointing at another origin (the simulator's `nextOrigin`
// knob; a listening trap server stands at that origin) is refused before anything is sent there, so the key
// never travels; and a run with the key from the environment, debug logging and a fault mix (so retries,
// error bodies and URLs get logged) still shows the key nowhere, and delivers everything.
import assert from 'node:assert/strict';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startSimulator, type Simulator } from '../../src/simulator/server.js';
import { toMicros } from '../../src/tap/shared/time.js';
import { E2eWorkspace, SIM_KEY, truth } from '../helpers/e2e.js';
import { assertComplete, assertNoSecret, catalogOf, lastLine, runWithArgs, sumTallies, tally } from '../helpers/reliability.js';
import { report } from './report.js';

/** A server that records every request it gets (it should get none). */
async function startTrap(): Promise<{ origin: string; requests: IncomingHttpHeaders[]; close: () => Promise<void> }> {
  const requests: IncomingHttpHeaders[] = [];
  const server: Server = createServer((req, res) => {
    requests.push(req.headers);
    res.writeHead(200, { 'content-type': 'application/vnd.api+json' }).end('{"data":[],"links":{}}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    requests,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

describe('reliability: secrets', function () {
  let sim: Simulator;
  let start: string;

  before(async () => {
    sim = await startSimulator({ seed: 101, scale: 'small', apiKey: SIM_KEY, rateLimits: false, refuseFutureBounds: true });
    const base = truth(sim, 'events');
    start = String(base[base.length - 150]?.['datetime']);
  });
  after(async () => sim.close());

  it('a links.next to another origin is refused without sending the key there', async () => {
    const trap = await startTrap();
    try {
      sim.configure({ nextOrigin: trap.origin });
      const ws = new E2eWorkspace(sim, { start_date: start, streams: { events: { page_size: 5 } } });
      sim.resetStats();
      const run = await ws.run(undefined, catalogOf(['events']));
      assertNoSecret(run);
      assert.deepEqual(trap.requests, [], 'a request reached the other origin');
      assert.equal(run.code, 1, run.stderr.slice(-2000));
      const line = lastLine(run.stderr);
      assert.match(line, /^tap-klaviyo: stream events: refused to follow links\.next to http:\/\/127\.0\.0\.1:\d+/, line);
      assert.ok(line.includes(trap.origin), line);
      // Only first pages were fetched (one per window): nothing followed a next link.
      const stats = sim.stats();
      assert.ok(stats.total >= 1 && (run.records.get('events') ?? []).length <= 5 * stats.total);
      report({ scenario: '10. secrets: foreign links.next refused', runs: 1, expected: 0, lost: 0, duplicates: 0, note: `${trap.requests.length} requests reached the foreign origin` });
    } finally {
      sim.configure({ nextOrigin: '' });
      await trap.close();
    }
  });

  it('the key from the environment, debug logging and a fault mix: the key shows nowhere, nothing is lost', async () => {
    const key = 'pk_env_only_secret_key_9f3c2a';
    sim.addKey(key, ['events:read', 'metrics:read', 'profiles:read']);
    sim.configure({ errorRate: 0.1, htmlRate: 0.1, truncateRate: 0.1, resetRate: 0.05 });
    try {
      const ws = new E2eWorkspace(sim, { start_date: start, streams: { events: { page_size: 10 } } });
      const catalog = ws.write('secrets-catalog.json', catalogOf(['events', 'open', 'profiles']));
      const run = await runWithArgs(ws, ['--catalog', catalog], { api_key: undefined, log_level: 'debug' }, { TAP_KLAVIYO_API_KEY: key });
      assertNoSecret(run, key);
      assert.equal(run.code, 0, run.stderr.slice(-2000));
      assert.match(run.stderr, /retrying GET \/api\//, 'faults were retried (and logged)');
      const from = toMicros(start) ?? 0;
      const t = ['events', 'open'].map((s) => tally(s, truth(sim, s).filter((r) => (toMicros(String(r['datetime'])) ?? 0) >= from), run.records.get(s) ?? []));
      const profiles = tally('profiles', truth(sim, 'profiles').filter((r) => (toMicros(String(r['updated'])) ?? 0) >= from), run.records.get('profiles') ?? []);
      const all = [...t, profiles];
      const sum = sumTallies(all);
      report({ scenario: '10. secrets: key from env, debug log, faults', runs: 1, expected: sum.expected, lost: sum.lost, duplicates: sum.duplicates });
      for (const x of all) assertComplete(x, 'records');
    } finally {
      sim.configure({ errorRate: 0, htmlRate: 0, truncateRate: 0, resetRate: 0 });
    }
  });
});
