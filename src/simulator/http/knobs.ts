// Run-time settings: latency, fault probabilities and rate limiting. Settable by CLI flag, by
// startSimulator option and by POST /__admin/config (same camelCase names).
import { ACCOUNT_NAMES, isAccountName, type AccountName } from '../world/accounts.js';
import { LAYOUT_VARIATIONS, VARIED } from '../api/layout.js';

export interface Knobs {
  latencyMs: number;
  jitterMs: number;
  errorRate: number;
  resetRate: number;
  hangRate: number;
  truncateRate: number;
  htmlRate: number;
  /**
   * Share of requests answered 429 with `Retry-After: 1` whatever the rate limits say (Klaviyo may throttle below a
   * tier's published numbers when the account is busy): a 429 storm that does not depend on the client's pace.
   */
  throttleRate: number;
  rateLimitSpeedup: number;
  rateLimits: boolean;
  /** Multiplies every tier's limits (floored, at least 1): below 1 makes a tight account for 429 storms. */
  rateLimitFactor: number;
  /** When not empty, `links.next` points at this origin instead of the simulator's (a misbehaving proxy). */
  nextOrigin: string;
  /** Answer 400 to a datetime filter bound later than the simulator's clock, as Klaviyo does. */
  refuseFutureBounds: boolean;
  /** Share of attribute values served off-spec (wrong types, nulls, numbers as strings, unknown enums, odd dates). */
  hostileRate: number;
  /** UTC days (YYYY-MM-DD) on which GET /api/events silently leaves out every 10th event; metric-aggregates still counts them. */
  skipEventsOnDays: string[];
  /**
   * Whether archiving or restoring a campaign or flow (`/__admin/mutate`) moves its `updated_at` / `updated`: Klaviyo
   * does not say, so the tap is tested under both readings.
   */
  archiveMovesUpdated: boolean;
  /** The account's shape (world/accounts.ts); changing it builds the world again (same seed, scale and data end). */
  account: AccountName;
  /**
   * Response layouts other than the simulator's own, for the same world (api/layout.ts): any of LAYOUT_VARIATIONS,
   * or `varied` for all of them; [] is the simulator's own layout.
   */
  layout: string[];
}

export const DEFAULT_KNOBS: Readonly<Knobs> = {
  latencyMs: 0,
  jitterMs: 0,
  errorRate: 0,
  resetRate: 0,
  hangRate: 0,
  truncateRate: 0,
  htmlRate: 0,
  throttleRate: 0,
  rateLimitSpeedup: 1,
  rateLimits: true,
  rateLimitFactor: 1,
  nextOrigin: '',
  refuseFutureBounds: false,
  hostileRate: 0,
  skipEventsOnDays: [],
  archiveMovesUpdated: false,
  account: 'standard',
  layout: [],
};

const RATES = new Set(['errorRate', 'resetRate', 'hangRate', 'truncateRate', 'htmlRate', 'throttleRate', 'hostileRate']);

function checkKnob(name: string, value: unknown): void {
  if (name === 'rateLimits' || name === 'refuseFutureBounds' || name === 'archiveMovesUpdated') {
    if (typeof value !== 'boolean') throw new Error(`${name} must be true or false`);
    return;
  }
  if (name === 'skipEventsOnDays') {
    if (!Array.isArray(value) || !value.every((d) => typeof d === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(d) && !Number.isNaN(Date.parse(d)))) {
      throw new Error(`skipEventsOnDays must be a list of UTC days like ["2025-03-04"]`);
    }
    return;
  }
  if (name === 'account') {
    if (!isAccountName(value)) throw new Error(`account must be one of ${ACCOUNT_NAMES.join(', ')}`);
    return;
  }
  if (name === 'layout') {
    const known = [VARIED, ...LAYOUT_VARIATIONS];
    if (!Array.isArray(value) || !value.every((v) => typeof v === 'string' && known.includes(v))) throw new Error(`layout must be a list of: ${known.join(', ')}`);
    return;
  }
  if (name === 'nextOrigin') {
    if (typeof value !== 'string' || (value !== '' && !/^https?:\/\/[^/?#\s]+$/.test(value))) throw new Error(`nextOrigin must be '' or an origin like http://127.0.0.1:8080`);
    return;
  }
  if (typeof value !== 'number' || !Number.isFinite(value)) throw new Error(`${name} must be a number`);
  if (RATES.has(name) && (value < 0 || value > 1)) throw new Error(`${name} must be a probability between 0 and 1`);
  if ((name === 'rateLimitSpeedup' || name === 'rateLimitFactor') && value <= 0) throw new Error(`${name} must be greater than 0`);
  if ((name === 'latencyMs' || name === 'jitterMs') && value < 0) throw new Error(`${name} must not be negative`);
}

/** The knobs with `patch` applied; throws (with a message naming the knob) on unknown names or bad values. */
export function applyKnobs(current: Readonly<Knobs>, patch: unknown): Knobs {
  if (typeof patch !== 'object' || patch === null || Array.isArray(patch)) throw new Error('config must be a JSON object');
  const next: Knobs = { ...current };
  for (const [name, value] of Object.entries(patch)) {
    if (!(name in DEFAULT_KNOBS)) throw new Error(`unknown setting '${name}' (known: ${Object.keys(DEFAULT_KNOBS).join(', ')})`);
    if (value === undefined) continue;
    checkKnob(name, value);
    (next as unknown as Record<string, unknown>)[name] = value;
  }
  return next;
}
