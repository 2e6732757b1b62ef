// The record check compiled per stream (conform.ts) gives ajv's verdict and rewrites the datetimes exactly as
// the datetime paths did, on every committed stream schema, for valid records and for every value of the wrong
// kind at every level (top-level fields, nested objects, array items).
import assert from 'node:assert/strict';
import { streamSchema } from '../../src/tap/singer/catalog.js';
import { compileConform } from '../../src/tap/singer/conform.js';
import { RecordShaper } from '../../src/tap/singer/fit.js';
import { datetimePaths } from '../../src/tap/singer/fit-value.js';
import { isDateTime, newAjv } from '../../src/tap/shared/json.js';
import type { JsonSchema } from '../../src/tap/singer/messages.js';
import { commonUtc, normalizeDatetime } from '../../src/tap/shared/time.js';
import { allStreams } from '../../src/streams/registry.js';

type Json = unknown;

/** Values of every kind, datetimes in the forms an API sends and some that are not dates at all. */
const ODD_VALUES: Json[] = [
  null, '', 'x', '17', 0, -0, 1.5, 2 ** 60, Infinity, NaN, true, false, {}, { a: 1 }, [], ['a'], [1, null],
  '2024-01-01T00:00:00Z', '2024-01-01T02:00:00+02:00', '2024-01-01T00:00:00.1234567+00:00', '2024-02-30T00:00:00Z',
  '2016-12-31T23:59:60Z', '2024-01-01 00:00:00', 'Mon, 01 Jan 2024 00:00:00 GMT', '2024-01-01T00:00Z', '2024-01-01',
];

/** Datetimes a valid record carries: the API's `+00:00`, UTC, another offset, fractions of several lengths. */
const DATETIMES = ['2024-11-01T00:03:18+00:00', '2023-11-02T14:37:08.090965+00:00', '2024-05-05T10:00:00Z', '2024-05-05T12:00:00.5+02:00'];

function isDatetimeSchema(s: JsonSchema): boolean {
  return s['format'] === 'date-time' || typeof s['pattern'] === 'string';
}

/** A record that validates against `schema`, its values drawn by `seed`. */
function validValue(s: JsonSchema, seed: number): Json {
  const types = (Array.isArray(s['type']) ? s['type'] : [s['type']]) as string[];
  const type = types.find((t) => t !== 'null');
  if (seed % 7 === 3 && types.includes('null')) return null;
  if (isDatetimeSchema(s)) return DATETIMES[seed % DATETIMES.length];
  switch (type) {
    case 'object': {
      const props = (s['properties'] ?? {}) as Record<string, JsonSchema>;
      if (!s['properties']) return { any: seed, nested: { deep: [1, 'two'] } };
      return Object.fromEntries(Object.entries(props).map(([k, v], i) => [k, validValue(v, seed + i)]));
    }
    case 'array':
      return s['items'] ? [validValue(s['items'] as JsonSchema, seed + 1), validValue(s['items'] as JsonSchema, seed + 2)] : ['a', 1];
    case 'integer':
      return seed;
    case 'number':
      return seed + 0.25;
    case 'boolean':
      return seed % 2 === 0;
    default:
      return `s${seed}`;
  }
}

/** Every place in `value` a value can be replaced, as a path of keys and indexes. */
function places(value: Json, prefix: Array<string | number> = []): Array<Array<string | number>> {
  if (Array.isArray(value)) return value.flatMap((v, i) => [[...prefix, i], ...places(v, [...prefix, i])]);
  if (typeof value === 'object' && value !== null) return Object.entries(value).flatMap(([k, v]) => [[...prefix, k], ...places(v, [...prefix, k])]);
  return [];
}

function replaced(value: Json, path: Array<string | number>, by: Json): Json {
  const copy = structuredClone(value) as Record<string | number, Json>;
  let node = copy;
  for (const step of path.slice(0, -1)) node = node[step] as Record<string | number, Json>;
  node[path[path.length - 1] as string | number] = by;
  return copy;
}

/** What the shaper did before the compiled check: rewrite each datetime path, then ajv. */
function reference(schema: JsonSchema): (record: Json) => boolean {
  const validate = newAjv().compile(schema);
  const paths = datetimePaths(schema);
  const at = (node: Json, path: string[], i: number): void => {
    if (typeof node !== 'object' || node === null) return;
    const step = path[i] as string;
    if (step === '*') {
      if (!Array.isArray(node)) return;
      node.forEach((item: Json, j) => {
        if (i === path.length - 1) node[j] = typeof item === 'string' ? normalizeDatetime(item) : item;
        else at(item, path, i + 1);
      });
      return;
    }
    const obj = node as Record<string, Json>;
    if (i < path.length - 1) at(obj[step], path, i + 1);
    else if (step in obj && typeof obj[step] === 'string') obj[step] = normalizeDatetime(obj[step]);
  };
  return (record) => {
    for (const path of paths) at(record, path, 0);
    return validate(record);
  };
}

