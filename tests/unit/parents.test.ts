// parentScope: which parents a child stream reads, and the parent bookmark it saves.
import assert from 'node:assert/strict';
import { builtInStreams } from '../../src/streams/registry.js';
import type { TapConfig } from '../../src/tap/config.js';
import { parentScope } from '../../src/tap/parents.js';
import { StateStore, type ParentBookmark } from '../../src/tap/state.js';
import { fromMicros, MICROS_PER_DAY, toMicros } from '../../src/tap/time.js';

const stream = builtInStreams().find((s) => s.name === 'flow_messages');
const lists = builtInStreams().find((s) => s.name === 'list_members');
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

const mark = (value: string, full: string): ParentBookmark => ({ replication_key: 'updated', replication_key_value: value, full_read_at: full });

describe('parentScope', () => {
  it('reads every parent without a bookmark, and saves the settled start', () => {
    const s = scope(null);
    assert.equal(s.since, null);
    assert.deepEqual(s.next, mark(fromMicros(SETTLED), fromMicros(NOW)));
  });

  it('reads parents changed since the bookmark while the last full read is recent', () => {
    const s = scope(mark('2026-11-30T11:00:00Z', '2026-11-28T00:00:00Z'));
    assert.equal(s.since, at('2026-11-30T11:00:00Z'));
    assert.deepEqual(s.next, mark(fromMicros(SETTLED), '2026-11-28T00:00:00Z'));
  });

  for (const [label, full, cfg] of [
    ['the last full read is older than full_reread_days', fromMicros(NOW - 7 * MICROS_PER_DAY), config],
    ['full_reread_days is 0', '2026-11-30T11:00:00Z', { ...config, full_reread_days: 0 }],
    ['the last full read is in the future', '2027-01-01T00:00:00Z', config],
  ] as const) {
    it(`reads every parent when ${label}`, () => {
      const s = scope(mark('2026-11-30T11:00:00Z', full), cfg);
      assert.equal(s.since, null);
      assert.equal(s.next?.full_read_at, fromMicros(NOW));
    });
  }

  it('clamps a bookmark in the future to the settled start, and never moves one back', () => {
    const future = scope(mark('2027-01-01T00:00:00Z', '2026-11-30T00:00:00Z'));
    assert.equal(future.since, SETTLED);
    assert.equal(future.next?.replication_key_value, fromMicros(SETTLED));
    const ended = scope(mark('2026-11-30T11:00:00Z', '2026-11-30T00:00:00Z'), { ...config, end_date: '2026-11-01T00:00:00Z' });
    assert.equal(ended.since, at('2026-11-01T00:00:00Z'));
    assert.equal(ended.next?.replication_key_value, fromMicros(at('2026-11-30T11:00:00Z')));
  });

  it('does nothing for a child whose parent has no changed field', () => {
    if (!lists) throw new Error('no list_members');
    assert.deepEqual(parentScope(lists, config, new StateStore(), NOW, SETTLED), { since: null, next: null });
  });
});
