// Reads and validates a collection request's JSON:API query parameters against the endpoint's facts.
import type { EndpointFacts } from '../../tap/http/endpoint-facts.js';
import { badRequest } from '../http/api-error.js';
import type { FilterExpr, SortKey, SortSpec, Table } from '../types.js';
import { decodeCursor } from './cursor.js';
import { checkFilters, matchesAll } from './filter-eval.js';
import { parseFilter } from './filter-parse.js';
import { withDefaultVisibility } from './visibility.js';

export interface PageRequest {
  filters: FilterExpr[];
  sort: SortSpec;
  /** The sort as written (`-datetime`), which a cursor is bound to. */
  sortToken: string;
  /** Records per page (Infinity when the endpoint is unpaginated). */
  pageSize: number;
  after: SortKey | null;
  /** Sparse fieldsets: type -> attribute paths. */
  fields: Map<string, string[]>;
  /** Additional fields asked for on the primary type. */
  extras: Set<string>;
  includes: string[];
}

export interface RouteDefaults {
  primaryType: string;
  defaultSort: string;
  /** Page size for endpoints without `page[size]` (metrics: 200; unpaginated: Infinity). */
  fixedPageSize: number;
}

function list(value: string): string[] {
  return value.split(',').map((part) => part.trim()).filter((part) => part !== '');
}

function bracketed(name: string, prefix: string): string | null {
  return name.startsWith(`${prefix}[`) && name.endsWith(']') ? name.slice(prefix.length + 1, -1) : null;
}

function readPageSize(params: URLSearchParams, facts: EndpointFacts, defaults: RouteDefaults): number {
  const raw = params.get('page[size]');
  if (!facts.pageSize) {
    if (raw !== null) throw badRequest(`'page[size]' is not supported by this endpoint.`, 'page[size]');
    return defaults.fixedPageSize;
  }
  if (raw === null) return facts.pageSize.default;
  const size = Number(raw);
  if (!/^\d+$/.test(raw) || size < facts.pageSize.min || size > facts.pageSize.max) {
    throw badRequest(`page[size] must be an integer between ${facts.pageSize.min} and ${facts.pageSize.max}, got '${raw}'.`, 'page[size]');
  }
  return size;
}

function readSort(params: URLSearchParams, facts: EndpointFacts, defaults: RouteDefaults): string {
  const raw = params.get('sort');
  if (raw === null) return defaults.defaultSort;
  if (!facts.sort.includes(raw)) {
    const allowed = facts.sort.length ? `Allowed: ${facts.sort.join(', ')}` : 'This endpoint cannot be sorted';
    throw badRequest(`'${raw}' is not a valid sort. ${allowed}.`, 'sort');
  }
  return raw;
}

function readSparse(params: URLSearchParams, facts: EndpointFacts, defaults: RouteDefaults): { fields: Map<string, string[]>; extras: Set<string>; includes: string[] } {
  const fields = new Map<string, string[]>();
  const extras = new Set<string>();
  for (const [name, value] of params) {
    const fieldType = bracketed(name, 'fields');
    if (fieldType !== null) {
      const allowed = facts.fields[fieldType];
      if (!allowed) throw badRequest(`'${name}' is not valid for this endpoint.`, name);
      for (const field of list(value)) if (!allowed.includes(field)) throw badRequest(`'${field}' is not a valid field for ${name}.`, name);
      fields.set(fieldType, list(value));
    }
    const extraType = bracketed(name, 'additional-fields');
    if (extraType !== null) {
      const allowed = facts.additionalFields[extraType];
      if (!allowed) throw badRequest(`'${name}' is not valid for this endpoint.`, name);
      for (const extra of list(value)) {
        if (!allowed.includes(extra)) throw badRequest(`'${extra}' is not a valid additional field for ${name}. Allowed: ${allowed.join(', ')}.`, name);
        if (extraType === defaults.primaryType) extras.add(extra);
      }
    }
  }
  const includes = list(params.get('include') ?? '');
  for (const include of includes) {
    if (!facts.include.includes(include)) throw badRequest(`'${include}' is not a valid include. Allowed: ${facts.include.join(', ') || 'none'}.`, 'include');
  }
  return { fields, extras, includes };
}

function readFilters(params: URLSearchParams, facts: EndpointFacts, table: Table, latestBound: number): FilterExpr[] {
  const raw = params.get('filter');
  if (raw === null || raw.trim() === '') {
    if (facts.filterRequired) throw badRequest(`A filter is required for this endpoint: ${requiredHint(facts)}.`, 'filter');
    return [];
  }
  if (Object.keys(facts.filters).length === 0) throw badRequest(`This endpoint does not support filtering.`, 'filter');
  const filters = parseFilter(raw);
  checkFilters(filters, facts.filters, table.kinds);
  checkRequiredFilter(filters, facts);
  checkNoFutureBound(filters, latestBound);
  return filters;
}

const BOUNDS = new Set(['greater-than', 'greater-or-equal', 'less-than', 'less-or-equal']);

/** Like Klaviyo, refuses a datetime comparison bound later than the server's clock (`now`, in microseconds). */
function checkNoFutureBound(filters: readonly FilterExpr[], now: number): void {
  for (const expr of filters) {
    const literal = expr.value;
    if (!BOUNDS.has(expr.operator) || literal === null || Array.isArray(literal) || literal.kind !== 'datetime') continue;
    if (literal.value > now) throw badRequest(`Invalid datetime ${literal.text} in ${expr.operator}(${expr.field},...): the datetime must not be in the future.`, 'filter');
  }
}

function requiredHint(facts: EndpointFacts): string {
  if ('messages.channel' in facts.filters) return "equals(messages.channel,'email'|'sms'|'mobile_push')";
  return "coupon.id or profile.id, e.g. equals(coupon.id,'...')";
}

function checkRequiredFilter(filters: readonly FilterExpr[], facts: EndpointFacts): void {
  if (!facts.filterRequired) return;
  const fields = filters.map((f) => f.field);
  const satisfied = 'messages.channel' in facts.filters
    ? filters.some((f) => f.field === 'messages.channel' && f.operator === 'equals')
    : fields.includes('coupon.id') || fields.includes('profile.id');
  if (!satisfied) throw badRequest(`A filter is required for this endpoint: ${requiredHint(facts)}.`, 'filter');
}

/** `latestBound` (microseconds): a datetime comparison bound after it is a 400 (Klaviyo refuses bounds in the future). */
export function parsePageRequest(params: URLSearchParams, facts: EndpointFacts, table: Table, defaults: RouteDefaults, secret: number, latestBound = Infinity): PageRequest {
  const filters = withDefaultVisibility(facts.path, readFilters(params, facts, table, latestBound));
  const sortToken = readSort(params, facts, defaults);
  const pageSize = readPageSize(params, facts, defaults);
  const sparse = readSparse(params, facts, defaults);
  const cursor = params.get('page[cursor]');
  const after = cursor === null ? null : decodeCursor(cursor, sortToken, secret);
  const sort = { field: sortToken.replace(/^-/, ''), descending: sortToken.startsWith('-') };
  return { filters, sort, sortToken, pageSize, after, ...sparse };
}

export { matchesAll };
