// The same world in another response layout (the simulator's `layout` knob: members shuffled, pretty-printed,
// escaped strings, other datetime forms, added attributes and relationships, null relationship data, other links):
// a full sync of every stream, every field selected, gives the same records as in the simulator's own layout. The
// one difference is meant: what a newer revision adds is kept in `_overflow`.
import assert from 'node:assert/strict';
import { ADDED_ATTRIBUTE, ADDED_RELATIONSHIP } from '../src/simulator/api/layout.js';
import { startSimulator, type Simulator } from '../src/simulator/server.js';
import { builtInStreams } from '../src/streams/registry.js';
import { discover } from '../src/tap/singer/catalog.js';
import { relationshipField } from '../src/tap/engine/records.js';
import { E2eWorkspace, keyOf, SIM_KEY, type E2eRun, type Row } from './helpers/e2e.js';

const ADDED = [ADDED_ATTRIBUTE, relationshipField(ADDED_RELATIONSHIP)];

/** Every built-in stream, every field selected. */
function everything(): unknown {
  const catalog = discover(builtInStreams());
  for (const s of catalog.streams) for (const m of s.metadata) m.metadata['selected'] = true;
  return catalog;
}

/** JSON with every object's keys sorted (member order is the layout's, not the data's). */
function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(Object.keys(value).sort().map((k) => [k, canonical((value as Record<string, unknown>)[k])]));
}

/** The record without what a newer revision added (counted in `added`): `_overflow` left as it would be without them. */
function withoutAdded(row: Row, added: { count: number }): Row {
  const overflow = row['_overflow'];
  if (typeof overflow !== 'object' || overflow === null) return row;
  const rest = Object.fromEntries(Object.entries(overflow).filter(([k]) => !ADDED.includes(k)));
  if (Object.keys(rest).length < Object.keys(overflow).length) added.count++;
  const { _overflow: _dropped, ...others } = row;
  return Object.keys(rest).length === 0 ? others : { ...others, _overflow: rest };
}

/** Records by stream and key, canonical. */
function byKey(run: E2eRun, added: { count: number }): Map<string, Map<string, string>> {
  const out = new Map<string, Map<string, string>>();
  for (const [stream, rows] of run.records) {
    const key = keyOf(stream);
    const records = new Map<string, string>();
    for (const row of rows) records.set(key(row), JSON.stringify(canonical(withoutAdded(row, added))));
    assert.equal(records.size, rows.length, `${stream}: a record was sent twice`);
    out.set(stream, records);
  }
  return out;
}

describe('response layouts: the same records in any layout', function () {
  this.timeout(600_000);
  let sim: Simulator;

  before(async () => {
    sim = await startSimulator({ seed: 7, scale: 'small', apiKey: SIM_KEY, rateLimitSpeedup: 4 });
  });
  after(async () => sim.close());

  it('every stream, every field: the simulator layout and all variations at once give the same records', async () => {
    const ws = new E2eWorkspace(sim);
    const runs: Array<Map<string, Map<string, string>>> = [];
    const added = { count: 0 };
    for (const layout of [[], ['varied']]) {
      sim.configure({ layout });
      sim.advanceDay(); // the Reporting API's daily quotas, for the second run
      const run = await ws.run(undefined, everything());
      assert.equal(run.code, 0, run.stderr.slice(-2000));
      runs.push(byKey(run, added));
    }
    const [plain, varied] = runs as [Map<string, Map<string, string>>, Map<string, Map<string, string>>];
    assert.deepEqual([...varied.keys()].sort(), [...plain.keys()].sort());
    for (const [stream, records] of plain) {
      const other = varied.get(stream) ?? new Map<string, string>();
      assert.deepEqual([...other.keys()].sort(), [...records.keys()].sort(), `${stream}: keys`);
      for (const [key, record] of records) assert.equal(other.get(key), record, `${stream} record ${key}`);
    }
    assert.ok(plain.get('events')?.size, 'events were read');
    // What a newer revision adds reached the records of most resources (not those asked for with sparse fields).
    assert.ok(added.count > 1000, `added members kept in _overflow: ${added.count}`);
  });
});
