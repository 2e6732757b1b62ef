// Record -> what its stream's schema promises. The fast path keeps the selected fields, rewrites datetimes in
// RFC 3339 UTC at every level the schema types, and validates, in one walk compiled once per stream (conform.ts;
// ajv where a schema uses a keyword that does not cover). Only a record that fails validation takes the slow path:
// each value that does not fit its column is converted where that loses nothing (a number sent as a string, a
// date in another format), and otherwise moved to the `_overflow` column with its column left null (policy
// `warn`; a column that may not be null is left out of the record instead), or stops the run (policy `fail`).
// Fields the schema lacks go to `_overflow` too. One warning per stream and field per run; a value is never dropped
// without one.
import type { ValidateFunction } from 'ajv';
import { compileConform, type Conform } from './conform.js';
import { RecordValidationError } from '../shared/errors.js';
import { NESTED_DATETIME_PATTERN, newAjv } from '../shared/json.js';
import type { JsonSchema, SingerRecord } from './messages.js';
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

interface Shape {
  kind: Kind;
  nullable: boolean;
  props?: Map<string, Shape>;
  items?: Shape;
}

function typesOf(schema: JsonSchema): string[] {
  const type = schema['type'];
  return Array.isArray(type) ? type.map(String) : typeof type === 'string' ? [type] : [];
}

