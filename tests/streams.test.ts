// Every stream of the registry against the nock-backed fake Klaviyo: multi-page sync, schema-valid records,
// correct requests, STATE advancing, incremental re-runs that ask only for newer data and re-send nothing,
// and ties across page and run boundaries.
import assert from 'node:assert/strict';
import nock from 'nock';
import { builtInStreams } from '../src/streams/registry.js';
import { isQueryStream } from './helpers/e2e.js';
import { readSchemaFile, newAjv } from '../src/tap/shared/json.js';
import { planReplication } from '../src/tap/engine/replication.js';
import { planProbes, readEndpoints } from '../src/tap/account/scopes.js';
import { API_KEY } from './helpers/fake-klaviyo.js';
import { Account, expectedKeys } from './helpers/fixtures.js';
import { BASE_CONFIG, catalogSelecting, runTap, type TapRun } from './helpers/run-tap.js';

const PAGE = 2;

/** A URL's path and parameters, however they were encoded. */
const normal = (u: URL): string => `${u.pathname}?${u.searchParams.toString()}`;

function keysOf(run: TapRun, stream: string, primaryKey: readonly string[]): string[] {
  return run.records(stream).map((r) => primaryKey.map((k) => String(r[k])).join('|'));
}

function assertNoSecret(run: TapRun): void {
  assert.ok(!run.stdout.includes(API_KEY), 'API key in stdout');
  assert.ok(!run.stderr.includes(API_KEY), 'API key in stderr');
  assert.ok(!JSON.stringify(run.states).includes(API_KEY), 'API key in state');
}

