// parentScope: which parents a child stream reads, per side of the parent listing, and the parent bookmark it
// saves; parentListings: the listings made for it.
import assert from 'node:assert/strict';
import { builtInStreams } from '../../src/streams/registry.js';
import type { TapConfig } from '../../src/tap/config/config.js';
import { parentListings } from '../../src/tap/engine/parents.js';
import { EVERY_PARENT } from '../../src/tap/engine/stream-types.js';
import { parentScope } from '../../src/tap/engine/parent-scope.js';
import { StateStore, type ParentBookmark } from '../../src/tap/state/state.js';
import { KlaviyoStream } from '../../src/tap/engine/stream.js';
import { fromMicros, MICROS_PER_DAY, toMicros } from '../../src/tap/shared/time.js';

const stream = builtInStreams().find((s) => s.name === 'flow_messages');
const lists = builtInStreams().find((s) => s.name === 'list_members');
const messages = builtInStreams().find((s) => s.name === 'campaign_messages');
const config = { streams: {}, full_reread_days: 7 } as unknown as TapConfig;
const NOW = toMicros('2026-11-30T12:00:00Z') ?? 0;
const SETTLED = NOW - 10_000_000;
const at = (iso: string): number => toMicros(iso) ?? 0;

function scope(saved: ParentBookmark | null, cfg: TapConfig = config): ReturnType<typeof parentScope> {
  const store = new StateStore();
  if (saved) store.setParentBookmark('flow_messages', saved);
  if (!stream) throw new Error('no flow_messages');
  return parentScope(stream, cfg, store, NOW, SETTLED);
}

/** A parent bookmark as this release writes it (both sides read in full at `full`, unless `archivedFull` says otherwise). */
const mark = (value: string, full: string, archivedFull: string | null = full): ParentBookmark => ({
  replication_key: 'updated',
  replication_key_value: value,
  full_read_at: full,
  ...(archivedFull === null ? {} : { archived_full_read_at: archivedFull }),
});

