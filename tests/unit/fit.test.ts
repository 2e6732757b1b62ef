// RecordShaper: the fast path (select, datetimes in UTC, validate) and the slow path for values that do not fit.
import assert from 'node:assert/strict';
import { RecordValidationError } from '../../src/tap/shared/errors.js';
import { RecordShaper } from '../../src/tap/singer/fit.js';
import { OVERFLOW_FIELD, OVERFLOW_SCHEMA, datetimePaths, type MismatchPolicy } from '../../src/tap/singer/fit-value.js';
import { newAjv } from '../../src/tap/shared/json.js';
import type { JsonSchema } from '../../src/tap/singer/messages.js';

const SCHEMA: JsonSchema = {
  type: 'object',
  required: ['id'],
  properties: {
    id: { type: 'string' },
    name: { type: ['string', 'null'] },
    count: { type: ['integer', 'null'] },
    price: { type: ['number', 'null'] },
    active: { type: ['boolean', 'null'] },
    updated: { type: ['string', 'null'], format: 'date-time' },
    definition: { type: ['object', 'null'] },
    tags: { type: ['array', 'null'], items: { type: 'string' } },
    location: {
      type: ['object', 'null'],
      properties: { latitude: { type: ['number', 'null'] }, city: { type: ['string', 'null'] } },
    },
    subscriptions: {
      type: ['object', 'null'],
      properties: {
        suppression: {
          type: ['array', 'null'],
          items: { type: 'object', properties: { timestamp: { type: ['string', 'null'], format: 'date-time' } } },
        },
      },
    },
    [OVERFLOW_FIELD]: OVERFLOW_SCHEMA,
  },
};

function shaper(policy: MismatchPolicy = 'warn', schema: JsonSchema = SCHEMA, known?: string[]): { s: RecordShaper; warnings: string[] } {
  const warnings: string[] = [];
  const props = Object.keys(schema['properties'] as object);
  const s = new RecordShaper({
    stream: 'things',
    schema,
    validate: newAjv().compile(schema),
    known: new Set(known ?? props),
    keys: ['id'],
    policy,
    warn: (m) => warnings.push(m),
  });
  return { s, warnings };
}

