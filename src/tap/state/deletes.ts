// Deleted records: `_sdc_deleted_at` rows for what a full read no longer found, for targets (and tables) where
// table versions cannot carry a delete. A stream that tracks deletes keeps, in state, the key of every record its
// last finished full read sent (`ids`), and after the next full read sends, for each key gone, a record holding the
// key (and the stream's other required fields, as last read) with `_sdc_deleted_at` (the time the tap found it gone).
// Two cases track deletes (versions.ts decides which, and when a read is full):
// - `emit_deleted_records`, for targets that ignore ACTIVATE_VERSION (pipelinewise): the small FULL_TABLE streams.
// - `account_id_column`: table versions are table-wide, so a table several accounts share gets none (no account may
//   retire another's rows); deletes reach it this way instead, keyed by account, for every stream read in full
//   (FULL_TABLE streams, and the member and suppression streams at each full refresh).
import { log } from '../shared/log.js';
import type { JsonSchema, MessageWriter, SingerRecord } from '../singer/messages.js';
import type { StateStore, TrackedKey } from './state.js';
import type { KlaviyoStream } from '../engine/stream.js';
import { ACCOUNT_ID } from '../engine/stream-types.js';

export const DELETED_AT = '_sdc_deleted_at';

/** The schema with a nullable `_sdc_deleted_at`, for a stream that sends deleted records. */
export function withDeletedAt(schema: JsonSchema): JsonSchema {
  const properties = (schema['properties'] ?? {}) as Record<string, JsonSchema>;
  const deletedAt = { type: ['string', 'null'], format: 'date-time', description: 'When the tap found the record deleted in Klaviyo (emit_deleted_records, account_id_column)' };
  return { ...schema, properties: { ...properties, [DELETED_AT]: deletedAt } };
}

/**
 * The fields a deleted record carries: the stream's key (without `account_id`, which the run adds), then the other
 * fields its schema requires (global_exclusions' `reason`), so the record validates in a target that checks.
 */
export function tombstoneFields(stream: KlaviyoStream, schema: JsonSchema): string[] {
  const required = ((schema['required'] ?? []) as string[]).filter((f) => f !== ACCOUNT_ID && !stream.primaryKey.includes(f));
  return [...stream.primaryKey, ...required];
}

/** The keys a full read has written (with their tombstone fields), up to `limit` (`max_tracked_ids`). */
export class SeenKeys {
  private keys: Map<string, TrackedKey> | null = new Map();

  constructor(
    private readonly stream: string,
    /** The tombstone fields, key first (tombstoneFields). */
    readonly fields: readonly string[],
    /** How many of `fields` are the key. */
    private readonly keyLength: number,
    private readonly limit: number,
  ) {}

  add(record: Readonly<SingerRecord>): void {
    if (!this.keys) return;
    const values = this.fields.map((f) => record[f] ?? null);
    this.keys.set(keyText(values.slice(0, this.keyLength)), values.length === 1 && typeof values[0] === 'string' ? values[0] : values);
    if (this.keys.size <= this.limit) return;
    log.warn(`stream ${this.stream}: over ${this.limit} records, too many to keep their keys in state (max_tracked_ids); no deleted records this run or the next: raise max_tracked_ids (each key adds about 40 bytes to every STATE message)`);
    this.keys = null;
  }

  /** The keys, sorted; null when there were too many. */
  list(): TrackedKey[] | null {
    if (!this.keys) return null;
    return [...this.keys.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, key]) => key);
  }

  /** Whether the read wrote the record a kept key stands for. */
  has(key: TrackedKey): boolean {
    return this.keys?.has(keyText(toValues(key).slice(0, this.keyLength))) ?? false;
  }
}

function toValues(key: TrackedKey): unknown[] {
  return Array.isArray(key) ? key : [key];
}

function keyText(values: readonly unknown[]): string {
  return JSON.stringify(values);
}

/**
 * After a finished full read, before its keys replace the kept ones: one record with `_sdc_deleted_at` for each
 * kept key the read did not write, with the version its row had (`version`; null: none) and `account_id`.
 */
export async function sendDeleted(
  s: { stream: { name: string }; fields: readonly string[] },
  deps: { store: StateStore; writer: MessageWriter },
  seen: SeenKeys,
  version: number | null,
  accountId: string | null,
): Promise<void> {
  const kept = deps.store.versions(s.stream.name).ids ?? [];
  // A kept key of another shape (the stream's fields changed since) is left out rather than sent half.
  const gone = kept.filter((key) => !seen.has(key) && toValues(key).length === s.fields.length);
  if (gone.length === 0) return;
  const now = new Date().toISOString();
  for (const key of gone) {
    const values = toValues(key);
    const record: SingerRecord = accountId === null ? {} : { [ACCOUNT_ID]: accountId };
    s.fields.forEach((field, i) => (record[field] = values[i]));
    record[DELETED_AT] = now;
    await deps.writer.recordMessage({ stream: s.stream.name, ...(version === null ? {} : { version }), record, time_extracted: now });
  }
  log.info(`stream ${s.stream.name}: ${gone.length} record(s) deleted in Klaviyo since the last full read, sent with ${DELETED_AT}`);
}
