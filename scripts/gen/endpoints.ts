// Derives the per-endpoint facts (rate tier, page sizes, filters, sorts, sparse fields, scopes) from the spec.
import type { EndpointFacts } from '../../src/tap/http/endpoint-facts.js';
import { collectionItemSchema, deref, isObject, mergeAllOf, type Json, type JsonObject, type Spec } from './spec.js';

/** `"350/s"` -> 350 (the window is implied by which limit it is: burst per second, steady per minute). */
function parseRate(value: Json | undefined, unit: 's' | 'm'): number {
  const match = typeof value === 'string' ? /^(\d+)\/([sm])$/.exec(value) : null;
  if (!match || match[2] !== unit) throw new Error(`spec: unreadable rate limit ${JSON.stringify(value)}`);
  return Number(match[1]);
}

function enumOf(param: JsonObject): string[] {
  const schema = param['schema'];
  if (!isObject(schema)) return [];
  const items = schema['type'] === 'array' ? schema['items'] : schema;
  return isObject(items) && Array.isArray(items['enum']) ? items['enum'].map(String) : [];
}

function filtersOf(op: JsonObject): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  const spec = op['x-klaviyo-filters'];
  if (!isObject(spec)) return out;
  for (const [field, def] of Object.entries(spec)) {
    const ops = isObject(def) && isObject(def['operators']) ? Object.values(def['operators']) : [];
    out[field] = [...new Set(ops.flatMap((list) => (Array.isArray(list) ? list.map(String) : [])))].sort();
  }
  return out;
}

/** The JSON:API `type` of the resources a collection endpoint answers with (its `data` items), or null. */
function resourceTypeOf(spec: Spec, path: string): string | null {
  const properties = collectionItemSchema(spec, path)['properties'];
  const schema = isObject(properties) ? deref(spec, properties['type']) : undefined;
  const values = schema && Array.isArray(schema['enum']) ? schema['enum'] : [];
  return values.length === 1 ? String(values[0]) : null;
}

/** The spec's example value of a required `filter` (e.g. `equals(messages.channel,'email')`), or null. */
function filterExampleOf(param: JsonObject | undefined): string | null {
  const schema = param?.['required'] === true && isObject(param['schema']) ? param['schema'] : undefined;
  return typeof schema?.['example'] === 'string' ? schema['example'] : null;
}

export function endpointFacts(spec: Spec, path: string, op: JsonObject): EndpointFacts {
  const params = (Array.isArray(op['parameters']) ? op['parameters'] : []).filter(isObject);
  const byName = (name: string): JsonObject | undefined => params.find((p) => p['name'] === name);
  const bracketed = (prefix: string): Record<string, string[]> =>
    Object.fromEntries(
      params
        .filter((p) => String(p['name']).startsWith(`${prefix}[`))
        .map((p) => [String(p['name']).slice(prefix.length + 1, -1), enumOf(p)]),
    );
  const pageParam = byName('page[size]');
  const pageSchema = pageParam && isObject(pageParam['schema']) ? pageParam['schema'] : undefined;
  const limits = isObject(op['x-klaviyo-ratelimit']) ? op['x-klaviyo-ratelimit'] : {};
  const filterParam = byName('filter');
  return {
    operationId: String(op['operationId']),
    path,
    resourceType: resourceTypeOf(spec, path),
    scopes: Array.isArray(op['x-klaviyo-scopes']) ? op['x-klaviyo-scopes'].map(String) : [],
    rateLimit: { perSecond: parseRate(limits['burst'], 's'), perMinute: parseRate(limits['steady'], 'm') },
    pageSize: pageSchema
      ? { min: Number(pageSchema['minimum'] ?? 1), max: Number(pageSchema['maximum']), default: Number(pageSchema['default']) }
      : null,
    filters: filtersOf(op),
    filterRequired: filterParam?.['required'] === true,
    filterExample: filterExampleOf(filterParam),
    sort: byName('sort') ? enumOf(byName('sort') as JsonObject) : [],
    include: byName('include') ? enumOf(byName('include') as JsonObject) : [],
    fields: bracketed('fields'),
    additionalFields: bracketed('additional-fields'),
  };
}

/**
 * Facts for every GET collection endpoint of the spec (paths whose last segment is not `{id}`), the
 * `/relationships/` ones included (the simulator serves them too).
 */
export function allEndpointFacts(spec: Spec): EndpointFacts[] {
  return Object.entries(spec.paths)
    .filter(([path, ops]) => ops['get'] && !path.endsWith('}'))
    .map(([path, ops]) => endpointFacts(spec, path, ops['get'] as JsonObject))
    .sort((a, b) => a.path.localeCompare(b.path));
}

/**
 * Per collection path, the top-level attributes of its resources the spec types `format: date-time` (sorted): the
 * datetimes the simulator's `layout` knob writes in other forms of the same instant (`/relationships/` paths have none).
 */
export function datetimeAttributes(spec: Spec, paths: readonly string[]): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const path of paths) {
    if (path.includes('/relationships/')) continue;
    const item = collectionItemSchema(spec, path);
    const attributes = mergeAllOf(spec, deref(spec, (item['properties'] as JsonObject | undefined)?.['attributes'] ?? {}));
    const properties = isObject(attributes['properties']) ? attributes['properties'] : {};
    const names = Object.entries(properties)
      .filter(([, schema]) => mergeAllOf(spec, deref(spec, schema))['format'] === 'date-time')
      .map(([name]) => name)
      .sort();
    if (names.length > 0) out[path] = names;
  }
  return out;
}