describe('parentScope', () => {
  it('reads every parent on both sides without a bookmark, and saves the settled start', () => {
    const s = scope(null);
    assert.deepEqual(s.since, EVERY_PARENT);
    assert.deepEqual(s.next, mark(fromMicros(SETTLED), fromMicros(NOW)));
  });

  it('reads parents changed since the bookmark, on both sides, while the last full reads are recent', () => {
    const s = scope(mark('2026-11-30T11:00:00Z', '2026-11-28T00:00:00Z', '2026-11-27T00:00:00Z'));
    assert.deepEqual(s.since, { listed: at('2026-11-30T11:00:00Z'), archived: at('2026-11-30T11:00:00Z') });
    assert.deepEqual(s.next, mark(fromMicros(SETTLED), '2026-11-28T00:00:00Z', '2026-11-27T00:00:00Z'));
  });

  it('a bookmark written before archived parents were read: every archived parent once, the listed side stays incremental', () => {
    const s = scope(mark('2026-11-30T11:00:00Z', '2026-11-28T00:00:00Z', null));
    assert.deepEqual(s.since, { listed: at('2026-11-30T11:00:00Z'), archived: null });
    assert.deepEqual(s.next, mark(fromMicros(SETTLED), '2026-11-28T00:00:00Z', fromMicros(NOW)));
  });

  it('each side keeps its own clock: only the side whose full read is old is read in full', () => {
    const old = fromMicros(NOW - 8 * MICROS_PER_DAY);
    const listedDue = scope(mark('2026-11-30T11:00:00Z', old, '2026-11-28T00:00:00Z'));
    assert.deepEqual(listedDue.since, { listed: null, archived: at('2026-11-30T11:00:00Z') });
    assert.deepEqual(listedDue.next, mark(fromMicros(SETTLED), fromMicros(NOW), '2026-11-28T00:00:00Z'));
    const archivedDue = scope(mark('2026-11-30T11:00:00Z', '2026-11-28T00:00:00Z', old));
    assert.deepEqual(archivedDue.since, { listed: at('2026-11-30T11:00:00Z'), archived: null });
  });

  for (const [label, full, cfg] of [
    ['the last full read is older than full_reread_days', fromMicros(NOW - 7 * MICROS_PER_DAY), config],
    ['full_reread_days is 0', '2026-11-30T11:00:00Z', { ...config, full_reread_days: 0 }],
    ['the last full read is in the future', '2027-01-01T00:00:00Z', config],
  ] as const) {
    it(`reads every parent when ${label}`, () => {
      const s = scope(mark('2026-11-30T11:00:00Z', full), cfg);
      assert.deepEqual(s.since, EVERY_PARENT);
      assert.equal(s.next?.full_read_at, fromMicros(NOW));
      assert.equal(s.next?.archived_full_read_at, fromMicros(NOW));
    });
  }

  it('clamps a bookmark in the future to the settled start, and never moves one back', () => {
    const future = scope(mark('2027-01-01T00:00:00Z', '2026-11-30T00:00:00Z'));
    assert.equal(future.since.listed, SETTLED);
    assert.equal(future.next?.replication_key_value, fromMicros(SETTLED));
    const ended = scope(mark('2026-11-30T11:00:00Z', '2026-11-30T00:00:00Z'), { ...config, end_date: '2026-11-01T00:00:00Z' });
    assert.equal(ended.since.listed, at('2026-11-01T00:00:00Z'));
    assert.equal(ended.next?.replication_key_value, fromMicros(at('2026-11-30T11:00:00Z')));
  });

  it('does nothing for a child whose parent has no changed field', () => {
    if (!lists) throw new Error('no list_members');
    assert.deepEqual(parentScope(lists, config, new StateStore(), NOW, SETTLED), { since: EVERY_PARENT, next: null });
  });

  it('keeps no archived clock for a parent listing that hides nothing', () => {
    class ListChild extends KlaviyoStream {
      readonly name = 'list_child';
      readonly path = '/api/lists/{id}/profiles';
      readonly description = 'a child of lists, bounded by their updated time';
      override readonly replicationKey = 'joined_group_at';
      override readonly parent = { stream: 'lists', path: '/api/lists', resourceType: 'list', cheapField: 'name', key: 'list_id', changedField: 'updated' };
    }
    const s = parentScope(new ListChild(), config, new StateStore(), NOW, SETTLED);
    assert.deepEqual(s.next, { replication_key: 'updated', replication_key_value: fromMicros(SETTLED), full_read_at: fromMicros(NOW) });
  });
});

describe('parentListings', () => {
  const decode = (url: string): string => decodeURIComponent(url.replace(/^.*filter=/, ''));

  it('campaigns: one listing per channel and side, the archived side filtered equals(archived,true), each with its own since', () => {
    const parent = messages?.parent;
    if (!parent) throw new Error('no campaign_messages parent');
    const listings = parentListings(parent, '', { listed: at('2026-11-30T11:00:00Z'), archived: null });
    assert.deepEqual(
      listings.map((l) => [decode(l.url), l.since]),
      ['email', 'sms', 'mobile_push'].flatMap((channel) => [
        [`equals(messages.channel,'${channel}'),greater-or-equal(updated_at,2026-11-30T11:00:00Z)`, at('2026-11-30T11:00:00Z')],
        [`equals(messages.channel,'${channel}'),equals(archived,true)`, null],
      ]),
    );
  });

  it('flow actions under a flow: one listing, no archived side (actions are not archived)', () => {
    const parent = stream?.parent;
    if (!parent) throw new Error('no flow_messages parent');
    const listings = parentListings(parent, 'F1', { listed: null, archived: null });
    assert.equal(listings.length, 1);
    assert.match(listings[0]?.url ?? '', /^\/api\/flows\/F1\/flow-actions\?fields\[flow-action\]=created&page\[size\]=50$/);
  });
});
