import { strict as assert } from 'node:assert';
import { BUSY, CpuGovernor, MAX_GROWTH, SAMPLE_MS, TARGET } from '../../src/tap/http/governor.js';
import { Semaphore } from '../../src/tap/http/semaphore.js';

/** Takes every slot of `sem` (so it is saturated), returning the releases. */
async function fill(sem: Semaphore): Promise<Array<() => void>> {
  const held: Array<() => void> = [];
  while (!sem.saturated) held.push(await sem.acquire());
  return held;
}

describe('CpuGovernor', () => {
  /** A semaphore on a clock the test moves, its slots held `holdMs` each (one grant and release). */
  async function slotsHeld(limit: number, holdMs: number): Promise<{ sem: Semaphore; clock: { t: number } }> {
    const clock = { t: 0 };
    const sem = new Semaphore(limit, () => clock.t);
    const release = await sem.acquire();
    clock.t += holdMs;
    release();
    return { sem, clock };
  }

  it('shrinks the page slots while the event loop is saturated, towards the target share, down to its minimum', async () => {
    const sem = new Semaphore(32);
    await fill(sem);
    const gov = new CpuGovernor(sem, 2, 34);
    const seen: number[] = [];
    for (let i = 0; i < 12; i++) {
      gov.observe(1, i * SAMPLE_MS);
      seen.push(sem.limit);
    }
    assert.deepEqual(seen.slice(0, 4), [27, 22, 18, 15], 'by TARGET / share each step');
    assert.equal(sem.limit, 2);
  });

  it('grows them in proportion while every slot is taken and the loop idles (Little: slots x TARGET / share)', async () => {
    const sem = new Semaphore(10);
    const gov = new CpuGovernor(sem, 2, 200);
    await fill(sem);
    gov.observe(TARGET / 2, 0);
    assert.equal(sem.limit, 20, 'half the target share: twice the slots');
    await fill(sem);
    gov.observe(0.01, SAMPLE_MS);
    assert.equal(sem.limit, 20 * MAX_GROWTH, 'at most MAX_GROWTH times in one step');
    await fill(sem);
    gov.observe(TARGET - 0.01, 2 * SAMPLE_MS);
    assert.equal(sem.limit, 20 * MAX_GROWTH + 1, 'at least one more');
    await fill(sem);
    gov.observe((TARGET + BUSY) / 2, 3 * SAMPLE_MS);
    assert.equal(sem.limit, 20 * MAX_GROWTH + 1, 'between the target and busy: left alone');
    for (let i = 4; i < 40; i++) {
      await fill(sem);
      gov.observe(0.1, i * SAMPLE_MS);
    }
    assert.equal(sem.limit, 200);
  });

  it('leaves them alone while slots are free: an idle loop with room to spare needs no more', () => {
    const sem = new Semaphore(4);
    new CpuGovernor(sem, 2, 34).observe(0.05, 0);
    assert.equal(sem.limit, 4);
  });

  it('after a change, waits until the slots have turned over (one hold time) and judges by the mean since', async () => {
    const { sem } = await slotsHeld(40, 1000);
    const gov = new CpuGovernor(sem, 2, 200);
    await fill(sem);
    gov.observe(0.5, 0);
    assert.equal(sem.limit, 68, 'a first change at once');
    // The pages the new slots asked for arrive one latency later, all at once: a burst between idle samples.
    for (const [at, share] of [[250, 0.5], [500, 1], [750, 1]] as const) {
      gov.observe(share, at);
      assert.equal(sem.limit, 68, `at ${at} ms, inside the hold time: no change`);
    }
    gov.observe(0.9, 1000);
    assert.equal(sem.limit, 68, 'a mean of 0.85 over the hold time: on target');
  });

  it('grows at every sample while the loop is nearly idle (an empty pipeline), whatever the hold time', async () => {
    const { sem } = await slotsHeld(4, 700);
    const gov = new CpuGovernor(sem, 2, 130);
    const seen: number[] = [];
    for (let i = 0; i < 4; i++) {
      await fill(sem);
      gov.observe(0.02, i * SAMPLE_MS);
      seen.push(sem.limit);
    }
    assert.deepEqual(seen, [16, 64, 130, 130]);
  });

  it('lets every page waiting in at once while the loop is nearly idle (a backfill has just opened its windows)', async () => {
    const sem = new Semaphore(4);
    await fill(sem);
    for (let i = 0; i < 124; i++) void sem.acquire();
    const gov = new CpuGovernor(sem, 2, 130);
    gov.observe(0.02, 0);
    assert.equal(sem.limit, 128, 'all 128, not MAX_GROWTH x 4');
    const busier = new Semaphore(4);
    await fill(busier);
    for (let i = 0; i < 124; i++) void busier.acquire();
    new CpuGovernor(busier, 2, 130).observe(TARGET / 2, 0);
    assert.equal(busier.limit, 8, 'a loop already half as busy as the target: in proportion, as before');
  });

  it('a raised limit lets waiters in at once, a lowered one as holders release', async () => {
    const sem = new Semaphore(1);
    const first = await sem.acquire();
    let second = false;
    let third = false;
    void sem.acquire().then(() => (second = true));
    void sem.acquire().then(() => (third = true));
    sem.setLimit(2);
    await new Promise((r) => setImmediate(r));
    assert.equal(second, true);
    assert.equal(third, false);
    sem.setLimit(1);
    first();
    await new Promise((r) => setImmediate(r));
    assert.equal(third, false, 'two held, limit one: the release does not let the third in');
  });
});
