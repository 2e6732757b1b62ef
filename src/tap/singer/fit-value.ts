// How a value is made to fit its column (see fit.ts): the schema as a tree of kinds, datetimes rewritten in RFC 3339
// UTC, lossless conversions, and the values that do not fit (UNFIT) for the overflow column.
import { NESTED_DATETIME_PATTERN } from '../shared/json.js';
import type { JsonSchema } from './messages.js';
import { normalizeDatetime, toRfc3339 } from '../shared/time.js';

export const OVERFLOW_FIELD = '_overflow';
export const OVERFLOW_SCHEMA: JsonSchema = {
  type: ['object', 'null'],
  description:
    'Values Klaviyo sent that had no column or did not fit its type (then null), by field path, exactly as sent',
};

export type MismatchPolicy = 'warn' | 'fail';

/** Whether a property is a datetime the tap rewrites in RFC 3339 UTC (a `format` at the top level, a `pattern` below). */
export function isDatetime(schema: JsonSchema | undefined): boolean {
  return schema?.['format'] === 'date-time' || schema?.['pattern'] === NESTED_DATETIME_PATTERN;
}

type Kind = 'string' | 'datetime' | 'number' | 'integer' | 'boolean' | 'object' | 'array' | 'json-object' | 'json-array';

export interface Shape {
  kind: Kind;
  nullable: boolean;
  props?: Map<string, Shape>;
  items?: Shape;
}

/** The type names of a schema's `type` (a name or a list of names); none for anything else. */
export function typeNames(type: unknown): string[] {
  return Array.isArray(type) ? type.map(String) : typeof type === 'string' ? [type] : [];
}

function typesOf(schema: JsonSchema): string[] {
  return typeNames(schema['type']);
}

/** The schema as a tree of kinds (the schemas this tap sends have one non-null type per property). */
export function shapeOf(schema: JsonSchema): Shape {
  const types = typesOf(schema);
  const nullable = types.includes('null');
  const type = types.find((t) => t !== 'null') ?? 'string';
  const props = schema['properties'] as Record<string, JsonSchema> | undefined;
  const items = schema['items'] as JsonSchema | undefined;
  if (type === 'object') {
    return props ? { kind: 'object', nullable, props: new Map(Object.entries(props).map(([k, v]) => [k, shapeOf(v)])) } : { kind: 'json-object', nullable };
  }
  if (type === 'array') return items ? { kind: 'array', nullable, items: shapeOf(items) } : { kind: 'json-array', nullable };
  if (type === 'string' && isDatetime(schema)) return { kind: 'datetime', nullable };
  return { kind: type as Kind, nullable };
}

/** Paths to every datetime the schema types (`*` steps into array items), e.g. `subscriptions.email.marketing.suppression.*.timestamp`. */
export function datetimePaths(schema: JsonSchema, prefix: string[] = []): string[][] {
  const out: string[][] = [];
  const props = (schema['properties'] ?? {}) as Record<string, JsonSchema>;
  for (const [name, child] of Object.entries(props)) {
    const path = [...prefix, name];
    if (isDatetime(child)) out.push(path);
    if (child['properties']) out.push(...datetimePaths(child, path));
    const items = child['items'] as JsonSchema | undefined;
    if (isDatetime(items)) out.push([...path, '*']);
    if (items?.['properties']) out.push(...datetimePaths(items, [...path, '*']));
  }
  return out;
}

/** Rewrites the datetimes at `path` below `node` in RFC 3339 UTC, in place; values that do not parse stay. */
export function normaliseAt(node: unknown, path: readonly string[], at: number): void {
  if (typeof node !== 'object' || node === null) return;
  const step = path[at] as string;
  if (step === '*') {
    if (!Array.isArray(node)) return;
    for (let i = 0; i < node.length; i++) {
      if (at === path.length - 1) node[i] = rewrite(node[i]);
      else normaliseAt(node[i], path, at + 1);
    }
    return;
  }
  const obj = node as Record<string, unknown>;
  if (at === path.length - 1) {
    if (step in obj) obj[step] = rewrite(obj[step]);
  } else normaliseAt(obj[step], path, at + 1);
}

