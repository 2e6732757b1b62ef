// The events lane in any response layout (the simulator's `layout` knob: member order, whitespace, escapes, other
// datetime forms, members a newer revision adds, null relationship data, other links): every line is the general
// path's, byte for byte, and the lane takes every event; what it cannot write exactly goes the general way.
import assert from 'node:assert/strict';
import { relayout, LAYOUT_VARIATIONS, layoutVariations } from '../../src/simulator/api/layout.js';
import { cutKlaviyoLayout } from '../../src/tap/http/klaviyo-cut.js';
import { ALL, base, event, lines, pageBody, type Rel } from '../helpers/lane-lines.js';

/** Random events: properties of every JSON type, nested, with text that needs escapes; some without attribution. */
function randomEvents(seed: number, n: number): Rel[] {
  let state = seed;
  const rand = (k: number): number => {
    state = (state * 1103515245 + 12345) % 2 ** 31;
    return state % k;
  };
  const STRINGS = ['', 'a/b', 'é — ✓ 🎉', 'say "hi"\\', '\n\t', '\u2028', '12', 'http://x.example/y?z=1&w=2'];
  const value = (depth: number): unknown => {
    const k = rand(depth > 2 ? 4 : 6);
    if (k === 0) return [0, -1, 57.69, 1e21, 1e-7, 123456.125, 0.1 + 0.2][rand(7)];
    if (k === 1) return STRINGS[rand(STRINGS.length)];
    if (k === 2) return [true, false, null][rand(3)];
    if (k === 3) return String(rand(100));
    if (k === 4) return Array.from({ length: rand(3) }, () => value(depth + 1));
    return Object.fromEntries(Array.from({ length: rand(4) }, (_, i) => [`${STRINGS[rand(STRINGS.length)] ?? ''}${i}`, value(depth + 1)]));
  };
  return Array.from({ length: n }, (_, i) => {
    const props: Record<string, unknown> = Object.fromEntries(Array.from({ length: 1 + rand(4) }, (_, j) => [`p${j}`, value(1)]));
    if (rand(2) === 0) props['$message'] = `m${i}`;
    if (rand(3) === 0) props['$attribution'] = { $message: `a${i}`, $flow: `f${i}` };
    const micros = String(rand(1_000_000)).padStart(6, '0');
    return event(`E${i}`, base(rand(10) === 0 ? null : props, { datetime: `2024-11-0${1 + rand(9)}T0${rand(10)}:1${rand(10)}:0${rand(10)}${rand(2) ? `.${micros}` : ''}+00:00`, timestamp: rand(9) === 0 ? null : 1730419398 + i }), { profileFirst: rand(2) === 0 });
  });
}

function laidOut(body: Buffer, names: string[], seed: number): Buffer {
  return Buffer.from(relayout(body.toString('utf8'), { variations: layoutVariations(names), seed, datetimes: ['datetime'], sparse: new Set(['metric']), identifiers: false }));
}

const SELECTIONS: Record<string, string[]> = {
  'every field': ALL,
  'without _overflow': ALL.filter((f) => f !== '_overflow'),
  'id, datetime and metric_name': ['id', 'datetime', 'metric_name'],
};

