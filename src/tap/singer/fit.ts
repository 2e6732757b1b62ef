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
import { newAjv } from '../shared/json.js';
import type { JsonSchema, SingerRecord } from './messages.js';

import { OVERFLOW_FIELD, type MismatchPolicy, type Shape, shapeOf, datetimePaths, normaliseAt, UNFIT, describeType, expected, type Note, type FitRun, isPlainObject, fitValue } from './fit-value.js';

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
