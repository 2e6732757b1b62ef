// Sign-up form activity, which the world has no events for: per live form and UTC day, from the day the form was
// created to the data end, counts derived from (seed, form, day) by hashing, so they are stable for a seed and
// need no storage. About one day in five a form has no traffic. A visitor is counted once per day: the uniques
// of a longer range are the sum of its days' uniques.
import { hash32 } from '../rng.js';
import { SECONDS_PER_DAY } from '../datetime.js';
import type { World } from './world.js';

export interface FormDay {
  qualified: number;
  qualifiedUniques: number;
  viewed: number;
  viewedUniques: number;
  submits: number;
  closed: number;
  closedUniques: number;
}

const SALT = 0xf04a;

/** Up to `n` less a hashed share: a count no larger than `n`. */
function less(n: number, h: number, share: number): number {
  return n - (h % (1 + Math.floor(n / share)));
}

/** The activity of the form at `formIndex` (its row in world.forms) on the UTC day starting at `daySec`, or null. */
export function formDay(world: World, formIndex: number, daySec: number): FormDay | null {
  const form = world.forms.rows[formIndex];
  if (!form || form.attributes['status'] !== 'live') return null;
  const createdDay = Math.floor(Date.parse(String(form.attributes['created_at'])) / 1000 / SECONDS_PER_DAY) * SECONDS_PER_DAY;
  if (daySec < createdDay || daySec >= world.ctx.endSec) return null;
  const day = Math.floor(daySec / SECONDS_PER_DAY);
  const h = (k: number): number => hash32(world.ctx.seed, SALT, formIndex, day, k);
  if (h(0) % 5 === 0) return null;
  const qualified = 5 + (h(1) % 60);
  const qualifiedUniques = less(qualified, h(2), 5);
  const viewed = less(qualifiedUniques, h(3), 4);
  const viewedUniques = less(viewed, h(4), 5);
  const submits = h(5) % (1 + Math.floor(viewedUniques / 3));
  const closed = h(6) % (1 + viewed - submits);
  return { qualified, qualifiedUniques, viewed, viewedUniques, submits, closed, closedUniques: Math.min(closed, viewedUniques) };
}
