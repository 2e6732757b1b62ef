// Changes the world while it is being served: new, late, future and tied events, updated and new
// profiles, edited campaign and flow messages, archived and restored campaigns and flows. Events go to the overlay;
// nothing big is copied.
import { parseDatetime, SECONDS_PER_DAY } from '../datetime.js';
import type { Rng } from '../rng.js';
import { editCampaignMessages, editFlowMessages } from './mutate-content.js';
import { applyArchiving, ARCHIVE_NAMES, type ArchiveRequest, type ArchiveResult } from './mutate-archive.js';
import { applyDeletes, DELETE_NAMES, type DeleteRequest, type DeleteResult } from './mutate-deletes.js';
import type { World } from './world.js';

export interface MutationRequest extends DeleteRequest, ArchiveRequest {
  newEvents?: number;
  lateEvents?: number;
  futureEvents?: number;
  updatedProfiles?: number;
  newProfiles?: number;
  tieEvents?: number;
  /** Campaign messages edited (their campaign's `updated_at` moves too). */
  editedCampaignMessages?: number;
  /** Flow messages edited (their action's and flow's `updated` move too). */
  editedFlowMessages?: number;
  /** ISO datetime the mutation happens at (default now): new, tied and future events and profile updates are dated from it. */
  at?: string;
}

export interface MutationResult extends ArchiveResult {
  events: string[];
  profiles: string[];
  /** Ids of the edited campaign and flow messages. */
  messages: string[];
  /** What the removals and deletions took away. */
  deleted: DeleteResult;
}

const COUNT_NAMES = ['newEvents', 'lateEvents', 'futureEvents', 'updatedProfiles', 'newProfiles', 'tieEvents', 'editedCampaignMessages', 'editedFlowMessages', ...DELETE_NAMES, ...ARCHIVE_NAMES] as const;

/** Validates a request body; throws with a message naming the bad field. */
export function readMutationRequest(body: unknown): MutationRequest {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new Error('mutation must be a JSON object');
  const out: MutationRequest = {};
  for (const [name, value] of Object.entries(body)) {
    if (name === 'at') {
      if (typeof value !== 'string' || parseDatetime(value) === null) throw new Error(`at must be an ISO 8601 datetime`);
      out.at = value;
      continue;
    }
    if (!(COUNT_NAMES as readonly string[]).includes(name)) throw new Error(`unknown mutation '${name}' (known: ${COUNT_NAMES.join(', ')}, at)`);
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > 100_000) throw new Error(`${name} must be an integer between 0 and 100000`);
    out[name as (typeof COUNT_NAMES)[number]] = value;
  }
  return out;
}

function addEvent(world: World, rng: Rng, sec: number): string {
  const defs = world.ctx.metricDefs;
  const metric = rng.weighted(defs.map((def) => def.weight));
  const sources = world.events.sourceCount();
  const source = defs[metric]?.email && sources > 0 ? 1 + rng.int(sources) : 0;
  const row = world.events.add(sec, metric, rng.int(world.profiles.size()), source);
  return world.events.id(row);
}

/** Newest event second that is not in the future. */
function newestPastSecond(world: World, nowSec: number): number {
  let newest = world.events.baseCount > 0 ? world.events.baseSec(world.events.baseCount - 1) : world.ctx.endSec;
  for (const row of world.events.overlayOrder) {
    const sec = world.events.secOf(row);
    if (sec <= nowSec) newest = Math.max(newest, sec);
  }
  return newest;
}

function joinSomeList(world: World, rng: Rng, profileRow: number, joinedMicros: number): void {
  const lists = [...world.listMembers.values()];
  const start = rng.int(lists.length);
  for (let n = 0; n < lists.length; n++) {
    if (lists[(start + n) % lists.length]?.add(profileRow, joinedMicros)) return;
  }
}

function mutateProfiles(world: World, rng: Rng, request: MutationRequest, nowMicros: number): string[] {
  const ids: string[] = [];
  let tick = 0;
  const picks = rng.sample(world.profiles.size(), request.updatedProfiles ?? 0);
  for (const row of picks) {
    world.profiles.update(row, nowMicros + tick++);
    joinSomeList(world, rng, row, nowMicros + tick++);
    ids.push(world.profiles.id(row));
  }
  for (let n = 0; n < (request.newProfiles ?? 0); n++) {
    const micros = nowMicros + tick++;
    const row = world.profiles.add(micros, micros);
    joinSomeList(world, rng, row, micros);
    ids.push(world.profiles.id(row));
  }
  return ids;
}

/** `archiveMovesUpdated`: the simulator's knob of that name (see mutate-archive.ts). */
export function mutate(world: World, rng: Rng, request: MutationRequest, clockMs: number = Date.now(), archiveMovesUpdated = false): MutationResult {
  const at = request.at === undefined ? null : parseDatetime(request.at);
  if (at === null && request.at !== undefined) throw new Error(`at '${request.at}' is not an ISO 8601 datetime`);
  const nowMs = at === null ? clockMs : Math.floor(at / 1000);
  const nowSec = Math.floor(nowMs / 1000);
  const events: string[] = [];
  for (let n = 0; n < (request.newEvents ?? 0); n++) events.push(addEvent(world, rng, nowSec - 1 - rng.int(30)));
  const newest = newestPastSecond(world, nowSec);
  for (let n = 0; n < (request.lateEvents ?? 0); n++) events.push(addEvent(world, rng, newest - rng.between(1, 5) * SECONDS_PER_DAY - rng.int(SECONDS_PER_DAY)));
  for (let n = 0; n < (request.futureEvents ?? 0); n++) events.push(addEvent(world, rng, nowSec + rng.between(1, 24) * 3600 + rng.int(3600)));
  const tieSecond = nowSec - 2;
  for (let n = 0; n < (request.tieEvents ?? 0); n++) events.push(addEvent(world, rng, tieSecond));
  const profiles = mutateProfiles(world, rng, request, nowMs * 1000);
  const messages = [
    ...editCampaignMessages(world, rng, request.editedCampaignMessages ?? 0, nowSec),
    ...editFlowMessages(world, rng, request.editedFlowMessages ?? 0, nowSec),
  ];
  const deleted = applyDeletes(world, rng, request, nowMs * 1000);
  return { events, profiles, messages, deleted, ...applyArchiving(world, rng, request, nowSec, archiveMovesUpdated) };
}

