// writeCanonical (the events lane's one pass over `event_properties`) gives what JSON.stringify(JSON.parse(text))
// gives, and the string values propertyAt finds, for values in any layout; where it gives up, and for text that is
// not JSON, it answers nothing (the lane's JSON.parse then decides).
import assert from 'node:assert/strict';
import { layoutVariations, relayout } from '../../src/simulator/api/layout.js';
import { propertyAt } from '../../src/tap/fast-paths/event-lane.js';
import { canonicalText, foundJson, writeWhole } from '../../src/tap/fast-paths/json-canonical.js';
import { watch, type Watch } from '../../src/tap/fast-paths/json-watch.js';

/**
 * The canonical text of the JSON value in bytes [start, end) and the string values at `watching`'s paths; undefined
 * where it gives up or the text is not one JSON value (as the lane uses writeWhole, canonicalText and foundJson).
 */
function canonicalJson(b: Buffer, start: number, end: number, watching: Watch | null): { json: string; found: Array<string | undefined> } | undefined {
  if (!writeWhole(b, start, end, watching)) return undefined;
  const found = Array.from({ length: watching?.slots ?? 0 }, (_, slot) => foundJson(slot));
  return { json: canonicalText(), found: found.map((json) => (json === undefined ? undefined : (JSON.parse(json) as string))) };
}

const PATHS = [['$message'], ['$attribution', '$message'], ['$flow'], ['$attribution', '$flow']];
const WATCH = watch(PATHS);

function random(seed: number): () => unknown {
  let state = seed;
  const rand = (k: number): number => {
    state = (state * 1103515245 + 12345) % 2 ** 31;
    return state % k;
  };
  const STRINGS = ['', 'a/b', 'é — ✓ 🎉', 'say "hi"\\', '\n\t\b\f\r\u0001\u001f', '\u2028', '12', '\ud800', 'x\udc00y', '\u007f', '$message'];
  const NUMBERS = [0, -1, 57.69, 1e21, 1e-7, 123456.125, 0.1 + 0.2, -0, 2 ** 53 + 2, 1e300, 0.000001, 123456789012345];
  const KEYS = ['$message', '$flow', '$attribution', 'a', 'ü', '$x', 'Items', 'a/b'];
  const value = (depth: number): unknown => {
    const k = rand(depth > 2 ? 4 : 6);
    if (k === 0) return NUMBERS[rand(NUMBERS.length)];
    if (k === 1) return STRINGS[rand(STRINGS.length)];
    if (k === 2) return [true, false, null][rand(3)];
    if (k === 3) return String(rand(100));
    if (k === 4) return Array.from({ length: rand(3) }, () => value(depth + 1));
    return Object.fromEntries(Array.from({ length: rand(4) }, (_, i) => [`${KEYS[rand(KEYS.length)] ?? ''}${rand(3) ? '' : i}`, value(depth + 1)]));
  };
  return () => {
    const props: Record<string, unknown> = Object.fromEntries(Array.from({ length: rand(6) }, (_, i) => [`${KEYS[rand(KEYS.length)] ?? ''}${i}`, value(1)]));
    if (rand(2)) props['$message'] = rand(3) ? `m${rand(99)}` : value(2);
    if (rand(2)) props['$attribution'] = rand(4) ? { $message: 'a/é', $flow: rand(2) ? 'f' : 1 } : ['x'];
    return props;
  };
}

/** The value laid out as the simulator's `layout` knob would send it, inside other bytes. */
function laidOut(value: unknown, names: string[], seed: number): { bytes: Buffer; text: string } {
  const whole = relayout(JSON.stringify({ v: value }), { variations: layoutVariations(names), seed, datetimes: [], sparse: new Set(), identifiers: true }).toString('utf8');
  const text = whole.slice(whole.indexOf(':') + 1, whole.lastIndexOf('}')).trim();
  return { bytes: Buffer.from(`[1,${text}]`), text };
}

describe('canonicalJson', () => {
  for (const names of [[], ['pretty'], ['escapes'], ['shuffle'], ['shuffle', 'pretty', 'escapes']]) {
    it(`${names.join(', ') || 'compact'}: JSON.stringify(JSON.parse(text)) and the values propertyAt finds`, () => {
      const next = random(names.length + 1);
      let answered = 0;
      for (let t = 0; t < 3000; t++) {
        const { bytes, text } = laidOut(next(), names, t);
        const got = canonicalJson(bytes, 3, bytes.length - 1, WATCH);
        if (got === undefined) continue;
        answered++;
        const parsed = JSON.parse(text) as unknown;
        assert.equal(got.json, JSON.stringify(parsed), text);
        assert.deepEqual(got.found, PATHS.map((path) => propertyAt(parsed, [path]) ?? undefined), text);
      }
      assert.ok(answered > 2500, `answered ${answered} of 3000`);
    });
  }

  it('numbers: copied where JavaScript writes them back, else written as it does', () => {
    let state = 3;
    const rand = (k: number): number => (state = (state * 1103515245 + 12345) % 2 ** 31) % k;
    const digits = (n: number, first: boolean): string => Array.from({ length: n }, (_, i) => String(i === 0 && first ? 1 + rand(9) : rand(10))).join('');
    for (let t = 0; t < 50_000; t++) {
      let text = `${rand(3) === 0 ? '-' : ''}${rand(3) === 0 ? '0' : digits(1 + rand(18), true)}`;
      if (rand(2)) text += `.${rand(2) ? '0'.repeat(rand(8)) : ''}${digits(1 + rand(12), false)}`;
      if (rand(6) === 0) text += `${['e', 'E'][rand(2)] ?? 'e'}${['', '+', '-'][rand(3)] ?? ''}${digits(1 + rand(3), false)}`;
      const bytes = Buffer.from(`[${text}]`);
      assert.equal(canonicalJson(bytes, 0, bytes.length, null)?.json, JSON.stringify(JSON.parse(`[${text}]`)), text);
    }
  });

  it('gives up where it cannot write by copying: an escaped key, an array-index key, a key given twice', () => {
    for (const text of ['{"\\u00fc":1}', '{"1":1}', '{"a":1,"a":2}', '{"a":{"b":1,"b":1}}']) {
      assert.equal(canonicalJson(Buffer.from(text), 0, text.length, WATCH), undefined, text);
    }
  });

  it('text that is not one JSON value: nothing', () => {
    for (const text of ['{"a":1,}', '{"a":01}', '{"a":"\\q"}', '{"a":"x\u0001"}', '[1 2]', '{"a" 1}', '{"a":tru}', '{"a":-}', '{"a":1.}', '{"a":.5}', '{"a":1e}', '"\\u12g4"', '{"a":1}}', '{"a":"b}']) {
      assert.throws(() => JSON.parse(text), SyntaxError, text);
      const bytes = Buffer.from(text);
      assert.equal(canonicalJson(bytes, 0, bytes.length, WATCH), undefined, text);
    }
  });
});
