// Klaviyo-style fixed windows per operation: a 1-second burst window and a 1-minute steady window.
// `speedup` shortens both windows (60 makes the steady window one second).

export interface Limits {
  perSecond: number;
  perMinute: number;
}

export type Admission =
  | { ok: true; limit: number; remaining: number; resetSeconds: number }
  | { ok: false; retryAfterSeconds: number };

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
    return { perSecond: Math.max(1, Math.floor(tier.perSecond * this.factor)), perMinute: Math.max(1, Math.floor(tier.perMinute * this.factor)) };
  }

  reset(): void {
    this.buckets.clear();
  }
}
