// Scenario 8b, a key with fewer scopes (issue 26): before any stream starts, the tap finds every selected stream
// whose scopes the key lacks and names them all in one message, with both fixes; missing_scopes "skip" leaves
// them out (one warning each) and syncs the rest completely; --test says the same; a key with every scope gets
// no false alarm; a scope removed while the run is under way still stops it with exit 3 naming the stream.
// Keys are added to the simulator with only some scopes (POST /__admin/keys).
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { ENDPOINTS } from '../../src/generated/endpoints.js';
import { REPORTS } from '../../src/generated/reports.js';
import { startSimulator, type Simulator } from '../../src/simulator/server.js';
import { builtInStreams } from '../../src/streams/registry.js';
import { run as runTap } from '../../src/tap/cli/cli.js';
import { setLogSink } from '../../src/tap/shared/log.js';
import { toMicros } from '../../src/tap/shared/time.js';
import { assertWarnings } from '../helpers/account-truth.js';
import { E2eWorkspace, parseOutput, SIM_KEY, truth } from '../helpers/e2e.js';
import { assertComplete, assertNoSecret, catalogOf, lastLine, runWithArgs, sumTallies, tally, tapConfig } from '../helpers/reliability.js';
import { report } from './report.js';

const ALL_SCOPES = [...new Set(Object.values(ENDPOINTS).flatMap((e) => e.scopes))].sort();
const STREAMS = builtInStreams();
/** Every scope a stream of the tap needs: what a check of the default catalog asks for, one request each. */
const STREAM_SCOPES = [...new Set(STREAMS.flatMap((s) => s.scopes))].sort();
/** The key of the issue: read-only, five scopes. */
const ISSUE_SCOPES = ['events:read', 'metrics:read', 'profiles:read', 'lists:read', 'campaigns:read'];

let keys = 0;
function keyWith(sim: Simulator, scopes: readonly string[]): string {
  const key = `pk_scopes_${++keys}_0001`;
  sim.addKey(key, [...scopes]);
  return key;
}
const keyWithout = (sim: Simulator, missing: readonly string[]): string => keyWith(sim, ALL_SCOPES.filter((s) => !missing.includes(s)));

/** The streams a "cannot read" line lists (grouped by the scopes they lack) before the fixes, sorted. */
function named(line: string): string[] {
  const listed = /selected streams: (.*?)\. Add /.exec(line)?.[1] ?? '';
  return listed.split('; ').flatMap((group) => (/^(.*) lacks? /.exec(group)?.[1] ?? '').split(', ')).filter(Boolean).sort();
}

