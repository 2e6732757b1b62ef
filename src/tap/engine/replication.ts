// How a stream's replication key maps onto Klaviyo's filters, the time windows a sync is split into, and the
// bookmark that advances only over what has been written (the contiguous prefix of finished windows).
import type { EndpointFacts } from '../http/endpoint-facts.js';
import { f, type Filter } from './filters.js';
import type { Bookmark } from '../state/state.js';
import { fromMicros, MICROS_PER_SECOND } from '../shared/time.js';

export interface ReplicationPlan {
  /** Record field holding the replication key. */
  key: string;
  /** API field to filter/sort on. */
  apiField: string;
  /** Server-side lower bound operator; `greater-than` means: back off one second and drop the overlap. */
  lower: 'greater-or-equal' | 'greater-than' | null;
  /** Whether the API can bound the window above (`less-than`); otherwise records past it are dropped here. */
  upper: boolean;
  /** Whether the API sorts on the key (bookmark after every page) or not (bookmark at the end). */
  sorted: boolean;
}

/**
 * `sortsByKey` false: the API sorts on `apiField`, but that is not the record's key order (a record per array
 * element, sorted by the whole array), so the stream is treated as unsorted.
 */
export function planReplication(key: string | null, apiField: string | null, facts: EndpointFacts, sortsByKey = true): ReplicationPlan | null {
  if (!key) return null;
  const field = apiField ?? key;
  const ops = facts.filters[field] ?? [];
  const lower = ops.includes('greater-or-equal') ? 'greater-or-equal' : ops.includes('greater-than') ? 'greater-than' : null;
  return { key, apiField: field, lower, upper: ops.includes('less-than'), sorted: sortsByKey && facts.sort.includes(field) };
}

/** Whether windows of the stream can be fetched side by side (bounded on both sides by the API, and sorted). */
export function splittable(plan: ReplicationPlan | null): boolean {
  return plan !== null && plan.lower !== null && plan.upper && plan.sorted;
}

/** A slice [from, to) of the replication range, and what has been written of it. */
export interface Window {
  from: number;
  /** Shrinks each time the window hands its tail to new windows. */
  to: number;
  max: number | null;
  idsAtMax: Set<string>;
  done: boolean;
}

export function newWindow(from: number, to: number): Window {
  return { from, to, max: null, idsAtMax: new Set(), done: false };
}

/** Server-side filters for a window. */
export function windowFilters(plan: ReplicationPlan, window: { from: number; to: number }): Filter[] {
  const out: Filter[] = [];
  if (plan.lower === 'greater-or-equal') out.push(f.time('greater-or-equal', plan.apiField, window.from));
  if (plan.lower === 'greater-than') out.push(f.time('greater-than', plan.apiField, window.from - MICROS_PER_SECOND));
  if (plan.upper) out.push(f.time('less-than', plan.apiField, window.to));
  return out;
}

/** The fewest pages a window split off another is estimated to hold while the pages left exceed two a lane. */
export const MIN_PART = 2;
/** A window splits once its pages left exceed its fair share by this factor. */
export const SPLIT_OVER = 1.25;

/**
 * The new windows that take over part of `window` after a page that held `first`..`last`, with more to follow (see
 * StreamRun.handTail): `share` is the fair share of pages a lane (the pages left in every open window over the lanes
 * the endpoint keeps busy), `free` the lanes no open window holds.
 * - A page within one second is inside a tie (an email campaign's send puts thousands of events in one second, which
 *   only the cursor can read, a page at a time): what follows that second goes to new windows at once, but only
 *   into free lanes (where every lane is busy it waits its turn either way, and each split costs a part-full page).
 * - Otherwise the window splits once its pages left exceed SPLIT_OVER shares, into parts of about a share: at least
 *   MIN_PART pages, or one page near the end (fewer pages left than MIN_PART a lane), where lanes would idle.
 */
export function handOff(window: Window, first: number, last: number, density: PageDensity, share: number, free: number): Window[] {
  if (last - first < MICROS_PER_SECOND) return free < 1 ? [] : splitAfterTie(window, last, density.pagesIn(last + MICROS_PER_SECOND, window.to), Math.max(1, share), free);
  const minPart = share < MIN_PART ? 1 : MIN_PART;
  const part = Math.max(minPart, share);
  const left = density.pagesIn(last, window.to);
  if (left <= SPLIT_OVER * part) return [];
  return splitTail(window, last, left, Math.ceil(left / part) - 1, minPart);
}

/**
 * Cuts a window short after the page that ended at `last`, when its tail holds about `pagesLeft` pages, and returns
 * at most `maxNew` new windows that take it over (fetched side by side), each of about `minPages` pages or more and
 * at least two seconds long; none when the tail is too short for that.
 */
