// Singer state in Meltano's shape: bookmarks per stream, and per partition for child/partitioned streams.
//   {"bookmarks": {"events": {"replication_key": "datetime", "replication_key_value": "...", "boundary_ids": [...]},
//                  "list_members": {"partitions": [{"context": {"list_id": "X"}, "replication_key": ..., ...}]}}}
// `boundary_ids` are the ids of the records already sent whose replication key equals the bookmark value: the
// next run asks for values >= the bookmark and skips exactly those, so ties are neither lost nor re-sent.

export type Context = Record<string, string>;

export interface Bookmark {
  replication_key: string;
  replication_key_value: string;
  boundary_ids?: string[];
}

/** Where a bookmark lives (a stream, or one of its partitions), with when it was last read in full (archived.ts). */
interface BookmarkHolder extends Partial<Bookmark> {
  full_read_at?: string;
}

interface PartitionEntry extends BookmarkHolder {
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
  /** Where the parents have an archived side: when it was last read in full (it has its own clock, see parents.ts). */
  archived_full_read_at?: string;
}

/**
 * A key a full read wrote, kept to find deleted records (deletes.ts): the key value itself for a one-field key, else
 * the values of the key's fields, then of the other fields a deleted record carries.
 */
export type TrackedKey = string | unknown[];

/** A stream's Singer table versions (versions.ts): null where absent. */
export interface TableVersions {
  /** The version last activated: incremental runs send their records with it. */
  active: number | null;
  /** A full read begun under this version and not finished: the next run resumes it. */
  pending: number | null;
  /** `emit_deleted_records`, `account_id_column`: the keys the last finished full read saw. */
  ids: TrackedKey[] | null;
}

/** The requests a Reporting API stream sent on one UTC day (its endpoint's daily quota), kept across runs. */
export interface ReportQuota {
  /** `YYYY-MM-DD` (UTC). */
  day: string;
  requests: number;
}

interface StreamEntry extends BookmarkHolder {
  partitions?: PartitionEntry[];
  parent_bookmark?: ParentBookmark;
  active_version?: number;
  pending_version?: number;
  ids?: TrackedKey[];
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

  private holder(stream: string, context: Context): BookmarkHolder | undefined {
    const entry = this.state.bookmarks[stream];
    if (!entry || Object.keys(context).length === 0) return entry;
    return entry.partitions?.find((p) => contextKey(p.context) === contextKey(context));
  }

  get(stream: string, context: Context): Bookmark | undefined {
    const holder = this.holder(stream, context);
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
    const next: PartitionEntry = { context, ...bookmark, ...(existing?.full_read_at ? { full_read_at: existing.full_read_at } : {}) };
    if (existing) partitions.splice(partitions.indexOf(existing), 1, next);
    else partitions.push(next);
  }

  /** When the stream (or partition) was last read in full, where it keeps that (archived.ts). */
  fullReadAt(stream: string, context: Context): string | undefined {
    return this.holder(stream, context)?.full_read_at;
  }

  setFullReadAt(stream: string, context: Context, at: string): void {
    const entry = (this.state.bookmarks[stream] ??= {});
    if (Object.keys(context).length === 0) {
      entry.full_read_at = at;
      return;
    }
    const partitions = (entry.partitions ??= []);
    const existing = partitions.find((p) => contextKey(p.context) === contextKey(context));
    if (existing) existing.full_read_at = at;
    else partitions.push({ context, full_read_at: at });
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
    for (const field of ['replication_key', 'replication_key_value', 'boundary_ids', 'full_read_at', 'partitions'] as const) delete entry[field];
  }

  /** A full read finished: `version` becomes the active one; `ids` (null: not kept) replace the saved ids. */
  activateVersion(stream: string, version: number, ids: TrackedKey[] | null): void {
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
