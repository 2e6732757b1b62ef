// Reading JSON input files and validating them with ajv, with one-line errors that name the field.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Ajv, ErrorObject, Options } from 'ajv';
import { fullFormats } from 'ajv-formats/dist/formats.js';
import { ConfigError } from './errors.js';

/** A compiled check: ajv's, or one generated from it ahead of time (src/generated/validators.ts). */
export interface Validator {
  (value: unknown): boolean;
  errors?: ErrorObject[] | null;
}

/** Where the committed schemas live (the package root's `schemas/`, seen from `dist/src/tap/shared/`). */
export const SCHEMAS_DIR = new URL('../../../../schemas/', import.meta.url);

/** How the tap's ajv validates (also the options the config and catalog validators are generated with). */
export const AJV_OPTIONS: Options = { allErrors: false, strict: false, useDefaults: true, validateSchema: false };

/**
 * ajv for the tap's own schemas (config, catalog, streams). They are not checked against the JSON Schema
 * meta-schema on every start (compiling the meta-schema's validator took about 40 ms of each run's CPU):
 * tests/unit/schemas-meta.test.ts checks every committed schema instead.
 */
export function newAjv(): Ajv {
  // Loaded when first needed (about 30 ms of CPU): the config and catalog are checked by validators generated
  // ahead of time, and records by conform.ts, so a sync of the tap's own schemas never needs ajv.
  const require = createRequire(import.meta.url);
  const { Ajv: AjvClass } = require('ajv') as typeof import('ajv');
  const addFormats = (require('ajv-formats') as { default: (ajv: Ajv) => Ajv }).default;
  const ajv = new AjvClass(AJV_OPTIONS);
  addFormats(ajv);
  speedUpDateTime(ajv);
  return ajv;
}

/** ajv-formats' own `date-time` check (RFC 3339 with any offset, a leap second at 23:59:60 UTC). */
const fullDateTime = (fullFormats['date-time'] as { validate: (value: string) => boolean }).validate;

/**
 * How a datetime below the top level is marked: the tap rewrites it in RFC 3339 UTC like a top-level one, but it
 * carries this `pattern` rather than `format: date-time`, because validators such as singer-tools'
 * singer-check-tap read a formatted property of a nullable object without checking that the object is there.
 */
export const NESTED_DATETIME_PATTERN = '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(\\.\\d+)?Z$';

/**
 * `date-time` as the tap checks it: ajv-formats checks it by splitting the string and running two regexes, on
 * every datetime of every record. The form this tap writes (`YYYY-MM-DDTHH:MM:SS[.fff]Z`, a valid date and time)
 * is accepted after a character scan; anything else still goes to ajv-formats' own check, so what passes is unchanged.
 */
export function isDateTime(value: string): boolean {
  return isUtcDateTime(value) || fullDateTime(value);
}

function speedUpDateTime(ajv: Ajv): void {
  const original = ajv.formats['date-time'];
  const compare = typeof original === 'object' && original !== null && 'compare' in original ? original.compare : undefined;
  ajv.addFormat('date-time', { type: 'string', validate: isDateTime, ...(compare ? { compare } : {}) } as never);
}

