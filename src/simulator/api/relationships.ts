// The spec's `/relationships/` endpoints (ids only, `{data: [{type, id}], links}`) that other Klaviyo taps read,
// for the relationships the world holds. A to-many endpoint with a served sibling (`/api/lists/{id}/profiles`)
// pages, filters and sorts that sibling's table; the others list the owner's related rows; a to-one endpoint
// answers one `{type, id}` or null.
import type { Table } from '../types.js';
import { SubsetTable } from '../world/static-table.js';
import type { World } from '../world/world.js';
import type { RouteSpec } from './route-spec.js';

/** The owner path segment (`flow-actions`) -> its JSON:API type (`flow-action`). */
export function singular(segment: string): string {
  return segment.endsWith('ies') ? `${segment.slice(0, -3)}y` : segment.replace(/s$/, '');
}

/**
 * To-many relationship paths, the type they list and, where the owner does not hold the references, the
 * relationship of the target that points back at the owner (a coupon code's `coupon`).
 */
const TO_MANY: readonly (readonly [path: string, target: string, inverse?: string])[] = [
  ['/api/lists/{id}/relationships/profiles', 'profile'],
  ['/api/segments/{id}/relationships/profiles', 'profile'],
  ['/api/campaigns/{id}/relationships/campaign-messages', 'campaign-message'],
  ['/api/flows/{id}/relationships/flow-actions', 'flow-action'],
  ['/api/flow-actions/{id}/relationships/flow-messages', 'flow-message'],
  ['/api/forms/{id}/relationships/form-versions', 'form-version'],
  ['/api/metrics/{id}/relationships/metric-properties', 'metric-property'],
  ['/api/campaigns/{id}/relationships/tags', 'tag'],
  ['/api/flows/{id}/relationships/tags', 'tag'],
  ['/api/lists/{id}/relationships/tags', 'tag'],
  ['/api/segments/{id}/relationships/tags', 'tag'],
  ['/api/tags/{id}/relationships/campaigns', 'campaign'],
  ['/api/tags/{id}/relationships/flows', 'flow'],
  ['/api/tags/{id}/relationships/lists', 'list'],
  ['/api/tags/{id}/relationships/segments', 'segment'],
  ['/api/tag-groups/{id}/relationships/tags', 'tag'],
  ['/api/lists/{id}/relationships/flow-triggers', 'flow'],
  ['/api/segments/{id}/relationships/flow-triggers', 'flow'],
  ['/api/metrics/{id}/relationships/flow-triggers', 'flow'],
  ['/api/custom-metrics/{id}/relationships/metrics', 'metric'],
  ['/api/catalog-items/{id}/relationships/variants', 'catalog-variant'],
  ['/api/catalog-categories/{id}/relationships/items', 'catalog-item'],
  ['/api/catalog-items/{id}/relationships/categories', 'catalog-category', 'items'],
  ['/api/coupons/{id}/relationships/coupon-codes', 'coupon-code', 'coupon'],
  ['/api/profiles/{id}/relationships/push-tokens', 'push-token', 'profile'],
];

/** To-one relationship paths; the type comes from the reference. */
const TO_ONE: readonly string[] = [
  '/api/campaign-messages/{id}/relationships/campaign',
  '/api/campaign-messages/{id}/relationships/template',
  '/api/campaign-messages/{id}/relationships/image',
  '/api/events/{id}/relationships/metric',
  '/api/events/{id}/relationships/profile',
  '/api/flow-actions/{id}/relationships/flow',
  '/api/flow-messages/{id}/relationships/flow-action',
  '/api/flow-messages/{id}/relationships/template',
  '/api/form-versions/{id}/relationships/form',
  '/api/metric-properties/{id}/relationships/metric',
  '/api/mapped-metrics/{id}/relationships/metric',
  '/api/mapped-metrics/{id}/relationships/custom-metric',
  '/api/push-tokens/{id}/relationships/profile',
  '/api/tags/{id}/relationships/tag-group',
  '/api/coupon-codes/{id}/relationships/coupon',
];

export const RELATIONSHIP_PATHS: readonly string[] = [...TO_MANY.map(([path]) => path), ...TO_ONE];

function parts(path: string): { owner: string; name: string } {
  const [, , owner = '', , , name = ''] = path.split('/');
  return { owner: singular(owner), name };
}

/** The rows of `target` that `refs` name, in their order (a missing row is left out). */
function subset(world: World, target: string, ids: readonly string[]): Table | undefined {
  const table = world.byType.get(target);
  if (!table) return undefined;
  return new SubsetTable(table, ids.flatMap((id) => table.rowOf(id) ?? []));
}

/** The ids of the rows of `target` whose `inverse` relationship names `ownerId`. */
function pointingAt(world: World, target: string, inverse: string, ownerId: string): string[] {
  const table = world.byType.get(target);
  const out: string[] = [];
  for (let row = 0; table && row < table.size(); row++) {
    const refs = [table.toOne(row)[inverse], ...table.toMany(row, inverse)];
    if (refs.some((ref) => ref?.id === ownerId)) out.push(table.id(row));
  }
  return out;
}

/** The owning resource of a relationship path, by its type and id; undefined when there is none. */
function ownerRow(world: World, owner: string, id: string) {
  const table = world.byType.get(owner);
  const row = table?.rowOf(id);
  return table && row !== undefined ? { table, row } : undefined;
}

function toManySpec([path, target, inverse]: readonly [string, string, string?], siblings: readonly RouteSpec[]): RouteSpec {
  const { owner, name } = parts(path);
  const sibling = siblings.find((s) => s.path === path.replace('/relationships/', '/'));
  if (sibling) return { ...sibling, path, relationship: 'to-many' };
  return {
    path,
    type: target,
    relationship: 'to-many',
    table: (world, id) => {
      const at = ownerRow(world, owner, id);
      if (!at) return undefined;
      return subset(world, target, inverse ? pointingAt(world, target, inverse, id) : at.table.toMany(at.row, name).map((ref) => ref.id));
    },
  };
}

function toOneSpec(path: string): RouteSpec {
  const { owner, name } = parts(path);
  return {
    path,
    type: name,
    relationship: 'to-one',
    table: (world, id) => {
      const at = ownerRow(world, owner, id);
      if (!at) return undefined;
      const ref = at.table.toOne(at.row)[name];
      return subset(world, ref?.type ?? name, ref ? [ref.id] : []) ?? new SubsetTable(at.table, []);
    },
  };
}

/** Route specs of the relationship endpoints; `siblings` are the collection routes they may share a table with. */
export function relationshipSpecs(siblings: readonly RouteSpec[]): RouteSpec[] {
  return [...TO_MANY.map((entry) => toManySpec(entry, siblings)), ...TO_ONE.map(toOneSpec)];
}

/** The primary data of a relationship endpoint: the page's `{type, id}`s, or for a to-one the one (or null). */
export function relationshipData(kind: 'to-one' | 'to-many', table: Table, rows: readonly number[]): unknown {
  const refs = rows.map((row) => ({ type: table.type, id: table.id(row) }));
  return kind === 'to-one' ? (refs[0] ?? null) : refs;
}