describe('streams (nock)', () => {
  before(() => nock.disableNetConnect());
  afterEach(() => nock.cleanAll());
  after(() => nock.enableNetConnect());

  // The Reporting API's POST streams: tests/unit/reports.test.ts (nock) and tests/reports-e2e.test.ts.
  for (const stream of builtInStreams().filter((s) => !isQueryStream(s))) {
    describe(stream.name, () => {
      const plan = planReplication(stream.replicationKey, stream.replicationApiField, stream.facts, stream.sortsByKey);
      const validate = newAjv().compile(readSchemaFile(`${stream.schemaName ?? stream.name}.json`));
      let account: Account;
      let catalog: unknown;
      // The fixtures date new parents in the past, which Klaviyo does not (a new flow is updated when created):
      // streams that read only changed parents re-read every parent here (tests/parents.test.ts covers that).
      const rereadAll = stream.parent?.changedField ? { full_reread_days: 0 } : {};
      const config = { ...BASE_CONFIG, streams: { [stream.name]: { page_size: PAGE, ...rereadAll } } };
      const checks = new Set(planProbes(stream.scopes, readEndpoints(builtInStreams())).map((p) => normal(new URL(p.url, 'https://a.klaviyo.com'))));

      beforeEach(async () => {
        account = new Account(12);
        const discovered = await runTap({ config: BASE_CONFIG, args: ['--discover'] });
        catalog = catalogSelecting(JSON.parse(discovered.stdout), [stream.name]);
        account.fake.install();
      });

      it('syncs every record over several pages, valid, once each, following next links verbatim', async () => {
        const run = await runTap({ config, catalog });
        assert.equal(run.code, 0, run.stderr);
        const keys = keysOf(run, stream.name, stream.primaryKey);
        const expected = expectedKeys(stream.name, account);
        assert.ok(expected.length > PAGE, 'fixture spans several pages');
        assert.deepEqual([...keys].sort(), [...expected].sort());
        assert.equal(new Set(keys).size, keys.length, 'no duplicates');
        for (const record of run.records(stream.name)) assert.ok(validate(record), JSON.stringify(validate.errors));
        assert.ok(account.fake.scope?.isDone());
        const pathPattern = new RegExp(`^${stream.path.replace('{id}', '[^/]+')}$`);
        // The scope check before the sync asks the stream's endpoint too, for a page of one (scopes.ts).
        const own = account.fake.requests.filter((u) => pathPattern.test(u.pathname) && !u.searchParams.has('page[cursor]') && !checks.has(normal(u)));
        assert.ok(own.length > 0, 'requested the endpoint');
        if (stream.facts.pageSize) for (const u of own) assert.equal(u.searchParams.get('page[size]'), String(PAGE));
        // every page after the first is exactly a next link we served
        const cursorRequests = account.fake.requests.filter((u) => u.searchParams.has('page[cursor]'));
        assert.ok(cursorRequests.length > 0, 'paged');
        for (const u of cursorRequests) {
          const first = account.fake.requests.find((f) => f.pathname === u.pathname && !f.searchParams.has('page[cursor]') && [...f.searchParams].every(([k, v]) => u.searchParams.get(k) === v));
          assert.ok(first, `next link ${u} carries the first request's parameters unchanged`);
        }
        for (const h of account.fake.headers) {
          assert.equal(h['authorization'], `Klaviyo-API-Key ${API_KEY}`);
          assert.equal(h['revision'], '2026-07-15');
          assert.equal(h['accept'], 'application/vnd.api+json');
        }
        assertNoSecret(run);
      });

      it('refuses a next link to another origin, sending nothing there', async () => {
        const evil = nock('https://evil.example.com').get(/.*/).reply(200, { data: [] });
        account.fake.rewriteNext = (next) => next.replace('https://a.klaviyo.com', 'https://evil.example.com');
        const run = await runTap({ config, catalog });
        assert.equal(run.code, 1);
        assert.match(run.stderr, new RegExp(`tap-klaviyo: stream ${stream.name}: refused to follow links.next to https://evil.example.com`));
        assert.equal(evil.isDone(), false, 'nothing was sent to the other origin');
        assertNoSecret(run);
      });

      if (!plan) {
        it('is FULL_TABLE: a second run sends everything again under a newer table version, activated at the end; no bookmark', async () => {
          const first = await runTap({ config, catalog });
          const second = await runTap({ config, catalog, state: first.lastState });
          assert.equal(second.records(stream.name).length, first.records(stream.name).length);
          const versions = [first, second].map((run) => (run.lastState as { bookmarks: Record<string, { active_version: number }> }).bookmarks);
          assert.deepEqual(versions.map((v) => Object.keys(v[stream.name] ?? {})), [['active_version'], ['active_version']]);
          const [older, newer] = versions.map((v) => v[stream.name]?.active_version ?? 0);
          assert.ok((newer ?? 0) > (older ?? 0), 'the second run has a newer version');
          assert.ok(second.messages.filter((m) => m['type'] === 'RECORD').every((m) => m['version'] === newer), 'every record carries it');
          const activations = second.messages.filter((m) => m['type'] === 'ACTIVATE_VERSION');
          assert.deepEqual(activations.map((m) => m['version']), [newer], 'activated once, after the records');
          assert.equal(second.messages.indexOf(activations[0] ?? {}) > second.messages.findLastIndex((m) => m['type'] === 'RECORD'), true);
        });
        return;
      }

      if (plan.lower === null) {
        it('bounds the replication key itself where the endpoint has no filter, and keeps a bookmark', async () => {
          const first = await runTap({ config, catalog });
          assert.equal(first.code, 0, first.stderr);
          assert.ok(account.fake.requests.every((u) => !(u.pathname.endsWith(stream.path.split('}')[1] ?? '') && u.searchParams.has('filter'))));
          assert.match(JSON.stringify(first.lastState), new RegExp(`"replication_key":"${stream.replicationKey}"`));
          const idle = await runTap({ config, catalog, state: first.lastState });
          assert.deepEqual(keysOf(idle, stream.name, stream.primaryKey), [], 'nothing re-sent');
          const before = new Set(keysOf(first, stream.name, stream.primaryKey));
          account.grow();
          const grown = await runTap({ config, catalog, state: idle.lastState });
          const added = expectedKeys(stream.name, account).filter((k) => !before.has(k));
          assert.ok(added.length > 0);
          assert.deepEqual([...keysOf(grown, stream.name, stream.primaryKey)].sort(), [...added].sort());
        });
        return;
      }

      it('filters and sorts on the replication key and advances STATE over pages', async () => {
        const run = await runTap({ config, catalog });
        const own = account.fake.requests.filter((u) => u.searchParams.get('filter')?.includes(plan.apiField));
        assert.ok(own.length > 0, `filters on ${plan.apiField}`);
        for (const u of own) {
          const filter = u.searchParams.get('filter') ?? '';
          assert.match(filter, plan.lower === 'greater-or-equal' ? /greater-or-equal\(/ : /greater-than\(/);
          if (plan.sorted) assert.equal(u.searchParams.get('sort'), plan.apiField);
          assert.doesNotMatch(filter, /'\d{4}-/, 'datetimes unquoted');
        }
        assert.ok(run.states.length >= 2, 'several STATE messages');
        const bookmark = JSON.stringify(run.lastState);
        assert.match(bookmark, new RegExp(`"replication_key":"${stream.replicationKey}"`));
        // STATE comes after the records it covers: no record after the last STATE
        const lastStateAt = run.messages.map((m) => m['type']).lastIndexOf('STATE');
        assert.ok(run.messages.slice(lastStateAt).every((m) => m['type'] !== 'RECORD'));
      });

      it('re-runs from its state: asks only for newer data, re-sends nothing, keeps ties across runs', async () => {
        const first = await runTap({ config, catalog });
        assert.equal(first.code, 0, first.stderr);
        const before = new Set(keysOf(first, stream.name, stream.primaryKey));
        account.fake.requests.length = 0;
        const idle = await runTap({ config, catalog, state: first.lastState });
        assert.equal(idle.code, 0, idle.stderr);
        assert.deepEqual(keysOf(idle, stream.name, stream.primaryKey), [], 'nothing re-sent');
        // only newer data is asked for: every lower bound is at (or, for greater-than, one second before) a bookmark
        const bookmarks = new Set([...JSON.stringify(first.lastState).matchAll(/"replication_key_value":"([^"]+)"/g)].map((m) => Date.parse(m[1] ?? '')));
        bookmarks.add(Date.parse(BASE_CONFIG.start_date)); // partitions that had no record yet (an empty list)
        const lowerBounds = account.fake.requests
          .map((u) => new RegExp(`greater-(?:or-equal|than)\\(${plan.apiField.replace(/\./g, '\\.')},([^)]+)\\)`).exec(u.searchParams.get('filter') ?? '')?.[1])
          .filter((b): b is string => b !== undefined);
        assert.ok(lowerBounds.length > 0, 'filtered from below');
        for (const bound of lowerBounds) {
          const t = Date.parse(bound) + (plan.lower === 'greater-than' ? 1000 : 0);
          assert.ok(bookmarks.has(t), `lower bound ${bound} is a bookmark (or start_date)`);
        }
        account.grow();
        const grown = await runTap({ config, catalog, state: idle.lastState });
        assert.equal(grown.code, 0, grown.stderr);
        const added = expectedKeys(stream.name, account).filter((k) => !before.has(k));
        assert.ok(added.length > 0);
        assert.deepEqual([...keysOf(grown, stream.name, stream.primaryKey)].sort(), [...added].sort());
        assertNoSecret(grown);
      });
    });
  }
});
