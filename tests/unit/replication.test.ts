// How each stream's replication key maps onto Klaviyo's filters, the windows a partition is split into, and
// the bookmark that only advances over what has been written.
import assert from 'node:assert/strict';
import { builtInStreams } from '../../src/streams/registry.js';
import { renderFilters } from '../../src/tap/engine/filters.js';
import { BookmarkTracker, handOff, MIN_PART, newWindow, PageDensity, planReplication, splitTail, splittable, windowFilters, type ReplicationPlan, type Window } from '../../src/tap/engine/replication.js';
import type { KlaviyoStream } from '../../src/tap/engine/stream.js';
import { toMicros } from '../../src/tap/shared/time.js';

const S = 1_000_000;
const T0 = toMicros('2024-01-01T00:00:00Z') ?? 0;

function stream(name: string): KlaviyoStream {
  const found = builtInStreams().find((s) => s.name === name);
  if (!found) throw new Error(`no stream ${name}`);
  return found;
}

function planOf(name: string): ReplicationPlan | null {
  const s = stream(name);
  return planReplication(s.replicationKey, s.replicationApiField, s.facts, s.sortsByKey);
}

function mustPlan(name: string): ReplicationPlan {
  const plan = planOf(name);
  if (!plan) throw new Error(`${name} has no plan`);
  return plan;
}

/** A tiny deterministic PRNG (mulberry32), so the property tables are reproducible. */
function prng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Drives a tracker at random over its windows (each sorted: values only grow within it). At each step a window still
 * open finishes, or writes a record at its last value again (chance `repeat`: a tie) or up to two seconds on; `after`
 * runs once the tracker has advanced, with what was written.
 */
function walk(
  random: () => number,
  tracker: BookmarkTracker,
  windows: Window[],
  o: { steps: number; finish: number; repeat: number; label: string },
  after: (step: number, written: { window: number; value: number; id: string } | null) => void,
): void {
  const next = windows.map((w) => w.from);
  for (let step = 0; step < o.steps; step++) {
    const i = Math.floor(random() * windows.length);
    const w = windows[i] as Window;
    if (w.done) continue;
    let written: { window: number; value: number; id: string } | null = null;
    if (random() < o.finish) w.done = true;
    else {
      const again = o.repeat > 0 && random() < o.repeat;
      next[i] = Math.min((next[i] ?? 0) + (again ? 0 : Math.floor(random() * 3) * S), w.to - 1);
      written = { window: i, value: next[i] ?? 0, id: `${o.label}-${step}` };
      tracker.see(w, written.value, written.id);
    }
    tracker.advance();
    after(step, written);
  }
}