describe('RecordShaper', () => {
  it('finds datetimes at every level the schema types them', () => {
    assert.deepEqual(
      datetimePaths(SCHEMA).map((p) => p.join('.')),
      ['updated', 'subscriptions.suppression.*.timestamp'],
    );
  });

  it('fast path: keeps selected fields, rewrites datetimes in UTC at every level, no warning', () => {
    const { s, warnings } = shaper();
    const out = s.fit({
      id: 'a',
      name: 'x',
      updated: '2024-01-02T03:04:05+02:00',
      subscriptions: { suppression: [{ timestamp: '2024-01-02T03:04:05.123456+00:00' }] },
    });
    assert.deepEqual(out, { id: 'a', name: 'x', updated: '2024-01-02T01:04:05Z', subscriptions: { suppression: [{ timestamp: '2024-01-02T03:04:05.123456Z' }] } });
    assert.deepEqual(warnings, []);
  });

  const cases: Array<[string, Record<string, unknown>, Record<string, unknown>, Record<string, unknown> | undefined]> = [
    // label, input fields, expected columns, expected overflow
    ['number as string', { price: '12.50' }, { price: 12.5 }, undefined],
    ['integer as string', { count: '42' }, { count: 42 }, undefined],
    ['fractional integer', { count: 4.5 }, { count: null }, { count: 4.5 }],
    ['boolean as string', { active: 'false' }, { active: false }, undefined],
    ['number where a string is', { name: 7 }, { name: '7' }, undefined],
    ['object where a string is', { name: { first: 'a' } }, { name: null }, { name: { first: 'a' } }],
    ['unknown enum value', { name: 'BRAND_NEW_STATUS' }, { name: 'BRAND_NEW_STATUS' }, undefined],
    ['unexpected null', { price: null, location: null }, { price: null, location: null }, undefined],
    ['RFC 2822 datetime', { updated: 'Tue, 02 Jan 2024 03:04:05 +0000' }, { updated: '2024-01-02T03:04:05Z' }, undefined],
    ['RFC 850 datetime', { updated: 'Tuesday, 02-Jan-24 03:04:05 GMT' }, { updated: '2024-01-02T03:04:05Z' }, undefined],
    ['not a datetime', { updated: 'last tuesday' }, { updated: null }, { updated: 'last tuesday' }],
    ['number where a datetime is', { updated: 1704164645 }, { updated: null }, { updated: 1704164645 }],
    ['string where a JSON object is', { definition: 'x' }, { definition: null }, { definition: 'x' }],
    ['JSON object passes as sent', { definition: { a: [1, { b: null }] } }, { definition: { a: [1, { b: null }] } }, undefined],
    ['nested wrong type', { location: { latitude: 'north', city: 'Oslo' } }, { location: { latitude: null, city: 'Oslo' } }, { 'location.latitude': 'north' }],
    ['nested number as string', { location: { latitude: '59.91' } }, { location: { latitude: 59.91 } }, undefined],
    ['array with an unfit item', { tags: ['a', { b: 1 }] }, { tags: null }, { tags: ['a', { b: 1 }] }],
    ['array item converted', { tags: ['a', 5] }, { tags: ['a', '5'] }, undefined],
    ['nested datetime in another format', { subscriptions: { suppression: [{ timestamp: 'Tue, 02 Jan 2024 03:04:05 +0000' }] } }, { subscriptions: { suppression: [{ timestamp: '2024-01-02T03:04:05Z' }] } }, undefined],
  ];
  for (const [label, input, columns, overflow] of cases) {
    it(`warn: ${label}`, () => {
      const { s, warnings } = shaper();
      const out = s.fit({ id: 'r1', ...input });
      assert.deepEqual(out, { id: 'r1', ...columns, ...(overflow ? { [OVERFLOW_FIELD]: overflow } : {}) });
      const changed = JSON.stringify(columns) !== JSON.stringify(input);
      assert.equal(warnings.length, changed ? 1 : 0, warnings.join('\n'));
    });
  }

  it('warns once per field and outcome, not once per record', () => {
    const { s, warnings } = shaper();
    for (let i = 0; i < 5; i++) s.fit({ id: `r${i}`, price: String(i), updated: 'never' });
    assert.equal(warnings.length, 2);
    assert.match(warnings[0] ?? '', /stream things: field price: Klaviyo sent string where the schema has number; converted without loss/);
    assert.match(warnings[1] ?? '', /field updated: .* the column is null and the value is kept in _overflow\["updated"\]/);
  });

  it('a field the schema lacks goes to _overflow (never silently dropped); an unselected known field is dropped quietly', () => {
    const { s, warnings } = shaper('warn', SCHEMA, [...Object.keys(SCHEMA['properties'] as object), 'deselected']);
    const out = s.fit({ id: 'r1', brand_new: { x: 1 }, deselected: 'y' });
    assert.deepEqual(out, { id: 'r1', [OVERFLOW_FIELD]: { brand_new: { x: 1 } } });
    assert.equal(warnings.length, 1);
    assert.match(warnings[0] ?? '', /field brand_new: Klaviyo sent a field the schema lacks; kept in _overflow/);
  });

  it('without _overflow selected, an unfit value is dropped with a warning that says so', () => {
    const props = { ...(SCHEMA['properties'] as object) } as Record<string, unknown>;
    delete props[OVERFLOW_FIELD];
    const { s, warnings } = shaper('warn', { ...SCHEMA, properties: props }, [...Object.keys(props), OVERFLOW_FIELD]);
    assert.deepEqual(s.fit({ id: 'r1', price: 'cheap' }), { id: 'r1', price: null });
    assert.match(warnings[0] ?? '', /dropped, because _overflow is not selected/);
  });

  it('fail: stops at the first value that cannot be kept, naming stream, record and field; lossless conversions still pass', () => {
    const { s } = shaper('fail');
    assert.deepEqual(s.fit({ id: 'r1', price: '3' }), { id: 'r1', price: 3 });
    assert.throws(() => s.fit({ id: 'r2', location: { latitude: 'north' } }), (err: Error) => {
      assert.ok(err instanceof RecordValidationError);
      assert.equal(err.message, 'stream things: record "r2": field location.latitude is string, not number; set schema_mismatch to "warn" to keep such values in _overflow and go on');
      return true;
    });
  });

  it('a key that cannot be kept stops the run under either policy', () => {
    for (const policy of ['warn', 'fail'] as const) {
      assert.throws(() => shaper(policy).s.fit({ id: { nested: true } }), /key field "id" is object/);
      assert.throws(() => shaper(policy).s.fit({ id: null }), /key field "id" is null/);
    }
    assert.deepEqual(shaper().s.fit({ id: 17 }), { id: '17' });
  });
});
