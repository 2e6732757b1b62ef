// Klaviyo's campaign and flow listings (GET /api/campaigns, /api/flows) leave archived records out unless the request
// filters `equals(archived,true)` (sources in src/simulator/README.md, "Default visibility"). A stream that declares
// `archivedSide` is read on both sides: each partition as Klaviyo lists it by default, then its archived twin (the
// same context plus `archived: "true"`, filtered `equals(archived,true)`), each with its own bookmark. The default
// side keeps the context it always had, so a state written before the tap read archived records goes on as it was.
// Nothing says whether archiving or restoring a record moves its `updated_at`/`updated`. Between full reads each side
// is incremental on it; every `full_reread_days` each side is read again from start_date (bookmark kept, never moved
// back), so a record archived or restored since arrives with its new `archived` at the latest then.
import type { TapConfig } from '../config/config.js';
import { ARCHIVED, ARCHIVED_FILTER, type Filter } from './filters.js';
import type { StateStore } from '../state/state.js';
import type { KlaviyoStream } from './stream.js';
import type { Partition, StreamRuntime } from './stream-types.js';
import { daysToMicros, fromMicros, toMicros } from '../shared/time.js';

/** The stream's `full_reread_days`: how often a full read of its parents (parents.ts), or of each side, falls due. */
export function rereadDays(stream: KlaviyoStream, config: TapConfig): number {
  return config.streams[stream.name]?.full_reread_days ?? config.full_reread_days;
}

/** Whether a full read done at `fullAt` (micros; null: never) is recent enough that this run need not repeat it. */
export function readRecently(fullAt: number | null, startedAt: number, days: number): boolean {
  return fullAt !== null && fullAt <= startedAt && startedAt - fullAt < daysToMicros(days);
}

export function isArchivedSide(partition: Partition): boolean {
  return partition.context[ARCHIVED] === 'true';
}

/** The partitions the engine reads: the stream's own, each followed by its archived twin where it has one. */
export async function* readPartitions(stream: KlaviyoStream, rt: StreamRuntime): AsyncGenerator<Partition> {
  for await (const partition of stream.partitions(rt)) {
    yield partition;
    if (stream.archivedSide) yield { context: { ...partition.context, [ARCHIVED]: 'true' }, pathParams: partition.pathParams };
  }
}

/** The filters a partition is read with: the stream's own, plus `equals(archived,true)` on the archived side; null: nothing to read. */
export async function readFilters(stream: KlaviyoStream, partition: Partition, rt: StreamRuntime): Promise<Filter[] | null> {
  const own = await stream.filters(partition, rt);
  return own !== null && stream.archivedSide && isArchivedSide(partition) ? [...own, ARCHIVED_FILTER] : own;
}

/**
 * Whether the partition is read in full this run (from start_date, its bookmark kept): on a stream with an archived
 * side, when it has no bookmark, when its archived side was never read in full, or when its last full read is
 * `full_reread_days` old. A default side bookmarked before the tap kept `full_read_at` starts its clock instead.
 */
export function fullReadDue(stream: KlaviyoStream, partition: Partition, config: TapConfig, store: StateStore, startedAt: number): boolean {
  if (!stream.archivedSide || !stream.bookmarked) return false;
  const fullAt = store.fullReadAt(stream.name, partition.context);
  if (fullAt === undefined) return isArchivedSide(partition) || store.get(stream.name, partition.context) === undefined;
  return !readRecently(toMicros(fullAt), startedAt, rereadDays(stream, config));
}

/**
 * After a partition of such a stream was read to its end: notes the full read (or starts the clock of a side that
 * had none). True when something was noted, and a STATE should follow.
 */
export function noteFullRead(stream: KlaviyoStream, partition: Partition, store: StateStore, startedAt: number, full: boolean): boolean {
  if (!stream.archivedSide || !stream.bookmarked) return false;
  if (!full && store.fullReadAt(stream.name, partition.context) !== undefined) return false;
  store.setFullReadAt(stream.name, partition.context, fromMicros(startedAt));
  return true;
}
