// Singer state in Meltano's shape: bookmarks per stream, and per partition for child/partitioned streams.
//   {"bookmarks": {"events": {"replication_key": "datetime", "replication_key_value": "...", "boundary_ids": [...]},
//                  "list_members": {"partitions": [{"context": {"list_id": "X"}, "replication_key": ..., ...}]}}}
// `boundary_ids` are the ids of the records already sent whose replication key equals the bookmark value: the
// next run asks for values >= the bookmark and skips exactly those, so ties are neither lost nor re-sent.
import { ConfigError } from './errors.js';
import { readJsonFile } from './json.js';
import { parseUserDate } from './time.js';

export type Context = Record<string, string>;

export interface Bookmark {
  replication_key: string;
  replication_key_value: string;
  boundary_ids?: string[];
}

interface PartitionEntry extends Partial<Bookmark> {
  context: Context;
}

/**
 * A child stream's bookmark on its parents: the parents' "last changed" field (`replication_key`) up to which
 * their children have been read, and when every parent was last read in full.
 */
export interface ParentBookmark {
  replication_key: string;
  replication_key_value: string;
  full_read_at: string;
}

/** A stream's Singer table versions (versions.ts): null where absent. */
export interface TableVersions {
  /** The version last activated: incremental runs send their records with it. */
  active: number | null;
  /** A full read begun under this version and not finished: the next run resumes it. */
  pending: number | null;
  /** `emit_deleted_records`: the ids the last finished full read saw. */
  ids: string[] | null;
}

/** The requests a Reporting API stream sent on one UTC day (its endpoint's daily quota), kept across runs. */
export interface ReportQuota {
  /** `YYYY-MM-DD` (UTC). */
  day: string;
  requests: number;
}

interface StreamEntry extends Partial<Bookmark> {
  partitions?: PartitionEntry[];
  parent_bookmark?: ParentBookmark;
  active_version?: number;
  pending_version?: number;
  ids?: string[];
  report_quota?: ReportQuota;
  [other: string]: unknown;
}

export interface TapState {
  bookmarks: Record<string, StreamEntry>;
}

function contextKey(context: Context): string {
  return JSON.stringify(Object.keys(context).sort().map((k) => [k, context[k]]));
}

export class StateStore {
  private readonly state: TapState;

  constructor(initial?: TapState) {
    this.state = initial ? (JSON.parse(JSON.stringify(initial)) as TapState) : { bookmarks: {} };
  }

  get(stream: string, context: Context): Bookmark | undefined {
    const entry = this.state.bookmarks[stream];
    if (!entry) return undefined;
    const holder = Object.keys(context).length === 0 ? entry : entry.partitions?.find((p) => contextKey(p.context) === contextKey(context));
    if (!holder?.replication_key || !holder.replication_key_value) return undefined;
    return {
      replication_key: holder.replication_key,
      replication_key_value: holder.replication_key_value,
      ...(holder.boundary_ids ? { boundary_ids: holder.boundary_ids } : {}),
    };
  }

  set(stream: string, context: Context, bookmark: Bookmark): void {
    const entry = (this.state.bookmarks[stream] ??= {});
    if (Object.keys(context).length === 0) {
      Object.assign(entry, bookmark);
      if (!bookmark.boundary_ids) delete entry.boundary_ids;
      return;
    }
    const partitions = (entry.partitions ??= []);
    const existing = partitions.find((p) => contextKey(p.context) === contextKey(context));
    const next: PartitionEntry = { context, ...bookmark };
    if (existing) partitions.splice(partitions.indexOf(existing), 1, next);
    else partitions.push(next);
  }

  parentBookmark(stream: string): ParentBookmark | undefined {
    return this.state.bookmarks[stream]?.parent_bookmark;
  }

  setParentBookmark(stream: string, bookmark: ParentBookmark): void {
    (this.state.bookmarks[stream] ??= {}).parent_bookmark = bookmark;
  }

  /** Whether the state holds anything for the stream (a first sync has nothing). */
  has(stream: string): boolean {
    return this.state.bookmarks[stream] !== undefined;
  }

  versions(stream: string): TableVersions {
    const entry = this.state.bookmarks[stream];
    return { active: entry?.active_version ?? null, pending: entry?.pending_version ?? null, ids: entry?.ids ?? null };
  }

  /** Starts a full read under `version`; `restart` drops the stream's bookmarks, so it reads from the start. */
  beginVersion(stream: string, version: number, restart: boolean): void {
    const entry = (this.state.bookmarks[stream] ??= {});
    entry.pending_version = version;
    if (!restart) return;
    for (const field of ['replication_key', 'replication_key_value', 'boundary_ids', 'partitions'] as const) delete entry[field];
  }

  /** A full read finished: `version` becomes the active one; `ids` (null: not kept) replace the saved ids. */
  activateVersion(stream: string, version: number, ids: string[] | null): void {
    const entry = (this.state.bookmarks[stream] ??= {});
    entry.active_version = version;
    delete entry.pending_version;
    if (ids) entry.ids = ids;
    else delete entry.ids;
  }

  reportQuota(stream: string): ReportQuota | undefined {
    return this.state.bookmarks[stream]?.report_quota;
  }

  setReportQuota(stream: string, quota: ReportQuota): void {
    (this.state.bookmarks[stream] ??= {}).report_quota = quota;
  }

  /** Every bookmark of a stream (stream level and partitions), with its context. */
  bookmarks(stream: string): Array<{ context: Context; bookmark: Bookmark }> {
    const entry = this.state.bookmarks[stream];
    if (!entry) return [];
    const holders: Array<{ context: Context; holder: Partial<Bookmark> }> = [
      { context: {}, holder: entry },
      ...(entry.partitions ?? []).map((p) => ({ context: p.context, holder: p })),
    ];
    return holders.flatMap(({ context }) => {
      const bookmark = this.get(stream, context);
      return bookmark ? [{ context, bookmark }] : [];
    });
  }

