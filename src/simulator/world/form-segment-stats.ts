// The form and segment reports' statistics, as the simulator's report endpoints serve them: per form (from the
// forms' daily activity, form-activity.ts) or per segment (from its members' join and removal times), over a range
// of seconds as one bucket (values reports) or one bucket per `bucketSec` (series reports).
import { MICROS_PER_SECOND, SECONDS_PER_DAY } from '../datetime.js';
import { formDay } from './form-activity.js';
import type { World } from './world.js';

export interface StatGroup {
  groupings: Record<string, string>;
  /** Every statistic of the report, one record per bucket. */
  buckets: Record<string, number>[];
}

const rate = (a: number, b: number): number => (b > 0 ? Math.round((a / b) * 1e6) / 1e6 : 0);

/** Forms with activity in [lowSec, highSec) (whole UTC days), in the order of the forms table. */
export function formGroups(world: World, lowSec: number, highSec: number, bucketSec: number | null): StatGroup[] {
  const count = bucketSec === null ? 1 : Math.ceil((highSec - lowSec) / bucketSec);
  const groups: StatGroup[] = [];
  world.forms.rows.forEach((form, index) => {
    const sums = Array.from({ length: count }, () => ({ qualified: 0, qualifiedUniques: 0, viewed: 0, viewedUniques: 0, submits: 0, closed: 0, closedUniques: 0 }));
    let active = false;
    for (let day = lowSec; day < highSec; day += SECONDS_PER_DAY) {
      const activity = formDay(world, index, day);
      const sum = sums[bucketSec === null ? 0 : Math.floor((day - lowSec) / bucketSec)];
      if (!activity || !sum) continue;
      active = true;
      for (const key of Object.keys(sum) as (keyof typeof sum)[]) sum[key] += activity[key];
    }
    if (!active) return;
    const buckets = sums.map((s) => ({
      qualified_form: s.qualified,
      qualified_form_uniques: s.qualifiedUniques,
      viewed_form: s.viewed,
      viewed_form_uniques: s.viewedUniques,
      viewed_form_step: s.viewed,
      viewed_form_step_uniques: s.viewedUniques,
      submits: s.submits,
      submitted_form_step: s.submits,
      submitted_form_step_uniques: s.submits,
      submit_rate: rate(s.submits, s.viewedUniques),
      closed_form: s.closed,
      closed_form_uniques: s.closedUniques,
    }));
    groups.push({ groupings: { form_id: form.id }, buckets });
  });
  return groups;
}

/**
 * Segments with members or changes in [lowSec, highSec), in the order of the segments table: members added and
 * removed in each bucket, and the total at the bucket's end.
 */
export function segmentGroups(world: World, lowSec: number, highSec: number, bucketSec: number | null): StatGroup[] {
  const count = bucketSec === null ? 1 : Math.ceil((highSec - lowSec) / bucketSec);
  const low = lowSec * MICROS_PER_SECOND;
  const high = highSec * MICROS_PER_SECOND;
  const span = (bucketSec ?? highSec - lowSec) * MICROS_PER_SECOND;
  const groups: StatGroup[] = [];
  for (const segment of world.segments.rows) {
    const members = world.segmentMembers.get(segment.id);
    if (!members) continue;
    const added = new Array<number>(count).fill(0);
    const removed = new Array<number>(count).fill(0);
    let before = 0;
    /** +1 or -1 at `micros`: before the range it moves the starting total, in it the bucket's count. */
    const change = (micros: number, into: number[], sign: number): void => {
      if (micros >= high) return;
      if (micros < low) before += sign;
      else {
        const i = Math.floor((micros - low) / span);
        into[i] = (into[i] ?? 0) + 1;
      }
    };
    for (let row = 0; row < members.size(); row++) change(members.joinedAt(row), added, 1);
    for (const r of members.removals) {
      change(r.joinedMicros, added, 1);
      change(r.removedMicros, removed, -1);
    }
    let total = before;
    const buckets = added.map((a, i) => {
      const r = removed[i] ?? 0;
      total += a - r;
      return { members_added: a, members_removed: r, net_members_changed: a - r, total_members: total };
    });
    if (buckets.some((b) => b.total_members !== 0 || b.members_added !== 0 || b.members_removed !== 0)) groups.push({ groupings: { segment_id: segment.id }, buckets });
  }
  return groups;
}
