// Deletes reach the warehouse through Singer table versions. A full read of a stream sends its records with a
// version (epoch milliseconds when the read began) and ends with ACTIVATE_VERSION: a versioning target then keeps
// only the rows of that version, so what Klaviyo deleted goes. FULL_TABLE streams read in full every run.
// list_members, segment_members and global_exclusions (whose removals no incremental read can see) read in full
// every `full_refresh_days`; runs in between stay incremental and send the active version, so nothing goes by
// mistake. The version of a full read is saved in state before its first record (`pending_version`): a killed
// read is resumed under the same version by the next run, and only a finished read is activated.
// A version is table-wide: ACTIVATE_VERSION retires every row of the table of another version, whichever account
// it came from. So with `account_id_column` (tables shared by accounts) no record carries a version and no
// ACTIVATE_VERSION is sent; the versions in state only time the full reads, and deletes go as `_sdc_deleted_at`
// records keyed by account (deletes.ts), as they do for targets that ignore versions with `emit_deleted_records`.
import type { TapConfig } from '../config/config.js';
import { sendDeleted, SeenKeys, tombstoneFields, withDeletedAt } from './deletes.js';
import { log } from '../shared/log.js';
import type { JsonSchema, MessageWriter } from '../singer/messages.js';
import type { StateStore } from './state.js';
import type { KlaviyoStream } from '../engine/stream.js';

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
  // A killed refresh resumes from its bookmarks; one that tracks deletes reads again from the start, since the keys
  // it read before the kill are not in state and would otherwise all be taken for deleted.
  if (pending !== null) return { version: pending, full: true, restart: tracksDeletes(stream, config), activateFirst: false };
  if (active !== null && nowMs - active < days * MS_PER_DAY) return { version: active, full: false, restart: false, activateFirst: false };
  return { version: next, full: true, restart: true, activateFirst: first };
}

/** Whether a stream is ever read in full: FULL_TABLE, or refreshed in full every `full_refresh_days` (not 0). */
export function readsInFull(stream: KlaviyoStream, config: TapConfig): boolean {
  return stream.replicationMethod === 'FULL_TABLE' || (stream.refreshedInFull && fullRefreshDays(stream, config) > 0);
}

/** Whether the stream's records and full reads carry table versions: not in tables shared by accounts. */
export function sendsVersions(stream: KlaviyoStream): boolean {
  return !stream.accountIdColumn;
}

/** Whether the stream's full reads keep its keys and send deleted records (deletes.ts). */
export function tracksDeletes(stream: KlaviyoStream, config: TapConfig): boolean {
  if (!sendsVersions(stream)) return readsInFull(stream, config);
  return config.emit_deleted_records && stream.smallTable && stream.replicationKey === null;
}

/** The schema sent in SCHEMA: with a nullable `_sdc_deleted_at` where the stream sends deleted records. */
export function schemaWithDeletes(stream: KlaviyoStream, config: TapConfig, schema: JsonSchema): JsonSchema {
  return tracksDeletes(stream, config) ? withDeletedAt(schema) : schema;
}

/** What a full read notes of every record it writes, when the stream tracks deletes (null otherwise). */
export function seenKeys(stream: KlaviyoStream, plan: VersionPlan, config: TapConfig, schema: JsonSchema): SeenKeys | null {
  if (!plan.full || !tracksDeletes(stream, config)) return null;
  return new SeenKeys(stream.name, tombstoneFields(stream, schema), stream.primaryKey.length, config.max_tracked_ids);
}

/**
 * Before the stream's first record: a new full read is saved in state (so a killed run resumes it under the same
 * version) and the writer stamps the version on every record (with `account_id_column`, no version).
 */
export async function openVersion(stream: KlaviyoStream, plan: VersionPlan, store: StateStore, writer: MessageWriter): Promise<void> {
  const versioned = sendsVersions(stream);
  writer.setVersion(stream.name, versioned ? plan.version : null);
  if (!plan.full || plan.version === null) return;
  const resumed = store.versions(stream.name).pending === plan.version;
  if (!resumed || plan.restart) {
    store.beginVersion(stream.name, plan.version, plan.restart);
    await writer.state(store.snapshot());
  }
  const how = versioned ? `under table version ${plan.version}` : 'without a table version (account_id_column; deletes as _sdc_deleted_at records)';
  if (stream.replicationKey !== null) log.info(`stream ${stream.name}: full refresh ${how}${resumed ? ' (resumed)' : ''}`);
  if (plan.activateFirst && versioned) await writer.activateVersion(stream.name, plan.version);
}

/**
 * After every record of a finished full read: deleted records (under the version their rows had), then
 * ACTIVATE_VERSION (not with `account_id_column`), then the STATE that makes the version active and keeps the keys.
 */
export async function closeVersion(
  stream: KlaviyoStream,
  plan: VersionPlan,
  deps: { store: StateStore; writer: MessageWriter },
  seen: SeenKeys | null,
  accountId: string | null,
): Promise<void> {
  if (!plan.full || plan.version === null) return;
  const { store, writer } = deps;
  const versioned = sendsVersions(stream);
  const keys = seen?.list() ?? null;
  if (seen && keys) await sendDeleted({ stream, fields: seen.fields }, deps, seen, versioned ? store.versions(stream.name).active : null, accountId);
  if (versioned) await writer.activateVersion(stream.name, plan.version);
  store.activateVersion(stream.name, plan.version, keys);
  await writer.state(store.snapshot());
}
