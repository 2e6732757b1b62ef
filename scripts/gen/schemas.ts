// Record schemas (JSON Schema draft-07) for each stream, derived from the spec's collection response resource:
// `id`, the attributes hoisted, each to-one relationship as `<name>_id`, plus the stream's extra fields.
//
// The schemas are shaped for warehouses, which make one column per top-level property from its `type`:
// - every property at every level has `type`; nullable is `["<type>", "null"]`; no anyOf/oneOf/allOf/$ref/not/if;
// - a polymorphic structure (the spec's oneOf/anyOf of objects), or one nested deeper than MAX_TYPED_DEPTH
//   objects below its column, is one JSON column (`{"type": ["object", "null"]}`) whose value passes through as
//   Klaviyo sends it;
// - flat, fixed objects (location, subscriptions, predictive_analytics) keep typed properties;
// - `format: date-time` only on top-level strings the tap rewrites in RFC 3339 UTC; nested ones, rewritten too,
//   carry NESTED_DATETIME_PATTERN instead (see json.ts); other formats are dropped;
// - a union of scalars collapses to one type (number when it admits a number, else string);
// - every field but the keys may be null, and enums become descriptions, so a new enum value or an unexpected
//   null never stops a pipeline.
import { relationshipField } from '../../src/tap/engine/records.js';
import { OVERFLOW_FIELD, OVERFLOW_SCHEMA } from '../../src/tap/singer/fit-value.js';
import { NESTED_DATETIME_PATTERN } from '../../src/tap/shared/json.js';
import type { KlaviyoStream } from '../../src/tap/engine/stream.js';
import { collectionItemSchema, deref, isObject, mergeAllOf, type Json, type JsonObject, type Spec } from './spec.js';

/** Nested objects below a column that keep typed properties; deeper structures are one JSON value. */
export const MAX_TYPED_DEPTH = 3;
const SCALARS = new Set(['string', 'number', 'integer', 'boolean']);

function nullable(schema: JsonObject): JsonObject {
  const type = schema['type'] ?? 'string';
  const types: Json[] = Array.isArray(type) ? type : [type];
  return types.includes('null') ? schema : { ...schema, type: [...types, 'null'] };
}

/** A schema object with `$ref`s followed and `allOf` merged. */
function resolved(spec: Spec, input: Json | undefined): JsonObject {
  return mergeAllOf(spec, deref(spec, input));
}

function branches(schema: JsonObject): Json[] {
  const list = schema['oneOf'] ?? schema['anyOf'];
  return Array.isArray(list) ? list : [];
}

/** The non-null members of a oneOf/anyOf, resolved. */
function members(spec: Spec, schema: JsonObject): JsonObject[] {
  return branches(schema)
    .map((m) => resolved(spec, m))
    .filter((m) => m['type'] !== 'null');
}

function baseType(schema: JsonObject): string | undefined {
  if (typeof schema['type'] === 'string') return schema['type'];
  if (isObject(schema['properties'])) return 'object';
  return undefined;
}

/** Component names of a oneOf/anyOf's members, for the description of the JSON column. */
function branchNames(schema: JsonObject): string[] {
  return branches(schema)
    .map((m) => (isObject(m) && typeof m['$ref'] === 'string' ? (m['$ref'].split('/').pop() ?? '') : ''))
    .filter(Boolean);
}

function describe(schema: JsonObject, note = ''): string | undefined {
  const own = typeof schema['description'] === 'string' ? schema['description'].trim() : '';
  const enumValues = Array.isArray(schema['enum']) ? ` (one of: ${schema['enum'].map(String).join(', ')})` : '';
  const sentence = `${own}${enumValues}`;
  const text = (note && sentence && !/[.!?]$/.test(sentence) ? `${sentence}.${note}` : `${sentence}${note}`).trim();
  return text === '' ? undefined : text;
}

function withDescription(out: JsonObject, description: string | undefined): JsonObject {
  return description === undefined ? out : { ...out, description };
}