export function splitTail(window: Window, last: number, pagesLeft: number, maxNew: number, minPages = 2): Window[] {
  const remaining = window.to - last;
  const parts = Math.min(maxNew, Math.floor(pagesLeft / minPages) - 1);
  if (parts < 1 || remaining < 2 * MICROS_PER_SECOND * (parts + 1)) return [];
  return handOver(window, last + Math.floor(remaining / (parts + 1)), parts);
}

/**
 * After a page whose records all lie within one second (a tie: an email campaign's send puts thousands of events
 * in one second, which only the cursor can read, a page at a time): the window keeps the rest of that second and
 * hands what follows to new windows (`pagesAfter` estimated, about `share` each, at most `maxNew`, each at least two
 * seconds long), which read it while the window pages through the tie. None when the window ends within seconds.
 */
export function splitAfterTie(window: Window, last: number, pagesAfter: number, share: number, maxNew: number): Window[] {
  const at = last + MICROS_PER_SECOND;
  const parts = Math.min(maxNew, Math.max(1, Math.round(pagesAfter / share)), Math.floor((window.to - at) / (2 * MICROS_PER_SECOND)));
  return parts < 1 ? [] : handOver(window, at, parts);
}

/** Cuts the window short at `at`: `parts` new windows of about equal length take over [at, window.to). */
function handOver(window: Window, at: number, parts: number): Window[] {
  const step = Math.floor((window.to - at) / parts);
  const tails: Window[] = [];
  for (let i = 0; i < parts; i++) tails.push(newWindow(at + i * step, i === parts - 1 ? window.to : at + (i + 1) * step));
  window.to = at;
  return tails;
}

/**
 * How densely a window's records lie, in pages per microsecond, from the full pages read in it: each one's span
 * from its first record to its last. A page within one second (an email campaign's send: thousands of events
 * share it) says nothing of how the rest is spread (read as one second per page, it would cut the tail into
 * windows of a few records each), so it is left out; until a page counts, the density the window was split off
 * with stands.
 */
export class PageDensity {
  private pages = 0;
  private span = 0;

  constructor(private readonly inherited: number | null = null) {}

  /** Notes a full page whose records span `first..last`. */
  see(first: number, last: number): void {
    if (last - first < MICROS_PER_SECOND) return;
    this.pages++;
    this.span += last - first;
  }

  /** Pages per microsecond; null while nothing is known. */
  get rate(): number | null {
    return this.pages > 0 ? this.pages / this.span : this.inherited;
  }

  /** The pages estimated in [from, to). */
  pagesIn(from: number, to: number): number {
    return Math.max(0, to - from) * (this.rate ?? 0);
  }
}

/**
 * Tracks the bookmark of one partition over its windows (kept in time order). The bookmark is the greatest
 * replication-key value written in the finished windows and the first unfinished one, with the ids written
 * at exactly that value; it never goes backwards.
 */
export class BookmarkTracker {
  private readonly windows: Window[] = [];
  private value: number | null;
  private ids: Set<string>;

  constructor(initial: { value: number | null; ids: Iterable<string> }) {
    this.value = initial.value;
    this.ids = new Set(initial.ids);
  }

  add(window: Window): void {
    this.windows.push(window);
    this.windows.sort((a, b) => a.from - b.from);
  }

  /** Notes a record written in `window`. */
  see(window: Window, value: number, id: string): void {
    if (window.max === null || value > window.max) {
      window.max = value;
      window.idsAtMax = new Set([id]);
    } else if (value === window.max) window.idsAtMax.add(id);
  }

  /**
   * Recomputes the bookmark; true when it changed. Lets go of what no bookmark can need again: the finished windows
   * it has passed, and the ids of a finished window that the next has written past (an email campaign's send can put
   * thousands in one second; a window that read only that second ends with all of them).
   */
  advance(): boolean {
    let changed = false;
    let passed = 0;
    for (const w of this.windows) {
      if (w.max !== null) {
        if (this.value === null || w.max > this.value) {
          this.value = w.max;
          this.ids = new Set(w.idsAtMax);
          changed = true;
        } else if (w.max === this.value) {
          for (const id of w.idsAtMax) {
            if (!this.ids.has(id)) {
              this.ids.add(id);
              changed = true;
            }
          }
        }
      }
      if (!w.done) break;
      passed++;
    }
    this.windows.splice(0, passed);
    // Once the bookmark reaches a finished window it goes on to the next, whose records all lie after this one's.
    for (let i = 0; i + 1 < this.windows.length; i++) {
      const w = this.windows[i] as Window;
      if (w.done && w.idsAtMax.size > 0 && (this.windows[i + 1] as Window).max !== null) w.idsAtMax = new Set();
    }
    return changed;
  }

  bookmark(key: string): Bookmark | null {
    if (this.value === null) return null;
    return { replication_key: key, replication_key_value: fromMicros(this.value), boundary_ids: [...this.ids].sort() };
  }
}
