// Child streams on slow tiers (campaign messages, flow actions, flow messages) cost one request or more per
// parent. A run re-reads only the children of parents changed since the last run: the parent listing is
// filtered on the parent's "last changed" field, from the stream's parent bookmark. Klaviyo does not document
// that every change below a parent moves that field, so every `full_reread_days` a run reads every parent again.
// Where the parent listing hides archived parents (campaigns, flows: archived.ts), each listing is made twice, the
// second filtered `equals(archived,true)`; that side keeps its own full-read clock (`archived_full_read_at`), so a
// state written before the tap read archived parents lists them all once, without re-reading the other side.
import { ENDPOINTS } from '../../generated/endpoints.js';
import { budgetOf } from '../http/endpoint-facts.js';
import { ARCHIVED_FILTER, f, renderFilter, renderFilters } from './filters.js';
import { paginate } from '../http/paginate.js';
import type { Context } from '../state/state.js';
import { EVERY_PARENT, type ParentSpec, type ParentsSince, type StreamRuntime } from './stream-types.js';

export const DEFAULT_FULL_REREAD_DAYS = 7;

/** One first-page URL of a parent listing, and the `since` of the side it lists. */
export interface ParentListing {
  url: string;
  since: number | null;
}

/** The listings of a parent collection under its owner `ownerId`: one per list filter, and per side where it has two. */
export function parentListings(spec: ParentSpec, ownerId: string, since: ParentsSince): ParentListing[] {
  const facts = ENDPOINTS[spec.path];
  const path = spec.path.replace('{id}', encodeURIComponent(ownerId));
  const sides = [{ since: since.listed, filter: null }, ...(spec.archivedSide ? [{ since: since.archived, filter: renderFilter(ARCHIVED_FILTER) }] : [])];
  return (spec.listFilters ?? [null]).flatMap((listFilter) =>
    sides.map((side) => {
      const changed = side.since !== null && spec.changedField ? renderFilters([f.time('greater-or-equal', spec.changedField, side.since)]) : undefined;
      const filter = [listFilter, side.filter, changed].filter((x) => x).join(',');
      const query = [
        `fields[${spec.resourceType}]=${spec.cheapField}`,
        ...(facts?.pageSize ? [`page[size]=${facts.pageSize.max}`] : []),
        ...(filter ? [`filter=${encodeURIComponent(filter)}`] : []),
      ].join('&');
      return { url: `${path}?${query}`, since: side.since };
    }),
  );
}

/**
 * Every id of a parent collection (walking up grandparents first), with the parent's context and the `since` its
 * side was listed with: only parents whose `changedField` is at or after it, at every level that has one. Below
 * the first level, a parent's children are listed with the `since` of the side their owner came from.
 */
export async function* parentIds(rt: StreamRuntime, spec: ParentSpec, since: ParentsSince = EVERY_PARENT): AsyncGenerator<{ id: string; context: Context; since: number | null }> {
  const facts = ENDPOINTS[spec.path];
  if (!facts) throw new Error(`parent ${spec.path} is not in the spec`);
  const owners = spec.parent ? parentIds(rt, spec.parent, since) : single(since.listed);
  for await (const owner of owners) {
    const levelSince = spec.parent ? { listed: owner.since, archived: owner.since } : since;
    for (const listing of parentListings(spec, owner.id, levelSince)) {
      for await (const page of paginate(rt.client, listing.url, budgetOf(facts), rt.cutShort)) {
        for (const parent of page.data) yield { id: parent.id, context: { [spec.key]: parent.id }, since: listing.since };
      }
    }
  }
}

async function* single(since: number | null): AsyncGenerator<{ id: string; context: Context; since: number | null }> {
  yield { id: '', context: {}, since };
}