/** The schema as a tree of kinds (the schemas this tap sends have one non-null type per property). */
function shapeOf(schema: JsonSchema): Shape {
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
function normaliseAt(node: unknown, path: readonly string[], at: number): void {
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

const UNFIT = Symbol('unfit');

function describeType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}

function expected(shape: Shape): string {
  return shape.kind === 'datetime' ? 'an RFC 3339 datetime' : shape.kind.replace('json-', '');
}

const NUMERIC = /^\s*[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?\s*$/;

/** What happened to one field in one record, for the once-per-field warning. */
interface Note {
  path: string;
  got: string;
  want: string;
  outcome: 'converted' | 'overflow' | 'unknown';
}

interface FitRun {
  overflow: Record<string, unknown>;
  notes: Note[];
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `value` made to fit `shape`: itself, a lossless conversion, or UNFIT. Unfit nested values go to the overflow. */
function fitValue(value: unknown, shape: Shape, path: string, run: FitRun): unknown {
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

export interface ShaperOptions {
  stream: string;
  /** The schema as sent in SCHEMA (selected fields only). */
  schema: JsonSchema;
  /** ajv's validator of `schema`; compiled when first needed if not given (the compiled check serves the schemas this tap sends). */
  validate?: ValidateFunction;
  /** Every field of the stream's full schema (an unselected one is dropped on purpose, not overflowed). */
  known: ReadonlySet<string>;
  keys: readonly string[];
  policy: MismatchPolicy;
  warn: (message: string) => void;
}

/** Turns a flattened record into one that validates against the schema sent (see the header). */
export class RecordShaper {
  private readonly shape: Shape;
  private readonly selected: ReadonlySet<string>;
  private readonly datetimes: string[][];
  private readonly keepsOverflow: boolean;
  private readonly warned = new Set<string>();
  /** The unknown fields reported already (noteUnknown, called for every lane record that has any). */
  private readonly unknownNoted = new Set<string>();
  /** Datetimes rewritten (in place) and the record checked in one walk. */
  private readonly conform: Conform;
  private ajv: ValidateFunction | undefined;

  constructor(private readonly o: ShaperOptions) {
    this.shape = shapeOf(o.schema);
    this.selected = new Set(this.shape.props?.keys() ?? []);
    this.datetimes = datetimePaths(o.schema);
    this.keepsOverflow = this.selected.has(OVERFLOW_FIELD);
    this.ajv = o.validate;
    this.conform =
      compileConform(o.schema) ??
      ((record) => {
        this.normalise(record as SingerRecord);
        return this.validator()(record);
      });
  }

  /** The record as it is written; throws RecordValidationError where it cannot be (policy `fail`, a bad key). */
  fit(raw: SingerRecord): SingerRecord {
    let unknown: Record<string, unknown> | null = null;
    let dropped = false;
    for (const key in raw) {
      if (this.selected.has(key) && key !== OVERFLOW_FIELD) continue;
      dropped = true;
      if (!this.o.known.has(key)) (unknown ??= {})[key] = raw[key];
    }
    // A record whose every field is selected is written as it is (its datetimes rewritten in place), not copied:
    // the usual case, and a page's worth of garbage less.
    const out: SingerRecord = dropped ? this.selectedOf(raw) : raw;
    if (unknown) this.overflowUnknown(out, unknown);
    if (this.conform(out)) return out;
    // Rewritten as far as the check got: every datetime is rewritten before the slow path (rewriting is idempotent).
    this.normalise(out);
    const fitted = this.refit(out);
    if (this.conform(fitted)) return fitted;
    const validate = this.validator();
    if (validate(fitted)) return fitted;
    const e = validate.errors?.[0];
    throw new RecordValidationError(
      `stream ${this.o.stream}: record ${JSON.stringify(out['id'])} does not match the schema: ${e?.instancePath || '(record)'} ${e?.message ?? ''}; please report this with the API revision`,
    );
  }

  private selectedOf(raw: SingerRecord): SingerRecord {
    const out: SingerRecord = {};
    for (const key in raw) if (this.selected.has(key) && key !== OVERFLOW_FIELD) out[key] = raw[key];
    return out;
  }

  private normalise(record: SingerRecord): void {
    for (const path of this.datetimes) normaliseAt(record, path, 0);
  }

  private validator(): ValidateFunction {
    return (this.ajv ??= newAjv().compile(this.o.schema));
  }

  private overflowUnknown(out: SingerRecord, unknown: Record<string, unknown>): void {
    this.noteUnknown(Object.keys(unknown));
    if (this.keepsOverflow) out[OVERFLOW_FIELD] = { ...unknown };
  }

  /** Reports fields the schema lacks (once per stream and field), as for a record fitted here: a lane's record. */
  noteUnknown(fields: readonly string[]): void {
    for (const field of fields) {
      if (this.unknownNoted.has(field)) continue;
      this.unknownNoted.add(field);
      this.note({ path: field, got: '', want: '', outcome: 'unknown' });
    }
  }

  private refit(record: SingerRecord): SingerRecord {
    const run: FitRun = { overflow: {}, notes: [] };
    const out: SingerRecord = {};
    const props = this.shape.props as Map<string, Shape>;
    for (const [key, value] of Object.entries(record)) {
      const shape = props.get(key);
      if (!shape || key === OVERFLOW_FIELD) {
        out[key] = value;
        continue;
      }
      const fitted = fitValue(value, shape, key, run);
      if (fitted !== UNFIT) {
        out[key] = fitted;
        continue;
      }
      if (this.o.keys.includes(key)) {
        throw new RecordValidationError(
          `stream ${this.o.stream}: a record's key field "${key}" is ${describeType(value)}, not ${expected(shape)}; it cannot be loaded without its key (please report this with the API revision)`,
        );
      }
      run.overflow[key] = value;
      run.notes.push({ path: key, got: describeType(value), want: expected(shape), outcome: 'overflow' });
      // A column that may not be null (a catalog narrowed its type) is left out instead: absent, it still validates.
      if (shape.nullable) out[key] = null;
    }
    for (const note of run.notes) {
      if (note.outcome === 'overflow' && this.o.policy === 'fail') {
        throw new RecordValidationError(
          `stream ${this.o.stream}: record ${JSON.stringify(record['id'])}: field ${note.path} is ${note.got}, not ${note.want}; set schema_mismatch to "warn" to keep such values in ${OVERFLOW_FIELD} and go on`,
        );
      }
      this.note(note);
    }
    if (Object.keys(run.overflow).length > 0 && this.keepsOverflow) {
      const previous = isPlainObject(out[OVERFLOW_FIELD]) ? out[OVERFLOW_FIELD] : {};
      out[OVERFLOW_FIELD] = { ...previous, ...run.overflow };
    }
    return out;
  }

  /** One warning per stream, field and outcome per run. */
  private note(note: Note): void {
    const id = `${note.outcome}:${note.path}`;
    if (this.warned.has(id)) return;
    this.warned.add(id);
    const where = `stream ${this.o.stream}: field ${note.path}`;
    const kept = this.keepsOverflow ? `kept in ${OVERFLOW_FIELD}["${note.path}"]` : `dropped, because ${OVERFLOW_FIELD} is not selected`;
    const messages: Record<Note['outcome'], string> = {
      converted: `${where}: Klaviyo sent ${note.got} where the schema has ${note.want}; converted without loss (further ones not reported)`,
      overflow: `${where}: Klaviyo sent ${note.got} where the schema has ${note.want}; the column is null and the value is ${kept} (further ones not reported)`,
      unknown: `${where}: Klaviyo sent a field the schema lacks; ${kept} (regenerate the schemas for this revision)`,
    };
    this.o.warn(messages[note.outcome]);
  }
}
