// Deletes reach the warehouse through Singer table versions. A full read of a stream sends its records with a
// version (epoch milliseconds when the read began) and ends with ACTIVATE_VERSION: a versioning target then keeps
// only the rows of that version, so what Klaviyo deleted goes. FULL_TABLE streams read in full every run.
// list_members, segment_members and global_exclusions (whose removals no incremental read can see) read in full
// every `full_refresh_days`; runs in between stay incremental and send the active version, so nothing goes by
// mistake. The version of a full read is saved in state before its first record (`pending_version`): a killed
// read is resumed under the same version by the next run, and only a finished read is activated.
// `emit_deleted_records`, for targets that ignore versions (pipelinewise): small FULL_TABLE streams keep their ids
// in state and send, for each id gone since the last full read, a record with `_sdc_deleted_at`.
import type { TapConfig } from './config.js';
import { log } from './log.js';
import type { JsonSchema, MessageWriter } from './messages.js';
import type { StateStore } from './state.js';
import { ACCOUNT_ID, type KlaviyoStream } from './stream.js';

export const DELETED_AT = '_sdc_deleted_at';
/**
 * A stream with more ids than this stops keeping them (and sending deleted records), with a warning: every STATE
 * message carries the whole state, ids included, so they must stay small (2,000 ids are about 70 KB).
 */
export const MAX_TRACKED_IDS = 2_000;
const MS_PER_DAY = 86_400_000;

export interface VersionPlan {
  /** The version the stream's records carry this run; null: none (a stream without versions). */
  version: number | null;
  /** This run reads the stream in full and ends it with ACTIVATE_VERSION. */
  full: boolean;
  /** A new full read of an incremental stream: its bookmarks are dropped so it reads from the start. */
  restart: boolean;
  /** A first sync (nothing in state): ACTIVATE_VERSION also goes out before the first record. */
  activateFirst: boolean;
}

const NO_VERSION: VersionPlan = { version: null, full: false, restart: false, activateFirst: false };

/** The stream's `full_refresh_days` (0: never). */
export function fullRefreshDays(stream: KlaviyoStream, config: TapConfig): number {
  return config.streams[stream.name]?.full_refresh_days ?? config.full_refresh_days;
}

/** What this run does with the stream's versions; `nowMs` is the sync's start. */
export function planVersion(stream: KlaviyoStream, config: TapConfig, store: StateStore, nowMs: number): VersionPlan {
  const { active, pending } = store.versions(stream.name);
  const first = !store.has(stream.name);
  const next = Math.max(nowMs, (active ?? 0) + 1);
  // FULL_TABLE (no replication key, or chosen in the catalog): a full read every run; a chosen one drops any bookmark.
  if (stream.replicationMethod === 'FULL_TABLE') return { version: pending ?? next, full: true, restart: stream.replicationKey !== null, activateFirst: first };
  if (!stream.refreshedInFull) return NO_VERSION;
  const days = fullRefreshDays(stream, config);
  if (days === 0) return NO_VERSION;
  if (pending !== null) return { version: pending, full: true, restart: false, activateFirst: false };
  if (active !== null && nowMs - active < days * MS_PER_DAY) return { version: active, full: false, restart: false, activateFirst: false };
  return { version: next, full: true, restart: true, activateFirst: first };
}

/** Whether the stream keeps its ids and sends deleted records (`emit_deleted_records`). */
export function tracksDeletes(stream: KlaviyoStream, config: TapConfig): boolean {
  return config.emit_deleted_records && stream.smallTable && stream.replicationKey === null;
}

/** The schema sent in SCHEMA: with a nullable `_sdc_deleted_at` where the stream sends deleted records. */
export function schemaWithDeletes(stream: KlaviyoStream, config: TapConfig, schema: JsonSchema): JsonSchema {
  if (!tracksDeletes(stream, config)) return schema;
  const properties = (schema['properties'] ?? {}) as Record<string, JsonSchema>;
  const deletedAt = { type: ['string', 'null'], format: 'date-time', description: 'When the tap found the record deleted in Klaviyo (emit_deleted_records)' };
  return { ...schema, properties: { ...properties, [DELETED_AT]: deletedAt } };
}

/** The ids a full read has written, up to MAX_TRACKED_IDS. */
export class SeenIds {
  private ids: Set<string> | null = new Set();

  constructor(private readonly stream: string) {}

  add(id: unknown): void {
    if (!this.ids) return;
    this.ids.add(String(id));
    if (this.ids.size <= MAX_TRACKED_IDS) return;
    log.warn(`stream ${this.stream}: over ${MAX_TRACKED_IDS} records, too many to keep their ids in state; no deleted records this run (deletes still reach versioning targets)`);
    this.ids = null;
  }

  /** The ids, sorted; null when there were too many. */
  list(): string[] | null {
    return this.ids ? [...this.ids].sort() : null;
  }
}

/**
 * Before the stream's first record: a new full read is saved in state (so a killed run resumes it under the same
 * version) and the writer stamps the version on every record.
 */
export async function openVersion(stream: KlaviyoStream, plan: VersionPlan, store: StateStore, writer: MessageWriter): Promise<void> {
  writer.setVersion(stream.name, plan.version);
  if (!plan.full || plan.version === null) return;
  const resumed = store.versions(stream.name).pending === plan.version;
  if (!resumed) {
    store.beginVersion(stream.name, plan.version, plan.restart);
    await writer.state(store.snapshot());
  }
  if (stream.replicationKey !== null) log.info(`stream ${stream.name}: full refresh under table version ${plan.version}${resumed ? ' (resumed)' : ''}`);
  if (plan.activateFirst) await writer.activateVersion(stream.name, plan.version);
}

/**
 * After every record of a finished full read: deleted records (under the version their rows had), then
 * ACTIVATE_VERSION, then the STATE that makes the version active and keeps the ids.
 */
export async function closeVersion(
  stream: KlaviyoStream,
  plan: VersionPlan,
  deps: { store: StateStore; writer: MessageWriter },
  seen: SeenIds | null,
  accountId: string | null,
): Promise<void> {
  if (!plan.full || plan.version === null) return;
  const { store, writer } = deps;
  const ids = seen?.list() ?? null;
  if (ids) await sendDeleted(stream, store, writer, new Set(ids), accountId);
  await writer.activateVersion(stream.name, plan.version);
  store.activateVersion(stream.name, plan.version, ids);
  await writer.state(store.snapshot());
}

async function sendDeleted(stream: KlaviyoStream, store: StateStore, writer: MessageWriter, seen: ReadonlySet<string>, accountId: string | null): Promise<void> {
  const { active, ids } = store.versions(stream.name);
  const gone = (ids ?? []).filter((id) => !seen.has(id));
  if (gone.length === 0) return;
  const now = new Date().toISOString();
  for (const id of gone) {
    const record = { ...(accountId === null ? {} : { [ACCOUNT_ID]: accountId }), id, [DELETED_AT]: now };
    await writer.recordMessage({ stream: stream.name, ...(active === null ? {} : { version: active }), record, time_extracted: now });
  }
  log.info(`stream ${stream.name}: ${gone.length} record(s) deleted in Klaviyo since the last full read, sent with ${DELETED_AT}`);
}
