// Pages held by the tap (requested, or received and being turned into records) cost memory: about 1 KB of JSON
// per record as bytes, again as text, and several times that once parsed. Requests in flight hide network latency
// only while the tap has CPU to spare for what they bring back: once its event loop is busy all the time, more
// of them only queue up as parsed pages. (Little's law over the measured latency cannot see this: a busy loop
// answers late, so latency seems to grow with every page let in.) The governor watches the event loop's
// utilisation and keeps the page slots at what the CPU keeps up with.
//
// Little's law over the slots themselves gives the step: with S slots each held for `hold` (request, latency,
// turning the page into records), pages go through at S / hold per second and cost the loop u = S x cpu / hold
// of its time. The slots that bring the loop to TARGET are S x TARGET / u, whatever the latency is: at 0 ms a
// few slots saturate the CPU, at 500 ms it takes some sixty. A change shows only once the slots have turned over
// (the pages asked for with the new slots arrive a latency later), so the governor waits one hold time after each
// change, and judges by the mean utilisation since: judged every sample, it would keep growing on the old, idle
// samples, then cut on the burst of pages that arrive together (seen at 500 ms: slots swinging between 50 and 130).
import { performance } from 'node:perf_hooks';
import type { Semaphore } from './semaphore.js';

/** The share of busy time the slots are steered to. */
export const TARGET = 0.85;
/** At or above this mean share the loop is saturated: slots shrink towards TARGET. */
export const BUSY = 0.95;
/** At most this factor up per step (the samples of an empty pipeline, at the start, read as idle). */
export const MAX_GROWTH = 4;
/** At most this factor down per step (a loop busy all the time does not say by how much it is short). */
export const MAX_SHRINK = 0.75;
/** How often utilisation is sampled. */
export const SAMPLE_MS = 250;

export class CpuGovernor {
  /** When the slots last changed, and the utilisation sampled since. */
  private since = -Infinity;
  private busySum = 0;
  private samples = 0;
  /** Whether every slot was taken at some sample since the last change (growing is useless otherwise). */
  private wanted = false;

  constructor(
    private readonly slots: Semaphore,
    private readonly min: number,
    private readonly max: number,
  ) {}

  /** Notes the share of the last interval the event loop was busy (0..1) at `now` (ms), and steers the slots. */
  observe(utilization: number, now: number = performance.now()): void {
    this.busySum += utilization;
    this.samples++;
    this.wanted ||= this.slots.saturated;
    const mean = this.busySum / this.samples;
    // A loop this idle is far from TARGET whatever the slots asked for last will bring (an empty pipeline at the
    // start, while latency holds every slot): growing at once costs no overshoot worth the wait.
    const idle = mean * MAX_GROWTH < TARGET;
    const settle = idle ? SAMPLE_MS : Math.max(SAMPLE_MS, this.slots.holdMs);
    if (now - this.since < settle) return;
    const limit = this.slots.limit;
    let next = limit;
    // Between TARGET and BUSY the slots stay: the loop is as busy as wanted, and jitter should not move them.
    if (mean >= BUSY) next = Math.floor(limit * Math.max(MAX_SHRINK, TARGET / mean));
    else if (this.wanted && mean < TARGET) {
      next = Math.max(limit + 1, Math.ceil(limit * Math.min(MAX_GROWTH, TARGET / mean)));
      // So idle a loop lets in every page waiting (a backfill's first page has just opened its windows).
      if (idle) next = Math.max(next, this.slots.demand);
    }
    next = Math.max(this.min, Math.min(this.max, next));
    this.busySum = 0;
    this.samples = 0;
    this.wanted = false;
    if (next === limit) return;
    this.slots.setLimit(next);
    this.since = now;
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
