// Follows `links.next` verbatim (never re-adding parameters), only on the configured origin, with a loop guard.
import { FatalApiError } from '../shared/errors.js';
import { log } from '../shared/log.js';
import type { KlaviyoClient, PageDocument } from './http.js';
import type { BudgetKey, Resource } from './json-api.js';
import { LeanResources, type NewReader } from './lean-page.js';

export interface Page {
  /** The primary resources of the page (of a lean page: each parsed at first use of `data`). */
  readonly data: Resource[];
  /** The same, read one at a time: a lean page parses each as it comes (and again on each iteration); absent: `data`. */
  readonly resources?: Iterable<Resource>;
  /** Sideloaded resources by `type:id`. */
  included: Map<string, Resource>;
  /** The URL this page was fetched from. */
  url: string;
  /** Whether another page follows. */
  hasNext: boolean;
}

export function toPage(doc: PageDocument, url: string): Page {
  const included = new Map<string, Resource>();
  for (const r of doc.included ?? []) included.set(`${r.type}:${r.id}`, r);
  const hasNext = Boolean(doc.links?.next);
  if (doc.data instanceof LeanResources) return new LeanPage(doc.data, included, url, hasNext);
  const data = Array.isArray(doc.data) ? doc.data : [doc.data];
  return { data, resources: data, included, url, hasNext };
}

/** A page whose resources are parsed as they are read (lean-page.ts). */
class LeanPage implements Page {
  private all: Resource[] | null = null;

  constructor(
    readonly resources: LeanResources,
    readonly included: Map<string, Resource>,
    readonly url: string,
    readonly hasNext: boolean,
  ) {}

  get data(): Resource[] {
    return (this.all ??= [...this.resources]);
  }
}

/**
 * Pages of a collection, one `next()` at a time, starting at `firstUrl` (a path with its query, or an absolute
 * URL). It keeps only the next URL: a window waiting for its turn holds none of the pages it has read.
 */
export class Pager {
  private readonly seen = new Set<string>();
  private url: string | null;
  /** A bad `links.next`: thrown on the call after the page that carried it, once that page has been used. */
  private failure: FatalApiError | null = null;
  /** A `links.next` that is no page of this collection ended it (see follow): the read is incomplete. */
  cut = false;

  constructor(
    private readonly client: KlaviyoClient,
    firstUrl: string,
    private readonly budget: BudgetKey,
    /** Pages whose resources are parsed one at a time, as `resources` is read (lean-page.ts), with a lane's reader. */
    private readonly lean: NewReader | boolean = false,
    /** Where a read cut short is noted (the endpoint): the stream's StreamRuntime.cutShort. */
    private readonly cuts?: Set<string>,
  ) {
    this.url = client.resolve(firstUrl);
  }

  /** The next page, or null after the last. */
  async next(): Promise<Page | null> {
    if (this.failure) throw this.failure;
    const url = this.url;
    if (url === null) return null;
    this.seen.add(url);
    const doc = this.lean ? await this.client.getPage(url, this.budget, this.lean === true ? null : this.lean) : await this.client.get(url, this.budget);
    this.url = this.follow(doc.links?.next, url);
    return toPage(doc, url);
  }

  private follow(next: string | null | undefined, url: string): string | null {
    if (!next) return null;
    const endpoint = new URL(url).pathname;
    if (!sameCollection(next, url)) {
      // Not a page of this collection (Prism's mock sends "http://example.com"): nothing is sent there, and the
      // collection ends here. The stream knows its read was cut (no table version activated, no parent bookmark).
      this.cut = true;
      if (!this.client.cutShort.has(endpoint)) log.warn(`${endpoint}: links.next (${safeOrigin(next, url)}${pathOf(next, url) ?? ''}) is no page of ${endpoint}; not followed, the read ends there incomplete`);
      this.client.cutShort.add(endpoint);
      this.cuts?.add(endpoint);
      return null;
    }
    if (!this.client.isSameOrigin(next)) {
      this.failure = new FatalApiError(
        `refused to follow links.next to ${safeOrigin(next, url)}: it is not the configured base_url, and the API key must not leave it`,
        { status: 0, endpoint },
      );
      return null;
    }
    const resolved = this.client.resolve(next);
    if (this.seen.has(resolved)) {
      this.failure = new FatalApiError(`pagination loop: links.next repeats an earlier page of ${endpoint}`, { status: 0, endpoint });
      return null;
    }
    return resolved;
  }
}

/** Yields every page of a collection (see Pager). */
export async function* paginate(client: KlaviyoClient, firstUrl: string, budget: BudgetKey, cuts?: Set<string>): AsyncGenerator<Page> {
  const pager = new Pager(client, firstUrl, budget, false, cuts);
  for (let page = await pager.next(); page; page = await pager.next()) yield page;
}

/** Whether `next` is a URL of the same endpoint as `url` (trailing slash aside): Klaviyo's next pages always are. */
function sameCollection(next: string, url: string): boolean {
  const path = pathOf(next, url);
  return path !== null && path.replace(/\/$/, '') === new URL(url).pathname.replace(/\/$/, '');
}

function pathOf(next: string, base: string): string | null {
  try {
    return new URL(next, base).pathname;
  } catch {
    return null;
  }
}

function safeOrigin(next: string, base: string): string {
  try {
    return new URL(next, base).origin;
  } catch {
    return 'an unparseable URL';
  }
}
