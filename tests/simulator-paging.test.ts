// Cursor pagination: every record exactly once, across timestamp ties and with the data changing
// between pages; tampered cursors are rejected; links are absolute and keep the original parameters.
import assert from 'node:assert/strict';
import { pageAll, simGet, type JsonApiResource } from '../src/simulator/client.js';
import { startSimulator, type Simulator } from '../src/simulator/server.js';
import { PINNED_WORLD } from './helpers/clock.js';

function counts(resources: readonly JsonApiResource[]): Map<string, number> {
  const seen = new Map<string, number>();
  for (const r of resources) seen.set(r.id, (seen.get(r.id) ?? 0) + 1);
  return seen;
}

function assertOnce(seen: Map<string, number>, expected: Iterable<string>, what: string): void {
  let n = 0;
  for (const id of expected) {
    assert.equal(seen.get(id), 1, `${what} ${id} seen ${seen.get(id) ?? 0} times`);
    n++;
  }
  assert.ok(n > 0);
}

describe('simulator: pagination', function () {
  let sim: Simulator;

  beforeEach(async () => {
    sim = await startSimulator({ rateLimits: false, ...PINNED_WORLD });
  });
  afterEach(async () => sim.close());

  it('visits every event exactly once across tie clusters, ascending and descending', async () => {
    const truth = [...sim.groundTruth('events')].map((r) => String(r['id']));
    const perSecond = new Map<string, number>();
    for (const r of sim.groundTruth('events')) perSecond.set(String(r['datetime']), (perSecond.get(String(r['datetime'])) ?? 0) + 1);
    assert.ok(Math.max(...perSecond.values()) >= 60, 'a tie cluster larger than the page size exists');
    const ascending = await pageAll(sim.url, '/api/events?page[size]=37&sort=datetime');
    assert.deepEqual(ascending.map((r) => r.id), truth);
    const descending = await pageAll(sim.url, '/api/events?page[size]=41&sort=-datetime');
    assert.deepEqual(descending.map((r) => r.id), [...truth].reverse());
  });

  it('merges added events (late, tied, future) in both directions and inside datetime windows', async () => {
    sim.mutate({ lateEvents: 40, tieEvents: 70, newEvents: 10, futureEvents: 5 });
    const truth = [...sim.groundTruth('events', { asOf: '2100-01-01T00:00:00Z' })];
    const ids = truth.map((r) => String(r['id']));
    assert.deepEqual((await pageAll(sim.url, '/api/events?page[size]=33')).map((r) => r.id), ids);
    assert.deepEqual((await pageAll(sim.url, '/api/events?page[size]=29&sort=-timestamp')).map((r) => r.id), [...ids].reverse());
    const from = String(truth[Math.floor(truth.length / 3)]?.['datetime']);
    const to = String(truth[truth.length - 3]?.['datetime']);
    const inside = truth.filter((r) => String(r['datetime']) >= from && String(r['datetime']) < to).map((r) => String(r['id']));
    const window = `filter=greater-or-equal(datetime,${from}),less-than(datetime,${to})`;
    assert.deepEqual((await pageAll(sim.url, `/api/events?page[size]=50&${window}`)).map((r) => r.id), inside);
    assert.deepEqual((await pageAll(sim.url, `/api/events?page[size]=50&sort=-datetime&${window}`)).map((r) => r.id), [...inside].reverse());
  });

  it('pages a filtered window and keeps the filter in links.next', async () => {
    const metric = sim.world.metrics.id(0);
    const filter = `and(equals(metric_id,'${metric}'),greater-or-equal(datetime,2025-03-01T00:00:00Z),less-than(datetime,2025-09-01))`;
    const first = await simGet(sim.url, `/api/events?page[size]=20&filter=${encodeURIComponent(filter)}&fields[event]=datetime`);
    const next = (first.body as { links: { next: string } }).links.next;
    assert.ok(next.startsWith(`${sim.url}/api/events?`));
    const params = new URL(next).searchParams;
    assert.equal(params.get('filter'), filter);
    assert.equal(params.get('fields[event]'), 'datetime');
    assert.equal(params.get('page[size]'), '20');
    const all = await pageAll(sim.url, `/api/events?page[size]=20&filter=${encodeURIComponent(filter)}`);
    const expected = [...sim.groundTruth('receive')].filter((r) => String(r['datetime']) >= '2025-03-01T00:00:00Z' && String(r['datetime']) < '2025-09-01T00:00:00Z');
    assert.deepEqual(all.map((r) => r.id), expected.map((r) => r['id']));
  });

  it('events: records that did not change are seen exactly once while events arrive between pages', async () => {
    const before = [...sim.groundTruth('events')].map((r) => String(r['id']));
    const added: string[] = [];
    const seen = await pageAll(sim.url, '/api/events?page[size]=100&sort=datetime', {}, (page) => {
      if (page % 7 === 3) added.push(...sim.mutate({ newEvents: 3, lateEvents: 3, tieEvents: 4, futureEvents: 1 }).events);
    });
    const seenCounts = counts(seen);
    assertOnce(seenCounts, before, 'event');
    assert.ok([...seenCounts.values()].every((n) => n === 1), 'nothing is repeated');
    const newOnes = added.filter((id) => seenCounts.has(id));
    assert.ok(newOnes.length > 0, 'events added after the cursor are picked up');
  });

  it('profiles sorted by updated: unchanged profiles exactly once while profiles are updated and added', async () => {
    const before = Array.from({ length: sim.world.profiles.size() }, (_, row) => sim.world.profiles.id(row));
    const changed = new Set<string>();
    const seen = await pageAll(sim.url, '/api/profiles?page[size]=25&sort=updated', {}, () => {
      for (const id of sim.mutate({ updatedProfiles: 3, newProfiles: 1 }).profiles) changed.add(id);
    });
    const seenCounts = counts(seen);
    assertOnce(seenCounts, before.filter((id) => !changed.has(id)), 'profile');
    for (const id of changed) assert.ok((seenCounts.get(id) ?? 0) >= 1, `changed profile ${id} seen after its update`);
  });

  it('list members: original members exactly once while members join', async () => {
    const list = sim.world.lists.id(0);
    const members = sim.world.listMembers.get(list);
    assert.ok(members);
    const before = Array.from({ length: members.size() }, (_, row) => members.id(row));
    const seen = await pageAll(sim.url, `/api/lists/${list}/profiles?page[size]=7`, {}, () => void sim.mutate({ newProfiles: 2, updatedProfiles: 2 }));
    assertOnce(counts(seen), before, 'member');
  });

  it('rejects tampered, foreign and re-sorted cursors with 400', async () => {
    const first = await simGet(sim.url, '/api/events?page[size]=5&sort=datetime');
    const next = new URL((first.body as { links: { next: string } }).links.next);
    const cursor = next.searchParams.get('page[cursor]') ?? '';
    const variants: [string, string][] = [[`${cursor.slice(0, -1)}x`, 'datetime'], ['garbage', 'datetime'], [cursor, '-datetime'], [cursor, 'timestamp']];
    for (const [bad, sort] of variants) {
      const response = await simGet(sim.url, `/api/events?page[size]=5&sort=${sort}&page[cursor]=${encodeURIComponent(bad)}`);
      assert.equal(response.status, 400, `${bad} sort=${sort}`);
      assert.equal((response.body as { errors: { source: { parameter: string } }[] }).errors[0]?.source.parameter, 'page[cursor]');
    }
    const foreign = await startSimulator({ seed: 7, rateLimits: false });
    try {
      const response = await simGet(foreign.url, `/api/events?page[size]=5&sort=datetime&page[cursor]=${encodeURIComponent(cursor)}`);
      assert.equal(response.status, 400);
    } finally {
      await foreign.close();
    }
  });

  it('always has an absolute links.self at the server origin', async () => {
    const response = await simGet(sim.url, `/api/tags?page[size]=3&sort=name`);
    const links = (response.body as { links: { self: string } }).links;
    assert.equal(links.self, `${sim.url}/api/tags?page%5Bsize%5D=3&sort=name`);
  });
});
