// Record schemas (JSON Schema draft-07) for each stream, derived from the spec's collection response resource:
// `id`, the attributes hoisted, each to-one relationship as `<name>_id`, plus the stream's extra fields.
// Klaviyo's schemas are made lenient on purpose, so a new enum value or a null where the spec promised a
// value never stops a pipeline: every field but the key may be null, enums become descriptions, nested objects
// stay open to new keys.
import { relationshipField } from '../../src/tap/records.js';
import type { KlaviyoStream } from '../../src/tap/stream.js';
import { collectionItemSchema, deref, isObject, mergeAllOf, type Json, type JsonObject, type Spec } from './spec.js';

const KEEP = new Set(['type', 'format', 'description', 'properties', 'items', 'anyOf']);

function withNull(schema: JsonObject): JsonObject {
  if (Array.isArray(schema['anyOf'])) {
    const members = schema['anyOf'];
    return members.some((m) => isObject(m) && m['type'] === 'null') ? schema : { ...schema, anyOf: [...members, { type: 'null' }] };
  }
  const type = schema['type'];
  if (type === undefined) return schema; // any value, null included
  const types = Array.isArray(type) ? type : [type];
  return types.includes('null') ? schema : { ...schema, type: [...types, 'null'] };
}

/** OpenAPI 3.0 schema -> lenient JSON Schema (refs inlined, allOf merged, oneOf as anyOf). */
export function toJsonSchema(spec: Spec, input: Json | undefined, depth = 0): JsonObject {
  if (depth > 12) return {};
  let schema = mergeAllOf(spec, deref(spec, input));
  if (Array.isArray(schema['oneOf'])) schema = { ...schema, anyOf: schema['oneOf'] };
  const out: JsonObject = {};
  for (const [key, value] of Object.entries(schema)) if (KEEP.has(key)) out[key] = value;
  if (Array.isArray(schema['enum'])) {
    const values = schema['enum'].map(String).join(', ');
    out['description'] = `${typeof out['description'] === 'string' ? `${out['description']} ` : ''}(one of: ${values})`;
  }
  if (isObject(out['properties'])) {
    out['properties'] = Object.fromEntries(Object.entries(out['properties']).map(([k, v]) => [k, withNull(toJsonSchema(spec, v, depth + 1))]));
  }
  if (out['items'] !== undefined) out['items'] = toJsonSchema(spec, out['items'], depth + 1);
  if (Array.isArray(out['anyOf'])) out['anyOf'] = out['anyOf'].map((m) => toJsonSchema(spec, m, depth + 1));
  if (out['type'] === 'object' && !isObject(out['properties'])) out['additionalProperties'] = true;
  // Some datetimes are declared only in prose ("... in ISO 8601 format"): give them the format too.
  if (out['type'] === 'string' && out['format'] === undefined && /ISO ?8601/i.test(String(out['description'] ?? ''))) out['format'] = 'date-time';
  return out;
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
  for (const [name, schema] of fields) properties[name] = withNull(toJsonSchema(spec, schema));
  if (stream.resourceFields === null) {
    for (const rel of toOneRelationships(spec, item)) {
      properties[relationshipField(rel)] = { type: ['string', 'null'], description: `Id of the related ${rel}` };
    }
  }
  for (const [name, schema] of Object.entries(extras)) {
    if (!stream.primaryKey.includes(name)) properties[name] = stream.replicationKey === name ? schema : withNull(schema);
  }
  if (stream.replicationKey && isObject(properties[stream.replicationKey])) {
    properties[stream.replicationKey] = { ...(properties[stream.replicationKey] as JsonObject), format: 'date-time' };
  }
  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    title: stream.name,
    description: stream.description,
    type: 'object',
    required: [...stream.primaryKey],
    properties,
  };
}
