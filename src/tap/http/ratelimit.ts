// One request budget per Klaviyo endpoint (its burst and steady tier), shared by every stream that calls it,
// plus one cap on requests in flight across the whole tap.
import { once } from '../shared/concurrency.js';

const SECOND_MS = 1000;
const MINUTE_MS = 60_000;
/** Windows are counted a little wider than Klaviyo's, so clock skew and latency never push us over. */
const SLACK = 1.05;
/**
 * The steady window is counted this much wider than a minute: the spread of the delay between a request's start
 * here and its arrival there. (5 % of a minute, 3 s, idles a backfill for longer than its whole second minute's
 * burst takes.)
 */
const MINUTE_MARGIN_MS = 1000;

export type Clock = { now(): number; sleep(ms: number): Promise<void> };
export const realClock: Clock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

/** Request start times within the last minute, oldest first. */
class StartLog {
  private times: number[] = [];
  private head = 0;

  prune(now: number): void {
    while (this.head < this.times.length && (this.times[this.head] ?? 0) <= now - MINUTE_MS - MINUTE_MARGIN_MS) this.head++;
    if (this.head > 4096) {
      this.times = this.times.slice(this.head);
      this.head = 0;
    }
  }
  add(now: number): void {
    this.times.push(now);
  }
  get size(): number {
    return this.times.length - this.head;
  }
  /** Starts since `since` (the log is sorted). */
  countSince(since: number): number {
    let n = 0;
    for (let i = this.times.length - 1; i >= this.head && (this.times[i] ?? 0) > since; i--) n++;
    return n;
  }
  /** When the request `back` places from the newest leaves a window of `width` ms. */
  expiry(back: number, width: number): number {
    return (this.times[this.times.length - back] ?? 0) + width;
  }
  /** Drops the starts before `time` (Klaviyo has closed the steady window they were counted in). */
  forgetBefore(time: number): void {
    while (this.head < this.times.length && (this.times[this.head] ?? 0) < time) this.head++;
  }
  oldest(): number {
    return this.times[this.head] ?? 0;
  }
}

export interface Tier {
  perSecond: number;
  perMinute: number;
}

/** Weight of the newest response time in the smoothed latency (an EWMA over about the last ten responses). */
const LATENCY_WEIGHT = 0.2;
/** Requests in flight beyond Little's law, so jitter (a slow response among fast ones) never leaves the tier idle. */
const HEADROOM = 1.25;

/**
 * Little's law: the requests in flight that keep an endpoint at the rate it allows, given its latency. While the
 * steady window has room the allowed rate is the burst rate, otherwise the steady one. At least one, and never
 * more than the burst (a second's worth) nor `cap`.
 */
export function inFlightTarget(tier: Tier, steadyRoom: boolean, latencyMs: number, cap: number): number {
  const rate = steadyRoom ? tier.perSecond : tier.perMinute / 60;
  const wanted = Math.ceil((rate * latencyMs * HEADROOM) / SECOND_MS) + 1;
  return Math.max(1, Math.min(wanted, tier.perSecond, cap));
}

export class RateBudget {
  private readonly starts = new StartLog();
  private pausedUntil = 0;
  private queue: Promise<void> = Promise.resolve();
  /** Smoothed response time in ms; null until the first response. */
  private latencyMs: number | null = null;
  private admitted = 0;
  private waiting: Array<() => void> = [];
  /**
   * From `RateLimit-Reset`: once `at` has passed, Klaviyo's fixed steady window that counted every start before
   * `before` has surely closed, so those starts no longer take room in the minute.
   */
  private closing: { at: number; before: number } | null = null;

  /** `maxInFlight`: the tap-wide cap on requests in flight, which no endpoint's admission exceeds. */
  constructor(
    readonly tier: Tier,
    private readonly clock: Clock = realClock,
    private readonly maxInFlight = Infinity,
  ) {}

  /** Requests this endpoint should have in flight now (Little's law over the observed latency). */
  target(): number {
    const now = this.clock.now();
    this.prune(now);
    return inFlightTarget(this.tier, this.starts.size < this.tier.perMinute, this.latencyMs ?? 0, this.maxInFlight);
  }

  /** Requests this endpoint started in the last minute (for the progress line). */
  startsInLastMinute(): number {
    return this.starts.countSince(this.clock.now() - MINUTE_MS);
  }

  get latency(): number | null {
    return this.latencyMs;
  }

  /** Notes how long a response took (from the request's start to its headers). */
  observeLatency(ms: number): void {
    this.latencyMs = this.latencyMs === null ? ms : this.latencyMs + LATENCY_WEIGHT * (ms - this.latencyMs);
    this.wake();
  }