describe('replication', () => {
  describe('planReplication', () => {
    const table: Array<[string, ReplicationPlan | null, boolean]> = [
      ['events', { key: 'datetime', apiField: 'datetime', lower: 'greater-or-equal', upper: true, sorted: true }, true],
      ['receive', { key: 'datetime', apiField: 'datetime', lower: 'greater-or-equal', upper: true, sorted: true }, true],
      ['profiles', { key: 'updated', apiField: 'updated', lower: 'greater-than', upper: true, sorted: true }, true],
      ['lists', { key: 'updated', apiField: 'updated', lower: 'greater-than', upper: false, sorted: true }, false],
      ['segments', { key: 'updated', apiField: 'updated', lower: 'greater-than', upper: false, sorted: true }, false],
      ['list_members', { key: 'joined_group_at', apiField: 'joined_group_at', lower: 'greater-or-equal', upper: true, sorted: true }, true],
      ['campaigns', { key: 'updated_at', apiField: 'updated_at', lower: 'greater-or-equal', upper: true, sorted: true }, true],
      // Klaviyo sorts a profile by its whole suppression list, not by one reason's timestamp: unsorted for the tap
      [
        'global_exclusions',
        { key: 'timestamp', apiField: 'subscriptions.email.marketing.suppression.timestamp', lower: 'greater-or-equal', upper: true, sorted: false },
        false,
      ],
      ['metrics', null, false],
    ];
    for (const [name, expected, canSplit] of table) {
      it(`${name}: ${expected ? `${expected.lower}${expected.upper ? ' / less-than' : ', no upper bound'}` : 'FULL_TABLE'}${canSplit ? ', splittable' : ''}`, () => {
        const plan = planOf(name);
        assert.deepEqual(plan, expected);
        assert.equal(splittable(plan), canSplit);
      });
    }

    it('a key the endpoint cannot filter or sort on has no lower bound and is not sorted', () => {
      const plan = planReplication('created', null, stream('metrics').facts);
      assert.deepEqual(plan, { key: 'created', apiField: 'created', lower: null, upper: false, sorted: false });
      assert.equal(splittable(plan), false);
    });
  });

  describe('windowFilters', () => {
    const from = T0;
    const to = T0 + 86_400 * S + 500_000;
    const table: Array<[string, string]> = [
      ['events', 'greater-or-equal(datetime,2024-01-01T00:00:00Z),less-than(datetime,2024-01-02T00:00:00.500Z)'],
      // greater-than only: back off one second, the overlap is dropped by the engine
      ['profiles', 'greater-than(updated,2023-12-31T23:59:59Z),less-than(updated,2024-01-02T00:00:00.500Z)'],
      ['lists', 'greater-than(updated,2023-12-31T23:59:59Z)'],
      ['list_members', 'greater-or-equal(joined_group_at,2024-01-01T00:00:00Z),less-than(joined_group_at,2024-01-02T00:00:00.500Z)'],
      [
        'global_exclusions',
        'greater-or-equal(subscriptions.email.marketing.suppression.timestamp,2024-01-01T00:00:00Z),less-than(subscriptions.email.marketing.suppression.timestamp,2024-01-02T00:00:00.500Z)',
      ],
    ];
    for (const [name, expected] of table) {
      it(name, () => assert.equal(renderFilters(windowFilters(mustPlan(name), { from, to })), expected));
    }
  });

  /** The pages a first page spanning `first..last` suggests are left in the window (the way StreamRun reads it). */
  const leftAfter = (window: Window, first: number, last: number): number => {
    const density = new PageDensity();
    density.see(first, last);
    return density.pagesIn(last, window.to);
  };

  describe('splitTail', () => {
    it('does not split when few pages are left', () => {
      const table: Array<[string, Window, number, number]> = [
        ['the first page covered most of the window', newWindow(0, 100 * S), 60 * S, 8],
        ['about two pages left', newWindow(0, 100 * S), 34 * S, 8],
        ['nothing left', newWindow(0, 100 * S), 100 * S, 8],
        ['past the end', newWindow(0, 100 * S), 120 * S, 8],
        ['no new window allowed', newWindow(0, 100 * S), 1 * S, 0],
      ];
      for (const [name, window, last, maxNew] of table) {
        const before = window.to;
        assert.deepEqual(splitTail(window, last, leftAfter(window, window.from, last), maxNew), [], name);
        assert.equal(window.to, before, `${name}: window unchanged`);
      }
      const short = newWindow(0, 5 * S);
      assert.deepEqual(splitTail(short, 1 * S, 40, 8), [], 'a tail too short to cut into windows of two seconds');
      assert.equal(short.to, 5 * S);
    });

    it('estimates from the span of the first page, not from the window start (sparse early history)', () => {
      // The window opens years before the first record; the page's records span one day of a 100-day tail.
      const window = newWindow(0, 1000 * 86_400 * S);
      const first = 900 * 86_400 * S;
      const tails = splitTail(window, first + 86_400 * S, leftAfter(window, first, first + 86_400 * S), 8);
      assert.equal(tails.length, 8, 'about 99 pages left: split as far as allowed');
      assert.equal(tails[tails.length - 1]?.to, 1000 * 86_400 * S);
    });

    it('keeps every part at least minPages pages', () => {
      const window = newWindow(0, 100 * S);
      assert.equal(splitTail(window, 10 * S, 9, 8, 2).length, 3, 'nine pages: four windows of two or more');
      assert.equal(splitTail(newWindow(0, 100 * S), 10 * S, 9, 8, 5).length, 0, 'nine pages: not two windows of five');
    });

    it('splits a long tail into contiguous windows covering exactly [cut, to)', () => {
      const window = newWindow(0, 100 * S);
      const tails = splitTail(window, 1 * S, leftAfter(window, 0, 1 * S), 4);
      assert.equal(tails.length, 4);
      assert.equal(window.to, tails[0]?.from, 'the window now ends where the first tail starts');
      assert.ok(window.to > 1 * S, 'the cut is after the last value written');
      assert.equal(tails[tails.length - 1]?.to, 100 * S);
      for (let i = 1; i < tails.length; i++) assert.equal(tails[i]?.from, tails[i - 1]?.to);
      for (const t of tails) assert.deepEqual([t.max, t.done, t.idsAtMax.size], [null, false, 0]);
    });

    it('property: over many shapes, [from, to) is covered exactly once, and at most maxNew windows are added', () => {
      const random = prng(42);
      let splits = 0;
      for (let k = 0; k < 2_000; k++) {
        const from = Math.floor(random() * 1e6) * S;
        const length = Math.floor(1 + random() * 30 * 86_400) * S + Math.floor(random() * S);
        const to = from + length;
        const last = from + Math.floor(random() * random() * length);
        const maxNew = Math.floor(random() * 16);
        const window = newWindow(from, to);
        const tails = splitTail(window, last, leftAfter(window, window.from, last), maxNew);
        const label = JSON.stringify({ from, to, last, maxNew });
        assert.ok(tails.length <= maxNew, label);
        if (tails.length === 0) {
          assert.equal(window.to, to, label);
          continue;
        }
        splits++;
        const all = [window, ...tails];
        assert.equal(all[0]?.from, from, label);
        assert.equal(all[all.length - 1]?.to, to, label);
        for (let i = 1; i < all.length; i++) assert.equal(all[i]?.from, all[i - 1]?.to, label);
        for (const w of all) assert.ok(w.to - w.from >= S, `${label}: every window spans at least a second`);
        assert.ok(window.to > last, `${label}: records already written stay in the first window`);
      }
      assert.ok(splits > 100, `the table exercised splitting (${splits})`);
    });
  });

  describe('handOff', () => {
    /** A density of one page every 10 s. */
    const tenSeconds = (): PageDensity => new PageDensity(1 / (10 * S));
    const covers = (window: Window, tails: Window[], from: number, to: number): void => {
      const all = [window, ...tails];
      assert.equal(all[0]?.from, from);
      assert.equal(all[all.length - 1]?.to, to);
      for (let i = 1; i < all.length; i++) assert.equal(all[i]?.from, all[i - 1]?.to);
    };

    it('after a page within one second (a tie), hands what follows that second to new windows at once, into free lanes only', () => {
      const window = newWindow(0, 1000 * S);
      const tails = handOff(window, 100 * S, 100 * S, tenSeconds(), 30, 8);
      assert.equal(window.to, 101 * S, 'the window keeps the rest of the tie second');
      assert.equal(tails.length, 3, 'about 90 pages after the tie, at 30 a share');
      covers(window, tails, 0, 1000 * S);
      assert.equal(handOff(newWindow(0, 1000 * S), 100 * S, 100 * S, tenSeconds(), 1, 2).length, 2, 'no more windows than free lanes');
      const busy = newWindow(0, 1000 * S);
      assert.deepEqual(handOff(busy, 100 * S, 100 * S, tenSeconds(), 30, 0), [], 'every lane busy: the rest waits its turn either way');
      assert.equal(busy.to, 1000 * S);
      const ending = newWindow(0, 102 * S);
      assert.deepEqual(handOff(ending, 100 * S, 100 * S, tenSeconds(), 1, 8), [], 'a window ending within two seconds of the tie keeps its end');
      const unknown = newWindow(0, 1000 * S);
      assert.equal(handOff(unknown, 100 * S, 100 * S, new PageDensity(), 30, 8).length, 1, 'nothing known of what follows: one window takes it');
    });

    it('splits into parts of about a share, of at least MIN_PART pages, and single pages once the lanes would idle', () => {
      // About 30 pages left after the page that ended at 100 s.
      const table: Array<[string, number, number]> = [
        ['a share of 10 pages: three windows', 10, 2],
        ['a share of 24 pages (30 is less than 1.25 shares): no split', 24, 0],
        [`a share under ${MIN_PART} pages (the last two a lane): single pages`, 0.5, 29],
        [`a share of ${MIN_PART}: parts of ${MIN_PART}`, MIN_PART, 14],
      ];
      for (const [name, share, added] of table) {
        const window = newWindow(0, 400 * S);
        const tails = handOff(window, 90 * S, 100 * S, tenSeconds(), share, 0);
        assert.equal(tails.length, added, name);
        if (added > 0) covers(window, tails, 0, 400 * S);
      }
    });
  });

  describe('PageDensity', () => {
    it('leaves out pages within one second (a campaign send: its events share the second)', () => {
      const at = 10 * 86_400 * S;
      const density = new PageDensity();
      density.see(at, at);
      density.see(at, at + S - 1);
      assert.equal(density.rate, null, 'nothing known');
      assert.equal(density.pagesIn(0, 100 * S), 0);
      density.see(at, at + S);
      assert.equal(density.pagesIn(0, 100 * S), 100, 'a page spanning a second is an estimate');
    });

    it('averages over the pages read, and falls back on the density it was split off with', () => {
      const density = new PageDensity(1 / (10 * S));
      assert.equal(density.pagesIn(0, 100 * S), 10, 'inherited: one page per 10 s');
      density.see(0, 2 * S);
      density.see(10 * S, 14 * S);
      density.see(20 * S, 20 * S);
      assert.equal(density.pagesIn(0, 60 * S), 20, 'two pages over 6 s read (the page inside one second left out)');
      assert.equal(density.pagesIn(60 * S, 0), 0, 'nothing in an empty range');
    });
  });

  describe('BookmarkTracker', () => {
    const bookmarkOf = (tracker: BookmarkTracker): [string, string[]] | null => {
      const b = tracker.bookmark('datetime');
      return b ? [b.replication_key_value, b.boundary_ids ?? []] : null;
    };

    it('starts from the saved bookmark, or none', () => {
      assert.equal(new BookmarkTracker({ value: null, ids: [] }).bookmark('datetime'), null);
      assert.deepEqual(new BookmarkTracker({ value: T0, ids: ['b', 'a'] }).bookmark('datetime'), {
        replication_key: 'datetime',
        replication_key_value: '2024-01-01T00:00:00Z',
        boundary_ids: ['a', 'b'],
      });
    });

    it('advances over the finished prefix and the first unfinished window only', () => {
      const tracker = new BookmarkTracker({ value: null, ids: [] });
      const w1 = newWindow(T0, T0 + 10 * S);
      const w2 = newWindow(T0 + 10 * S, T0 + 20 * S);
      const w3 = newWindow(T0 + 20 * S, T0 + 30 * S);
      [w3, w1, w2].forEach((w) => tracker.add(w)); // added out of order: kept in time order
      tracker.see(w2, T0 + 15 * S, 'b');
      tracker.see(w3, T0 + 25 * S, 'c');
      assert.equal(tracker.advance(), false, 'w1 has written nothing and is not done');
      assert.equal(bookmarkOf(tracker), null);
      tracker.see(w1, T0 + 5 * S, 'a');
      assert.equal(tracker.advance(), true);
      assert.deepEqual(bookmarkOf(tracker), ['2024-01-01T00:00:05Z', ['a']]);
      w1.done = true;
      assert.equal(tracker.advance(), true, 'w2 is now the first unfinished window');
      assert.deepEqual(bookmarkOf(tracker), ['2024-01-01T00:00:15Z', ['b']]);
      assert.equal(tracker.advance(), false, 'nothing new');
      w3.done = true; // w3 finished before w2: still held back by w2
      assert.equal(tracker.advance(), false);
      assert.deepEqual(bookmarkOf(tracker), ['2024-01-01T00:00:15Z', ['b']]);
      w2.done = true;
      assert.equal(tracker.advance(), true);
      assert.deepEqual(bookmarkOf(tracker), ['2024-01-01T00:00:25Z', ['c']]);
    });

    it("a later window's records do not move the bookmark while an earlier window is unfinished", () => {
      const tracker = new BookmarkTracker({ value: T0, ids: ['x'] });
      const early = newWindow(T0, T0 + 10 * S);
      const late = newWindow(T0 + 10 * S, T0 + 20 * S);
      tracker.add(early);
      tracker.add(late);
      for (let i = 0; i < 20; i++) tracker.see(late, T0 + (11 + (i % 9)) * S, `late${i}`);
      late.done = true;
      assert.equal(tracker.advance(), false);
      assert.deepEqual(bookmarkOf(tracker), ['2024-01-01T00:00:00Z', ['x']]);
    });

    it('accumulates the ids tied at the bookmark value, within a window and across windows', () => {
      const tracker = new BookmarkTracker({ value: T0 + 5 * S, ids: ['a'] });
      const w1 = newWindow(T0, T0 + 10 * S);
      tracker.add(w1);
      tracker.see(w1, T0 + 5 * S, 'b');
      assert.equal(tracker.advance(), true);
      assert.deepEqual(bookmarkOf(tracker), ['2024-01-01T00:00:05Z', ['a', 'b']]);
      tracker.see(w1, T0 + 5 * S, 'c');
      tracker.see(w1, T0 + 5 * S, 'b');
      assert.equal(tracker.advance(), true);
      assert.deepEqual(bookmarkOf(tracker), ['2024-01-01T00:00:05Z', ['a', 'b', 'c']]);
      assert.equal(tracker.advance(), false, 'the same ids again change nothing');
      tracker.see(w1, T0 + 5 * S + 1, 'd');
      assert.equal(tracker.advance(), true);
      assert.deepEqual(bookmarkOf(tracker), ['2024-01-01T00:00:05.000001Z', ['d']], 'a greater value starts a new set of ids');
    });

    it('never moves backwards (late records under the lookback, an older window)', () => {
      const tracker = new BookmarkTracker({ value: T0 + 100 * S, ids: ['z'] });
      const lookback = newWindow(T0, T0 + 200 * S);
      tracker.add(lookback);
      for (const [offset, id] of [[10, 'a'], [50, 'b'], [99, 'c']] as const) tracker.see(lookback, T0 + offset * S, id);
      lookback.done = true;
      assert.equal(tracker.advance(), false);
      assert.deepEqual(bookmarkOf(tracker), ['2024-01-01T00:01:40Z', ['z']]);
    });

    it("lets go of the windows it has passed and of a finished window's ids once the next has written past it", () => {
      const tracker = new BookmarkTracker({ value: null, ids: [] });
      const [w1, w2, w3] = [0, 1, 2].map((i) => newWindow(T0 + i * 10 * S, T0 + (i + 1) * 10 * S)) as [Window, Window, Window];
      [w1, w2, w3].forEach((w) => tracker.add(w));
      tracker.see(w1, T0 + 1 * S, 'a');
      // w2 read only a tie second (a campaign's send): thousands of ids at its max.
      for (let i = 0; i < 5_000; i++) tracker.see(w2, T0 + 15 * S, `tie${i}`);
      w2.done = true;
      tracker.advance();
      assert.equal(w2.idsAtMax.size, 5_000, 'kept while the window after it has written nothing');
      tracker.see(w3, T0 + 21 * S, 'c');
      tracker.advance();
      assert.equal(w2.idsAtMax.size, 0, 'w3 has written past it: the bookmark goes on to w3 whenever it reaches w2');
      assert.deepEqual(bookmarkOf(tracker), ['2024-01-01T00:00:01Z', ['a']], 'held back by w1');
      w1.done = true;
      tracker.advance();
      assert.deepEqual(bookmarkOf(tracker), ['2024-01-01T00:00:21Z', ['c']]);
      const late = newWindow(T0 + 5 * S, T0 + 6 * S);
      tracker.add(late);
      tracker.see(late, T0 + 5 * S, 'late');
      late.done = true;
      assert.equal(tracker.advance(), false, 'the passed windows are gone, the bookmark is kept: it never moves back');
    });

    it('property: letting go changes no bookmark (against the bookmark computed afresh from every record seen)', () => {
      const random = prng(11);
      for (let run = 0; run < 300; run++) {
        const initial = random() < 0.3 ? { value: T0 + 50 * S, ids: ['x'] } : { value: null, ids: [] };
        const tracker = new BookmarkTracker(initial);
        const windows = Array.from({ length: 2 + Math.floor(random() * 5) }, (_, i) => newWindow(T0 + i * 100 * S, T0 + (i + 1) * 100 * S));
        windows.forEach((w) => tracker.add(w));
        const seen: Array<Array<[number, string]>> = windows.map(() => []);
        const expected = (): [string, string[]] | null => {
          let value = initial.value;
          let ids = new Set(initial.ids);
          for (let i = 0; i < windows.length; i++) {
            const records = seen[i] ?? [];
            if (records.length > 0) {
              const max = Math.max(...records.map(([v]) => v));
              const atMax = records.filter(([v]) => v === max).map(([, id]) => id);
              if (value === null || max > value) [value, ids] = [max, new Set(atMax)];
              else if (max === value) atMax.forEach((id) => ids.add(id));
            }
            if (!windows[i]?.done) break;
          }
          return value === null ? null : [new Date(value / 1000).toISOString().replace('.000Z', 'Z'), [...ids].sort()];
        };
        // Often the same value again: ties.
        walk(random, tracker, windows, { steps: 80, finish: 0.1, repeat: 0.6, label: `r${run}` }, (step, written) => {
          if (written) seen[written.window]?.push([written.value, written.id]);
          assert.deepEqual(bookmarkOf(tracker), expected(), `run ${run} step ${step}`);
        });
      }
    });

    it('property: the bookmark is monotonic and never passes a record of an unfinished earlier window', () => {
      const random = prng(7);
      for (let run = 0; run < 200; run++) {
        const tracker = new BookmarkTracker({ value: null, ids: [] });
        const windows = Array.from({ length: 1 + Math.floor(random() * 5) }, (_, i) => newWindow(T0 + i * 100 * S, T0 + (i + 1) * 100 * S));
        windows.forEach((w) => tracker.add(w));
        let previous = -Infinity;
        walk(random, tracker, windows, { steps: 60, finish: 0.15, repeat: 0, label: `r${run}` }, () => {
          const value = toMicros(tracker.bookmark('k')?.replication_key_value ?? '') ?? -Infinity;
          assert.ok(value >= previous, 'monotonic');
          previous = value;
          const firstOpen = windows.findIndex((x) => !x.done);
          if (firstOpen >= 0) {
            const limit = windows[firstOpen]?.max ?? windows[firstOpen]?.from ?? 0;
            const finishedMax = Math.max(-Infinity, ...windows.slice(0, firstOpen).map((x) => x.max ?? -Infinity));
            assert.ok(value <= Math.max(limit, finishedMax), 'not past the first unfinished window');
          }
        });
      }
    });
  });
});
