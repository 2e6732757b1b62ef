// Archiving and restoring campaigns and flows. Klaviyo's listings hide archived ones unless asked (see
// query/visibility.ts); whether archiving moves `updated_at` / `updated` nobody says, so the knob
// `archiveMovesUpdated` decides: off, only `archived` changes; on, the updated time moves to the mutation's instant.
import type { Rng } from '../rng.js';
import { touchRow } from './mutate-content.js';
import type { StaticTable } from './static-table.js';
import type { World } from './world.js';

export interface ArchiveRequest {
  /** Campaigns archived (picked among those not archived). */
  archivedCampaigns?: number;
  /** Flows archived (picked among those not archived). */
  archivedFlows?: number;
  /** Archived campaigns restored. */
  unarchivedCampaigns?: number;
  /** Archived flows restored. */
  unarchivedFlows?: number;
}

export const ARCHIVE_NAMES = ['archivedCampaigns', 'archivedFlows', 'unarchivedCampaigns', 'unarchivedFlows'] as const;

export interface ArchiveResult {
  /** Ids of the campaigns and flows archived. */
  archived: string[];
  /** Ids of the campaigns and flows restored. */
  unarchived: string[];
}

/** Sets `archived` to `to` on `count` rows that have the other value (fewer if there are not so many); their ids. */
function flip(table: StaticTable, rng: Rng, count: number, to: boolean, updated: { field: string; sec: number } | null): string[] {
  const candidates = table.rows.filter((row) => row.attributes['archived'] !== to);
  const picked = rng.sample(candidates.length, Math.min(count, candidates.length)).flatMap((i) => candidates[i] ?? []);
  for (const row of picked) {
    row.attributes['archived'] = to;
    if (updated) touchRow(table, row, updated.field, updated.sec);
  }
  table.touch();
  return picked.map((row) => row.id);
}

export function applyArchiving(world: World, rng: Rng, request: ArchiveRequest, sec: number, movesUpdated: boolean): ArchiveResult {
  const campaignsAt = movesUpdated ? { field: 'updated_at', sec } : null;
  const flowsAt = movesUpdated ? { field: 'updated', sec } : null;
  return {
    archived: [...flip(world.campaigns, rng, request.archivedCampaigns ?? 0, true, campaignsAt), ...flip(world.flows, rng, request.archivedFlows ?? 0, true, flowsAt)],
    unarchived: [...flip(world.campaigns, rng, request.unarchivedCampaigns ?? 0, false, campaignsAt), ...flip(world.flows, rng, request.unarchivedFlows ?? 0, false, flowsAt)],
  };
}
