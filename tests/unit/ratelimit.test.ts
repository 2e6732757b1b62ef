// The per-endpoint rate budget against a virtual clock (sleep advances time at once), and the in-flight cap.
import assert from 'node:assert/strict';
import { inFlightTarget, RateBudget, type Clock, type Tier } from '../../src/tap/http/ratelimit.js';
import { Semaphore } from '../../src/tap/http/semaphore.js';

/** A clock whose sleeps advance virtual time instantly; it records every sleep. */
class FakeClock implements Clock {
  t = 1_000_000;
  readonly sleeps: number[] = [];
  now(): number {
    return this.t;
  }
  async sleep(ms: number): Promise<void> {
    assert.ok(ms > 0, `sleeps a positive time (got ${ms})`);
    this.sleeps.push(ms);
    this.t += ms;
  }
}

/** The largest number of starts inside any half-open window [t, t + width). Starts must be sorted. */
function maxInAnyWindow(starts: readonly number[], width: number): number {
  let best = 0;
  let lo = 0;
  for (let hi = 0; hi < starts.length; hi++) {
    while ((starts[hi] ?? 0) - (starts[lo] ?? 0) >= width) lo++;
    best = Math.max(best, hi - lo + 1);
  }
  return best;
}

async function acquireSequentially(budget: RateBudget, clock: FakeClock, n: number): Promise<number[]> {
  const starts: number[] = [];
  for (let i = 0; i < n; i++) {
    await budget.acquire();
    starts.push(clock.now());
  }
  return starts;
}

