// Scenario 8, permissions: a bad key (401) and keys lacking a scope (403, keys added with only some scopes).
// A sync whose catalog selects a stream the key cannot read stops before anything is written (the scope check,
// src/tap/account/scopes.ts) with one clear line naming that stream and the missing scope, exit 3; a catalog the key can
// read syncs fully; `--test` checks the selected streams' scopes the same way and says what is missing on its one
// line. The key never shows in the output. More of the check (several scopes, child streams, missing_scopes
// "skip", a scope removed during the run): reliability/scopes.test.ts.
import assert from 'node:assert/strict';
import { startSimulator, type Simulator } from '../../src/simulator/server.js';
import { ENDPOINTS } from '../../src/generated/endpoints.js';
import { toMicros } from '../../src/tap/shared/time.js';
import { E2eWorkspace, SIM_KEY, truth } from '../helpers/e2e.js';
import { assertComplete, assertNoSecret, catalogOf, lastLine, runWithArgs, tally } from '../helpers/reliability.js';
import { report } from './report.js';

const ALL_SCOPES = [...new Set(Object.values(ENDPOINTS).flatMap((e) => e.scopes))].sort();
const BAD_KEY = 'pk_not_a_key_of_this_account_0001';

/** A key (added to the simulator) with every scope but `missing`. */
function keyWithout(sim: Simulator, missing: string): string {
  const key = `pk_without_${missing.replace(/\W/g, '_')}_0001`;
  assert.ok(ALL_SCOPES.includes(missing), `${missing} is a scope`);
  sim.addKey(key, ALL_SCOPES.filter((s) => s !== missing));
  return key;
}

interface Refusal {
  streams: string[];
  missing: string;
  /** The stream the message must name. */
  named: string;
}

const REFUSALS: Refusal[] = [
  { streams: ['events', 'profiles'], missing: 'profiles:read', named: 'profiles' },
  { streams: ['events'], missing: 'events:read', named: 'events' },
  { streams: ['campaigns', 'lists'], missing: 'campaigns:read', named: 'campaigns' },
  { streams: ['open'], missing: 'metrics:read', named: 'open' },
  { streams: ['list_members'], missing: 'lists:read', named: 'list_members' },
  { streams: ['lists', 'segment_members'], missing: 'profiles:read', named: 'segment_members' },
];

describe('reliability: permissions', function () {
  let sim: Simulator;
  let start: string;

  before(async () => {
    sim = await startSimulator({ seed: 81, scale: 'small', apiKey: SIM_KEY, rateLimits: false, refuseFutureBounds: true });
    const base = truth(sim, 'events');
    start = String(base[base.length - 150]?.['datetime']);
  });
  after(async () => sim.close());

  it('401: a key the account does not know stops the sync with exit 3 and a line saying so', async () => {
    const ws = new E2eWorkspace(sim, { api_key: BAD_KEY, start_date: start });
    const run = await ws.run(undefined, catalogOf(['events', 'profiles']));
    assertNoSecret(run, BAD_KEY);
    assert.equal(run.code, 3, run.stderr.slice(-2000));
    assert.match(lastLine(run.stderr), /^tap-klaviyo: .*refused: 401\b.*(invalid|incorrect)/i);
    assert.equal(run.records.size, 0);
  });

  it('401: the line says how to fix it (api_key / TAP_KLAVIYO_API_KEY)', async () => {
    const ws = new E2eWorkspace(sim, { api_key: BAD_KEY, start_date: start });
    const run = await ws.run(undefined, catalogOf(['events']));
    assertNoSecret(run, BAD_KEY);
    assert.equal(run.code, 3);
    assert.match(lastLine(run.stderr), /api_key|TAP_KLAVIYO_API_KEY/);
  });

  for (const refusal of REFUSALS) {
    it(`403: a catalog selecting ${refusal.streams.join(' + ')} with a key lacking ${refusal.missing} names ${refusal.named} and ${refusal.missing}`, async () => {
      const key = keyWithout(sim, refusal.missing);
      const ws = new E2eWorkspace(sim, { api_key: key, start_date: start });
      const run = await ws.run(undefined, catalogOf(refusal.streams));
      assertNoSecret(run, key);
      assert.equal(run.code, 3, run.stderr.slice(-2000));
      assert.deepEqual(run.lines, [], 'nothing written: the check comes before any stream starts');
      const line = lastLine(run.stderr);
      assert.match(line, new RegExp(`^tap-klaviyo: the API key cannot read 1 of the ${refusal.streams.length} selected streams: ${refusal.named} lacks ${refusal.missing}\\. `), line);
      assert.match(line, new RegExp(`Add ${refusal.missing} to the key .*or deselect ${refusal.named}, or set missing_scopes to "skip"`), line);
    });
  }

  it('a restricted key syncs the streams it can read, completely', async () => {
    const key = keyWithout(sim, 'profiles:read');
    const ws = new E2eWorkspace(sim, { api_key: key, start_date: start });
    const run = await ws.run(undefined, catalogOf(['events', 'lists']));
    assertNoSecret(run, key);
    assert.equal(run.code, 0, run.stderr.slice(-2000));
    const from = toMicros(start) ?? 0;
    const events = tally('events', truth(sim, 'events').filter((r) => (toMicros(String(r['datetime'])) ?? 0) >= from), run.records.get('events') ?? []);
    const lists = tally('lists', truth(sim, 'lists').filter((r) => (toMicros(String(r['updated'])) ?? 0) >= from), run.records.get('lists') ?? []);
    report({
      scenario: '8. permissions: restricted key, readable catalog',
      runs: 1,
      expected: events.expected + lists.expected,
      lost: events.lost + lists.lost,
      duplicates: events.duplicates + lists.duplicates,
    });
    assertComplete(events, 'events');
    assertComplete(lists, 'lists');
  });

  const onlyMetrics = (s: Simulator): string => (s.addKey('pk_only_metrics_read_0001', ['metrics:read']), 'pk_only_metrics_read_0001');
  // The catalog --test checks: none (every stream, as Meltano selects by default), or only these streams.
  const TEST_CASES: Array<[string, (sim: Simulator) => string, string[] | null, number, RegExp]> = [
    ['a key without metrics:read', (s) => keyWithout(s, 'metrics:read'), null, 1, /^failed: the API key cannot read \d+ of the \d+ selected streams: receive, .*\bmetrics, .* lack metrics:read\. Add metrics:read to the key/],
    ['a key with only metrics:read, a catalog of metrics', onlyMetrics, ['metrics'], 0, /^ok: the API key works and has every scope of the selected streams: metrics:read \(1 stream, 1 request, /],
    ['a key with only metrics:read, every stream', onlyMetrics, null, 1, /^failed: the API key cannot read \d+ of the \d+ selected streams: events, receive, open, .* lack events:read; /],
    ['an unknown key', () => BAD_KEY, null, 1, /^failed: the API key was refused \(it is missing or invalid\): .*401/],
  ];
  for (const [what, makeKey, streams, code, line] of TEST_CASES) {
    it(`--test with ${what}: exit ${code}, one line`, async () => {
      const key = makeKey(sim);
      const ws = new E2eWorkspace(sim, { api_key: key });
      const catalog = streams ? ['--catalog', ws.write('test-catalog.json', catalogOf(streams))] : [];
      const run = await runWithArgs(ws, ['--test', ...catalog]);
      assertNoSecret(run, key);
      assert.equal(run.code, code, run.stderr.slice(-2000));
      assert.equal(run.lines.length, 1, run.stdout);
      assert.match(run.lines[0] ?? '', line);
    });
  }
});
