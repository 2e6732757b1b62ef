// StateStore (stream-level and per-partition bookmarks, Meltano's shape) and loadState's happy paths.
import assert from 'node:assert/strict';
import { ConfigError } from '../../src/tap/shared/errors.js';
import { StateStore, type TapState } from '../../src/tap/state/state.js';
import { loadState } from '../../src/tap/state/state-file.js';
import { tempFile } from '../helpers/temp-files.js';

const KEYS = new Map<string, string | null>([
  ['events', 'datetime'],
  ['profiles', 'updated'],
  ['list_members', 'joined_group_at'],
  ['campaigns', 'updated_at'],
  ['metrics', null],
]);

const bm = (value: string, ids?: string[]) => ({ replication_key: 'datetime', replication_key_value: value, ...(ids ? { boundary_ids: ids } : {}) });

describe('state', () => {
  describe('StateStore', () => {
    it('starts empty', () => {
      const store = new StateStore();
      assert.deepEqual(store.snapshot(), { bookmarks: {} });
      assert.equal(store.get('events', {}), undefined);
      assert.equal(store.get('list_members', { list_id: 'L1' }), undefined);
    });

    it('sets and gets a stream-level bookmark, replacing it and dropping stale boundary ids', () => {
      const store = new StateStore();
      store.set('events', {}, bm('2024-01-01T00:00:00Z', ['a', 'b']));
      assert.deepEqual(store.get('events', {}), bm('2024-01-01T00:00:00Z', ['a', 'b']));
      store.set('events', {}, bm('2024-01-02T00:00:00Z'));
      assert.deepEqual(store.get('events', {}), bm('2024-01-02T00:00:00Z'));
      assert.deepEqual(store.snapshot(), { bookmarks: { events: bm('2024-01-02T00:00:00Z') } });
    });

    it('keeps one entry per partition context, whatever the key order of the context', () => {
      const store = new StateStore();
      store.set('list_members', { list_id: 'L1' }, bm('2024-01-01T00:00:00Z', ['p1']));
      store.set('list_members', { list_id: 'L2' }, bm('2024-02-01T00:00:00Z'));
      store.set('list_members', { list_id: 'L1' }, bm('2024-03-01T00:00:00Z'));
      store.set('multi', { b: '2', a: '1' }, bm('2024-04-01T00:00:00Z'));
      store.set('multi', { a: '1', b: '2' }, bm('2024-05-01T00:00:00Z'));
      assert.deepEqual(store.get('list_members', { list_id: 'L1' }), bm('2024-03-01T00:00:00Z'));
      assert.deepEqual(store.get('list_members', { list_id: 'L2' }), bm('2024-02-01T00:00:00Z'));
      assert.equal(store.get('list_members', { list_id: 'L3' }), undefined);
      assert.equal(store.get('list_members', {}), undefined, 'no stream-level bookmark');
      assert.deepEqual(store.get('multi', { b: '2', a: '1' }), bm('2024-05-01T00:00:00Z'));
      const snapshot = store.snapshot() as TapState;
      assert.deepEqual(snapshot.bookmarks['list_members'], {
        partitions: [
          { context: { list_id: 'L1' }, ...bm('2024-03-01T00:00:00Z') },
          { context: { list_id: 'L2' }, ...bm('2024-02-01T00:00:00Z') },
        ],
      });
      assert.equal(snapshot.bookmarks['multi']?.partitions?.length, 1);
    });

    it('does not share objects with the state it was given', () => {
      const initial: TapState = { bookmarks: { events: bm('2024-01-01T00:00:00Z', ['a']) } };
      const store = new StateStore(initial);
      store.set('events', {}, bm('2025-01-01T00:00:00Z'));
      assert.deepEqual(initial, { bookmarks: { events: bm('2024-01-01T00:00:00Z', ['a']) } });
    });

    it('keeps what it does not manage (other streams, extra keys)', () => {
      const store = new StateStore({ bookmarks: { gone_stream: { replication_key: 'x', replication_key_value: '2020-01-01', note: 1 } } } as TapState);
      store.set('events', {}, bm('2024-01-01T00:00:00Z'));
      assert.deepEqual(Object.keys(store.snapshot().bookmarks).sort(), ['events', 'gone_stream']);
      assert.equal(store.snapshot().bookmarks['gone_stream']?.['note'], 1);
    });

    it('keeps when a stream or a partition was last read in full, across bookmark updates', () => {
      const store = new StateStore();
      store.setFullReadAt('flows', {}, '2024-01-01T00:00:00Z');
      store.setFullReadAt('campaigns', { channel: 'sms', archived: 'true' }, '2024-01-02T00:00:00Z');
      store.set('flows', {}, bm('2024-02-01T00:00:00Z'));
      store.set('campaigns', { channel: 'sms', archived: 'true' }, bm('2024-02-02T00:00:00Z'));
      assert.equal(store.fullReadAt('flows', {}), '2024-01-01T00:00:00Z');
      assert.equal(store.fullReadAt('campaigns', { archived: 'true', channel: 'sms' }), '2024-01-02T00:00:00Z');
      assert.equal(store.fullReadAt('campaigns', { channel: 'sms' }), undefined);
      assert.deepEqual(store.get('campaigns', { channel: 'sms', archived: 'true' }), bm('2024-02-02T00:00:00Z'));
      assert.deepEqual(store.snapshot().bookmarks['campaigns']?.partitions, [{ context: { channel: 'sms', archived: 'true' }, ...bm('2024-02-02T00:00:00Z'), full_read_at: '2024-01-02T00:00:00Z' }]);
      store.beginVersion('flows', 1, true);
      assert.equal(store.fullReadAt('flows', {}), undefined, 'a restart drops it with the bookmark');
    });

    it('a bookmark entry without a value reads as none', () => {
      const store = new StateStore({ bookmarks: { events: { replication_key: 'datetime' } } } as TapState);
      assert.equal(store.get('events', {}), undefined);
    });
  });

  describe('loadState', () => {
    const table: Array<[string, unknown, TapState['bookmarks']]> = [
      ['an empty object', {}, {}],
      ['no bookmarks yet', { bookmarks: {} }, {}],
      ['a stream bookmark with boundary ids', { bookmarks: { events: bm('2024-01-01T00:00:00Z', ['a']) } }, { events: bm('2024-01-01T00:00:00Z', ['a']) }],
      [
        "Meltano's singer_state wrapper",
        { singer_state: { bookmarks: { profiles: { replication_key: 'updated', replication_key_value: '2024-01-01T00:00:00+00:00' } } } },
        { profiles: { replication_key: 'updated', replication_key_value: '2024-01-01T00:00:00+00:00' } },
      ],
      [
        'partitions of a child stream',
        { bookmarks: { list_members: { partitions: [{ context: { list_id: 'L1' }, replication_key: 'joined_group_at', replication_key_value: '2024-01-01' }] } } },
        { list_members: { partitions: [{ context: { list_id: 'L1' }, replication_key: 'joined_group_at', replication_key_value: '2024-01-01' }] } },
      ],
      ['a partition not started yet (context only)', { bookmarks: { campaigns: { partitions: [{ context: { channel: 'sms' } }] } } }, { campaigns: { partitions: [{ context: { channel: 'sms' } }] } }],
      [
        'a stream no longer in the tap is kept as is',
        { bookmarks: { events: bm('2024-01-01T00:00:00Z'), old_stream: { anything: [1, 2] } } },
        { events: bm('2024-01-01T00:00:00Z'), old_stream: { anything: [1, 2] } },
      ],
      ['a FULL_TABLE stream entry', { bookmarks: { metrics: {} } }, { metrics: {} }],
      [
        'full reads noted on a stream and on a partition not bookmarked yet',
        { bookmarks: { campaigns: { full_read_at: '2024-01-01T00:00:00Z', partitions: [{ context: { channel: 'sms', archived: 'true' }, full_read_at: '2024-01-02T00:00:00Z' }] } } },
        { campaigns: { full_read_at: '2024-01-01T00:00:00Z', partitions: [{ context: { channel: 'sms', archived: 'true' }, full_read_at: '2024-01-02T00:00:00Z' }] } },
      ],
    ];
    for (const [name, content, expected] of table) {
      it(name, () => {
        const state = loadState(tempFile('state.json', content), KEYS);
        assert.deepEqual(state.bookmarks, expected);
      });
    }

    it('loads into a store that reads the partition bookmarks back', () => {
      const path = tempFile('state.json', {
        bookmarks: { list_members: { partitions: [{ context: { list_id: 'L9' }, replication_key: 'joined_group_at', replication_key_value: '2024-06-01T00:00:00Z', boundary_ids: ['p'] }] } },
      });
      const store = new StateStore(loadState(path, KEYS));
      assert.deepEqual(store.get('list_members', { list_id: 'L9' }), { replication_key: 'joined_group_at', replication_key_value: '2024-06-01T00:00:00Z', boundary_ids: ['p'] });
    });

    const bad: Array<[string, unknown, RegExp]> = [
      ['a missing file', undefined, /cannot read/],
      ['not JSON', '{"bookmarks":', /not valid JSON/],
      ['an array', [], /expected a JSON object/],
      ['bookmarks not an object', { bookmarks: [] }, /"bookmarks" must be an object/],
      ['bookmarks of another tap', { bookmarks: { 'public-orders': { version: 1 } } }, /another tap/],
      ['a value that is not a date', { bookmarks: { events: bm('yesterday') } }, /bookmarks\.events\.replication_key_value is not a datetime/],
      ['the wrong key', { bookmarks: { events: { replication_key: 'timestamp', replication_key_value: '2024-01-01' } } }, /bookmarks\.events\.replication_key is "timestamp"/],
      ['partitions not an array', { bookmarks: { list_members: { partitions: {} } } }, /bookmarks\.list_members\.partitions must be an array/],
      ['a partition without context', { bookmarks: { list_members: { partitions: [{ replication_key: 'joined_group_at' }] } } }, /partitions\[0\] needs a "context"/],
      ['boundary ids not strings', { bookmarks: { events: { ...bm('2024-01-01'), boundary_ids: [1] } } }, /boundary_ids must be an array of id strings/],
      ['a full read time that is not a date', { bookmarks: { campaigns: { partitions: [{ context: { channel: 'sms' }, full_read_at: 'soon' }] } } }, /partitions\[0\]\.full_read_at is not a datetime: "soon"; fix or delete it/],
    ];
    for (const [name, content, message] of bad) {
      it(`refuses ${name}`, () => {
        const path = content === undefined ? '/nonexistent/tap-klaviyo/state.json' : tempFile('state.json', content);
        assert.throws(() => loadState(path, KEYS), (err: unknown) => err instanceof ConfigError && message.test(err.message));
      });
    }
  });
});