/** True when the structure has a oneOf/anyOf of non-scalars anywhere inside (it cannot be typed column by column). */
function isPolymorphic(spec: Spec, input: Json | undefined, seen = new Set<JsonObject>()): boolean {
  const schema = resolved(spec, input);
  if (seen.has(schema)) return false;
  seen.add(schema);
  if (branches(schema).length > 0) return members(spec, schema).some((m) => !SCALARS.has(baseType(m) ?? ''));
  const props = isObject(schema['properties']) ? Object.values(schema['properties']) : [];
  return props.some((p) => isPolymorphic(spec, p, seen)) || (schema['items'] !== undefined && isPolymorphic(spec, schema['items'], seen));
}

/** How many levels of nested objects the structure has below itself. */
function objectDepth(spec: Spec, input: Json | undefined, level = 0): number {
  if (level > MAX_TYPED_DEPTH + 1) return level;
  const schema = resolved(spec, input);
  const props = isObject(schema['properties']) ? Object.values(schema['properties']) : [];
  const below = props.map((p) => {
    const child = resolved(spec, p);
    return isObject(child['properties']) ? objectDepth(spec, child, level + 1) : objectDepth(spec, child['items'] ?? {}, level + (child['items'] ? 1 : 0));
  });
  return Math.max(level, ...below);
}

function jsonColumn(type: 'object' | 'array', schema: JsonObject, why: string): JsonObject {
  return withDescription({ type }, describe(schema, ` ${why}`));
}

function scalarColumn(schema: JsonObject, type: string, depth: number): JsonObject {
  const description = describe(schema);
  // Datetimes the spec declares, or describes only in prose ("... in ISO 8601 format"): the tap rewrites them in UTC.
  const datetime = type === 'string' && (schema['format'] === 'date-time' || (schema['format'] === undefined && /ISO ?8601/i.test(description ?? '')));
  if (!datetime) return withDescription({ type }, description);
  return withDescription({ type, ...(depth === 0 ? { format: 'date-time' } : { pattern: NESTED_DATETIME_PATTERN }) }, description);
}

/** One scalar type for a union of scalars: number when it admits a number, else string (booleans alone stay). */
function unionType(types: string[]): string {
  const set = new Set(types);
  if (set.size === 1) return types[0] ?? 'string';
  if (set.has('number') || set.has('integer')) return set.has('string') || set.has('number') ? 'number' : 'integer';
  return 'string';
}

/**
 * True for a union of scalars of different kinds (string and number, say). One value collapses to a single column
 * type, but the items of an array keep their own types: typing them alike would send most values to `_overflow`.
 */
function mixedScalars(spec: Spec, input: Json | undefined): boolean {
  const schema = resolved(spec, input);
  if (branches(schema).length === 0) return false;
  const kinds = new Set(members(spec, schema).map((m) => (baseType(m) === 'integer' ? 'number' : baseType(m))));
  return kinds.size > 1;
}

