// What the engine and the streams share about a stream, apart from its class (stream.ts): its partitions, the parent
// it is read under, its fast path, the runtime it sees and the metric it looks up by name. Types and constants only,
// so the modules the class uses (parents.ts, records.ts, account-names.ts) can name them without importing the class.
import type { TapConfig } from '../config/config.js';
import type { KlaviyoClient } from '../http/http.js';
import type { PageReader } from '../http/lean-page.js';
import type { Page } from '../http/paginate.js';
import type { Context } from '../state/state.js';
import type { RenderedRecord } from './records.js';

export interface Partition {
  /** What identifies the partition in state (and, for child streams, the parent key added to records). */
  context: Context;
  /** Values for the `{id}` placeholder of the path. */
  pathParams: Record<string, string>;
}

/**
 * Writes resources' records straight from their bytes in a lean page (lean-page.ts), skipping JSON.parse, the shaper
 * and JSON.stringify: a reader (`newReader`, one per page) may read each resource as the page is read, `write` makes
 * the record of a resource (undefined: the resource goes the general way). See fast-paths/event-lane.ts.
 */
export interface Lane {
  newReader: () => PageReader;
  /** The record of resource `index` of the page, its bytes [start, end); `read`: the reader took it as the page was read. */
  write(reader: PageReader, index: number, body: Buffer, page: Page, start: number, end: number, read: boolean): RenderedRecord | undefined;
}

/** A child stream's parent: the collection whose ids become this stream's partitions. */
export interface ParentSpec {
  /** The parent stream id (catalog `parent-tap-stream-id`). */
  stream: string;
  /** The parent collection endpoint, e.g. `/api/lists`. */
  path: string;
  /** The parent's JSON:API type (for a minimal `fields[type]`), e.g. `list`. */
  resourceType: string;
  /** A cheap attribute to ask for, so pages stay small. */
  cheapField: string;
  /** The record field that carries the parent id, e.g. `list_id`. */
  key: string;
  /** Filters the parent collection must be listed with, one listing each (campaigns need a channel). */
  listFilters?: readonly string[];
  /** The parent's own parent, when the parent path has an `{id}` (flow messages -> actions -> flows). */
  parent?: ParentSpec;
  /**
   * The parent's "last changed" API field (filterable with greater-or-equal), when a change below the parent is
   * taken to move it: then a run re-reads only the children of parents changed since the last run (see parents.ts).
   */
  changedField?: string;
  /**
   * Klaviyo's listing of the parent hides its archived records unless filtered `equals(archived,true)`: each listing
   * is made on both sides (parents.ts, archived.ts).
   */
  archivedSide?: boolean;
}

/** What a stream sees of the running sync. */
export interface StreamRuntime {
  client: KlaviyoClient;
  config: TapConfig;
  /** Selected fields of this stream (automatic ones included). */
  selected: ReadonlySet<string>;
  /** A per-run cache shared by all streams (e.g. the metric directory). */
  memo<T>(key: string, load: () => Promise<T>): Promise<T>;
  /** Child streams: read only parents changed since, per side of the parent listing (parents.ts); absent: every parent. */
  parentsChangedSince?: ParentsSince;
  /** Endpoints this stream read in part, a `links.next` off the collection having ended them (paginate.ts). */
  cutShort?: Set<string>;
}

/** With `account_id_column`, the field every record carries and every key starts with (see account.ts). */
export const ACCOUNT_ID = 'account_id';
/** Where the account id is read (once per run). */
export const ACCOUNTS_PATH = '/api/accounts';

/** Which parents a child stream reads, per side of the parent listing: those changed at or after (micros), or all (null). */
export interface ParentsSince {
  /** The parents Klaviyo lists by default. */
  listed: number | null;
  /** The archived parents, where the listing hides them (ParentSpec.archivedSide). */
  archived: number | null;
}

export const EVERY_PARENT: ParentsSince = { listed: null, archived: null };

/** A metric a stream reads, found by name: `setting` is the config entry that named it (null: a built-in default). */
export interface MetricLookup {
  name: string;
  setting: string | null;
}
