// A catalog's `schema` (Meltano's schema extra): what can be honoured (descriptions, narrower types, more required
// fields, added nullable properties) reaches the SCHEMA message and record validation; anything else is refused with
// one line naming the stream and the property (exit 2), before any request.
import assert from 'node:assert/strict';
import nock from 'nock';
import { overriddenSchema } from '../src/tap/singer/schema-override.js';
import { ConfigError } from '../src/tap/shared/errors.js';
import { API_KEY, FakeKlaviyo } from './helpers/fake-klaviyo.js';
import { BASE_CONFIG, runTap } from './helpers/run-tap.js';
import { catalogOfStreams } from './helpers/tap-files.js';

const OWN = {
  type: 'object',
  required: ['id'],
  properties: {
    id: { type: 'string', description: 'Klaviyo id' },
    name: { type: ['string', 'null'], description: 'The Tag name' },
    count: { type: ['number', 'null'] },
    created: { type: ['string', 'null'], format: 'date-time' },
    location: { type: ['object', 'null'], properties: { city: { type: ['string', 'null'] } } },
    ids: { type: ['array', 'null'], items: { type: 'string' } },
  },
};
type Props = Record<string, Record<string, unknown>>;
const props = (schema: Record<string, unknown>): Props => schema['properties'] as Props;

describe('catalog schema overrides', () => {
  const honoured: Array<[string, Record<string, unknown>, (s: Record<string, unknown>) => void]> = [
    ['a new description (and nothing else of the property: the rest stays)', { properties: { name: { description: 'Tag' } } }, (s) => assert.deepEqual(props(s)['name'], { type: ['string', 'null'], description: 'Tag' })],
    ['a type without null', { properties: { name: { type: 'string' } } }, (s) => assert.equal(props(s)['name']?.['type'], 'string')],
    ['integer for number', { properties: { count: { type: ['integer', 'null'] } } }, (s) => assert.deepEqual(props(s)['count']?.['type'], ['integer', 'null'])],
    ['a datetime redescribed (format kept)', { properties: { created: { type: ['string', 'null'], description: 'When' } } }, (s) => assert.equal(props(s)['created']?.['format'], 'date-time')],
    ['an added nullable property', { properties: { note: { type: ['string', 'null'], description: 'mine' } } }, (s) => assert.deepEqual(props(s)['note'], { type: ['string', 'null'], description: 'mine' })],
    ['a nested property narrowed', { properties: { location: { properties: { city: { type: 'string' } } } } }, (s) => assert.equal(props(props(s)['location'] ?? {})['city']?.['type'], 'string')],
    ['items redescribed', { properties: { ids: { items: { type: 'string', description: 'an id' } } } }, (s) => assert.equal((props(s)['ids']?.['items'] as Record<string, unknown>)['description'], 'an id')],
    ['more required fields, the tap\'s kept', { required: ['name'] }, (s) => assert.deepEqual(s['required'], ['id', 'name'])],
    ['the same schema, repeated in full', structuredClone(OWN), (s) => assert.equal(s, OWN)],
  ];
  for (const [name, given, check] of honoured) it(`honours ${name}`, () => check(overriddenSchema('tags', OWN, given)));

  const refused: Array<[string, Record<string, unknown>, RegExp]> = [
    ['a wider type', { properties: { name: { type: ['string', 'number', 'null'] } } }, /stream tags, property name: "type" \["string","number","null"\] is not narrower than the tap's \["string","null"\]/],
    ['number for integer-less string', { properties: { id: { type: 'integer' } } }, /property id: "type" "integer" is not narrower/],
    ['an added property that is not nullable', { properties: { note: { type: 'string' } } }, /property note: is not a property of the stream and not nullable/],
    ['account_id while account_id_column is off', { properties: { account_id: { type: 'string' } } }, /property account_id: .*account_id comes from account_id_column, which is off/],
    ['a format changed', { properties: { created: { format: 'date' } } }, /property created: "format" changed from "date-time" to "date"/],
    ['a keyword added', { properties: { name: { maxLength: 3 } } }, /property name: "maxLength" added/],
    ['a nested property widened', { properties: { location: { properties: { city: { type: ['integer', 'null'] } } } } }, /property location\.city: "type"/],
    ['items on a value without items', { properties: { name: { items: { type: 'string' } } } }, /property name: "items" added to a value without items/],
    ['a property that is not a schema', { properties: { name: 'text' } }, /property name: is not a JSON Schema object/],
  ];
  for (const [name, given, message] of refused) {
    it(`refuses ${name}, in one line naming stream and property`, () => {
      assert.throws(
        () => overriddenSchema('tags', OWN, given),
        (err: unknown) => err instanceof ConfigError && message.test(err.message) && /^--catalog: stream tags, /.test(err.message) && /undo that change .* or run --discover again$/.test(err.message) && !err.message.includes('\n'),
      );
    });
  }

  describe('through the CLI', () => {
    const TAGS = [
      { type: 'tag', id: 't1', attributes: { name: 'VIP' } },
      { type: 'tag', id: 't2', attributes: { name: null } },
    ];
    let fake: FakeKlaviyo;
    beforeEach(() => {
      nock.disableNetConnect();
      // /api/tag-groups: where the scope check asks for tags:read before the stream starts.
      fake = new FakeKlaviyo().set('/api/tags', TAGS).set('/api/tag-groups', []).install();
    });
    afterEach(() => {
      nock.cleanAll();
      nock.enableNetConnect();
    });

    function catalog(change: (properties: Props) => void): unknown {
      const c = structuredClone(catalogOfStreams(['tags']));
      const entry = c.streams[0];
      assert.ok(entry);
      change(entry.schema['properties'] as Props);
      return c;
    }

    it('the SCHEMA message carries the honoured changes, and records are validated against them', async () => {
      const given = catalog((p) => {
        p['name'] = { type: 'string', description: 'The tag as shown in Klaviyo' };
        p['team'] = { type: ['string', 'null'], description: 'Added in the catalog' };
      });
      const run = await runTap({ config: BASE_CONFIG, catalog: given });
      assert.equal(run.code, 0, run.stderr);
      const schema = run.messages.find((m) => m['type'] === 'SCHEMA')?.['schema'] as { properties: Props };
      assert.deepEqual(schema.properties['name'], { type: 'string', description: 'The tag as shown in Klaviyo' });
      assert.deepEqual(schema.properties['team'], { type: ['string', 'null'], description: 'Added in the catalog' });
      const [vip, unnamed] = run.records('tags');
      assert.equal(vip?.['name'], 'VIP');
      // name may no longer be null: the null does not fit, so it goes to _overflow with a warning (schema_mismatch
      // warn) and the record leaves name out (absent, it still validates).
      assert.deepEqual(unnamed, { id: 't2', _overflow: { name: null } });
      assert.match(run.stderr, /stream tags: field name: Klaviyo sent null where the schema has string/);
      assert.ok(!run.stderr.includes(API_KEY));
    });

    it('a change it cannot honour: exit 2, one line naming the stream and the property, no request, nothing on stdout', async () => {
      const run = await runTap({ config: BASE_CONFIG, catalog: catalog((p) => (p['name'] = { type: ['integer', 'null'] })) });
      assert.deepEqual([run.code, run.stdout, fake.requests.length], [2, '', 0]);
      assert.match(run.stderr, /^tap-klaviyo: --catalog: stream tags, property name: "type" \["integer","null"\] is not narrower than the tap's \["string","null"\]; [^\n]*\n$/);
    });
  });
});

