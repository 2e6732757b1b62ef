// The events lane (Events.lane: a record written straight from its event's text) writes exactly the line the
// general path writes (parse, toRecords, the shaper, JSON.stringify), or leaves the event to it.
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { LeanResources, parseJsonApiPage, type PageReader } from '../../src/tap/http/lean-page.js';
import { toPage } from '../../src/tap/http/paginate.js';
import { schemaProperties, streamSchema } from '../../src/tap/singer/catalog.js';
import { MessageWriter } from '../../src/tap/singer/messages.js';
import { RenderedRecord } from '../../src/tap/engine/records.js';
import { selectStreams } from '../../src/tap/singer/selection.js';
import { ACCOUNT_ID, type StreamRuntime } from '../../src/tap/engine/stream-types.js';
import { writeRecords } from '../../src/tap/engine/write-records.js';
import type { SyncDeps } from '../../src/tap/engine/sync-types.js';
import { Events } from '../../src/streams/events.js';
import { API } from '../helpers/api-event.js';
import { ALL, base, event, events, lines, links, pageBody, type Rel } from '../helpers/lane-lines.js';

/** Events of every kind the lane must take, or leave to the general path, with how the lane should treat each. */
const EVENTS: Array<[string, Rel, boolean]> = [
  ['an opened email', event('E1', base({ Subject: 'Welcome #2: a little something', $message: 'm1', $flow: 'f1', 'Machine Open': false })), true],
  ['a placed order credited to a campaign', event('E2', base({ $value: 57.69, Items: [{ SKU: 'a', Qty: 2 }], $attribution: { $message: 'm2', $flow: 'f2' } })), true],
  ['non-ASCII properties', event('E3', base({ Subject: 'VIP — Zoë ✓ 🎉', 'ünï': 'ç' })), true],
  ['numbers JavaScript writes otherwise', event('E4', base({ a: 57.0, b: 1e5, c: 2 ** 64, d: -0, e: 0.0000001, f: 1.5e-7 })), true],
  ['numbers JavaScript writes back', event('E5', base({ a: 0.5, b: -12.25, c: 123456789012345, d: 0.000001, e: 0, f: -3 })), true],
  ['integer-like keys', event('E6', base({ b: 1, 10: 'x', 2: 'y' })), true],
  ['escapes in properties', event('E7', base({ note: 'say "hi"\\ \n\t', ctl: '\u0001', sep: '\u2028' })), true],
  ['null properties', event('E10', base(null)), true],
  ['null timestamp', event('E11', base({}, { timestamp: null })), true],
  ['a datetime in Z with a fraction', event('E12', base({}, { datetime: '2024-11-01T00:03:18.123456Z' })), true],
  ['the profile before the metric', event('E13', base({ $message: 'm13' }), { profileFirst: true }), true],
  ['links-shaped properties', event('E8', base({ links: { self: `${API}/events/E8/` } })), true],
  ['an empty-key property and nested arrays', event('E14', base({ '': [[], {}, [{ a: null }]], t: true })), true],
  // The quick cut of the simulator's layout (klaviyo-cut.ts) goes wrong on these (a piece that is not one resource):
  // the page is then read byte by byte from there on, and the lane still takes them.
  ['links-shaped properties in a list of objects (cut wrongly, then read byte by byte)', event('E9', base({ x: [{ links: links('events/E9/relationships/metric') }, { type: 'item', y: 1 }] })), true],
  ['an id with an escape, in its links too (cut wrongly, then read byte by byte)', event('E"24', base({})), true],
  ['a non-ASCII id', event('É25', base({})), true],
  ['attributions with data', event('E26', base({}), { relationships: { metric: { data: { type: 'metric', id: 'M1' }, links: links('m') }, profile: { data: { type: 'profile', id: 'P' }, links: links('p') }, attributions: { data: [{ type: 'attribution', id: 'A' }], links: links('a') } } }), true],
  // A newer revision's members: kept in _overflow (or dropped) as the shaper does.
  ['an attribute Klaviyo added', event('E28', base({}, { new_field: { a: [1, 'é'] } })), true],
  ['a relationship Klaviyo added, with data', event('E30', base({}), { relationships: { metric: { data: { type: 'metric', id: 'M1' } }, added: { data: { type: 'x', id: 'X1' } }, profile: { data: { type: 'profile', id: 'P' } } } }), true],
  ['a relationship Klaviyo added, null or a list or links only', event('E31', base({}), { relationships: { a: { data: null }, b: { data: [] }, c: { links: links('c') }, metric: { data: { type: 'metric', id: 'M1' } }, profile: { data: { type: 'profile', id: 'P', meta: {} } } } }), true],
  ['relationships without links, the profile first', event('E32', base({}), { relationships: { profile: { data: { id: 'P', type: 'profile' } }, metric: { data: { id: 'M1', type: 'metric' } } } }), true],
  // Left to the general path:
  ['a datetime with another offset', event('E20', base({}, { datetime: '2024-11-01T02:03:18+02:00' })), false],
  ['a leap second', event('E21', base({}, { datetime: '2016-12-31T23:59:60+00:00' })), false],
  ['a timestamp given as text', event('E22', base({}, { timestamp: '1730419398' })), false],
  ['properties that are an array', event('E23', base([1, 2])), false],
  ['no profile', event('E27', base({}), { relationships: { metric: { data: { type: 'metric', id: 'M1' }, links: links('m') }, attributions: { links: links('a') } } }), false],
  ['null profile data', event('E33', base({}), { relationships: { metric: { data: { type: 'metric', id: 'M1' } }, profile: { data: null } } }), false],
  ['a timestamp of 16 digits', event('E29', base({}, { timestamp: 1730419398000000 })), false],
  ['an attribute named like a field the record has', event('E34', base({}, { metric_id: 'other' })), false],
  ['an attribute named like an array index', event('E35', base({}, { 7: 'x' })), false],
  ['a relationship whose field an attribute has', event('E36', base({}, { added_id: 1 }), { relationships: { metric: { data: { type: 'metric', id: 'M1' } }, profile: { data: { type: 'profile', id: 'P' } }, added: { data: { type: 'x', id: 'X' } } } }), false],
  ['a relationship whose data is text', event('E37', base({}), { relationships: { metric: { data: { type: 'metric', id: 'M1' } }, profile: { data: { type: 'profile', id: 'P' } }, odd: { data: 'X' } } }), false],
  ['no uuid', event('E38', { timestamp: 1, event_properties: {}, datetime: '2024-11-01T00:03:18+00:00' }), false],
];

