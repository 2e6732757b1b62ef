// Reading JSON input files and validating them with ajv, with one-line errors that name the field.
import { readFileSync } from 'node:fs';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { ConfigError } from './errors.js';

const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;

/** Where the committed schemas live (the package root's `schemas/`, seen from `dist/src/tap/`). */
export const SCHEMAS_DIR = new URL('../../../schemas/', import.meta.url);

export function newAjv(): Ajv {
  const ajv = new Ajv({ allErrors: false, strict: false, useDefaults: true });
  addFormats(ajv);
  return ajv;
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
  validate: ValidateFunction,
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
