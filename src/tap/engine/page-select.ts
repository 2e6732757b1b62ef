// Which records of a page a stream run writes: those inside the page's window and not already sent at the partition's
// bookmark, read one resource at a time (the lane's rendered records, or the stream's own), noting what the
// bookmark tracker needs. The windows, pages and STATE are the stream run's (stream-run.ts).
import type { TaskPool } from '../shared/concurrency.js';
import type { SingerRecord } from '../singer/messages.js';
import { LeanResources } from '../http/lean-page.js';
import type { Page } from '../http/paginate.js';
import type { BookmarkTracker, PageDensity, ReplicationPlan, Window } from './replication.js';
import { EventAudit, type AuditPart } from '../reports/audit.js';
import { RenderedRecord } from './records.js';
import type { Lane, Partition, StreamRuntime } from './stream-types.js';
import { toMicros } from '../shared/time.js';
import type { KlaviyoStream } from './stream.js';

/** The window a page belongs to, and its partition's scan. */
export type WindowAt = { window: Window; scan: PartitionScan };

/** What a page's selection found (PageSelector.select), applied once its records are written. */
export interface PageFinds {
  /** Records selected (and so written). */
  records: number;
  /** A record at or past the window's end on a sorted stream: the window is done. */
  reachedEnd: boolean;
  /** The first value inside the window (where a tail split starts). */
  first: number | null;
  /** The largest value written, and the ids written at it (in order): what the bookmark tracker keeps. */
  max: number | null;
  idsAtMax: string[];
}

/** One partition's sync: its bookmark, its windows' tasks, and the ids already sent at the saved bookmark. */
export interface PartitionScan {
  tracker: BookmarkTracker;
  pool: TaskPool;
  skip: { value: number; ids: Set<string> } | null;
  /** The windows started and not yet finished, and how densely their records lie (see StreamRun.handTail). */
  density: Map<Window, PageDensity>;
  /** The audit's counter for this partition (`audit` on, event streams); null: nothing counted. */
  audit: AuditPart | null;
}

export class PageSelector {
  /** Resources read, and records made of them (before the window and bookmark select): see StreamRun.warnIfNoRows. */
  received = 0;
  made = 0;

  constructor(
    private readonly stream: KlaviyoStream,
    private readonly plan: ReplicationPlan | null,
    private readonly lane: Lane | null,
    private readonly rt: StreamRuntime,
  ) {}

  /**
   * The page's records that belong to this run, as they are read (one resource parsed at a time): inside the
   * window, and not already sent at the bookmark. Notes in `found` what the page holds for the bookmark.
   */
  *select(page: Page, partition: Partition, at: WindowAt | null, found: PageFinds): Generator<SingerRecord | RenderedRecord> {
    const lane = this.lane;
    const resources = page.resources;
    const reader = lane && resources instanceof LeanResources ? resources.reader : null;
    const items = lane && reader && resources instanceof LeanResources ? resources.read((index, body, start, end, read) => lane.write(reader, index, body, page, start, end, read)) : (resources ?? page.data);
    for (const item of items) {
      this.received++;
      if (item instanceof RenderedRecord) {
        this.made++;
        if (this.selects(item.fields, item.value, at, found)) yield item;
        continue;
      }
      const records = this.stream.toRecords(item, page, partition, this.rt);
      this.made += records.length;
      for (const record of records) {
        const raw = this.plan ? record[this.plan.key] : undefined;
        if (this.selects(record, typeof raw === 'string' ? toMicros(raw) : null, at, found)) yield record;
      }
    }
  }

  /** Whether the record, whose replication key is at `value`, is one to write (see select); notes it in `found` if so. */
  private selects(record: SingerRecord, value: number | null, at: WindowAt | null, found: PageFinds): boolean {
    const plan = this.plan;
    if (plan && at && value !== null) {
      const { window, scan } = at;
      if (value < window.from) return false;
      if (value >= window.to) {
        found.reachedEnd ||= plan.sorted;
        return false;
      }
      found.first ??= value;
      // Counted before the boundary skip: an event skipped there was sent by an earlier run.
      if (scan.audit) EventAudit.count(scan.audit, record['metric_id'], value);
      const id = String(record['id']);
      if (scan.skip && value === scan.skip.value && scan.skip.ids.has(id)) return false;
      // The tracker keeps only the largest value and the ids at it: so does the page, in the same order.
      if (found.max === null || value > found.max) {
        found.max = value;
        found.idsAtMax = [id];
      } else if (value === found.max) found.idsAtMax.push(id);
    }
    found.records++;
    return true;
  }
}