const SELECTIONS: Record<string, string[]> = {
  'every field': ALL,
  'without event_properties': ALL.filter((f) => f !== 'event_properties'),
  'without metric_name and the attribution': ALL.filter((f) => !['metric_name', 'attributed_message_id', 'attributed_flow_id'].includes(f)),
  'id and datetime only': ['id', 'datetime'],
};

describe('events lane', () => {
  for (const [name, fields] of Object.entries(SELECTIONS)) {
    it(`${name}: every line is the general path's, byte for byte; the lane takes exactly the events it should`, () => {
      // Without the events the quick cut goes wrong on (the rest of the page would not be cut quickly).
      const some = EVENTS.filter(([name]) => !name.includes('cut wrongly'));
      const body = pageBody(some.map(([, e]) => e));
      const lane = lines(body, new Set(fields), true);
      const general = lines(body, new Set(fields), false);
      assert.deepEqual(lane.json, general.json);
      assert.deepEqual(lane.fields, general.fields);
      assert.deepEqual(lane.laned, some.filter(([, , laned]) => laned).map(([, e]) => e['id']));
    });
  }

  for (const [name, e, laned] of EVENTS) {
    it(`${name}: ${laned ? 'taken by the lane' : 'left to the general path'}`, () => {
      const body = pageBody([e, event('Z', base({}))]);
      const out = lines(body, new Set(ALL), true);
      assert.equal(out.laned.includes(String(e['id'])), laned);
      assert.deepEqual(out.json, lines(body, new Set(ALL), false).json);
    });
  }

  it('random properties (numbers, strings, nesting): byte for byte the general path', () => {
    let seed = 7;
    const rand = (n: number): number => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    const NUMBERS = [0, -0, 1, -1, 0.5, 57.69, 57.1, 1e21, 1e-7, 1e-6, 123456.125, 1234567.5, 2 ** 53 + 2, 0.1 + 0.2, -0.000001, 999999999999999];
    const STRINGS = ['', 'a b', 'x: y, z', '"q"', 'back\\slash', 'é', '12', '-0', '1e5', 'tab\t', '{}', '[1]'];
    const value = (depth: number): unknown => {
      const k = rand(depth > 2 ? 4 : 7);
      if (k === 0) return NUMBERS[rand(NUMBERS.length)];
      if (k === 1) return STRINGS[rand(STRINGS.length)];
      if (k === 2) return [true, false, null][rand(3)];
      if (k === 3) return String(rand(1000));
      if (k === 4) return Array.from({ length: rand(4) }, () => value(depth + 1));
      return Object.fromEntries(Array.from({ length: rand(4) }, () => [[...STRINGS, 'k', '$message', '$flow', '7'][rand(STRINGS.length + 4)] ?? 'k', value(depth + 1)]));
    };
    const resources = Array.from({ length: 400 }, (_, i) => event(`R${i}`, base(Object.fromEntries(Array.from({ length: 1 + rand(5) }, (_, j) => [`p${j}`, value(1)])))));
    const body = pageBody(resources);
    const lane = lines(body, new Set(ALL), true);
    assert.deepEqual(lane.json, lines(body, new Set(ALL), false).json);
    assert.equal(lane.laned.length, resources.length);
  });

  it('properties sent as text JavaScript writes otherwise: byte for byte the general path, every event in the lane', () => {
    const TEXTS = [
      '{"a":57.0}', '{"a":1E5}', '{"a":1e+5}', '{"a":12345678901234567890}', '{"a":-0}', '{"a":-0.0}', '{"a":1e-7}', '{"a":0.10}',
      '{"a":0.0000001}', '{"a":1234567.25}', '{"a":1234567890.123456}', '{"a": 1}', '{ "a":1}', '{"a":[1 ,2]}', '{"a":1\t}',
      '{"b":1,"1":2}', '{"a":{"10":1,"2":2}}', '{"a":"\\u00e9"}', '{"a":"\\/"}', '{"a":"x\\"y"}', '{"a":"\\n"}', '{"a":"é"}',
      '{"a":true,"b":false,"c":null,"d":[],"e":{}}', '{"":0}', '{"a":0.000001}', '{"a":999999999999999}',
    ];
    let text = JSON.stringify({
      data: TEXTS.map((_, i) => event(`T${i}`, base(`@${i}@`))),
      links: { self: `${API}/events` },
      included: [],
    });
    TEXTS.forEach((t, i) => (text = text.replace(`"@${i}@"`, t)));
    const body = Buffer.from(text);
    const lane = lines(body, new Set(ALL), true);
    assert.deepEqual(lane.json, lines(body, new Set(ALL), false).json);
    assert.equal(lane.laned.length, TEXTS.length);
  });

  it('a duplicate key in the properties: the same JSON value as the general path (which keeps the last)', () => {
    const text = pageBody([event('D1', base({ a: 1 }))]).toString().replace('"event_properties":{"a":1}', '"event_properties":{"a":1,"a":2}');
    const body = Buffer.from(text);
    const lane = lines(body, new Set(ALL), true);
    assert.equal(lane.laned.length, 1);
    assert.deepEqual(lane.json.map((j) => JSON.parse(j) as unknown), lines(body, new Set(ALL), false).json.map((j) => JSON.parse(j) as unknown));
  });

  it('no lane where a field it writes has another schema', () => {
    const [s] = selectStreams([events], new Map([['events', new Set(ALL)]]));
    if (!s) throw new Error('not selected');
    const rt = { selected: s.selected } as unknown as StreamRuntime;
    const props = s.schema['properties'] as Record<string, Record<string, unknown>>;
    assert.ok(events.lane(rt, s.schema));
    for (const [field, change] of [
      ['timestamp', { type: ['string', 'null'] }],
      ['event_properties', { type: ['object', 'null'], properties: { a: { type: 'string' } } }],
      ['datetime', { type: ['string', 'null'] }],
      ['id', { type: 'integer' }],
      ['metric_name', { type: ['string', 'null'], maxLength: 3 }],
    ] as const) {
      const schema: Record<string, unknown> = { ...s.schema, properties: { ...props, [field]: change } };
      assert.equal(events.lane(rt, schema), null, field);
    }
  });

  it('writeRecords: a lane record and a general one get the same RECORD line, account_id then _overflow last in both', async () => {
    const stream = new Events();
    stream.accountIdColumn = true;
    const [s] = selectStreams([stream], new Map([['events', new Set([...schemaProperties(streamSchema(stream))])]]));
    if (!s) throw new Error('not selected');
    assert.ok(s.selected.has(ACCOUNT_ID));
    const rt = { selected: s.selected } as unknown as StreamRuntime;
    const lane = stream.lane(rt, s.schema);
    assert.ok(lane);
    const page = toPage(parseJsonApiPage(pageBody([event('W1', base({ $message: 'm' }, { added: [1] }))]), 0, lane.newReader) as never, 'u');
    const resources = page.resources;
    assert.ok(resources instanceof LeanResources && resources.reader);
    const [rendered] = [...resources.read((index, bytes, start, end, read) => lane.write(resources.reader as PageReader, index, bytes, page, start, end, read))];
    const [resource] = page.data;
    assert.ok(rendered instanceof RenderedRecord && resource);
    const general = stream.toRecords(resource, page, { context: {}, pathParams: {} }, rt);
    const out = new PassThrough();
    const chunks: Buffer[] = [];
    out.on('data', (c: Buffer) => chunks.push(c));
    const writer = new MessageWriter(out);
    await writeRecords(s, { writer } as unknown as SyncDeps, [rendered, ...general], { records: 0, pages: 0, seconds: 0 }, 'ACC1');
    await writer.flush();
    const [a, b] = Buffer.concat(chunks).toString().trim().split('\n');
    assert.equal(a, b);
    assert.deepEqual(Object.keys((JSON.parse(a ?? '{}') as { record: object }).record).slice(-2), [ACCOUNT_ID, '_overflow']);
  });
});
