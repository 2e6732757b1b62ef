// Table versions: what a run does per stream kind and state (planVersion), the state fields and their checks, and
// the RECORD and ACTIVATE_VERSION lines the writer prints.
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { builtInStreams } from '../../src/streams/registry.js';
import type { TapConfig } from '../../src/tap/config/config.js';
import { ConfigError } from '../../src/tap/shared/errors.js';
import { MessageWriter } from '../../src/tap/singer/messages.js';
import { StateStore, type TapState } from '../../src/tap/state/state.js';
import { loadState } from '../../src/tap/state/state-file.js';
import { SeenKeys } from '../../src/tap/state/deletes.js';
import { planVersion, schemaWithDeletes, seenKeys } from '../../src/tap/state/versions.js';
import { tempFile } from '../helpers/temp-files.js';

const NOW = 1_800_000_000_000;
const DAY = 86_400_000;
const STREAMS = builtInStreams();
const stream = (name: string) => {
  const found = STREAMS.find((s) => s.name === name);
  if (!found) throw new Error(name);
  return found;
};
/** A copy of the stream as allStreams makes it with account_id_column. */
const scoped = (name: string) => Object.assign(Object.create(Object.getPrototypeOf(stream(name)) as object, Object.getOwnPropertyDescriptors(stream(name))) as ReturnType<typeof stream>, { accountIdColumn: true });
const config = (extra: Partial<TapConfig> = {}): TapConfig => ({ streams: {}, full_refresh_days: 7, emit_deleted_records: false, ...extra }) as unknown as TapConfig;
const store = (bookmarks: Record<string, unknown> = {}) => new StateStore({ bookmarks } as TapState);
const members = { partitions: [{ context: { list_id: 'L1' }, replication_key: 'joined_group_at', replication_key_value: '2026-01-01T00:00:00Z' }] };

