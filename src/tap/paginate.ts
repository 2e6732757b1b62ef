// Follows `links.next` verbatim (never re-adding parameters), only on the configured origin, with a loop guard.
import { FatalApiError } from './errors.js';
import type { BudgetKey, JsonApiDocument, KlaviyoClient, Resource } from './http.js';

export interface Page {
  /** The primary resources of the page. */
  data: Resource[];
  /** Sideloaded resources by `type:id`. */
  included: Map<string, Resource>;
  /** The URL this page was fetched from. */
  url: string;
  /** Whether another page follows. */
  hasNext: boolean;
}

export function toPage(doc: JsonApiDocument, url: string): Page {
  const data = Array.isArray(doc.data) ? doc.data : [doc.data];
  const included = new Map<string, Resource>();
  for (const r of doc.included ?? []) included.set(`${r.type}:${r.id}`, r);
  return { data, included, url, hasNext: Boolean(doc.links?.next) };
}

/** Yields every page of a collection, starting at `firstUrl` (a path with its query, or an absolute URL). */
export async function* paginate(client: KlaviyoClient, firstUrl: string, budget: BudgetKey): AsyncGenerator<Page> {
  const seen = new Set<string>();
  let url: string | null = client.resolve(firstUrl);
  while (url) {
    seen.add(url);
    const doc = await client.get(url, budget);
    yield toPage(doc, url);
    const next = doc.links?.next;
    if (!next) return;
    if (!client.isSameOrigin(next)) {
      throw new FatalApiError(
        `refused to follow links.next to ${safeOrigin(next, url)}: it is not the configured base_url, and the API key must not leave it`,
        { status: 0, endpoint: new URL(url).pathname },
      );
    }
    const resolved = client.resolve(next);
    if (seen.has(resolved)) {
      throw new FatalApiError(`pagination loop: links.next repeats an earlier page of ${new URL(url).pathname}`, {
        status: 0,
        endpoint: new URL(url).pathname,
      });
    }
    url = resolved;
  }
}

function safeOrigin(next: string, base: string): string {
  try {
    return new URL(next, base).origin;
  } catch {
    return 'an unparseable URL';
  }
}