const DAYS_IN_MONTH = [0, 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function twoDigits(value: string, at: number): number {
  const a = value.charCodeAt(at) - 48;
  const b = value.charCodeAt(at + 1) - 48;
  return a >= 0 && a <= 9 && b >= 0 && b <= 9 ? a * 10 + b : -1;
}

/** `YYYY-MM-DDTHH:MM:SS[.d+]Z` with a real date and time (leap seconds left to ajv-formats). */
export function isUtcDateTime(value: string): boolean {
  const len = value.length;
  if (len < 20 || value.charCodeAt(len - 1) !== 90 || value.charCodeAt(10) !== 84) return false;
  if (value.charCodeAt(4) !== 45 || value.charCodeAt(7) !== 45 || value.charCodeAt(13) !== 58 || value.charCodeAt(16) !== 58) return false;
  const century = twoDigits(value, 0);
  const yy = twoDigits(value, 2);
  const month = twoDigits(value, 5);
  const day = twoDigits(value, 8);
  if (century < 0 || yy < 0 || month < 1 || month > 12 || day < 1) return false;
  const year = century * 100 + yy;
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  if (day > (month === 2 && !leap ? 28 : (DAYS_IN_MONTH[month] ?? 0))) return false;
  const hour = twoDigits(value, 11);
  const minute = twoDigits(value, 14);
  const second = twoDigits(value, 17);
  if (hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 59) return false;
  if (len === 20) return true;
  if (value.charCodeAt(19) !== 46 || len === 21) return false;
  for (let i = 20; i < len - 1; i++) {
    const c = value.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return true;
}

export function readSchemaFile(name: string): Record<string, unknown> {
  return JSON.parse(readFileSync(new URL(name, SCHEMAS_DIR), 'utf8')) as Record<string, unknown>;
}

/** Reads and parses a JSON file named on the command line; `what` is the flag, e.g. `--config`. */
export function readJsonFile(path: string, what: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new ConfigError(`${what} ${path}: cannot read the file (${code ?? 'error'}); check the path`, what);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw new ConfigError(`${what} ${path}: not valid JSON (${jsonErrorPlace(text, err as Error)}); fix the file`, what);
  }
}

/**
 * Where JSON.parse failed, as line and column. Node's own message may quote the text around the error, which
 * in a config file can be part of the API key: it is never shown.
 */
function jsonErrorPlace(text: string, err: Error): string {
  const position = /at position (\d+)/.exec(err.message)?.[1];
  if (position === undefined) return text.trim() === '' ? 'the file is empty' : 'unexpected end or token';
  const before = text.slice(0, Number(position));
  const line = before.split('\n').length;
  const column = Number(position) - before.lastIndexOf('\n');
  return `error at line ${line}, column ${column}`;
}

/** `/streams/events/page_size` -> `streams.events.page_size` */
function fieldPath(error: ErrorObject): string {
  const base = error.instancePath.split('/').filter(Boolean).map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
  const params = error.params as Record<string, unknown>;
  if (error.keyword === 'required') base.push(String(params['missingProperty']));
  if (error.keyword === 'additionalProperties') base.push(String(params['additionalProperty']));
  if (error.keyword === 'propertyNames') base.push(String(params['propertyName']));
  else if (error.propertyName !== undefined) base.push(error.propertyName);
  return base.join('.') || '(top level)';
}

function describe(error: ErrorObject, hint: (field: string) => string): string {
  const field = fieldPath(error);
  switch (error.keyword) {
    case 'additionalProperties':
      return `unknown key "${field}": ${hint(field)}`;
    case 'required':
      return `"${field}" is required`;
    case 'enum':
      return `"${field}" must be one of: ${((error.params as { allowedValues?: unknown[] }).allowedValues ?? []).map(String).join(', ')}`;
    case 'propertyNames':
    case 'pattern':
      return error.propertyName !== undefined
        ? `key "${field}" is not allowed: use lower snake case (${String((error.params as { pattern?: unknown }).pattern ?? 'a-z, 0-9, _')})`
        : `"${field}" ${error.message ?? 'is invalid'}`;
    default:
      return `"${field}" ${error.message ?? 'is invalid'}`;
  }
}

/**
 * Validates `value` and throws a ConfigError whose message is one line: `<what>: <field> <problem>`.
 * `hint` suggests a fix for an unknown key.
 */
export function assertValid<T>(
  validate: Validator,
  value: unknown,
  what: string,
  hint: (field: string) => string = () => 'remove it',
): asserts value is T {
  if (validate(value)) return;
  const first = validate.errors?.[0];
  const message = first ? describe(first, hint) : 'is invalid';
  throw new ConfigError(`${what}: ${message}`, first ? fieldPath(first) : undefined);
}

/** The closest of `candidates` to `word` (edit distance <= 3), for "did you mean" hints. */
export function closest(word: string, candidates: Iterable<string>): string | undefined {
  let best: string | undefined;
  let bestDistance = 4;
  for (const candidate of candidates) {
    const d = editDistance(word.toLowerCase(), candidate.toLowerCase());
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  return best;
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      row[j] = Math.min((prev[j] ?? 0) + 1, (row[j - 1] ?? 0) + 1, (prev[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = row;
  }
  return prev[b.length] ?? 0;
}

const isScalar = (v: unknown): boolean => v === null || typeof v !== 'object';
const isFlat = (v: unknown): boolean => isScalar(v) || (Array.isArray(v) && v.every(isScalar));

/** A catalog metadata entry (`breadcrumb` and a `metadata` object of scalars and scalar arrays). */
function isMetadataEntry(value: object): boolean {
  const entry = value as Record<string, unknown>;
  const metadata = entry['metadata'];
  return Array.isArray(entry['breadcrumb']) && isFlat(entry['breadcrumb']) && typeof metadata === 'object' && metadata !== null && !Array.isArray(metadata) && Object.values(metadata).every(isFlat);
}

/**
 * JSON as people review it: two-space indentation, but an array of scalars (`["string", "null"]`, a key list)
 * and a catalog metadata entry (`{"breadcrumb": [...], "metadata": {...}}`) on one line. The catalog and
 * schemas are mostly such arrays and entries, so this keeps them less than half the size.
 */
export function formatJson(value: unknown, indent = ''): string {
  if (Array.isArray(value)) {
    if (value.every(isScalar)) return `[${value.map((v) => JSON.stringify(v)).join(', ')}]`;
    const inner = `${indent}  `;
    return `[\n${value.map((v) => `${inner}${formatJson(v, inner)}`).join(',\n')}\n${indent}]`;
  }
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value).filter(([, v]) => v !== undefined);
    if (entries.length === 0) return '{}';
    if (isMetadataEntry(value)) return `{${entries.map(([k, v]) => `${JSON.stringify(k)}: ${oneLine(v)}`).join(', ')}}`;
    const inner = `${indent}  `;
    return `{\n${entries.map(([k, v]) => `${inner}${JSON.stringify(k)}: ${formatJson(v, inner)}`).join(',\n')}\n${indent}}`;
  }
  return JSON.stringify(value);
}

/** A flat value, or an object of flat values, on one line (`{"a": 1, "b": ["x", "y"]}`). */
function oneLine(value: unknown): string {
  if (isFlat(value)) return formatJson(value);
  const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined);
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}: ${formatJson(v)}`).join(', ')}}`;
}
