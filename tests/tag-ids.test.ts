// `tag_ids` on campaigns, flows, lists and segments: an opt-in field (not selected by default), read from
// `include=tags` only when selected, sorted; the built tap's records equal the simulator's ground truth.
import assert from 'node:assert/strict';
import { startSimulator, type Simulator } from '../src/simulator/server.js';
import { builtInStreams } from '../src/streams/registry.js';
import { discover } from '../src/tap/singer/catalog.js';
import type { Resource } from '../src/tap/http/json-api.js';
import type { Page } from '../src/tap/http/paginate.js';
import type { KlaviyoStream } from '../src/tap/engine/stream.js';
import type { StreamRuntime } from '../src/tap/engine/stream-types.js';
import { canonical, E2eWorkspace, SIM_KEY, truth } from './helpers/e2e.js';

const TAGGED = ['campaigns', 'flows', 'lists', 'segments'];
const streams = builtInStreams();
const stream = (name: string): KlaviyoStream => streams.find((s) => s.name === name) as KlaviyoStream;
const runtime = (selected: string[]): StreamRuntime => ({ client: null as never, config: null as never, selected: new Set(selected), memo: () => Promise.reject(new Error('offline')) });
const page: Page = { data: [], included: new Map(), next: null } as unknown as Page;

describe('tag_ids', () => {
  it('is on exactly the tagged streams, an available field not selected by default', () => {
    assert.deepEqual(streams.filter((s) => 'tag_ids' in s.relatedIdFields).map((s) => s.name).sort(), TAGGED);
    for (const entry of discover(streams).streams.filter((e) => TAGGED.includes(e.tap_stream_id))) {
      const field = entry.metadata.find((m) => m.breadcrumb[1] === 'tag_ids');
      assert.deepEqual(field?.metadata, { inclusion: 'available', 'selected-by-default': false }, entry.tap_stream_id);
      assert.deepEqual((entry.schema['properties'] as Record<string, unknown>)['tag_ids'], { type: ['array', 'null'], items: { type: 'string' }, description: 'Ids of the related tags, sorted' });
    }
  });

  it('asks for include=tags only when selected, and reads the sorted ids (null when no data came)', () => {
    for (const name of TAGGED) {
      const s = stream(name);
      assert.equal(s.params(runtime(['id', 'name']))['include'], undefined, name);
      assert.equal(s.params(runtime(['id', 'tag_ids']))['include'], 'tags', name);
    }
    const resource: Resource = { type: 'campaign', id: 'C1', attributes: { name: 'n' }, relationships: { tags: { data: [{ type: 'tag', id: 'b' }, { type: 'tag', id: 'a' }] } } };
    const partition = { context: { channel: 'sms' }, pathParams: {} };
    const [selected] = stream('campaigns').toRecords(resource, page, partition, runtime(['tag_ids']));
    assert.deepEqual(selected, { id: 'C1', name: 'n', tag_ids: ['a', 'b'], channel: 'sms' });
    const [unselected] = stream('campaigns').toRecords(resource, page, partition, runtime(['name']));
    assert.equal(unselected?.['tag_ids'], undefined);
    const [bare] = stream('lists').toRecords({ type: 'list', id: 'L1' }, page, { context: {}, pathParams: {} }, runtime(['tag_ids']));
    assert.equal(bare?.['tag_ids'], null);
  });

  describe('against the simulator', function () {
    this.timeout(60_000);
    let sim: Simulator;
    before(async () => {
      sim = await startSimulator({ seed: 5, scale: 'small', apiKey: SIM_KEY, rateLimits: false });
    });
    after(async () => sim.close());

    function catalog(withTags: boolean): unknown {
      const out = discover(streams);
      for (const entry of out.streams) {
        for (const m of entry.metadata) {
          if (m.breadcrumb.length === 0) m.metadata['selected'] = ['lists', 'flows'].includes(entry.tap_stream_id);
          if (m.breadcrumb[1] === 'tag_ids' && withTags) m.metadata['selected'] = true;
        }
      }
      return out;
    }

    it('by default sends no tag_ids; selected, every record equals the ground truth, some tagged', async () => {
      const ws = new E2eWorkspace(sim);
      const plain = await ws.run(undefined, catalog(false));
      assert.equal(plain.code, 0, plain.stderr.slice(-1000));
      const tagged = await ws.run(undefined, catalog(true));
      assert.equal(tagged.code, 0, tagged.stderr.slice(-1000));
      for (const name of ['lists', 'flows']) {
        const want = truth(sim, name);
        const without = want.map(({ tag_ids: _dropped, ...rest }) => rest);
        assert.deepEqual(canonical(plain.records.get(name) ?? [], name), canonical(without, name), `${name} without tag_ids`);
        assert.deepEqual(canonical(tagged.records.get(name) ?? [], name), canonical(want, name), `${name} with tag_ids`);
        assert.ok(want.some((r) => Array.isArray(r['tag_ids']) && r['tag_ids'].length > 1), `${name}: some record has several tags`);
      }
    });
  });
});
