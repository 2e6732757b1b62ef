import { strict as assert } from 'node:assert';
import { BUSY, CpuGovernor, IDLE } from '../../src/tap/http/governor.js';
import { Semaphore } from '../../src/tap/http/ratelimit.js';

/** Takes every slot of `sem` (so it is saturated), returning the releases. */
async function fill(sem: Semaphore): Promise<Array<() => void>> {
  const held: Array<() => void> = [];
  while (!sem.saturated) held.push(await sem.acquire());
  return held;
}

describe('CpuGovernor', () => {
  it('shrinks the page slots while the event loop is saturated, down to its minimum', async () => {
    const sem = new Semaphore(32);
    await fill(sem);
    const gov = new CpuGovernor(sem, 2, 34);
    const seen: number[] = [];
    for (let i = 0; i < 12; i++) {
      gov.observe(0.99);
      seen.push(sem.limit);
    }
    assert.deepEqual(seen.slice(0, 4), [24, 18, 13, 9]);
    assert.equal(sem.limit, 2);
  });

  it('grows them while every slot is taken and the CPU has room, up to its maximum', async () => {
    const sem = new Semaphore(4);
    const gov = new CpuGovernor(sem, 2, 34);
    await fill(sem);
    gov.observe(IDLE - 0.1);
    assert.equal(sem.limit, 6, 'a quarter more, plus one');
    await fill(sem);
    gov.observe((IDLE + BUSY) / 2);
    assert.equal(sem.limit, 7, 'one more between idle and busy');
    for (let i = 0; i < 30; i++) {
      await fill(sem);
      gov.observe(0.1);
    }
    assert.equal(sem.limit, 34);
  });

  it('leaves them alone while slots are free: an idle loop with room to spare needs no more', () => {
    const sem = new Semaphore(4);
    new CpuGovernor(sem, 2, 34).observe(0.05);
    assert.equal(sem.limit, 4);
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
