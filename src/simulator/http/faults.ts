// Draws the fault (if any) and latency for each API request from a seeded generator, so a run with the
// same seed and request order injects the same faults.
import { Rng } from '../rng.js';
import type { Knobs } from './knobs.js';

export type FaultKind = 'reset' | 'hang' | 'error' | 'html' | 'truncate' | 'throttle';
// New kinds go last: a rate of 0 then leaves every other kind's draws as they were.
export const FAULT_KINDS: readonly FaultKind[] = ['reset', 'hang', 'error', 'html', 'truncate', 'throttle'];

export interface FaultDraw {
  delayMs: number;
  fault: FaultKind | null;
  /** Status for an `error` fault. */
  errorStatus: number;
}

const RATE_OF: Record<FaultKind, keyof Knobs> = {
  reset: 'resetRate',
  hang: 'hangRate',
  error: 'errorRate',
  html: 'htmlRate',
  truncate: 'truncateRate',
  throttle: 'throttleRate',
};

export class FaultInjector {
  private readonly rng: Rng;

  constructor(seed: number) {
    this.rng = new Rng(seed, 0xfa017);
  }

  draw(knobs: Readonly<Knobs>): FaultDraw {
    // Spread evenly over latency ± jitter (none below zero).
    const delayMs = Math.max(0, knobs.latencyMs + knobs.jitterMs * (2 * this.rng.next() - 1));
    let roll = this.rng.next();
    let fault: FaultKind | null = null;
    for (const kind of FAULT_KINDS) {
      const rate = knobs[RATE_OF[kind]] as number;
      if (roll < rate) {
        fault = kind;
        break;
      }
      roll -= rate;
    }
    const errorStatus = [500, 502, 503, 504][this.rng.int(4)] ?? 500;
    return { delayMs, fault, errorStatus };
  }
}

export function cloudflarePage(status: number): string {
  return [
    '<!DOCTYPE html>',
    '<html lang="en-US"><head><title>a.klaviyo.com | 503: Service temporarily unavailable</title></head>',
    '<body><div id="cf-wrapper"><h1><span class="cf-error-type">Error</span> <span class="code-label">Error code ' + status + '</span></h1>',
    '<p>The web server reported a temporary error. Please try again in a few minutes.</p>',
    '<p>Cloudflare Ray ID: <strong>8c2f5d3e9a1b4c7d</strong> &bull; Performance &amp; security by Cloudflare</p>',
    '</div></body></html>',
  ].join('\n');
}
