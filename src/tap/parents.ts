// Child streams on slow tiers (campaign messages, flow actions, flow messages) cost one request or more per
// parent. A run re-reads only the children of parents changed since the last run: the parent listing is
// filtered on the parent's "last changed" field, from the stream's parent bookmark. Klaviyo does not document
// that every change below a parent moves that field, so every `full_reread_days` a run reads every parent again.
import type { TapConfig } from './config.js';
import type { ParentBookmark, StateStore } from './state.js';
import type { KlaviyoStream } from './stream.js';
import { daysToMicros, fromMicros, parseUserDate, toMicros } from './time.js';

export const DEFAULT_FULL_REREAD_DAYS = 7;

export interface ParentScope {
  /** Read only the children of parents changed at or after this instant (micros); null: of every parent. */
  since: number | null;
  /** The bookmark to save once every partition of the stream is done; null where the stream has none. */
  next: ParentBookmark | null;
}

/**
 * `settled`: the latest instant this run reads up to (the sync's start less the no-read margin). The saved
 * value never passes it, never moves back, and is only saved after a successful stream.
 */
export function parentScope(stream: KlaviyoStream, config: TapConfig, store: StateStore, startedAt: number, settled: number): ParentScope {
  const field = stream.parent?.changedField;
  if (!field || !stream.bookmarked) return { since: null, next: null };
  const overrides = config.streams[stream.name] ?? {};
  const end = overrides.end_date ?? config.end_date;
  const upper = Math.min(end ? (parseUserDate(end) ?? Infinity) : Infinity, settled);
  const saved = store.parentBookmark(stream.name);
  const savedValue = saved && saved.replication_key === field ? toMicros(saved.replication_key_value) : null;
  const fullAt = saved ? toMicros(saved.full_read_at) : null;
  const days = overrides.full_reread_days ?? config.full_reread_days;
  const fresh = savedValue !== null && fullAt !== null && fullAt <= startedAt && startedAt - fullAt < daysToMicros(days);
  const since = fresh ? Math.min(savedValue, upper) : null;
  const value = Math.max(savedValue === null ? upper : Math.min(savedValue, settled), upper);
  return {
    since,
    next: {
      replication_key: field,
      replication_key_value: fromMicros(value),
      full_read_at: since === null || !saved ? fromMicros(startedAt) : saved.full_read_at,
    },
  };
}