describe('table versions', () => {
  const cases: Array<[string, string, StateStore, TapConfig, ReturnType<typeof planVersion>]> = [
    ['FULL_TABLE, first sync: new version, activated first', 'tags', store(), config(), { version: NOW, full: true, restart: false, activateFirst: true }],
    ['FULL_TABLE, later run: a version above the active one', 'tags', store({ tags: { active_version: NOW + 5 } }), config(), { version: NOW + 6, full: true, restart: false, activateFirst: false }],
    ['FULL_TABLE, killed read: resumed under its version', 'tags', store({ tags: { active_version: NOW - DAY, pending_version: NOW - 9 } }), config(), { version: NOW - 9, full: true, restart: false, activateFirst: false }],
    ['INCREMENTAL stream without refresh: no version', 'events', store(), config(), { version: null, full: false, restart: false, activateFirst: false }],
    ['members, first sync: a full read', 'list_members', store(), config(), { version: NOW, full: true, restart: true, activateFirst: true }],
    ['members, older state without a version: a full refresh, not activated first', 'list_members', store({ list_members: members }), config(), { version: NOW, full: true, restart: true, activateFirst: false }],
    ['members, refreshed 6 days ago: incremental on the active version', 'list_members', store({ list_members: { ...members, active_version: NOW - 6 * DAY } }), config(), { version: NOW - 6 * DAY, full: false, restart: false, activateFirst: false }],
    ['members, refreshed 7 days ago: a full refresh', 'list_members', store({ list_members: { ...members, active_version: NOW - 7 * DAY } }), config(), { version: NOW, full: true, restart: true, activateFirst: false }],
    ['members, per-stream full_refresh_days 1', 'segment_members', store({ segment_members: { active_version: NOW - 2 * DAY } }), config({ streams: { segment_members: { full_refresh_days: 1 } } }), { version: NOW, full: true, restart: true, activateFirst: false }],
    ['members, killed refresh: resumed from its bookmarks', 'global_exclusions', store({ global_exclusions: { active_version: NOW - 9 * DAY, pending_version: NOW - DAY } }), config(), { version: NOW - DAY, full: true, restart: false, activateFirst: false }],
    ['members with account_id_column, killed refresh: read again from the start (its keys so far are not kept)', 'global_exclusions', store({ global_exclusions: { active_version: NOW - 9 * DAY, pending_version: NOW - DAY } }), config(), { version: NOW - DAY, full: true, restart: true, activateFirst: false }],
    ['members, full_refresh_days 0: no version', 'list_members', store({ list_members: { active_version: NOW - 90 * DAY } }), config({ full_refresh_days: 0 }), { version: null, full: false, restart: false, activateFirst: false }],
  ];
  for (const [name, streamName, state, cfg, expected] of cases) {
    const subject = name.includes('account_id_column') ? scoped(streamName) : stream(streamName);
    it(`plans: ${name}`, () => assert.deepEqual(planVersion(subject, cfg, state, NOW), expected));
  }

  it('a new refresh drops the bookmarks; activation keeps the version and the ids, and ends the pending read', () => {
    const s = store({ list_members: { ...members, active_version: 5 } });
    s.beginVersion('list_members', 9, true);
    assert.deepEqual(s.snapshot().bookmarks['list_members'], { active_version: 5, pending_version: 9 });
    s.activateVersion('list_members', 9, ['b', 'a']);
    assert.deepEqual(s.versions('list_members'), { active: 9, pending: null, ids: ['b', 'a'] });
    s.activateVersion('list_members', 10, null);
    assert.deepEqual(s.snapshot().bookmarks['list_members'], { active_version: 10 });
  });

  const bad: Array<[string, unknown, RegExp]> = [
    ['a version that is not an integer', { tags: { active_version: '123' } }, /bookmarks\.tags\.active_version must be a positive integer.*fix or delete it/],
    ['a negative pending version', { list_members: { pending_version: -4 } }, /bookmarks\.list_members\.pending_version must be a positive integer/],
    ['ids that are not strings', { tags: { ids: [1, 2] } }, /bookmarks\.tags\.ids must be an array of keys/],
    ['a composite key with an object in it', { list_members: { ids: [['L1', { id: 'x' }]] } }, /bookmarks\.list_members\.ids must be an array of keys/],
  ];
  for (const [name, bookmarks, message] of bad) {
    it(`refuses a state with ${name}, in one line`, () => {
      const keys = new Map(STREAMS.map((s) => [s.name, s.replicationKey]));
      assert.throws(() => loadState(tempFile('state.json', { bookmarks }), keys), (err: Error) => err instanceof ConfigError && message.test(err.message) && !err.message.includes('\n'));
    });
  }

  it('adds a nullable _sdc_deleted_at to the SCHEMA of small FULL_TABLE streams only with emit_deleted_records', () => {
    const schema = { type: 'object', properties: { id: { type: 'string' } } };
    const on = config({ emit_deleted_records: true });
    assert.deepEqual((schemaWithDeletes(stream('tags'), on, schema)['properties'] as Record<string, { type: unknown }>)['_sdc_deleted_at']?.type, ['string', 'null']);
    assert.equal(schemaWithDeletes(stream('tags'), config(), schema), schema);
    assert.equal(schemaWithDeletes(stream('coupon_codes'), on, schema), schema, 'not a small table');
    assert.equal(schemaWithDeletes(stream('list_members'), on, schema), schema, 'not FULL_TABLE');
  });

  it('stops keeping keys past max_tracked_ids', () => {
    const seen = new SeenKeys('tags', ['id'], 1, 3);
    for (let i = 0; i < 3; i++) seen.add({ id: `t${i}` });
    assert.deepEqual(seen.list(), ['t0', 't1', 't2']);
    seen.add({ id: 'one more' });
    assert.equal(seen.list(), null);
  });

  it('keeps a composite key with the other required fields, sorted, and knows a key by its key fields only', () => {
    const seen = new SeenKeys('global_exclusions', ['id', 'reason'], 1, 10);
    seen.add({ id: 'p2', reason: 'user_suppressed', email: 'x' });
    seen.add({ id: 'p1', reason: 'hard_bounce' });
    assert.deepEqual(seen.list(), [['p1', 'hard_bounce'], ['p2', 'user_suppressed']]);
    assert.ok(seen.has(['p1', 'invalid_email']), 'same key, another reason: not gone');
    assert.ok(!seen.has(['p3', 'hard_bounce']));
    const members = new SeenKeys('list_members', ['list_id', 'id'], 2, 10);
    members.add({ list_id: 'L1', id: 'p1' });
    assert.deepEqual([members.has(['L1', 'p1']), members.has(['L2', 'p1'])], [true, false]);
  });

  it('with account_id_column every stream read in full tracks its keys (tombstone fields: key, then required), whatever emit_deleted_records says', () => {
    const full = { version: NOW, full: true, restart: true, activateFirst: false };
    const schema = { type: 'object', required: ['account_id', 'id', 'reason'], properties: {} };
    assert.deepEqual(seenKeys(scoped('global_exclusions'), full, config({ max_tracked_ids: 5 }), schema)?.fields, ['id', 'reason']);
    assert.deepEqual(seenKeys(scoped('list_members'), full, config({ max_tracked_ids: 5 }), { required: ['account_id', 'list_id', 'id'] })?.fields, ['list_id', 'id']);
    assert.equal(seenKeys(scoped('list_members'), { ...full, full: false }, config(), schema), null, 'not a full read');
    assert.equal(seenKeys(stream('list_members'), full, config({ emit_deleted_records: true }), schema), null, 'without account_id_column: versions carry member removals');
    assert.ok(schemaWithDeletes(scoped('coupon_codes'), config(), schema) !== schema, 'a large FULL_TABLE stream too');
    assert.equal(schemaWithDeletes(scoped('list_members'), config({ full_refresh_days: 0 }), schema), schema, 'never read in full');
    assert.equal(schemaWithDeletes(scoped('events'), config(), schema), schema, 'INCREMENTAL');
  });

  it('prints RECORD lines with the version set for the stream, and ACTIVATE_VERSION', async () => {
    const out = new PassThrough();
    const chunks: Buffer[] = [];
    out.on('data', (c: Buffer) => chunks.push(c));
    const w = new MessageWriter(out);
    const t = '2026-01-01T00:00:00.000Z';
    w.recordNow('tags', { id: 'a' }, t);
    w.setVersion('tags', 42);
    w.recordNow('tags', { id: 'b' }, t);
    w.recordNow('metrics', { id: 'm' }, t);
    await w.activateVersion('tags', 42);
    await w.recordMessage({ stream: 'tags', version: 41, record: { id: 'c', _sdc_deleted_at: t }, time_extracted: t });
    w.setVersion('tags', null);
    w.recordNow('tags', { id: 'd' }, t);
    await w.flush();
    const expected = [
      { type: 'RECORD', stream: 'tags', record: { id: 'a' }, time_extracted: t },
      { type: 'RECORD', stream: 'tags', version: 42, record: { id: 'b' }, time_extracted: t },
      { type: 'RECORD', stream: 'metrics', record: { id: 'm' }, time_extracted: t },
      { type: 'ACTIVATE_VERSION', stream: 'tags', version: 42 },
      { type: 'RECORD', stream: 'tags', version: 41, record: { id: 'c', _sdc_deleted_at: t }, time_extracted: t },
      { type: 'RECORD', stream: 'tags', record: { id: 'd' }, time_extracted: t },
    ];
    assert.equal(Buffer.concat(chunks).toString('utf8'), expected.map((m) => `${JSON.stringify(m)}\n`).join(''));
  });
});