/** OpenAPI 3.0 schema -> warehouse-shaped JSON Schema (see the header). `depth`: objects above this one. */
export function toColumnSchema(spec: Spec, input: Json | undefined, depth = 0): JsonObject {
  const schema = resolved(spec, input);
  if (branches(schema).length > 0) {
    const parts = members(spec, schema);
    const types = parts.map(baseType);
    if (types.every((t) => SCALARS.has(t ?? ''))) return scalarColumn(schema, unionType(types as string[]), depth);
    const names = branchNames(schema);
    const shapes = names.length > 0 ? `: ${names.join(', ')}` : '';
    const type = types.every((t) => t === 'array') ? 'array' : 'object';
    return jsonColumn(type, schema, `JSON value as Klaviyo sends it, one of ${parts.length} shapes${shapes}.`);
  }
  const type = baseType(schema);
  if (type === 'object') {
    const props = isObject(schema['properties']) ? schema['properties'] : null;
    if (!props) return jsonColumn('object', schema, '');
    const keys = `its keys: ${Object.keys(props).join(', ')}`;
    if (isPolymorphic(spec, schema)) return jsonColumn('object', schema, `JSON value as Klaviyo sends it (${keys}; their parts vary in shape).`);
    if (depth + objectDepth(spec, schema) > MAX_TYPED_DEPTH) return jsonColumn('object', schema, `JSON value as Klaviyo sends it (${keys}; deeply nested).`);
    const properties = Object.fromEntries(Object.entries(props).map(([k, v]) => [k, nullable(toColumnSchema(spec, v, depth + 1))]));
    return withDescription({ type: 'object', properties }, describe(schema));
  }
  if (type === 'array') {
    if (schema['items'] === undefined || isPolymorphic(spec, schema['items'])) return jsonColumn('array', schema, 'JSON array as Klaviyo sends it.');
    if (mixedScalars(spec, schema['items'])) return jsonColumn('array', schema, 'JSON array as Klaviyo sends it (its items mix strings, numbers and booleans).');
    const items = toColumnSchema(spec, schema['items'], depth);
    return withDescription({ type: 'array', items }, describe(schema));
  }
  if (type !== undefined && SCALARS.has(type)) return scalarColumn(schema, type, depth);
  // No type at all in the spec: any JSON value; a column must have one, so it is kept as JSON text.
  return withDescription({ type: 'string' }, describe(schema, ' Any JSON value, as text.'));
}

function toOneRelationships(spec: Spec, item: JsonObject): string[] {
  const declared = (item['properties'] as JsonObject)['relationships'];
  if (declared === undefined) return [];
  const rels = deref(spec, declared);
  const props = isObject(rels['properties']) ? rels['properties'] : {};
  return Object.entries(props)
    .filter(([, rel]) => {
      const data = deref(spec, (deref(spec, rel)['properties'] as JsonObject | undefined)?.['data']);
      return data['type'] === 'object' || (data['type'] === undefined && isObject(data['properties']));
    })
    .map(([name]) => name)
    .sort();
}

export function streamSchema(spec: Spec, stream: KlaviyoStream): JsonObject {
  const item = collectionItemSchema(spec, stream.path);
  const attributes = deref(spec, (item['properties'] as JsonObject)['attributes']);
  const attrProps = mergeAllOf(spec, attributes)['properties'];
  const fields = Object.entries(isObject(attrProps) ? attrProps : {}).filter(
    ([name]) => stream.resourceFields === null || stream.resourceFields.includes(name),
  );
  const properties: JsonObject = { id: { type: 'string', description: 'Klaviyo id' } };
  const extras = stream.extraProperties as Record<string, JsonObject>;
  for (const [name, schema] of Object.entries(extras)) if (stream.primaryKey.includes(name)) properties[name] = schema;
  for (const [name, schema] of fields) properties[name] = nullable(toColumnSchema(spec, schema));
  if (stream.resourceFields === null) {
    for (const rel of toOneRelationships(spec, item).filter((r) => !stream.primaryKey.includes(relationshipField(r)))) {
      properties[relationshipField(rel)] = { type: ['string', 'null'], description: `Id of the related ${rel}` };
    }
  }
  for (const [name, schema] of Object.entries(extras)) {
    if (!stream.primaryKey.includes(name)) properties[name] = stream.replicationKey === name ? schema : nullable(schema);
  }
  if (stream.replicationKey && isObject(properties[stream.replicationKey])) {
    properties[stream.replicationKey] = { ...(properties[stream.replicationKey] as JsonObject), format: 'date-time' };
  }
  return recordSchema(stream, [...stream.primaryKey], properties);
}

/** A stream's record schema around its columns, with the `_overflow` column added last. */
export function recordSchema(stream: { name: string; description: string }, required: string[], properties: JsonObject): JsonObject {
  properties[OVERFLOW_FIELD] = OVERFLOW_SCHEMA as JsonObject;
  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    title: stream.name,
    description: stream.description,
    type: 'object',
    required,
    properties,
  };
}
