// Which parents a child stream re-reads this run (parents.ts lists them): those changed since the stream's parent
// bookmark, per side of the parent listing, or every parent when the side's last full read is `full_reread_days` old.
import { readRecently, rereadDays } from './archived.js';
import type { TapConfig } from '../config/config.js';
import type { ParentBookmark, StateStore } from '../state/state.js';
import type { KlaviyoStream } from './stream.js';
import { EVERY_PARENT, type ParentSpec, type ParentsSince } from './stream-types.js';
import { fromMicros, toMicros } from '../shared/time.js';
import { readUpTo } from './partition-range.js';

export interface ParentScope {
  since: ParentsSince;
  /** The bookmark to save once every partition of the stream is done; null where the stream has none. */
  next: ParentBookmark | null;
}

/** Whether any level of a parent chain hides archived parents. */
function hasArchivedSide(spec: ParentSpec | undefined): boolean {
  return spec !== undefined && (spec.archivedSide === true || hasArchivedSide(spec.parent));
}

/**
 * `settled`: the latest instant this run reads up to (the sync's start less the no-read margin). The saved
 * value never passes it, never moves back, and is only saved after a successful stream.
 */
export function parentScope(stream: KlaviyoStream, config: TapConfig, store: StateStore, startedAt: number, settled: number): ParentScope {
  const field = stream.parent?.changedField;
  if (!field || !stream.bookmarked) return { since: EVERY_PARENT, next: null };
  const upper = readUpTo(stream, config, settled);
  const saved = store.parentBookmark(stream.name);
  const savedValue = saved && saved.replication_key === field ? toMicros(saved.replication_key_value) : null;
  const days = rereadDays(stream, config);
  const sinceFor = (fullAt: string | undefined): number | null =>
    savedValue !== null && readRecently(fullAt ? toMicros(fullAt) : null, startedAt, days) ? Math.min(savedValue, upper) : null;
  const listed = sinceFor(saved?.full_read_at);
  const archivedSide = hasArchivedSide(stream.parent ?? undefined);
  const archived = archivedSide ? sinceFor(saved?.archived_full_read_at) : listed;
  const value = Math.max(savedValue === null ? upper : Math.min(savedValue, settled), upper);
  const now = fromMicros(startedAt);
  return {
    since: { listed, archived },
    next: {
      replication_key: field,
      replication_key_value: fromMicros(value),
      full_read_at: listed === null || !saved ? now : saved.full_read_at,
      ...(archivedSide ? { archived_full_read_at: archived === null || !saved?.archived_full_read_at ? now : saved.archived_full_read_at } : {}),
    },
  };
}
