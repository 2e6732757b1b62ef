// Mutations that take things away: list and segment members removed, suppressions lifted, tags, coupons and
// catalog items deleted (with what Klaviyo deletes along: a coupon's codes, an item's variants, references).
import type { Rng } from '../rng.js';
import type { MembersTable } from './members.js';
import { StaticTable } from './static-table.js';
import type { World } from './world.js';

export interface DeleteRequest {
  /** List memberships removed (a profile leaves a list). */
  removedListMembers?: number;
  /** Segment memberships removed (a profile stops matching a segment). */
  removedSegmentMembers?: number;
  /** Suppressed profiles whose every suppression is lifted (the profile is updated too). */
  liftedSuppressions?: number;
  deletedTags?: number;
  /** Coupons deleted, with their codes. */
  deletedCoupons?: number;
  /** Catalog items deleted, with their variants. */
  deletedCatalogItems?: number;
}

export const DELETE_NAMES = ['removedListMembers', 'removedSegmentMembers', 'liftedSuppressions', 'deletedTags', 'deletedCoupons', 'deletedCatalogItems'] as const;

/** What was taken away: `<group id>/<profile id>` for memberships, ids otherwise. */
export interface DeleteResult {
  listMembers: string[];
  segmentMembers: string[];
  suppressionsLifted: string[];
  tags: string[];
  coupons: string[];
  catalogItems: string[];
}

function removeMembers(groups: Map<string, MembersTable>, rng: Rng, count: number, micros: number): string[] {
  const removed: string[] = [];
  const tables = [...groups.values()];
  for (let n = 0; n < count; n++) {
    const nonEmpty = tables.filter((t) => t.size() > 0);
    const table = nonEmpty[rng.int(nonEmpty.length)];
    if (!table) break;
    const row = rng.int(table.size());
    removed.push(`${table.groupId}/${table.id(row)}`);
    table.remove(row, micros);
  }
  return removed;
}

function liftSuppressions(world: World, rng: Rng, count: number, micros: number): string[] {
  const profiles = world.profiles;
  const lifted: string[] = [];
  const start = rng.int(Math.max(1, profiles.size()));
  for (let n = 0; n < profiles.size() && lifted.length < count; n++) {
    const row = (start + n) % profiles.size();
    if (profiles.liftSuppressions(row, micros + lifted.length)) lifted.push(profiles.id(row));
  }
  return lifted;
}

/** Picks `count` rows of `table` at random and returns their ids. */
function pickIds(table: StaticTable, rng: Rng, count: number): Set<string> {
  return new Set(rng.sample(table.size(), Math.min(count, table.size())).map((row) => table.id(row)));
}

/** Drops every reference to the deleted ids from the world's other tables (relationships, id lists). */
function dropReferences(world: World, type: string, ids: ReadonlySet<string>): void {
  for (const table of world.byType.values()) {
    if (!(table instanceof StaticTable)) continue;
    for (const row of table.rows) {
      for (const refs of Object.values(row.toMany ?? {})) {
        const kept = refs.filter((ref) => !(ref.type === type && ids.has(ref.id)));
        if (kept.length !== refs.length) refs.splice(0, refs.length, ...kept);
      }
      for (const [field, value] of Object.entries(row.values ?? {})) {
        if (Array.isArray(value) && row.values) row.values[field] = value.filter((v) => typeof v !== 'string' || !ids.has(v));
      }
    }
    table.touch();
  }
}

/** Deletes rows of `table` and their children in `children` (rows whose `values[parentField]` is a deleted id). */
function deleteRows(world: World, table: StaticTable, ids: Set<string>, children: [StaticTable, string] | null): string[] {
  if (ids.size === 0) return [];
  table.remove(ids);
  if (children) {
    const [childTable, parentField] = children;
    const childIds = new Set(childTable.rows.filter((row) => ids.has(String(row.values?.[parentField]))).map((row) => row.id));
    childTable.remove(childIds);
    dropReferences(world, childTable.type, childIds);
  }
  dropReferences(world, table.type, ids);
  return [...ids];
}

export function applyDeletes(world: World, rng: Rng, request: DeleteRequest, nowMicros: number): DeleteResult {
  return {
    listMembers: removeMembers(world.listMembers, rng, request.removedListMembers ?? 0, nowMicros),
    segmentMembers: removeMembers(world.segmentMembers, rng, request.removedSegmentMembers ?? 0, nowMicros),
    suppressionsLifted: liftSuppressions(world, rng, request.liftedSuppressions ?? 0, nowMicros),
    tags: deleteRows(world, world.tags, pickIds(world.tags, rng, request.deletedTags ?? 0), null),
    coupons: deleteRows(world, world.coupons, pickIds(world.coupons, rng, request.deletedCoupons ?? 0), [world.couponCodes, 'coupon.id']),
    catalogItems: deleteRows(world, world.catalogItems, pickIds(world.catalogItems, rng, request.deletedCatalogItems ?? 0), [world.catalogVariants, 'item.id']),
  };
}
