// Klaviyo-style fixed windows per operation: a 1-second burst window and a 1-minute steady window.
// `speedup` shortens both windows (60 makes the steady window one second).

export interface Limits {
  perSecond: number;
  perMinute: number;
  /** A daily quota (the Reporting API's 225/day), counted per simulated day (see `advanceDay`). */
  perDay?: number;
}

/** Seconds until the next UTC midnight, at least an hour: what a spent daily quota asks a client to wait. */
export function dailyRetryAfter(now: number): number {
  const day = 86_400_000;
  return Math.max(3600, Math.ceil((Math.floor(now / day) * day + day - now) / 1000));
}

export type Admission =
  | { ok: true; limit: number; remaining: number; resetSeconds: number }
  | { ok: false; retryAfterSeconds: number; daily?: boolean };

interface Window {
  start: number;
  count: number;
}

interface Buckets {
  burst: Window;
  steady: Window;
}

function roll(window: Window, now: number, length: number): void {
  if (now >= window.start + length) {
    window.start = Math.floor(now / length) * length;
    window.count = 0;
  }
}

function secondsUntil(window: Window, length: number, now: number): number {
  return Math.max(1, Math.ceil((window.start + length - now) / 1000));
}

export class RateLimiter {
  private readonly buckets = new Map<string, Buckets>();
  /** Requests per bucket on the current simulated day. */
  private readonly daily = new Map<string, number>();
  /** Requests refused with the daily 429, per bucket, over the limiter's life. */
  readonly refusedDaily = new Map<string, number>();
  /** The simulated day the daily quotas count in; tests move it on with `advanceDay`. */
  day = 0;
  enabled = true;
  speedup = 1;
  /** Scales every tier's limits (floored, at least 1). */
  factor = 1;

  admit(bucket: string, tier: Limits, now: number = Date.now()): Admission {
    const limits = this.scaled(tier);
    const burstLength = 1000 / this.speedup;
    const steadyLength = 60_000 / this.speedup;
    let state = this.buckets.get(bucket);
    if (!state) this.buckets.set(bucket, (state = { burst: { start: 0, count: 0 }, steady: { start: 0, count: 0 } }));
    roll(state.burst, now, burstLength);
    roll(state.steady, now, steadyLength);
    if (this.enabled) {
      const waits: number[] = [];
      if (state.burst.count >= limits.perSecond) waits.push(secondsUntil(state.burst, burstLength, now));
      if (state.steady.count >= limits.perMinute) waits.push(secondsUntil(state.steady, steadyLength, now));
      if (waits.length > 0) return { ok: false, retryAfterSeconds: Math.max(...waits) };
      const today = this.daily.get(bucket) ?? 0;
      if (limits.perDay !== undefined && today >= limits.perDay) {
        this.refusedDaily.set(bucket, (this.refusedDaily.get(bucket) ?? 0) + 1);
        return { ok: false, retryAfterSeconds: dailyRetryAfter(now), daily: true };
      }
      if (limits.perDay !== undefined) this.daily.set(bucket, today + 1);
      state.burst.count++;
      state.steady.count++;
    }
    return {
      ok: true,
      limit: limits.perMinute,
      remaining: this.enabled ? limits.perMinute - state.steady.count : limits.perMinute,
      resetSeconds: secondsUntil(state.steady, steadyLength, now),
    };
  }

  private scaled(tier: Limits): Limits {
    if (this.factor === 1) return tier;
    const scale = (n: number): number => Math.max(1, Math.floor(n * this.factor));
    return { perSecond: scale(tier.perSecond), perMinute: scale(tier.perMinute), ...(tier.perDay !== undefined ? { perDay: scale(tier.perDay) } : {}) };
  }

  /** Requests counted against `bucket`'s daily quota on the current simulated day. */
  usedToday(bucket: string): number {
    return this.daily.get(bucket) ?? 0;
  }

  /** A new simulated day: every daily quota starts again. */
  advanceDay(): void {
    this.day++;
    this.daily.clear();
  }

  reset(): void {
    this.buckets.clear();
    this.daily.clear();
  }
}
