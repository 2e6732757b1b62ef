// archived.ts: the archived twin of each partition of a stream whose listing hides archived records, its filter,
// and when a side is read in full (the clock each side keeps in the state).
import assert from 'node:assert/strict';
import { builtInStreams } from '../../src/streams/registry.js';
import { fullReadDue, noteFullRead, readFilters, readPartitions } from '../../src/tap/engine/archived.js';
import type { TapConfig } from '../../src/tap/config/config.js';
import { renderFilters } from '../../src/tap/engine/filters.js';
import { StateStore } from '../../src/tap/state/state.js';
import type { KlaviyoStream } from '../../src/tap/engine/stream.js';
import type { Partition, StreamRuntime } from '../../src/tap/engine/stream-types.js';
import { fromMicros, MICROS_PER_DAY, toMicros } from '../../src/tap/shared/time.js';

const stream = (name: string): KlaviyoStream => {
  const found = builtInStreams().find((s) => s.name === name);
  if (!found) throw new Error(`no ${name}`);
  return found;
};
const rt = { client: null as never, config: null as never, selected: new Set<string>(), memo: () => Promise.reject(new Error('no network')) } as StreamRuntime;
const config = { streams: {}, full_reread_days: 7 } as unknown as TapConfig;
const NOW = toMicros('2026-11-30T12:00:00Z') ?? 0;
const bookmark = { replication_key: 'updated', replication_key_value: '2026-11-29T00:00:00Z' };

async function partitions(s: KlaviyoStream): Promise<Partition[]> {
  const out: Partition[] = [];
  for await (const p of readPartitions(s, rt)) out.push(p);
  return out;
}

describe('archived sides', () => {
  it('campaigns: each channel, then its archived twin filtered equals(archived,true)', async () => {
    const campaigns = stream('campaigns');
    const found = await partitions(campaigns);
    assert.deepEqual(
      found.map((p) => p.context),
      ['email', 'sms', 'mobile_push'].flatMap((channel) => [{ channel }, { channel, archived: 'true' }]),
    );
    const filters = await Promise.all(found.map(async (p) => renderFilters((await readFilters(campaigns, p, rt)) ?? [])));
    assert.deepEqual(filters.slice(0, 2), ["equals(messages.channel,'email')", "equals(messages.channel,'email'),equals(archived,true)"]);
  });

  it('flows: the stream-level partition (the bookmark it always had), then {archived: "true"}', async () => {
    const flows = stream('flows');
    const found = await partitions(flows);
    assert.deepEqual(found.map((p) => p.context), [{}, { archived: 'true' }]);
    assert.deepEqual(await readFilters(flows, found[0] as Partition, rt), []);
    assert.equal(renderFilters((await readFilters(flows, found[1] as Partition, rt)) ?? []), 'equals(archived,true)');
  });

  it('a stream without an archived side reads its own partitions and filters only', async () => {
    assert.deepEqual((await partitions(stream('templates'))).map((p) => p.context), [{}]);
  });

  describe('fullReadDue and noteFullRead', () => {
    const flows = stream('flows');
    const listed: Partition = { context: {}, pathParams: {} };
    const archived: Partition = { context: { archived: 'true' }, pathParams: {} };
    const table: Array<[string, Partition, (store: StateStore) => void, TapConfig, boolean]> = [
      ['a side without a bookmark', listed, () => undefined, config, true],
      ['an archived side never read in full, though bookmarked', archived, (s) => s.set('flows', archived.context, bookmark), config, true],
      ['a default side bookmarked by an older release (no full_read_at): its clock starts, no full read', listed, (s) => s.set('flows', {}, bookmark), config, false],
      ['a side read in full 6 days ago', archived, (s) => s.setFullReadAt('flows', archived.context, fromMicros(NOW - 6 * MICROS_PER_DAY)), config, false],
      ['a side read in full 7 days ago', archived, (s) => s.setFullReadAt('flows', archived.context, fromMicros(NOW - 7 * MICROS_PER_DAY)), config, true],
      ['a full read dated in the future', listed, (s) => s.setFullReadAt('flows', {}, fromMicros(NOW + MICROS_PER_DAY)), config, true],
      ['full_reread_days 0', listed, (s) => s.setFullReadAt('flows', {}, fromMicros(NOW - 1)), { ...config, full_reread_days: 0 }, true],
      ['a stream override', listed, (s) => s.setFullReadAt('flows', {}, fromMicros(NOW - 2 * MICROS_PER_DAY)), { ...config, streams: { flows: { full_reread_days: 1 } } } as TapConfig, true],
    ];
    for (const [label, partition, prepare, cfg, due] of table) {
      it(`${label}: ${due ? 'due' : 'not due'}`, () => {
        const store = new StateStore();
        prepare(store);
        assert.equal(fullReadDue(flows, partition, cfg, store, NOW), due);
      });
    }

    it('notes the run start after a full read, starts a missing clock, and leaves a running clock alone', () => {
      const store = new StateStore();
      assert.equal(noteFullRead(flows, archived, store, NOW, true), true);
      assert.equal(store.fullReadAt('flows', archived.context), fromMicros(NOW));
      store.set('flows', {}, bookmark);
      assert.equal(noteFullRead(flows, listed, store, NOW, false), true, 'a missing clock starts');
      assert.equal(noteFullRead(flows, listed, store, NOW + 1, false), false, 'a running clock stays');
      assert.equal(store.fullReadAt('flows', {}), fromMicros(NOW));
    });

    it('never for a stream without an archived side, nor one forced to FULL_TABLE', () => {
      assert.equal(fullReadDue(stream('templates'), listed, config, new StateStore(), NOW), false);
      const full = stream('flows');
      full.fullTable = true;
      assert.equal(fullReadDue(full, listed, config, new StateStore(), NOW), false);
      assert.equal(noteFullRead(full, listed, new StateStore(), NOW, true), false);
    });
  });
});
