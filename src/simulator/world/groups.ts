// Lists and segments (their members are in members.ts).
import { shortId } from '../ids.js';
import { LIST_NAMES, SEGMENT_NAMES } from './vocabulary.js';
import { formatSeconds, randomStamps, rngFor, secondsValue, type BuildContext } from './context.js';
import { StaticTable, type StaticRow } from './static-table.js';

function numberedName(names: readonly string[], index: number): string {
  const base = names[index % names.length] ?? 'Group';
  return index < names.length ? base : `${base} ${Math.floor(index / names.length) + 1}`;
}

export function buildLists(ctx: BuildContext): StaticTable {
  const rng = rngFor(ctx, 'lists');
  const rows: StaticRow[] = Array.from({ length: ctx.counts.lists }, (_, index) => {
    const { createdSec, updatedSec } = randomStamps(rng, ctx.startSec - 400 * 86_400, ctx.endSec);
    return {
      id: ctx.ids.issue((attempt) => shortId(ctx.seed, 91, index, attempt)),
      attributes: {
        name: numberedName(LIST_NAMES, index),
        created: formatSeconds(createdSec),
        updated: formatSeconds(updatedSec),
        opt_in_process: rng.chance(0.4) ? 'double_opt_in' : 'single_opt_in',
      },
      values: { created: secondsValue(createdSec), updated: secondsValue(updatedSec) },
      toMany: { profiles: [], tags: [], 'flow-triggers': [] },
    };
  });
  const kinds = { name: 'string', id: 'string', created: 'datetime', updated: 'datetime' } as const;
  return new StaticTable('list', kinds, ['profiles', 'tags', 'flow-triggers'], rows);
}

function segmentDefinition(listId: string, inverted: boolean): Record<string, unknown> {
  const membership = inverted
    ? { type: 'profile-group-membership', is_member: false, group_ids: [listId], timeframe_filter: null }
    : { type: 'profile-group-membership', is_member: true, group_ids: [listId], timeframe_filter: null };
  return { condition_groups: [{ conditions: [membership] }] };
}

export function buildSegments(ctx: BuildContext, lists: StaticTable): StaticTable {
  const rng = rngFor(ctx, 'segments');
  const rows: StaticRow[] = Array.from({ length: ctx.counts.segments }, (_, index) => {
    const { createdSec, updatedSec } = randomStamps(rng, ctx.startSec - 300 * 86_400, ctx.endSec);
    const list = lists.rows[rng.int(lists.rows.length)];
    const isActive = rng.chance(0.85);
    const isStarred = rng.chance(0.25);
    return {
      id: ctx.ids.issue((attempt) => shortId(ctx.seed, 92, index, attempt)),
      attributes: {
        name: numberedName(SEGMENT_NAMES, index),
        definition: segmentDefinition(list?.id ?? '', rng.chance(0.2)),
        created: formatSeconds(createdSec),
        updated: formatSeconds(updatedSec),
        is_active: isActive,
        is_processing: rng.chance(0.05),
        is_starred: isStarred,
      },
      values: { created: secondsValue(createdSec), updated: secondsValue(updatedSec) },
      toMany: { profiles: [], tags: [], 'flow-triggers': [] },
    };
  });
  const kinds = { name: 'string', id: 'string', created: 'datetime', updated: 'datetime', is_active: 'boolean', is_starred: 'boolean' } as const;
  return new StaticTable('segment', kinds, ['profiles', 'tags', 'flow-triggers'], rows);
}