  /** The whole state, as written in a STATE message. */
  snapshot(): TapState {
    return this.state;
  }
}

/** Reads and checks a state file. `replicationKeys` maps each stream id this tap has to its replication key. */
export function loadState(path: string, replicationKeys: ReadonlyMap<string, string | null>): TapState {
  let raw = readJsonFile(path, '--state');
  if (isObject(raw) && isObject(raw['singer_state'])) raw = raw['singer_state'];
  if (!isObject(raw)) throw new ConfigError(`--state ${path}: expected a JSON object like {"bookmarks": {...}}`, 'state');
  const bookmarks = raw['bookmarks'] ?? {};
  if (!isObject(bookmarks)) throw new ConfigError(`--state ${path}: "bookmarks" must be an object of stream id -> bookmark`, 'bookmarks');
  const names = Object.keys(bookmarks);
  if (names.length > 0 && !names.some((n) => replicationKeys.has(n))) {
    throw new ConfigError(`--state ${path}: no bookmark names a tap-klaviyo stream (${names.slice(0, 3).join(', ')}); is this another tap's state? Use a tap-klaviyo state or none`, 'bookmarks');
  }
  for (const [stream, entry] of Object.entries(bookmarks)) {
    if (!replicationKeys.has(stream)) continue; // a stream no longer configured: kept as is
    if (!isObject(entry)) throw new ConfigError(`--state: bookmarks.${stream} must be an object`, `bookmarks.${stream}`);
    checkBookmark(entry, `bookmarks.${stream}`, replicationKeys.get(stream) ?? null);
    checkParentBookmark(entry['parent_bookmark'], `bookmarks.${stream}.parent_bookmark`);
    checkVersions(entry, `bookmarks.${stream}`);
    checkReportQuota(entry['report_quota'], `bookmarks.${stream}.report_quota`);
    const partitions = entry['partitions'];
    if (partitions === undefined) continue;
    if (!Array.isArray(partitions)) throw new ConfigError(`--state: bookmarks.${stream}.partitions must be an array`, `bookmarks.${stream}.partitions`);
    partitions.forEach((p: unknown, i) => {
      const where = `bookmarks.${stream}.partitions[${i}]`;
      if (!isObject(p) || !isObject(p['context']) || !Object.values(p['context']).every((v) => typeof v === 'string')) {
        throw new ConfigError(`--state: ${where} needs a "context" object of strings`, where);
      }
      checkBookmark(p, where, replicationKeys.get(stream) ?? null);
    });
  }
  return { ...raw, bookmarks } as TapState;
}

function checkBookmark(entry: Record<string, unknown>, where: string, expectedKey: string | null): void {
  const key = entry['replication_key'];
  const value = entry['replication_key_value'];
  if (key === undefined && value === undefined) return;
  if (typeof key !== 'string' || typeof value !== 'string') {
    throw new ConfigError(`--state: ${where} needs string "replication_key" and "replication_key_value"`, where);
  }
  if (expectedKey !== null && key !== expectedKey) {
    throw new ConfigError(`--state: ${where}.replication_key is "${key}" but this stream replicates on "${expectedKey}"; delete that bookmark to re-sync it`, `${where}.replication_key`);
  }
  if (parseUserDate(value) === null) {
    throw new ConfigError(`--state: ${where}.replication_key_value is not a datetime: ${JSON.stringify(value)}; fix or delete that bookmark`, `${where}.replication_key_value`);
  }
  const ids = entry['boundary_ids'];
  if (ids !== undefined && !(Array.isArray(ids) && ids.every((id) => typeof id === 'string'))) {
    throw new ConfigError(`--state: ${where}.boundary_ids must be an array of id strings`, `${where}.boundary_ids`);
  }
}

function checkParentBookmark(entry: unknown, where: string): void {
  if (entry === undefined) return;
  const ok =
    isObject(entry) &&
    typeof entry['replication_key'] === 'string' &&
    ['replication_key_value', 'full_read_at'].every((k) => typeof entry[k] === 'string' && parseUserDate(entry[k]) !== null);
  if (!ok) throw new ConfigError(`--state: ${where} needs "replication_key" and the datetimes "replication_key_value" and "full_read_at"; fix or delete it (the stream then re-reads every parent)`, where);
}

function checkVersions(entry: Record<string, unknown>, where: string): void {
  for (const field of ['active_version', 'pending_version']) {
    const value = entry[field];
    if (value !== undefined && !(Number.isSafeInteger(value) && (value as number) > 0)) {
      throw new ConfigError(`--state: ${where}.${field} must be a positive integer (a table version, epoch milliseconds): got ${JSON.stringify(value)}; fix or delete it (the stream then reads in full)`, `${where}.${field}`);
    }
  }
  const ids = entry['ids'];
  if (ids !== undefined && !(Array.isArray(ids) && ids.every((id) => typeof id === 'string'))) {
    throw new ConfigError(`--state: ${where}.ids must be an array of id strings; fix or delete it (deleted records are then sent again from the next full read)`, `${where}.ids`);
  }
}

function checkReportQuota(entry: unknown, where: string): void {
  if (entry === undefined) return;
  const ok = isObject(entry) && typeof entry['day'] === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(entry['day']) && Number.isInteger(entry['requests']) && Number(entry['requests']) >= 0;
  if (!ok) throw new ConfigError(`--state: ${where} needs "day" (YYYY-MM-DD) and a whole number "requests"; fix or delete it`, where);
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
