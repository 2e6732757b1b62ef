// What every generator needs: the seed, the counts, the time span and a unique-id issuer.
import { MICROS_PER_SECOND, SECONDS_PER_DAY, formatSeconds } from '../datetime.js';
import { IdIssuer } from '../ids.js';
import { Rng, saltOf } from '../rng.js';
import type { Ref } from '../types.js';
import type { MetricDef } from './metric-def.js';
import type { ScaleCounts } from './scale.js';

export interface BuildContext {
  readonly seed: number;
  readonly counts: ScaleCounts;
  /** Events span [startSec, endSec]; endSec is the data end. */
  readonly startSec: number;
  readonly endSec: number;
  readonly ids: IdIssuer;
  /** The account's metrics (accounts.ts), one metric row each, in this order. */
  readonly metricDefs: readonly MetricDef[];
}

export const HISTORY_DAYS = 730;

export function createContext(seed: number, counts: ScaleCounts, endSec: number, metricDefs: readonly MetricDef[]): BuildContext {
  return { seed, counts, endSec, startSec: endSec - HISTORY_DAYS * SECONDS_PER_DAY, ids: new IdIssuer(), metricDefs };
}

/** A sequential generator private to one generator step, so steps do not disturb each other. */
export function rngFor(ctx: BuildContext, step: string): Rng {
  return new Rng(ctx.seed, saltOf(step));
}

export function ref(type: string, id: string): Ref {
  return { type, id };
}

/** A whole second in [fromSec, toSec]. */
export function randomSecond(rng: Rng, fromSec: number, toSec: number): number {
  return Math.floor(fromSec + rng.next() * Math.max(0, toSec - fromSec));
}

/** Created/updated pair of whole seconds, rendered and as micros, for resources that have both. */
export interface Stamps {
  createdSec: number;
  updatedSec: number;
}

export function randomStamps(rng: Rng, fromSec: number, toSec: number): Stamps {
  const createdSec = randomSecond(rng, fromSec, toSec);
  const updatedSec = rng.chance(0.3) ? createdSec : randomSecond(rng, createdSec, toSec);
  return { createdSec, updatedSec };
}

export function secondsValue(seconds: number): number {
  return seconds * MICROS_PER_SECOND;
}

export { formatSeconds };

/** `Summer Drop` -> `summer-drop` */
export function slug(text: string): string {
  return text.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '');
}
