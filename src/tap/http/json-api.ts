// The JSON:API documents Klaviyo answers with, and the key of the rate budget a request draws on: types only, shared
// by the client (http.ts), the page readers (lean-page.ts, paginate.ts) and the streams.
import type { Tier } from './ratelimit.js';

export interface Relationship {
  data?: { type: string; id: string } | Array<{ type: string; id: string }> | null;
}
export interface Resource {
  type: string;
  id: string;
  attributes?: Record<string, unknown>;
  relationships?: Record<string, Relationship>;
}
export interface JsonApiDocument {
  data: Resource[] | Resource;
  included?: Resource[];
  links?: { self?: string; next?: string | null; prev?: string | null };
}

/** Which budget a request draws on: the endpoint (operation) and its tier. */
export interface BudgetKey {
  id: string;
  tier: Tier;
  /** The endpoint's path template, e.g. `/api/lists/{id}/profiles` (metrics' `endpoint` tag); default: `id`. */
  path?: string;
}