describe('reliability: a key with fewer scopes', function () {
  this.timeout(240_000);
  let sim: Simulator;
  let start: string;

  before(async () => {
    sim = await startSimulator({ seed: 82, scale: 'small', apiKey: SIM_KEY, rateLimits: false });
    const events = truth(sim, 'events');
    start = String(events[events.length - 150]?.['datetime']);
  });
  after(async () => sim.close());
  beforeEach(() => sim.resetStats());

  it("the issue's key, every stream selected: exit 3 before anything is written, one line naming every stream it cannot read", async () => {
    const key = keyWith(sim, ISSUE_SCOPES);
    const ws = new E2eWorkspace(sim, { api_key: key, start_date: start });
    const run = await runWithArgs(ws, []);
    assertNoSecret(run, key);
    assert.equal(run.code, 3, run.stderr.slice(-2000));
    assert.equal(run.stdout, '', 'nothing on stdout');
    const line = lastLine(run.stderr);
    const lacking = STREAMS.filter((s) => s.scopes.some((scope) => !ISSUE_SCOPES.includes(scope))).map((s) => s.name);
    assert.deepEqual(named(line), [...lacking].sort(), line);
    assert.ok(lacking.includes('segments') && lacking.includes('flows') && lacking.includes('coupon_codes'));
    const add = STREAM_SCOPES.filter((s) => !ISSUE_SCOPES.includes(s));
    assert.ok(line.includes(`Add ${add.join(', ')} to the key`), line);
    assert.ok(line.includes(`or deselect ${lacking.join(', ')}, or set missing_scopes to "skip"`), line);
    // The check: one request per scope, each on its own endpoint, none a Reporting API query, nothing else.
    const stats = sim.stats();
    assert.equal(stats.total, STREAM_SCOPES.length);
    assert.ok(Object.values(stats.requests).every((n) => n === 1), JSON.stringify(stats.requests));
    const reportOps = new Set(Object.values(REPORTS).map((r) => r.operationId));
    assert.ok(Object.keys(stats.requests).every((op) => !reportOps.has(op) && op !== 'query_metric_aggregates'));
    assert.deepEqual(stats.statuses, { '200': ISSUE_SCOPES.length, '403': STREAM_SCOPES.length - ISSUE_SCOPES.length });
  });

  it('a scope only a child stream needs: the child is named, its parent is not; with "skip" the parent syncs', async () => {
    const key = keyWithout(sim, ['coupon-codes:read']);
    const ws = new E2eWorkspace(sim, { api_key: key, start_date: start });
    const catalog = catalogOf(['coupons', 'coupon_codes']);
    const failed = await ws.run(undefined, catalog);
    assert.equal(failed.code, 3, failed.stderr.slice(-2000));
    assert.deepEqual(failed.lines, []);
    assert.match(lastLine(failed.stderr), /^tap-klaviyo: the API key cannot read 1 of the 2 selected streams: coupon_codes lacks coupon-codes:read\. Add coupon-codes:read to the key .*or deselect coupon_codes, or set/);

    const skipping = new E2eWorkspace(sim, { api_key: key, start_date: start, missing_scopes: 'skip' });
    const run = await skipping.run(undefined, catalog);
    assertNoSecret(run, key);
    assert.equal(run.code, 0, run.stderr.slice(-2000));
    assertWarnings(run.stderr, [/^WARN stream coupon_codes: skipped \(missing_scopes "skip"\): the API key lacks coupon-codes:read \(it needs coupon-codes:read, coupons:read\); add coupon-codes:read to the key or deselect coupon_codes$/]);
    assert.equal(run.records.get('coupon_codes'), undefined);
    assertComplete(tally('coupons', truth(sim, 'coupons'), run.records.get('coupons') ?? []), 'coupons');
  });

  describe('several scopes missing', () => {
    const missing = ['segments:read', 'flows:read', 'coupon-codes:read'];
    const streams = ['events', 'lists', 'segments', 'segment_members', 'flows', 'flow_actions', 'coupons', 'coupon_codes'];
    const lacking = ['segments', 'segment_members', 'flows', 'flow_actions', 'coupon_codes'];

    it('"fail" (the default): one message names every stream and scope, exit 3, nothing written', async () => {
      const key = keyWithout(sim, missing);
      const run = await new E2eWorkspace(sim, { api_key: key, start_date: start }).run(undefined, catalogOf(streams));
      assert.equal(run.code, 3);
      assert.deepEqual(run.lines, []);
      const line = lastLine(run.stderr);
      assert.equal(run.stderr.split('\n').filter((l) => l.startsWith('tap-klaviyo:')).length, 1, 'one message');
      assert.match(line, /cannot read 5 of the 8 selected streams: segments, segment_members lack segments:read; flows, flow_actions lack flows:read; coupon_codes lacks coupon-codes:read\. Add coupon-codes:read, flows:read, segments:read to the key/);
      assert.deepEqual(named(line), [...lacking].sort());
    });

    it('"skip": one warning per stream left out, the others synced completely, exit 0; nothing asked of the skipped', async () => {
      const key = keyWithout(sim, missing);
      const run = await new E2eWorkspace(sim, { api_key: key, start_date: start, missing_scopes: 'skip' }).run(undefined, catalogOf(streams));
      assertNoSecret(run, key);
      assert.equal(run.code, 0, run.stderr.slice(-2000));
      const skipped = run.stderr.split('\n').filter((l) => / skipped \(missing_scopes "skip"\)/.test(l));
      assert.deepEqual(skipped.map((l) => /^WARN stream (\w+):/.exec(l)?.[1]), lacking);
      for (const name of lacking) assert.equal(run.records.get(name), undefined, name);
      const from = toMicros(start) ?? 0;
      const since = (field: string) => (r: Record<string, unknown>) => (toMicros(String(r[field])) ?? 0) >= from;
      const tallies = [
        tally('events', truth(sim, 'events').filter(since('datetime')), run.records.get('events') ?? []),
        tally('lists', truth(sim, 'lists').filter(since('updated')), run.records.get('lists') ?? []),
        tally('coupons', truth(sim, 'coupons'), run.records.get('coupons') ?? []),
      ];
      const sum = sumTallies(tallies);
      report({ scenario: '8b. scopes: missing_scopes "skip", the readable streams', runs: 1, expected: sum.expected, lost: sum.lost, duplicates: sum.duplicates });
      tallies.forEach((t, i) => assertComplete(t, ['events', 'lists', 'coupons'][i] ?? ''));
      // The skipped streams' endpoints: the check's one request where it asked there, none from a stream.
      const requests = sim.stats().requests;
      const asked = (path: string): number => requests[ENDPOINTS[path]?.operationId ?? path] ?? 0;
      assert.deepEqual(['/api/segments', '/api/segments/{id}/profiles', '/api/flows', '/api/flows/{id}/flow-actions', '/api/coupon-codes'].map(asked), [1, 0, 1, 0, 1]);
    });

    it('--test with that catalog: exit 1, one line naming them; --test honours --catalog', async () => {
      const key = keyWithout(sim, missing);
      const ws = new E2eWorkspace(sim, { api_key: key });
      const run = await runWithArgs(ws, ['--test', '--catalog', ws.write('catalog.json', catalogOf(streams))]);
      assert.equal(run.code, 1);
      assert.equal(run.lines.length, 1, run.stdout);
      assert.match(run.lines[0] ?? '', /^failed: the API key cannot read 5 of the 8 selected streams: /);
      assert.deepEqual(named(run.lines[0] ?? ''), [...lacking].sort());
      const readable = await runWithArgs(ws, ['--test', '--catalog', ws.write('readable.json', catalogOf(['events', 'lists', 'coupons']))]);
      assert.equal(readable.code, 0, readable.stdout);
      assert.match(readable.lines[0] ?? '', /^ok: the API key works and has every scope of the selected streams: coupons:read, events:read, lists:read \(3 streams, 3 requests, /);
    });
  });

  it('a key with every scope: no false alarm; --test checks every stream with one request per scope', async () => {
    const ws = new E2eWorkspace(sim, { start_date: start });
    const test = await runWithArgs(ws, ['--test']);
    assert.equal(test.code, 0, test.stdout);
    assert.equal(test.lines[0], `ok: the API key works and has every scope of the selected streams: ${STREAM_SCOPES.join(', ')} (${STREAMS.length} streams, ${STREAM_SCOPES.length} requests, revision 2026-07-15)`);
    assert.deepEqual(sim.stats().statuses, { '200': STREAM_SCOPES.length });
    const run = await ws.run(undefined, catalogOf(['events', 'profiles', 'list_members', 'coupon_codes', 'push_tokens', 'accounts']));
    assert.equal(run.code, 0, run.stderr.slice(-2000));
    assert.doesNotMatch(run.stderr, /skipped|cannot read/);
    assertWarnings(run.stderr, []);
    assert.match(run.stderr, /INFO API key scopes checked \{"scopes":7,"requests":7,"streams_lacking":\[\]\}/);
  });

  it('a scope removed while the run is under way: the stream that meets the 403 stops the run, exit 3, naming it', async () => {
    const key = keyWith(sim, ALL_SCOPES);
    const ws = new E2eWorkspace(sim, { api_key: key, start_date: start, max_requests_in_flight: 1, streams: { events: { page_size: 10 } } });
    let stdout = '';
    let stderr = '';
    let revoked = false;
    // Revoked once the first events record is out: at most one request is in flight then, and 14 pages remain.
    const out = new Writable({
      write(chunk: Buffer, _encoding, done) {
        stdout += chunk.toString();
        if (!revoked && stdout.includes('"type":"RECORD","stream":"events"')) {
          revoked = true;
          sim.addKey(key, ALL_SCOPES.filter((s) => s !== 'events:read'));
        }
        done();
      },
    });
    const args = ['--config', ws.write('midway-config.json', tapConfig(ws)), '--catalog', ws.write('midway-catalog.json', catalogOf(['events']))];
    setLogSink((text) => (stderr += text));
    let code: number;
    try {
      code = await runTap(args, {}, out, { write: (text: string) => (stderr += text) });
    } finally {
      setLogSink((text) => process.stderr.write(text));
    }
    assert.ok(revoked, 'the key lost events:read during the run');
    assert.equal(code, 3, stderr.slice(-2000));
    assert.match(lastLine(stderr), /^tap-klaviyo: stream events: GET \/api\/events was refused: 403 permission_denied: .*events:read.*; the key needs the scopes events:read: add them to the key or deselect events \(tap-klaviyo --test names every selected stream the key cannot read\)$/);
    const sent = parseOutput(stdout).records.get('events') ?? [];
    const expected = truth(sim, 'events').filter((r) => (toMicros(String(r['datetime'])) ?? 0) >= (toMicros(start) ?? 0));
    assert.ok(sent.length > 0 && sent.length < expected.length, `${sent.length} of ${expected.length} written before the refusal`);
    assert.equal(tally('events', expected, sent).duplicates, 0);
  });
});