describe('events lane in any layout', () => {
  for (const names of [...LAYOUT_VARIATIONS.map((v) => [v]), ['varied']]) {
    for (const [selection, fields] of Object.entries(SELECTIONS)) {
      it(`${names.join(', ')}, ${selection}: the general path's lines, every event in the lane`, () => {
        for (const seed of [1, 2, 3]) {
          const body = laidOut(pageBody(randomEvents(seed, 120)), names, seed);
          const lane = lines(body, new Set(fields), true);
          assert.deepEqual(lane.json, lines(body, new Set(fields), false).json, `seed ${seed}`);
          assert.deepEqual(lane.fields, lines(body, new Set(fields), false).fields, `seed ${seed}`);
          assert.equal(lane.laned.length, 120, `seed ${seed}`);
        }
      });
    }
  }

  it('the layouts do vary: members in another order, whitespace, escapes, added members, other datetimes', () => {
    const plain = pageBody(randomEvents(5, 20)).toString('utf8');
    const varied = laidOut(Buffer.from(plain), ['varied'], 5).toString('utf8');
    for (const mark of ['\n', '\\/', '\\u2014', 'added_in_newer_revision', 'added-in-newer-revision', '"data": null', '"prev": null']) {
      assert.ok(varied.includes(mark) && !plain.includes(mark), mark);
    }
    assert.ok(/"datetime": "[^"]*(Z|\.\d{6}\+00:00)"/.test(varied));
  });

  it('an event whose properties were written over as the page was read, then left to the general path: the same lines', () => {
    // The reader writes each event_properties in canonical form over its own bytes; a relationship whose data is
    // not an object or null, after them, makes it leave the event: the general path parses those bytes.
    const events = randomEvents(4, 30).map((e, i) => {
      if (i % 3 !== 1) return e;
      const relationships = { ...(e['relationships'] as Rel), odd: { data: 5 } };
      return { ...e, relationships };
    });
    for (const names of [['pretty', 'escapes'], ['varied']]) {
      const body = laidOut(pageBody(events), names, 4);
      const lane = lines(body, new Set(ALL), true);
      assert.deepEqual(lane.json, lines(laidOut(pageBody(events), names, 4), new Set(ALL), false).json, names.join());
      assert.equal(lane.laned.length, 20, names.join());
    }
  });

  it('a compact page whose resources do not all end with their own links: cut, then read byte by byte, every event in the lane', () => {
    // Every third resource sends its links before its relationships: the quick cut runs on to the end of the next
    // resource, a piece of two resources that is not one value, and the page is read byte by byte from there on.
    const events = randomEvents(6, 30).map((e, i) => (i % 3 === 1 ? { type: e['type'], id: e['id'], links: e['links'], attributes: e['attributes'], relationships: e['relationships'] } : e));
    const body = pageBody(events);
    const cut = cutKlaviyoLayout(body);
    assert.ok(cut !== undefined && cut.pieces.length / 2 < 30, 'the quick cut applies and makes pieces of several resources');
    const lane = lines(Buffer.from(body), new Set(ALL), true);
    assert.deepEqual(lane.json, lines(Buffer.from(body), new Set(ALL), false).json);
    assert.equal(lane.laned.length, 30);
  });

  it('a compact page whose resources end otherwise (a member a newer revision adds after links): not cut, read byte by byte, every event in the lane', () => {
    // The first 20 resources end with `meta`: the quick cut gives up after 16 candidate ends that are not a resource's
    // end, rather than running on to the simulator's layout of the last 20 and making one piece of 21 resources.
    const events = randomEvents(7, 40).map((e, i) => (i < 20 ? { ...e, meta: { note: 'added in a newer revision' } } : e));
    const body = pageBody(events);
    assert.equal(cutKlaviyoLayout(body), undefined);
    const lane = lines(Buffer.from(body), new Set(ALL), true);
    assert.deepEqual(lane.json, lines(Buffer.from(body), new Set(ALL), false).json);
    assert.equal(lane.laned.length, 40);
  });

  // Text the lane would read otherwise than JSON.parse, or that is not JSON: the general path decides.
  const EDITS: Array<[string, (text: string) => string, boolean]> = [
    ['a key written with an escape (data)', (t) => t.replace('"data":{"type":"metric"', '"d\\u0061ta":{"type":"metric"'), true],
    ['a key written with an escape (id)', (t) => t.replace('"id":"E1"', '"\\u0069d":"E1"'), true],
    ['an attribute named with an escape', (t) => t.replace('"uuid"', '"uu\\u0069d"'), true],
    ['a member given twice', (t) => t.replace('"id":"E1",', '"id":"E1","id":"E1b",'), true],
    ['a control character in the id', (t) => t.replace('"id":"E1"', '"id":"E\u00011"'), false],
    ['a bad escape in the id', (t) => t.replace('"id":"E1"', '"id":"E\\q1"'), false],
    ['a number with a leading zero in links', (t) => t.replace('"links":{"self"', '"links":{"n":01,"self"'), false],
  ];
  for (const [name, edit, valid] of EDITS) {
    it(`${name}: ${valid ? 'the general path writes it' : 'the page fails as JSON.parse fails'}`, () => {
      const body = Buffer.from(edit(pageBody(randomEvents(9, 3)).toString('utf8')));
      assert.notEqual(body.toString(), pageBody(randomEvents(9, 3)).toString());
      if (!valid) {
        assert.throws(() => lines(body, new Set(ALL), true), SyntaxError);
        return;
      }
      const lane = lines(body, new Set(ALL), true);
      assert.deepEqual(lane.json, lines(body, new Set(ALL), false).json);
      assert.ok(lane.laned.length < 3, 'the edited event went the general way');
    });
  }
});
