// Ground truth of the form and segment reports, counted day by day from the world's data (each form's daily
// activity, each segment's members with their join and removal times), apart from the endpoint's bucketing in
// world/form-segment-stats.ts: rows over [lowSec, highSec) (whole UTC days), one per form or segment (values) or
// per form or segment and day with any non-zero statistic (series).
import { formatSeconds, MICROS_PER_SECOND, SECONDS_PER_DAY, toRecordDatetime } from './datetime.js';
import { formDay, type FormDay } from './world/form-activity.js';
import type { World } from './world/world.js';

const day = (sec: number): string => String(toRecordDatetime(formatSeconds(sec)));
type Row = Record<string, unknown>;

function formStatistics(d: FormDay): Record<string, number> {
  return {
    closed_form: d.closed,
    closed_form_uniques: d.closedUniques,
    qualified_form: d.qualified,
    qualified_form_uniques: d.qualifiedUniques,
    submit_rate: d.viewedUniques > 0 ? Math.round((d.submits / d.viewedUniques) * 1e6) / 1e6 : 0,
    submits: d.submits,
    submitted_form_step: d.submits,
    submitted_form_step_uniques: d.submits,
    viewed_form: d.viewed,
    viewed_form_step: d.viewed,
    viewed_form_step_uniques: d.viewedUniques,
    viewed_form_uniques: d.viewedUniques,
  };
}

const nonZero = (stats: Record<string, number>): boolean => Object.values(stats).some((v) => v !== 0);

export function* formTruth(world: World, lowSec: number, highSec: number, daily: boolean): Generator<Row> {
  for (const [index, form] of world.forms.rows.entries()) {
    const days: { sec: number; activity: FormDay }[] = [];
    for (let sec = lowSec; sec < highSec; sec += SECONDS_PER_DAY) {
      const activity = formDay(world, index, sec);
      if (activity) days.push({ sec, activity });
    }
    if (daily) {
      for (const d of days) if (nonZero(formStatistics(d.activity))) yield { form_id: form.id, interval_start: day(d.sec), ...formStatistics(d.activity) };
      continue;
    }
    if (days.length === 0) continue;
    const total: FormDay = { qualified: 0, qualifiedUniques: 0, viewed: 0, viewedUniques: 0, submits: 0, closed: 0, closedUniques: 0 };
    for (const d of days) for (const key of Object.keys(total) as (keyof FormDay)[]) total[key] += d.activity[key];
    yield { form_id: form.id, timeframe_start: day(lowSec), timeframe_end: day(highSec), ...formStatistics(total) };
  }
}

/** A segment's statistics over [fromSec, toSec): members who joined, members who left, the total at `toSec`. */
function segmentStatistics(joins: number[], leaves: (number | null)[], fromSec: number, toSec: number): Record<string, number> {
  const [from, to] = [fromSec * MICROS_PER_SECOND, toSec * MICROS_PER_SECOND];
  let added = 0;
  let removed = 0;
  let total = 0;
  joins.forEach((joined, i) => {
    const left = leaves[i] ?? null;
    if (joined >= from && joined < to) added++;
    if (left !== null && left >= from && left < to) removed++;
    if (joined < to && (left === null || left >= to)) total++;
  });
  return { members_added: added, members_removed: removed, net_members_changed: added - removed, total_members: total };
}

export function* segmentTruth(world: World, lowSec: number, highSec: number, daily: boolean): Generator<Row> {
  for (const segment of world.segments.rows) {
    const members = world.segmentMembers.get(segment.id);
    if (!members) continue;
    const joins: number[] = [];
    const leaves: (number | null)[] = [];
    for (let row = 0; row < members.size(); row++) {
      joins.push(Number(members.value(row, 'joined_group_at')));
      leaves.push(null);
    }
    for (const r of members.removals) {
      joins.push(r.joinedMicros);
      leaves.push(r.removedMicros);
    }
    if (!daily) {
      const stats = segmentStatistics(joins, leaves, lowSec, highSec);
      if (nonZero(stats)) yield { segment_id: segment.id, timeframe_start: day(lowSec), timeframe_end: day(highSec), ...stats };
      continue;
    }
    for (let sec = lowSec; sec < highSec; sec += SECONDS_PER_DAY) {
      const stats = segmentStatistics(joins, leaves, sec, sec + SECONDS_PER_DAY);
      if (nonZero(stats)) yield { segment_id: segment.id, interval_start: day(sec), ...stats };
    }
  }
}
