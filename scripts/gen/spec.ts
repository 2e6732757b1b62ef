// Reads Klaviyo's OpenAPI document and answers the questions the generators ask of it.
import { readFileSync } from 'node:fs';

export type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
export type JsonObject = { [k: string]: Json };

export const DEFAULT_SPEC = '../shared/klaviyo-api/openapi-stable.json';

export interface Spec {
  info: { version: string };
  paths: Record<string, Record<string, JsonObject>>;
  components: { schemas: Record<string, JsonObject> };
}

export function loadSpec(path: string): Spec {
  return JSON.parse(readFileSync(path, 'utf8')) as Spec;
}

export function isObject(v: Json | undefined): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Follows `$ref`s (and one-element allOf wrappers) until a concrete schema object is reached. */
export function deref(spec: Spec, schema: Json | undefined): JsonObject {
  let s = schema;
  for (let i = 0; i < 50 && isObject(s) && typeof s['$ref'] === 'string'; i++) {
    const name = s['$ref'].split('/').pop() ?? '';
    const target = spec.components.schemas[name];
    if (!target) throw new Error(`spec: unresolved $ref ${s['$ref']}`);
    const { $ref: _ignored, ...rest } = s;
    s = { ...target, ...rest };
  }
  if (!isObject(s)) throw new Error('spec: expected a schema object');
  return s;
}

/** The resource schema of the items of a GET collection endpoint's 200 response (allOf merged). */
export function collectionItemSchema(spec: Spec, path: string): JsonObject {
  const op = spec.paths[path]?.['get'];
  if (!op) throw new Error(`spec: no GET ${path}`);
  const responses = op['responses'] as JsonObject;
  const ok = deref(spec, responses['200']);
  const content = ok['content'] as JsonObject;
  const media = content['application/vnd.api+json'] as JsonObject;
  const doc = deref(spec, media['schema']);
  const data = deref(spec, (doc['properties'] as JsonObject)['data']);
  const item = data['type'] === 'array' ? data['items'] : data;
  return mergeAllOf(spec, deref(spec, item));
}

/**
 * The part of the spec that checks responses of `paths` (GET): each one's 200 response, the components they
 * reference (transitively) and the error response, so tests can validate against it without the 3 MB spec.
 */
export function responseSubset(spec: Spec, paths: readonly string[]): JsonObject {
  const raw = spec as unknown as JsonObject;
  const components = raw['components'] as JsonObject;
  const picked: Record<string, JsonObject> = {};
  const pending: Json[] = [];
  const take = (kind: string, name: string): void => {
    const group = (picked[kind] ??= {});
    if (group[name] !== undefined) return;
    const value = (components[kind] as JsonObject | undefined)?.[name];
    if (value === undefined) throw new Error(`spec: unresolved #/components/${kind}/${name}`);
    group[name] = value;
    pending.push(value);
  };
  const out: JsonObject = {};
  for (const path of paths) {
    const ok = ((spec.paths[path]?.['get']?.['responses'] as JsonObject | undefined) ?? {})['200'];
    if (ok === undefined) throw new Error(`spec: no GET 200 response for ${path}`);
    out[path] = { get: { responses: { '200': ok } } };
    pending.push(ok);
  }
  take('responses', 'ClientError');
  while (pending.length > 0) {
    const node = pending.pop();
    if (Array.isArray(node)) pending.push(...node);
    else if (isObject(node)) {
      const ref = node['$ref'];
      const m = typeof ref === 'string' ? /^#\/components\/([^/]+)\/(.+)$/.exec(ref) : null;
      if (m) take(m[1] ?? '', m[2] ?? '');
      pending.push(...Object.values(node));
    }
  }
  return { openapi: raw['openapi'] ?? null, info: spec.info as unknown as JsonObject, paths: out, components: picked };
}

/** Merges `allOf` members deeply (properties of nested objects are unioned). */
export function mergeAllOf(spec: Spec, schema: JsonObject): JsonObject {
  const parts = schema['allOf'];
  if (!Array.isArray(parts)) return schema;
  const { allOf: _ignored, ...base } = schema;
  return parts.reduce<JsonObject>((acc, part) => deepMerge(acc, mergeAllOf(spec, deref(spec, part))), base);
}

function deepMerge(a: JsonObject, b: JsonObject): JsonObject {
  const out: JsonObject = { ...a };
  for (const [k, v] of Object.entries(b)) {
    const prev = out[k];
    out[k] = isObject(prev) && isObject(v) ? deepMerge(prev, v) : v;
  }
  return out;
}
