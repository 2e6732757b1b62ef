// Time tables: parsing to integer microseconds, formatting back as RFC 3339 UTC, normalising API datetimes,
// and user dates (config/state) with luxon's fallback.
import assert from 'node:assert/strict';
import { daysToMicros, fromMicros, MICROS_PER_DAY, normalizeDatetime, parseUserDate, toMicros } from '../../src/tap/shared/time.js';

const JAN1 = Date.UTC(2024, 0, 1) * 1000; // 2024-01-01T00:00:00Z in microseconds
const S = 1_000_000;

describe('time', () => {
  describe('toMicros', () => {
    const table: Array<[string, number | null]> = [
      ['2024-01-01T00:00:00Z', JAN1],
      ['2024-01-01T00:00:00z', JAN1],
      ['2024-01-01t00:00:00Z', JAN1],
      ['2024-01-01 00:00:00Z', JAN1],
      ['2024-01-01T00:00:00+00:00', JAN1],
      ['2024-01-01T00:00:00-00:00', JAN1],
      ['2024-01-01T02:00:00+02:00', JAN1],
      ['2023-12-31T19:00:00-05:00', JAN1],
      ['2024-01-01T05:30:00+0530', JAN1],
      ['2024-01-01T05:00:00+05', JAN1],
      ['2024-01-01T00:00:00.5Z', JAN1 + 500_000],
      ['2024-01-01T00:00:00.123Z', JAN1 + 123_000],
      ['2024-01-01T00:00:00.123456Z', JAN1 + 123_456],
      ['2024-01-01T00:00:00.123456+00:00', JAN1 + 123_456],
      ['2024-01-01T00:00:00,25Z', JAN1 + 250_000],
      ['2024-01-01T00:00:00.000001Z', JAN1 + 1],
      ['2024-01-01T00:00:00.1234567Z', JAN1 + 123_456], // beyond microseconds: truncated, not rounded
      ['2024-01-01T00:00:00.999999999Z', JAN1 + 999_999],
      ['2024-01-01T02:00:00.000001+02:00', JAN1 + 1],
      ['2024-01-01', JAN1],
      ['2024-01-01T12:30', JAN1 + (12 * 3600 + 30 * 60) * S],
      ['2024-01-01T00:00:00', JAN1],
      ['  2024-01-01T00:00:00Z  ', JAN1],
      ['2024-02-29T00:00:00Z', Date.UTC(2024, 1, 29) * 1000],
      ['1970-01-01T00:00:00Z', 0],
      ['1969-12-31T23:59:59.999999Z', -1],
      // not datetimes
      ['2024-02-30', null],
      ['2024-02-30T00:00:00Z', null],
      ['2023-02-29T00:00:00Z', null],
      ['2024-04-31T00:00:00Z', null],
      ['2024-13-01T00:00:00Z', null],
      ['2024-01-00T00:00:00Z', null],
      ['2024-01-01T24:00:00Z', null],
      ['2024-01-01T23:60:00Z', null],
      ['2024-01-01T23:59:61Z', null],
      ['garbage', null],
      ['', null],
      ['2024', null],
      ['2024-1-1', null],
      ['20240101T000000Z', null],
      ['2024-01-01T00:00:00+00:00garbage', null],
      ['X2024-01-01T00:00:00Z', null],
      ['1704067200', null],
      ['2024-01-01T00:00:00.Z', null],
    ];
    for (const [input, expected] of table) {
      it(`${JSON.stringify(input)} -> ${expected}`, () => assert.equal(toMicros(input), expected));
    }

    it('refuses month 00', () => {
      assert.equal(toMicros('2024-00-10T00:00:00Z'), null);
      assert.equal(toMicros('2024-00-10'), null);
      assert.equal(parseUserDate('2024-00-10'), null);
    });

    it('accepts a real leap second (2016-12-31T23:59:60Z) like other second-60 values', () => {
      assert.equal(toMicros('2016-12-31T23:59:60Z'), Date.UTC(2017, 0, 1) * 1000);
    });
  });

  describe('fromMicros', () => {
    const table: Array<[number, string]> = [
      [JAN1, '2024-01-01T00:00:00Z'],
      [JAN1 + 1, '2024-01-01T00:00:00.000001Z'],
      [JAN1 + 1_000, '2024-01-01T00:00:00.001Z'],
      [JAN1 + 1_001, '2024-01-01T00:00:00.001001Z'],
      [JAN1 + 123_000, '2024-01-01T00:00:00.123Z'],
      [JAN1 + 123_456, '2024-01-01T00:00:00.123456Z'],
      [JAN1 + 500_000, '2024-01-01T00:00:00.500Z'],
      [JAN1 + 999_999, '2024-01-01T00:00:00.999999Z'],
      [JAN1 + 59 * S, '2024-01-01T00:00:59Z'],
      [0, '1970-01-01T00:00:00Z'],
      [-1, '1969-12-31T23:59:59.999999Z'],
      [-S, '1969-12-31T23:59:59Z'],
    ];
    for (const [micros, expected] of table) {
      it(`${micros} -> ${expected}`, () => assert.equal(fromMicros(micros), expected));
    }

    it('round-trips with toMicros over a range of precisions', () => {
      for (const micros of [JAN1, JAN1 + 1, JAN1 + 10, JAN1 + 100, JAN1 + 1_000, JAN1 + 10_010, JAN1 + 86_399_999_999, 1]) {
        const text = fromMicros(micros);
        assert.match(text, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{3}|\.\d{6})?Z$/);
        assert.equal(toMicros(text), micros, text);
      }
    });
  });

  describe('normalizeDatetime', () => {
    const table: Array<[string, string]> = [
      ['2024-01-01T00:00:00+00:00', '2024-01-01T00:00:00Z'],
      ['2024-01-01T00:00:00Z', '2024-01-01T00:00:00Z'],
      ['2024-01-01T00:00:00.123456+00:00', '2024-01-01T00:00:00.123456Z'],
      ['2024-01-01T00:00:00.123+00:00', '2024-01-01T00:00:00.123Z'],
      ['2024-01-01T00:00:00.1+00:00', '2024-01-01T00:00:00.100Z'],
      // One text per instant, whatever form it came in: fractions in steps of three digits, none for a whole second.
      ['2024-01-01T00:00:00.000000+00:00', '2024-01-01T00:00:00Z'],
      ['2024-01-01T00:00:00.000000Z', '2024-01-01T00:00:00Z'],
      ['2024-01-01T00:00:00.392000+00:00', '2024-01-01T00:00:00.392Z'],
      ['2024-01-01T00:00:00.392870Z', '2024-01-01T00:00:00.392870Z'],
      ['2024-01-01T00:00:00.1234567Z', '2024-01-01T00:00:00.1234567Z'],
      ['2024-01-01T00:00:00.123456700+00:00', '2024-01-01T00:00:00.1234567Z'],
      ['2016-12-31T23:59:60.500000+00:00', '2016-12-31T23:59:60.500Z'],
      ['2024-01-01T02:00:00+02:00', '2024-01-01T00:00:00Z'],
      ['2024-01-01T02:00:00.250+02:00', '2024-01-01T00:00:00.250Z'],
      ['2023-12-31T19:00:00.000001-05:00', '2024-01-01T00:00:00.000001Z'],
      ['2024-01-01T00:00:00.5-05:30', '2024-01-01T05:30:00.500Z'],
      ['2024-01-01T02:00:00.000+02:00', '2024-01-01T00:00:00Z'],
      ['2024-01-01T00:30:00+01:00', '2023-12-31T23:30:00Z'],
      ['2024-01-01', '2024-01-01T00:00:00Z'],
      ['2024-01-01T00:00:00', '2024-01-01T00:00:00Z'],
      // not datetimes: unchanged
      ['garbage', 'garbage'],
      ['', ''],
      ['2024-02-30', '2024-02-30'],
      ['2024-02-30T00:00:00+02:00', '2024-02-30T00:00:00+02:00'],
      ['Received Email', 'Received Email'],
    ];
    for (const [input, expected] of table) {
      it(`${JSON.stringify(input)} -> ${JSON.stringify(expected)}`, () => assert.equal(normalizeDatetime(input), expected));
    }

    it('denotes the same instant as its input', () => {
      for (const [input] of table) {
        const before = toMicros(input);
        if (before !== null) assert.equal(toMicros(normalizeDatetime(input)), before, input);
      }
    });

    it('leaves a string that merely ends in +00:00 unchanged', () => {
      assert.equal(normalizeDatetime('2024-02-30T00:00:00+00:00'), '2024-02-30T00:00:00+00:00');
      assert.equal(normalizeDatetime('not a date at all: 12:00+00:00'), 'not a date at all: 12:00+00:00');
    });
  });

  describe('parseUserDate', () => {
    const table: Array<[string, number | null]> = [
      ['2024-01-01T00:00:00Z', JAN1],
      ['2024-01-01T00:00:00+00:00', JAN1],
      ['2024-01-01T01:00:00+01:00', JAN1],
      ['2024-01-01', JAN1],
      ['2024-01-01T00:00:00.123456Z', JAN1 + 123_456],
      ['2024-01-01T00:00', JAN1],
      // luxon's fallback: other ISO 8601 forms, read as UTC
      ['2024-W01-1', JAN1],
      ['2024-001', JAN1],
      ['20240101', JAN1],
      ['20240101T000000Z', JAN1],
      ['2024-01', JAN1],
      // not dates
      ['2024-02-30', null],
      ['2024-02-30T00:00:00Z', null],
      ['2023-02-29', null],
      ['garbage', null],
      ['', null],
      ['yesterday', null],
      ['01/02/2024', null],
      ['2024-01-01T25:00:00Z', null],
    ];
    for (const [input, expected] of table) {
      it(`${JSON.stringify(input)} -> ${expected}`, () => assert.equal(parseUserDate(input), expected));
    }
  });

  describe('daysToMicros', () => {
    const table: Array<[number, number]> = [
      [0, 0],
      [1, MICROS_PER_DAY],
      [0.5, MICROS_PER_DAY / 2],
      [365, 365 * MICROS_PER_DAY],
    ];
    for (const [days, micros] of table) it(`${days} day(s) -> ${micros}`, () => assert.equal(daysToMicros(days), micros));
  });
});
