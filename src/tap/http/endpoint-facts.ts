// The shape of the facts generated from Klaviyo's OpenAPI spec for each GET collection endpoint
// (see scripts/generate.ts and src/generated/endpoints.ts).
import type { BudgetKey } from './json-api.js';

export interface EndpointFacts {
  operationId: string;
  /** Path template as in the spec, e.g. `/api/lists/{id}/profiles`. */
  path: string;
  /** The JSON:API `type` of the resources it answers with (for a `fields[type]`), null where the spec has none. */
  resourceType: string | null;
  /** API key scopes the operation needs. */
  scopes: string[];
  /** Requests allowed per 1-second burst window and per 1-minute steady window. */
  rateLimit: { perSecond: number; perMinute: number };
  /** `page[size]` bounds, or null where the endpoint takes no page size. */
  pageSize: { min: number; max: number; default: number } | null;
  /** Filterable field -> allowed operators. */
  filters: Record<string, string[]>;
  /** Whether the `filter` parameter is required. */
  filterRequired: boolean;
  /** Where the filter is required: the spec's example of one (a valid filter to send when any will do). */
  filterExample: string | null;
  /** Allowed `sort` values (`x` and `-x`). */
  sort: string[];
  /** Allowed `include` values. */
  include: string[];
  /** Resource type -> allowed `fields[type]` values. */
  fields: Record<string, string[]>;
  /** Resource type -> allowed `additional-fields[type]` values. */
  additionalFields: Record<string, string[]>;
}

/** The rate budget an endpoint's requests draw on: its operation, in its tier. */
export function budgetOf(facts: EndpointFacts): BudgetKey {
  return { id: facts.operationId, tier: facts.rateLimit, path: facts.path };
}
