// Catalog replication choices: `replication-method` / `replication-key` in a stream's metadata. Unit table of what
// is accepted and refused, then the built tap against the simulator: lists forced to FULL_TABLE read every record
// on every run (no bookmark), under a new table version activated at the end, where INCREMENTAL sends nothing new.
import assert from 'node:assert/strict';
import { startSimulator, type Simulator } from '../src/simulator/server.js';
import { builtInStreams } from '../src/streams/registry.js';
import { discover, selectionOf, type Catalog } from '../src/tap/singer/catalog.js';
import { ConfigError } from '../src/tap/shared/errors.js';
import { canonical, E2eWorkspace, SIM_KEY, truth, type E2eRun } from './helpers/e2e.js';
import { catalogOfStreams } from './helpers/tap-files.js';

/** A catalog selecting `streams`, with `choice` merged into the stream-level metadata of `stream`. */
function catalogWith(streams: readonly string[], stream: string, choice: Record<string, unknown>): Catalog {
  const catalog = catalogOfStreams(streams);
  const entry = catalog.streams.find((s) => s.tap_stream_id === stream);
  const top = entry?.metadata.find((m) => m.breadcrumb.length === 0);
  assert.ok(top, `${stream} in the catalog`);
  Object.assign(top.metadata, choice);
  return catalog;
}

function messages(run: E2eRun, type: string, stream: string): Array<{ version?: number }> {
  return run.lines.map((l) => JSON.parse(l) as { type: string; stream?: string; version?: number }).filter((m) => m.type === type && m.stream === stream);
}

describe('catalog replication choices', function () {
  this.timeout(60_000);

  describe('what a catalog may choose', () => {
    const cases: Array<[string, string, Record<string, unknown>, RegExp | 'INCREMENTAL' | 'FULL_TABLE']> = [
      ['default on a stream with a key', 'lists', {}, 'INCREMENTAL'],
      ['INCREMENTAL with its own key', 'events', { 'replication-method': 'INCREMENTAL', 'replication-key': 'datetime' }, 'INCREMENTAL'],
      ['FULL_TABLE on a stream with a key', 'lists', { 'replication-method': 'FULL_TABLE' }, 'FULL_TABLE'],
      ['FULL_TABLE with its key named', 'profiles', { 'replication-method': 'FULL_TABLE', 'replication-key': 'updated' }, 'FULL_TABLE'],
      ['FULL_TABLE on a stream without a key', 'metrics', { 'replication-method': 'FULL_TABLE' }, 'FULL_TABLE'],
      ['INCREMENTAL without a key', 'metrics', { 'replication-method': 'INCREMENTAL' }, /^--catalog: stream metrics: replication-method INCREMENTAL needs a replication key.*set replication-method to FULL_TABLE/],
      ['another replication key', 'lists', { 'replication-method': 'INCREMENTAL', 'replication-key': 'created' }, /^--catalog: stream lists: replication-key "created" is not supported.*only valid replication key is updated/],
      ['a key on a stream without one', 'tags', { 'replication-key': 'name' }, /stream tags: replication-key "name" is not supported.*remove replication-key/],
      ['not a method', 'lists', { 'replication-method': 'LOG_BASED' }, /stream lists: replication-method "LOG_BASED" is not a method; use one of INCREMENTAL, FULL_TABLE/],
    ];
    for (const [what, stream, choice, want] of cases) {
      it(`${what} (${stream}): ${want instanceof RegExp ? 'refused' : want}`, () => {
        const streams = builtInStreams();
        const select = (): unknown => selectionOf(catalogWith([stream], stream, choice), streams);
        if (want instanceof RegExp) {
          assert.throws(select, (err: unknown) => err instanceof ConfigError && want.test(err.message) && !err.message.includes('\n'));
          return;
        }
        select();
        assert.equal(streams.find((s) => s.name === stream)?.replicationMethod, want);
      });
    }

    it('an unselected stream may carry any choice', () => {
      const catalog = catalogWith(['metrics'], 'metrics', { 'replication-method': 'INCREMENTAL', selected: false });
      assert.equal(selectionOf(catalog, builtInStreams()).size, 0);
    });

    it('discovery: FULL_TABLE is forced only where there is no replication key', () => {
      for (const entry of discover(builtInStreams()).streams) {
        const top = entry.metadata.find((m) => m.breadcrumb.length === 0)?.metadata ?? {};
        assert.equal(top['forced-replication-method'], entry.replication_key ? undefined : 'FULL_TABLE', entry.tap_stream_id);
      }
    });
  });

  describe('the built tap: lists forced to FULL_TABLE (simulator seed 41)', () => {
    let sim: Simulator;
    let ws: E2eWorkspace;
    before(async () => {
      sim = await startSimulator({ seed: 41, scale: 'small', apiKey: SIM_KEY });
      ws = new E2eWorkspace(sim);
    });
    after(() => sim.close());

    it('every run reads every list under a new version, activated at the end, with no bookmark; INCREMENTAL reads none the second time', async () => {
      const forced = catalogWith(['lists', 'tags'], 'lists', { 'replication-method': 'FULL_TABLE' });
      const want = canonical(truth(sim, 'lists'), 'lists');
      assert.ok(want.size > 0);
      const incremental = await ws.run(undefined, catalogOfStreams(['lists']));
      assert.equal(incremental.code, 0, incremental.stderr);
      const again = await ws.run(incremental.state, catalogOfStreams(['lists']));
      assert.equal(again.records.get('lists')?.length ?? 0, 0, 'INCREMENTAL: nothing new the second run');
      let state: unknown = incremental.state;
      const versions: number[] = [];
      for (let n = 0; n < 2; n++) {
        const run = await ws.run(state, forced);
        assert.equal(run.code, 0, run.stderr);
        assert.deepEqual(canonical(run.records.get('lists') ?? [], 'lists'), want, `run ${n}: every list`);
        const recordVersions = new Set(messages(run, 'RECORD', 'lists').map((m) => m.version));
        const activated = messages(run, 'ACTIVATE_VERSION', 'lists').map((m) => m.version);
        assert.equal(recordVersions.size, 1);
        assert.deepEqual(activated.slice(-1), [...recordVersions], `run ${n}: ends with ACTIVATE_VERSION of its records' version`);
        versions.push(activated.at(-1) ?? 0);
        const schema = run.lines.map((l) => JSON.parse(l) as { type: string; stream?: string; bookmark_properties?: unknown }).find((m) => m.type === 'SCHEMA' && m.stream === 'lists');
        assert.equal(schema?.bookmark_properties, undefined, 'no bookmark_properties');
        const entry = (run.state as { bookmarks: Record<string, Record<string, unknown>> }).bookmarks['lists'] ?? {};
        assert.deepEqual(Object.keys(entry), ['active_version'], `run ${n}: no bookmark for lists, only its version`);
        state = run.state;
      }
      assert.ok((versions[1] ?? 0) > (versions[0] ?? 0), 'a new version each run');
    });
  });
});