describe('ratelimit', () => {
  describe('RateBudget windows', () => {
    const table: Array<{ tier: Tier; n: number }> = [
      { tier: { perSecond: 10, perMinute: 150 }, n: 400 }, // M
      { tier: { perSecond: 1, perMinute: 15 }, n: 40 }, // XS
      { tier: { perSecond: 3, perMinute: 60 }, n: 150 }, // S
      { tier: { perSecond: 75, perMinute: 750 }, n: 2000 }, // L
      { tier: { perSecond: 350, perMinute: 3500 }, n: 8000 }, // XL
    ];
    for (const { tier, n } of table) {
      it(`${tier.perSecond}/s, ${tier.perMinute}/m: ${n} acquisitions never break either window, and keep going`, async () => {
        const clock = new FakeClock();
        const budget = new RateBudget(tier, clock);
        const started = clock.now();
        const starts = await acquireSequentially(budget, clock, n);
        assert.equal(starts.length, n);
        assert.ok(maxInAnyWindow(starts, 1_000) <= tier.perSecond, `burst: ${maxInAnyWindow(starts, 1_000)} in 1 s`);
        assert.ok(maxInAnyWindow(starts, 60_000) <= tier.perMinute, `steady: ${maxInAnyWindow(starts, 60_000)} in 60 s`);
        // Not so careful that it starves: the first burst goes at once, and n requests take at most
        // ceil(n / perMinute) steady windows (with the budget's slack) of virtual time.
        assert.equal(starts.slice(0, tier.perSecond).every((s) => s === started), true, 'first burst without waiting');
        const windows = Math.ceil(n / tier.perMinute);
        assert.ok((starts[n - 1] ?? 0) - started <= windows * 63_000, `took ${(starts[n - 1] ?? 0) - started} ms of virtual time`);
      });
    }

    it('serves concurrent callers in order, inside the same windows', async () => {
      const clock = new FakeClock();
      const tier = { perSecond: 10, perMinute: 150 };
      const budget = new RateBudget(tier, clock);
      const order: number[] = [];
      const starts: number[] = [];
      await Promise.all(
        Array.from({ length: 400 }, (_, i) =>
          budget.acquire().then(() => {
            order.push(i);
            starts.push(clock.now());
          }),
        ),
      );
      assert.deepEqual(order, Array.from({ length: 400 }, (_, i) => i));
      assert.ok(maxInAnyWindow(starts, 1_000) <= tier.perSecond);
      assert.ok(maxInAnyWindow(starts, 60_000) <= tier.perMinute);
    });
  });

  describe('RateBudget.pause and observe', () => {
    const table: Array<{ name: string; act: (b: RateBudget) => void; earliest: number }> = [
      { name: 'pause(5000): nobody starts for 5 s', act: (b) => b.pause(5_000), earliest: 5_000 },
      { name: 'the longer of two pauses wins', act: (b) => (b.pause(5_000), b.pause(2_000)), earliest: 5_000 },
      { name: 'observe(0, 7): nothing left, wait for the reset', act: (b) => b.observe(0, 7), earliest: 7_000 },
      { name: 'observe(-1, 3): below zero is nothing left too', act: (b) => b.observe(-1, 3), earliest: 3_000 },
      { name: 'observe(5, 7): quota left, no pause', act: (b) => b.observe(5, 7), earliest: 0 },
      { name: 'observe(undefined, 7): no header, no pause', act: (b) => b.observe(undefined, 7), earliest: 0 },
      { name: 'observe(0, undefined): no reset header, no pause', act: (b) => b.observe(0, undefined), earliest: 0 },
    ];
    for (const { name, act, earliest } of table) {
      it(name, async () => {
        const clock = new FakeClock();
        const budget = new RateBudget({ perSecond: 100, perMinute: 1000 }, clock);
        const t0 = clock.now();
        act(budget);
        await budget.acquire();
        assert.equal(clock.now() - t0, earliest);
        if (earliest === 0) assert.deepEqual(clock.sleeps, []);
      });
    }

    it('a pause holds back every waiting caller, not just the next one', async () => {
      const clock = new FakeClock();
      const budget = new RateBudget({ perSecond: 100, perMinute: 1000 }, clock);
      const t0 = clock.now();
      budget.pause(2_500);
      const starts: number[] = [];
      await Promise.all([1, 2, 3].map(() => budget.acquire().then(() => starts.push(clock.now() - t0))));
      assert.deepEqual(starts, [2_500, 2_500, 2_500]);
    });
  });

  describe("inFlightTarget (Little's law)", () => {
    const L = { perSecond: 75, perMinute: 750 };
    const XL = { perSecond: 350, perMinute: 3500 };
    const XS = { perSecond: 1, perMinute: 15 };
    const table: Array<{ tier: Tier; room: boolean; latency: number; cap: number; want: number }> = [
      { tier: L, room: true, latency: 0, cap: 32, want: 1 }, // nothing timed yet: one at a time
      { tier: L, room: true, latency: 300, cap: 32, want: 30 }, // ceil(75 x 0.3 x 1.25) + 1
      { tier: L, room: true, latency: 300, cap: 16, want: 16 }, // the tap-wide cap
      { tier: L, room: false, latency: 300, cap: 32, want: 6 }, // steady: ceil(12.5 x 0.3 x 1.25) + 1
      { tier: XL, room: true, latency: 500, cap: 256, want: 220 }, // ceil(350 x 0.5 x 1.25) + 1
      { tier: XL, room: true, latency: 5000, cap: 1000, want: 350 }, // never more than a second's burst
      { tier: XS, room: true, latency: 2000, cap: 32, want: 1 },
    ];
    for (const { tier, room, latency, cap, want } of table) {
      it(`${tier.perSecond}/s, ${room ? 'burst' : 'steady'}, ${latency} ms, cap ${cap}: ${want}`, () => {
        assert.equal(inFlightTarget(tier, room, latency, cap), want);
      });
    }

    it('a budget admits up to its target, more once a slow response is timed, and again on release', async () => {
      const budget = new RateBudget(L, new FakeClock(), 32);
      const first = await budget.admit();
      let second = false;
      void budget.admit().then(() => (second = true));
      await new Promise((r) => setImmediate(r));
      assert.equal(second, false, 'one at a time before any latency is known');
      budget.observeLatency(300);
      await new Promise((r) => setImmediate(r));
      assert.equal(second, true, 'admitted once the target grew');
      assert.equal(budget.target(), 30);
      first();
    });
  });

  describe('RateBudget and RateLimit-Reset (fixed steady windows)', () => {
    // 10 starts fill a 10/min window at t0; a response at t0 + 100 (sent at t0 + 50) reports the reset.
    const table: Array<{ name: string; reset: number | undefined; sentAt: number | undefined; next: number }> = [
      { name: 'no header: the minute slides (60 s + margin)', reset: undefined, sentAt: 50, next: 61_000 },
      { name: 'window closes in 20 s: the next start waits for that, not the minute', reset: 20, sentAt: 50, next: 20_100 },
      { name: 'window closes after our minute: the minute wins', reset: 70, sentAt: 50, next: 61_000 },
      { name: 'window closes at once: starts this close to it may be in the new window, so they still count', reset: 1, sentAt: 50, next: 61_000 },
      { name: 'start time unknown: nothing is forgotten', reset: 20, sentAt: undefined, next: 61_000 },
    ];
    for (const { name, reset, sentAt, next } of table) {
      it(name, async () => {
        const clock = new FakeClock();
        const t0 = clock.now();
        const budget = new RateBudget({ perSecond: 100, perMinute: 10 }, clock);
        await acquireSequentially(budget, clock, 10);
        clock.t = t0 + 100;
        budget.observe(5, reset, sentAt === undefined ? undefined : t0 + sentAt);
        await budget.acquire();
        assert.equal(clock.now() - t0, next);
      });
    }
    it('narrows the reset over the responses of the same window, and leaves one of the next window for later', async () => {
      const clock = new FakeClock();
      const t0 = clock.now();
      const budget = new RateBudget({ perSecond: 100, perMinute: 10 }, clock);
      await acquireSequentially(budget, clock, 10);
      // The window ends at t0 + 20,000 (server time). Each response bounds it by its arrival + the rounded-up reset.
      clock.t = t0 + 400;
      budget.observe(5, 20, t0 + 50); // answered at t0 + 50..400: reset 20 -> ends by t0 + 20,400
      clock.t = t0 + 1_300;
      budget.observe(5, 19, t0 + 1_250); // answered just past t0 + 1,000 (19 s left, rounded up): ends by t0 + 20,300
      clock.t = t0 + 1_400;
      budget.observe(5, 60, t0 + 1_350); // a next window's reset (it cannot end before t0 + 60,350): not this one's
      await budget.acquire();
      assert.equal(clock.now() - t0, 20_300, 'the least of the later bounds');
    });

    it('forgets the starts that a later response of the same window proves were counted in it', async () => {
      const clock = new FakeClock();
      const t0 = clock.now();
      const budget = new RateBudget({ perSecond: 100, perMinute: 10 }, clock);
      // The server's window ends at t0 + 20,000. Nine starts at t0 + 18,800, the tenth at t0 + 19,900.
      clock.t = t0 + 18_800;
      await acquireSequentially(budget, clock, 9);
      clock.t = t0 + 18_900;
      budget.observe(5, 2, t0 + 18_800); // 2 s left, rounded up: the window ends after t0 + 19,800 and by t0 + 20,900
      clock.t = t0 + 19_900;
      await budget.acquire();
      clock.t = t0 + 19_950;
      budget.observe(5, 1, t0 + 19_900); // sent at t0 + 19,900 and answered in the same window: it ends after that
      await budget.acquire();
      // The nine starts lie more than the margin before t0 + 19,900: counted in the closed window, forgotten at its
      // end. Bounded by the first response alone (t0 + 19,800 less the margin) they would count for a whole minute.
      assert.equal(clock.now() - t0, 20_900);
    });

    it('lets callers waiting for admission go as soon as the steady window has reset (not a response later)', async () => {
      const clock = new FakeClock();
      const t0 = clock.now();
      const budget = new RateBudget({ perSecond: 100, perMinute: 10 }, clock);
      budget.observeLatency(1_000);
      await acquireSequentially(budget, clock, 10);
      assert.equal(budget.target(), 2, 'the minute is spent: the steady rate x latency');
      await budget.admit();
      await budget.admit();
      let third = false;
      void budget.admit().then(() => (third = true));
      clock.t = t0 + 100;
      budget.observe(5, 5, t0 + 50);
      await budget.acquire(); // waits for the reset at t0 + 5,100, then starts
      for (let k = 0; k < 5; k++) await Promise.resolve();
      assert.equal(budget.target(), 100, 'the window reset: the burst rate x latency');
      assert.equal(third, true, 'the waiting caller was admitted when the first request after the reset started');
    });
  });

  describe('Semaphore', () => {
    for (const limit of [1, 3, 8]) {
      it(`limit ${limit}: at most ${limit} run at once, and that many do`, async () => {
        const sem = new Semaphore(limit);
        let active = 0;
        let peak = 0;
        const done: number[] = [];
        await Promise.all(
          Array.from({ length: 25 }, (_, i) =>
            sem.run(async () => {
              active++;
              peak = Math.max(peak, active);
              for (let k = 0; k < 3; k++) await Promise.resolve();
              active--;
              done.push(i);
            }),
          ),
        );
        assert.equal(peak, limit);
        assert.equal(done.length, 25);
      });
    }

    it('releases its slot when the task throws', async () => {
      const sem = new Semaphore(1);
      await assert.rejects(sem.run(() => Promise.reject(new Error('boom'))), /boom/);
      assert.equal(await sem.run(() => Promise.resolve('next')), 'next');
    });

    it('a release called twice frees one slot only', async () => {
      const sem = new Semaphore(2);
      const a = await sem.acquire();
      await sem.acquire();
      a();
      a();
      await sem.acquire(); // takes the slot a freed
      let fourth = false;
      void sem.acquire().then(() => (fourth = true));
      for (let k = 0; k < 5; k++) await Promise.resolve();
      assert.equal(fourth, false, 'the second release of a must not free another slot');
    });
  });
});
