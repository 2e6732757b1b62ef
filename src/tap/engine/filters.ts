// A typed builder for Klaviyo's `filter` syntax: `op(field,value)` expressions joined by commas (AND).
// Datetimes go unquoted in UTC (`2024-01-01T00:00:00Z`), booleans bare, strings quoted, lists in brackets.
import type { EndpointFacts } from '../http/endpoint-facts.js';
import { fromMicros } from '../shared/time.js';

export type Operator =
  | 'equals'
  | 'any'
  | 'greater-than'
  | 'greater-or-equal'
  | 'less-than'
  | 'less-or-equal'
  | 'has';

type Value = { kind: 'string'; value: string } | { kind: 'boolean'; value: boolean } | { kind: 'list'; value: string[] } | { kind: 'datetime'; micros: number };

export interface Filter {
  op: Operator;
  field: string;
  value?: Value;
}

export const f = {
  /** A string is quoted; a boolean goes bare (`equals(archived,true)`). */
  equals: (field: string, value: string | boolean): Filter => ({ op: 'equals', field, value: typeof value === 'boolean' ? { kind: 'boolean', value } : { kind: 'string', value } }),
  any: (field: string, values: string[]): Filter => ({ op: 'any', field, value: { kind: 'list', value: values } }),
  has: (field: string): Filter => ({ op: 'has', field }),
  /** A datetime comparison; `op` is one of the four ordering operators. */
  time: (op: Operator, field: string, micros: number): Filter => ({ op, field, value: { kind: 'datetime', micros } }),
};

function quote(value: string): string {
  return value.includes("'") ? `"${value.replace(/"/g, '\\"')}"` : `'${value}'`;
}

function renderValue(value: Value): string {
  switch (value.kind) {
    case 'string':
      return quote(value.value);
    case 'boolean':
      return String(value.value);
    case 'list':
      return `[${value.value.map(quote).join(',')}]`;
    case 'datetime':
      return fromMicros(value.micros);
  }
}

export function renderFilter(filter: Filter): string {
  return filter.value ? `${filter.op}(${filter.field},${renderValue(filter.value)})` : `${filter.op}(${filter.field})`;
}

/** The `filter` parameter value, or undefined when there is nothing to filter on. */
export function renderFilters(filters: readonly Filter[]): string | undefined {
  return filters.length > 0 ? filters.map(renderFilter).join(',') : undefined;
}

/** Field/operator pairs the endpoint does not allow (the spec's `x-klaviyo-filters`); empty when all are fine. */
export function disallowedFilters(filters: readonly Filter[], facts: EndpointFacts): string[] {
  return filters
    .filter((flt) => !(facts.filters[flt.field] ?? []).includes(flt.op))
    .map((flt) => `${flt.op}(${flt.field})`);
}

/** Klaviyo's campaign and flow listings show archived records only when filtered so (archived.ts). */
export const ARCHIVED = 'archived';
export const ARCHIVED_FILTER: Filter = f.equals(ARCHIVED, true);
