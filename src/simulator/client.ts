// A minimal client for the simulator (used by its tests and handy in end-to-end tests): authenticated
// GETs and "follow links.next to the end".

export interface ClientOptions {
  apiKey?: string;
  revision?: string | null;
  headers?: Record<string, string>;
}

export interface SimResponse {
  status: number;
  headers: Headers;
  text: string;
  /** The parsed body (undefined when it is not JSON). */
  body: unknown;
}

export async function simGet(baseUrl: string, pathOrUrl: string, options: ClientOptions = {}): Promise<SimResponse> {
  const headers: Record<string, string> = { accept: 'application/vnd.api+json', ...options.headers };
  if (options.apiKey !== '') headers['authorization'] = `Klaviyo-API-Key ${options.apiKey ?? 'pk_sim_demo'}`;
  if (options.revision !== null) headers['revision'] = options.revision ?? '2026-07-15';
  const url = pathOrUrl.startsWith('http') ? pathOrUrl : `${baseUrl}${pathOrUrl}`;
  const response = await fetch(url, { headers });
  const text = await response.text();
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  return { status: response.status, headers: response.headers, text, body };
}

export interface JsonApiResource {
  type: string;
  id: string;
  attributes: Record<string, unknown>;
  relationships?: Record<string, { data?: unknown }>;
}

interface JsonApiPage {
  data: JsonApiResource[];
  included?: JsonApiResource[];
  links: { self: string; next?: string };
}

/** Follows links.next from `path` until the end; fails on any non-200. `between` runs between pages. */
export async function pageAll(baseUrl: string, path: string, options: ClientOptions = {}, between?: (page: number) => Promise<void> | void): Promise<JsonApiResource[]> {
  const out: JsonApiResource[] = [];
  let next: string | undefined = path;
  for (let page = 0; next; page++) {
    const response = await simGet(baseUrl, next, options);
    if (response.status !== 200) throw new Error(`GET ${next} -> ${response.status}: ${response.text.slice(0, 300)}`);
    const body = response.body as JsonApiPage;
    out.push(...body.data);
    next = body.links.next;
    if (page > 100_000) throw new Error(`pagination of ${path} does not end`);
    if (next) await between?.(page);
  }
  return out;
}