  /**
   * Resolves, with a release, once fewer than `target()` requests of this endpoint are admitted. Take it before
   * any shared slot, so work waiting on a slow endpoint holds nothing others need.
   */
  async admit(): Promise<() => void> {
    while (this.admitted >= this.target()) await new Promise<void>((resolve) => this.waiting.push(resolve));
    this.admitted++;
    return once(() => {
      this.admitted--;
      this.wake();
    });
  }

  private wake(): void {
    const waiting = this.waiting;
    this.waiting = [];
    for (const w of waiting) w();
  }

  /** Resolves when one more request may start without breaking either window. Callers are served in order. */
  acquire(): Promise<void> {
    const turn = this.queue.then(() => this.waitForRoom());
    this.queue = turn.catch(() => undefined);
    return turn;
  }

  private async waitForRoom(): Promise<void> {
    for (;;) {
      const now = this.clock.now();
      const wait = this.delayAt(now);
      if (wait <= 0) {
        this.starts.add(now);
        return;
      }
      await this.clock.sleep(wait);
    }
  }

  /** Milliseconds until a request may start (<= 0: now). */
  private delayAt(now: number): number {
    this.prune(now);
    if (now < this.pausedUntil) return this.pausedUntil - now;
    const inLastSecond = this.starts.countSince(now - SECOND_MS * SLACK);
    if (inLastSecond >= this.tier.perSecond) return this.starts.expiry(this.tier.perSecond, SECOND_MS * SLACK) - now;
    if (this.starts.size >= this.tier.perMinute) {
      const slides = this.starts.oldest() + MINUTE_MS + MINUTE_MARGIN_MS - now;
      return this.closing ? Math.min(slides, this.closing.at - now) : slides;
    }
    return 0;
  }

  private prune(now: number): void {
    const full = this.starts.size >= this.tier.perMinute;
    if (this.closing && now >= this.closing.at) {
      // Never forget a start inside the burst window.
      this.starts.forgetBefore(Math.min(this.closing.before, now - SECOND_MS * SLACK));
      this.closing = null;
    }
    this.starts.prune(now);
    // The steady window has reset (or slid): the target rises from the steady rate's to the burst's, so callers
    // waiting for admission may go now rather than when the next response comes back. A start alone never raises it.
    if (full && this.starts.size < this.tier.perMinute) this.wake();
  }

  /** A 429 said to wait: nobody starts a request on this endpoint before then. */
  pause(ms: number): void {
    this.pausedUntil = Math.max(this.pausedUntil, this.clock.now() + ms);
  }

  /**
   * Reads Klaviyo's steady-window headers. When the account has (almost) nothing left — other clients share the
   * quota — wait for the window to reset instead of running into 429s.
   */
  observe(remaining: number | undefined, resetSeconds: number | undefined, sentAt?: number): void {
    if (remaining === undefined || resetSeconds === undefined) return;
    if (remaining <= 0) this.pause(resetSeconds * SECOND_MS);
    if (sentAt !== undefined && resetSeconds >= 1) this.noteReset(sentAt, resetSeconds);
  }

  /**
   * Klaviyo's steady window is fixed: it ends `resetSeconds` (rounded up) after the server answered, somewhere
   * between the request's start and now. So it ends no earlier than `sentAt + (reset - 1) s` and no later than
   * `now + reset s`. Once the later bound has passed, starts well before the earlier bound (by the margin the
   * minute is counted with, for their way to the server) were counted in a closed window. Every response of the
   * same window narrows the later bound (the rounding leaves up to a second, less the further into its second a
   * response was answered): the least of them over a burst of responses is within about a latency of the end.
   * Every response of the same window raises the earlier bound too (one sent just before the end, answered with a
   * reset of a second, puts it within a second of the end), so fewer of the starts made close to the end still
   * count once it has passed. A response whose bounds lie past the current ones reports the next window, and waits
   * for that one to close.
   */
  private noteReset(sentAt: number, resetSeconds: number): void {
    const now = this.clock.now();
    this.prune(now);
    const at = now + resetSeconds * SECOND_MS;
    const earliest = sentAt + (resetSeconds - 1) * SECOND_MS;
    const before = earliest - MINUTE_MARGIN_MS;
    if (!this.closing) this.closing = { at, before };
    else if (earliest < this.closing.at) {
      this.closing.at = Math.min(this.closing.at, at);
      this.closing.before = Math.max(this.closing.before, before);
    }
  }
}

