// A record's schema check compiled once per stream into one JavaScript function (as ajv compiles its validators),
// which also rewrites the datetimes in RFC 3339 UTC on the way: the fast path walks a record once, where it walked
// it once per datetime path and again in ajv. It covers the keywords this tap's schemas use (type, properties,
// items, required, `format: date-time` and the nested datetime pattern) and gives ajv's verdict on them, value for
// value; a schema with any other keyword gets no compiled check (null), and the shaper validates it with ajv.
import { isDateTime, NESTED_DATETIME_PATTERN } from '../shared/json.js';
import type { JsonSchema } from './messages.js';
import { commonUtc, normalizeDatetime } from '../shared/time.js';

/** Checks a record, rewriting its datetimes in place; false when it does not validate (then partly rewritten). */
export type Conform = (record: unknown) => boolean;

/** Keywords that only annotate: ajv ignores them when it validates. */
const KEYWORDS = new Set(['$schema', '$comment', 'title', 'description', 'examples', 'type', 'properties', 'items', 'required', 'format', 'pattern']);

/** ajv's test of each JSON type, on the value in `v` (an integer is a number without a fraction; Infinity passes, as in ajv). */
const TYPE_TESTS: Readonly<Record<string, (v: string) => string>> = {
  string: (v) => `typeof ${v} === "string"`,
  number: (v) => `typeof ${v} === "number"`,
  integer: (v) => `(typeof ${v} === "number" && !(${v} % 1) && !Number.isNaN(${v}))`,
  boolean: (v) => `typeof ${v} === "boolean"`,
  object: (v) => `(typeof ${v} === "object" && ${v} !== null && !Array.isArray(${v}))`,
  array: (v) => `Array.isArray(${v})`,
};

class Unsupported extends Error {}

/** Generates the statements that check the value in variable `v` against `schema` (`return false` when it fails). */
class Generator {
  private names = 0;

  /**
   * `assign(x)`: the statement that puts a rewritten value back where `v` came from. `rewrite`: whether a
   * datetime here is rewritten in UTC; as in fit.ts `datetimePaths`, a property's value and the items of a
   * property's array are, items of items are not.
   */
  node(schema: unknown, v: string, assign: (x: string) => string, rewrite: boolean, itemsRewrite: boolean): string {
    if (typeof schema !== 'object' || schema === null || Array.isArray(schema)) throw new Unsupported();
    const s = schema as JsonSchema;
    for (const key of Object.keys(s)) if (!KEYWORDS.has(key)) throw new Unsupported();
    const types = s['type'] === undefined ? null : Array.isArray(s['type']) ? s['type'] : [s['type']];
    const nonNull = (types ?? []).filter((t) => t !== 'null');
    if (nonNull.length > 1) throw new Unsupported();
    const main = nonNull[0];
    if (main !== undefined && (typeof main !== 'string' || !(main in TYPE_TESTS))) throw new Unsupported();
    // ajv applies each keyword only to values of its kind: required and properties to objects, items to arrays,
    // format and pattern to strings; a value of another kind passes them.
    const inner = this.object(s, v) + this.items(s, v, itemsRewrite) + this.datetime(s, v, assign, rewrite);
    if (types !== null && types.length === 0) throw new Unsupported();
    if (main === undefined) return types === null ? inner : `if (${v} !== null) return false;`;
    const test = (TYPE_TESTS[main] as (v: string) => string)(v);
    const typed = `if (!(${test})) return false;${inner}`;
    return types?.includes('null') ? `if (${v} !== null) {${typed}}` : typed;
  }

  private object(s: JsonSchema, v: string): string {
    const props = s['properties'];
    const required = s['required'];
    if (props === undefined && required === undefined) return '';
    if (props !== undefined && (typeof props !== 'object' || props === null || Array.isArray(props))) throw new Unsupported();
    if (required !== undefined && !(Array.isArray(required) && required.every((r) => typeof r === 'string'))) throw new Unsupported();
    let code = '';
    for (const name of (required as string[] | undefined) ?? []) code += `if (${v}[${JSON.stringify(name)}] === undefined) return false;`;
    for (const [name, child] of Object.entries(props ?? {})) {
      const c = this.name();
      const at = `${v}[${JSON.stringify(name)}]`;
      code += `const ${c} = ${at}; if (${c} !== undefined) {${this.node(child, c, (x) => `${at} = ${x};`, true, true)}}`;
    }
    return `if (${TYPE_TESTS['object']?.(v)}) {${code}}`;
  }

  private items(s: JsonSchema, v: string, rewrite: boolean): string {
    if (s['items'] === undefined) return '';
    const i = this.name();
    const c = this.name();
    return `if (Array.isArray(${v})) for (let ${i} = 0; ${i} < ${v}.length; ${i}++) { const ${c} = ${v}[${i}];${this.node(s['items'], c, (x) => `${v}[${i}] = ${x};`, rewrite, false)}}`;
  }

  private datetime(s: JsonSchema, v: string, assign: (x: string) => string, rewrite: boolean): string {
    const format = s['format'];
    const pattern = s['pattern'];
    if (format === undefined && pattern === undefined) return '';
    if ((format !== undefined && format !== 'date-time') || (pattern !== undefined && pattern !== NESTED_DATETIME_PATTERN)) throw new Unsupported();
    const n = this.name();
    let check = '';
    if (format !== undefined) check += `if (!isDateTime(${n})) return false;`;
    if (pattern !== undefined) check += `if (!pattern.test(${n})) return false;`;
    if (!rewrite) return `if (typeof ${v} === "string") {const ${n} = ${v};${check}}`;
    // Klaviyo's own forms are rewritten and known to pass in one scan; anything else is rewritten, then checked.
    return `if (typeof ${v} === "string") {let ${n} = commonUtc(${v}); if (${n} === null) {${n} = normalize(${v});${check}} if (${n} !== ${v}) ${assign(n)}}`;
  }

  private name(): string {
    return `v${++this.names}`;
  }
}

/** The compiled check of a record schema, or null where it uses a keyword (or a form of one) this does not cover. */
export function compileConform(schema: JsonSchema): Conform | null {
  let body: string;
  try {
    body = new Generator().node(schema, 'record', () => '', false, false);
  } catch (err) {
    if (err instanceof Unsupported) return null;
    throw err;
  }
  // The code is made of this module's own fragments and the schema's property names, quoted by JSON.stringify.
  const make = new Function('commonUtc', 'normalize', 'isDateTime', 'pattern', `return function conform(record) {${body} return true; };`) as (
    common: (value: string) => string | null,
    normalize: (value: string) => string,
    isDateTime: (value: string) => boolean,
    pattern: RegExp,
  ) => Conform;
  return make(commonUtc, normalizeDatetime, isDateTime, new RegExp(NESTED_DATETIME_PATTERN, 'u'));
}