/** The fast path's rewrite: ISO 8601 only (other forms fail validation and are converted by the slow path). */
function rewrite(value: unknown): unknown {
  return typeof value === 'string' ? normalizeDatetime(value) : value;
}

export const UNFIT = Symbol('unfit');

export function describeType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}

export function expected(shape: Shape): string {
  return shape.kind === 'datetime' ? 'an RFC 3339 datetime' : shape.kind.replace('json-', '');
}

const NUMERIC = /^\s*[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?\s*$/;

/** What happened to one field in one record, for the once-per-field warning. */
export interface Note {
  path: string;
  got: string;
  want: string;
  outcome: 'converted' | 'overflow' | 'unknown';
}

export interface FitRun {
  overflow: Record<string, unknown>;
  notes: Note[];
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `value` made to fit `shape`: itself, a lossless conversion, or UNFIT. Unfit nested values go to the overflow. */
export function fitValue(value: unknown, shape: Shape, path: string, run: FitRun): unknown {
  if (value === null || value === undefined) return shape.nullable ? null : UNFIT;
  const converted = (to: unknown): unknown => {
    run.notes.push({ path, got: describeType(value), want: expected(shape), outcome: 'converted' });
    return to;
  };
  switch (shape.kind) {
    case 'string':
      if (typeof value === 'string') return value;
      return typeof value === 'number' || typeof value === 'boolean' ? converted(String(value)) : UNFIT;
    case 'datetime': {
      if (typeof value !== 'string') return UNFIT;
      const rfc = toRfc3339(value);
      if (rfc === null) return UNFIT;
      return rfc === value ? value : converted(rfc);
    }
    case 'number':
      if (typeof value === 'number') return Number.isFinite(value) ? value : UNFIT;
      return typeof value === 'string' && NUMERIC.test(value) && Number.isFinite(Number(value)) ? converted(Number(value)) : UNFIT;
    case 'integer':
      if (typeof value === 'number') return Number.isSafeInteger(value) ? value : UNFIT;
      return typeof value === 'string' && /^\s*[+-]?\d+\s*$/.test(value) && Number.isSafeInteger(Number(value)) ? converted(Number(value)) : UNFIT;
    case 'boolean':
      if (typeof value === 'boolean') return value;
      return value === 'true' || value === 'false' ? converted(value === 'true') : UNFIT;
    case 'json-object':
      return isPlainObject(value) ? value : UNFIT;
    case 'json-array':
      return Array.isArray(value) ? value : UNFIT;
    case 'array': {
      if (!Array.isArray(value)) return UNFIT;
      const items = shape.items as Shape;
      const inner: FitRun = { overflow: {}, notes: run.notes };
      const out = value.map((item, i) => fitValue(item, items, `${path}.${i}`, inner));
      // An array is one value: if any item cannot be kept, the whole array goes to the overflow, as sent.
      return out.includes(UNFIT) || Object.keys(inner.overflow).length > 0 ? UNFIT : out;
    }
    case 'object': {
      if (!isPlainObject(value)) return UNFIT;
      const out: Record<string, unknown> = {};
      for (const [key, child] of Object.entries(value)) {
        const childShape = shape.props?.get(key);
        if (!childShape) {
          out[key] = child;
          continue;
        }
        const fitted = fitValue(child, childShape, `${path}.${key}`, run);
        if (fitted === UNFIT) {
          run.overflow[`${path}.${key}`] = child;
          run.notes.push({ path: `${path}.${key}`, got: describeType(child), want: expected(childShape), outcome: 'overflow' });
          if (childShape.nullable) out[key] = null;
        } else out[key] = fitted;
      }
      return out;
    }
  }
}