/** Checks one record both ways: the same verdict, and when valid the same rewritten record. */
function comparer(schema: JsonSchema): (record: Json) => void {
  const conform = compileConform(schema);
  assert.ok(conform, 'every committed schema gets a compiled check');
  const ajv = reference(schema);
  return (record) => {
    const a = structuredClone(record);
    const b = structuredClone(record);
    const verdict = conform(a);
    assert.equal(verdict, ajv(b), `verdict on ${JSON.stringify(record)}`);
    if (verdict) assert.deepEqual(a, b);
  };
}

describe('compiled record check', () => {
  it("Klaviyo's datetime forms in one scan: what normalizeDatetime gives, and it passes the date-time check; anything else is left to them", () => {
    const forms = [
      ...DATETIMES, '2024-01-01T00:00:00Z', '2024-02-29T23:59:59.999999999Z', '2023-02-29T00:00:00+00:00', '2016-12-31T23:59:60Z',
      '2016-12-31T23:59:60+00:00', '0099-01-01T00:00:00Z', '2024-01-01T00:00:00-00:00', '2024-01-01T00:00:00.+00:00', '2024-01-01t00:00:00Z',
      '2024-01-01T24:00:00Z', '2024-01-01T00:00:00.1234567890Z', ' 2024-01-01T00:00:00Z', '2024-01-01T00:00:00+00:00 ', '2024-13-01T00:00:00Z',
      // Forms of one instant the tap writes the same (canonicalFraction).
      '2024-01-01T00:00:00.000000+00:00', '2024-01-01T00:00:00.000000Z', '2024-01-01T00:00:00.392000+00:00', '2024-01-01T00:00:00.5Z',
      '2024-01-01T00:00:00.123456700+00:00', '2024-01-01T00:00:00.392870Z',
    ];
    let taken = 0;
    for (const value of forms) {
      const fast = commonUtc(value);
      if (fast === null) continue;
      taken++;
      assert.equal(fast, normalizeDatetime(value), value);
      assert.ok(isDateTime(fast), value);
    }
    assert.equal(taken, 11);
  });

  for (const accountId of [false, true]) {
    for (const stream of allStreams({}, accountId)) {
      const schema = streamSchema(stream);
      it(`${stream.name}${accountId ? ' (account_id)' : ''}: covered, and ajv's verdict for valid records and for odd values at every place`, () => {
        const sameAsAjv = comparer(schema);
        for (let seed = 0; seed < 3; seed++) {
          const record = validValue(schema, seed);
          sameAsAjv(record);
          for (const path of places(record)) for (const odd of ODD_VALUES) sameAsAjv(replaced(record, path, odd));
        }
        sameAsAjv({});
        sameAsAjv({ id: null });
      });
    }
  }

  it('a schema with a keyword it does not cover gets no compiled check; the shaper then validates with ajv', () => {
    const schema: JsonSchema = { type: 'object', properties: { id: { type: 'string' }, n: { type: ['integer', 'null'], minimum: 0 } } };
    assert.equal(compileConform(schema), null);
    assert.equal(compileConform({ type: 'object', properties: { d: { type: 'string', format: 'email' } } }), null);
    assert.equal(compileConform({ type: ['string', 'integer'] }), null);
    const shaper = new RecordShaper({ stream: 's', schema, known: new Set(['id', 'n']), keys: ['id'], policy: 'warn', warn: () => undefined });
    assert.deepEqual(shaper.fit({ id: 'a', n: 3 }), { id: 'a', n: 3 });
    // The slow path knows types only: a value against another keyword is ajv's to report, as before.
    assert.throws(() => shaper.fit({ id: 'b', n: -3 }), /\/n must be >= 0/);
  });

  it('a record whose every field is selected is written as it is, its datetimes rewritten; otherwise a copy of the selected ones', () => {
    const schema: JsonSchema = { type: 'object', properties: { id: { type: 'string' }, at: { type: ['string', 'null'], format: 'date-time' } } };
    const shaper = new RecordShaper({ stream: 's', schema, known: new Set(['id', 'at', 'other']), keys: ['id'], policy: 'warn', warn: () => undefined });
    const all = { id: 'a', at: '2024-01-01T02:00:00+02:00' };
    assert.equal(shaper.fit(all), all);
    assert.deepEqual(all, { id: 'a', at: '2024-01-01T00:00:00Z' });
    const some = { id: 'b', other: 1, at: null };
    const out = shaper.fit(some);
    assert.notEqual(out, some);
    assert.deepEqual(Object.keys(out), ['id', 'at']);
  });
});
