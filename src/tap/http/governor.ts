// Pages held by the tap (requested, or received and being turned into records) cost memory: about 1 KB of JSON
// per record as bytes, again as text, and several times that once parsed. Requests in flight hide network latency
// only while the tap has CPU to spare for what they bring back: once its event loop is busy all the time, more
// of them only queue up as parsed pages. (Little's law over the measured latency cannot see this: a busy loop
// answers late, so latency seems to grow with every page let in.) The governor watches the event loop's
// utilisation and keeps the page slots at what the CPU keeps up with: fewer while the loop is saturated, more while
// it idles with every slot taken. Additive increase and multiplicative decrease, between `min` and `max`.
import { performance } from 'node:perf_hooks';
import type { Semaphore } from './ratelimit.js';

/** Above this share of busy time the loop is saturated: slots shrink. */
export const BUSY = 0.92;
/** Below this share the CPU has room to spare: slots grow by a quarter. */
export const IDLE = 0.7;
/** How often utilisation is sampled. */
const SAMPLE_MS = 250;

export class CpuGovernor {
  constructor(
    private readonly slots: Semaphore,
    private readonly min: number,
    private readonly max: number,
  ) {}

  /** Adjusts the slots to the share of the last interval the event loop was busy (0..1). */
  observe(utilization: number): void {
    const limit = this.slots.limit;
    let next = limit;
    if (utilization >= BUSY) next = Math.floor(limit * 0.75);
    else if (this.slots.saturated) next = utilization < IDLE ? Math.ceil(limit * 1.25) + 1 : limit + 1;
    this.slots.setLimit(Math.max(this.min, Math.min(this.max, next)));
  }

  /** Samples the event loop until the returned function is called. */
  start(): () => void {
    let last = performance.eventLoopUtilization();
    const timer = setInterval(() => {
      const now = performance.eventLoopUtilization();
      this.observe(performance.eventLoopUtilization(now, last).utilization);
      last = now;
    }, SAMPLE_MS);
    timer.unref();
    return () => clearInterval(timer);
  }
}
