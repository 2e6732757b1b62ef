// Schemas a warehouse target can load: every property typed, no polymorphism keywords, date-time the only
// format, small enough to review; and every record of a full sync validates against the SCHEMA sent for it.
import assert from 'node:assert/strict';
import { createReadStream, readFileSync, statSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { schemaOwners } from '../scripts/generate.js';
import { startSimulator, type Simulator } from '../src/simulator/server.js';
import { builtInStreams } from '../src/streams/registry.js';
import { discover } from '../src/tap/singer/catalog.js';
import { E2eWorkspace, STREAMS, fullCatalog } from './helpers/e2e.js';
import { schemaProblems } from './helpers/warehouse.js';

const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;
type Node = Record<string, unknown>;

const MAX_SCHEMA_BYTES = 50 * 1024;
const MAX_CATALOG_BYTES = 300 * 1024;

describe('warehouse-shaped schemas', () => {
  it('the rule checker reports each kind of breach (it is not vacuous)', () => {
    const bad: Node = {
      type: 'object',
      properties: {
        untyped: { description: 'x', anyOf: [{ type: 'string' }] },
        deep: { type: 'object', properties: { inner: { oneOf: [] } } },
        twoTypes: { type: ['string', 'number', 'null'] },
        float: { type: 'number', format: 'float' },
        list: { type: 'array', items: { $ref: '#/x' } },
        nested: { type: ['object', 'null'], properties: { at: { type: ['string', 'null'], format: 'date-time' } } },
      },
    };
    const problems = schemaProblems(bad, 'bad');
    for (const expected of ['bad.untyped: uses anyOf', 'bad.untyped: no type', 'bad.deep.inner: uses oneOf', 'bad.deep.inner: no type', 'bad.twoTypes: type', 'bad.float: format float', 'bad.list[]: uses $ref', 'bad.nested.at: format below the top level']) {
      assert.ok(problems.some((p) => p.startsWith(expected)), `${expected} in ${JSON.stringify(problems)}`);
    }
    assert.deepEqual(schemaProblems({ type: 'object', properties: { a: { type: ['string', 'null'], format: 'date-time' } } }, 'good'), []);
  });

  it('every stream schema file follows the rules and stays under 50 KB', () => {
    for (const stream of schemaOwners()) {
      const file = `schemas/${stream.name}.json`;
      assert.ok(statSync(file).size < MAX_SCHEMA_BYTES, `${file} is ${statSync(file).size} bytes`);
      assert.deepEqual(schemaProblems(JSON.parse(readFileSync(file, 'utf8')) as Node, stream.name), []);
    }
  });

  it('the catalog (catalog.example.json and --discover) follows the rules and stays under 300 KB', () => {
    assert.ok(statSync('catalog.example.json').size < MAX_CATALOG_BYTES, `catalog.example.json is ${statSync('catalog.example.json').size} bytes`);
    const committed = JSON.parse(readFileSync('catalog.example.json', 'utf8')) as { streams: Array<{ tap_stream_id: string; schema: Node }> };
    assert.deepEqual(committed, JSON.parse(JSON.stringify(discover(builtInStreams()))));
    assert.deepEqual(
      committed.streams.flatMap((s) => schemaProblems(s.schema, s.tap_stream_id)),
      [],
    );
  });

  it('polymorphic structures are one JSON column; flat fixed objects keep typed properties', () => {
    const column = (stream: string, field: string): Node => {
      const schema = JSON.parse(readFileSync(`schemas/${stream}.json`, 'utf8')) as { properties: Record<string, Node> };
      const node = schema.properties[field];
      assert.ok(node, `${stream}.${field}`);
      return node;
    };
    for (const [stream, field] of [
      ['segments', 'definition'],
      ['flow_actions', 'definition'],
      ['flow_messages', 'definition'],
      ['campaign_messages', 'definition'],
      ['campaigns', 'send_options'],
      ['campaigns', 'send_strategy'],
      ['campaigns', 'tracking_options'],
      ['templates', 'definition'],
      ['events', 'event_properties'],
      ['profiles', 'properties'],
    ] as const) {
      const node = column(stream, field);
      assert.deepEqual(node['type'], ['object', 'null'], `${stream}.${field}`);
      assert.equal(node['properties'], undefined, `${stream}.${field} is one JSON column`);
      assert.ok(String(node['description'] ?? '').length > 10, `${stream}.${field} says what it holds`);
    }
    for (const field of ['location', 'subscriptions', 'predictive_analytics']) {
      assert.ok(column('profiles', field)['properties'], `profiles.${field} keeps typed properties`);
    }
    assert.deepEqual((column('profiles', 'location')['properties'] as Record<string, Node>)['latitude']?.['type'], ['number', 'null']);
  });
});

interface SyncCheck {
  records: Map<string, number>;
  schemas: Map<string, Node>;
  invalid: string[];
}

/** Reads the tap's output line by line: every SCHEMA follows the rules, every RECORD validates against its stream's last SCHEMA. */
async function checkOutput(file: string): Promise<SyncCheck> {
  const ajv = new Ajv({ strict: false, allErrors: false });
  addFormats(ajv);
  const validators = new Map<string, ValidateFunction>();
  const out: SyncCheck = { records: new Map(), schemas: new Map(), invalid: [] };
  for await (const line of createInterface({ input: createReadStream(file) })) {
    if (line === '') continue;
    const message = JSON.parse(line) as { type: string; stream: string; schema?: Node; record?: Node };
    if (message.type === 'SCHEMA' && message.schema) {
      out.invalid.push(...schemaProblems(message.schema, `SCHEMA ${message.stream}`));
      out.schemas.set(message.stream, message.schema);
      validators.set(message.stream, ajv.compile(message.schema));
    }
    if (message.type === 'RECORD') {
      const validate = validators.get(message.stream);
      assert.ok(validate, `RECORD of ${message.stream} before its SCHEMA`);
      out.records.set(message.stream, (out.records.get(message.stream) ?? 0) + 1);
      if (!validate(message.record) && out.invalid.length < 20) {
        out.invalid.push(`${message.stream} ${JSON.stringify(message.record?.['id'])}: ${JSON.stringify(validate.errors?.[0])}`);
      }
    }
  }
  return out;
}

/**
 * Small: every stream, every field. Medium adds volume where volume grows (events, profiles, members, catalogs,
 * codes); streams on Klaviyo's slow tiers (under 600 requests/min, e.g. flow messages at 60/min) and the fields
 * that drop profiles to 150/min would take minutes of honoured rate limits there for the same shapes small checks.
 */
function catalogFor(scale: 'small' | 'medium'): unknown {
  const catalog = fullCatalog() as { streams: Array<{ tap_stream_id: string; metadata: Array<{ breadcrumb: string[]; metadata: Record<string, unknown> }> }> };
  if (scale === 'small') return catalog;
  for (const entry of catalog.streams) {
    const stream = STREAMS.find((s) => s.name === entry.tap_stream_id);
    const slow = !stream || Math.min(stream.facts.rateLimit.perMinute, ...(stream.parent ? [parentTier(stream.parent.path)] : [])) < 600;
    for (const m of entry.metadata) {
      if (m.breadcrumb.length === 0) m.metadata['selected'] = !slow;
      else if (stream?.costlyFields.includes(m.breadcrumb[1] ?? '')) m.metadata['selected'] = false;
    }
  }
  return catalog;
}

function parentTier(path: string): number {
  return STREAMS.find((s) => s.path === path)?.facts.rateLimit.perMinute ?? 0;
}

for (const scale of ['small', 'medium'] as const) {
  describe(`a full sync at scale ${scale}`, function () {
    this.timeout(300_000);
    let sim: Simulator;
    before(async () => {
      sim = await startSimulator({ seed: 11, scale, rateLimits: false });
    });
    after(async () => sim.close());

    it('sends SCHEMAs that follow the rules, and every record validates against the schema sent', async () => {
      const ws = new E2eWorkspace(sim, { api_key: 'pk_sim_demo', max_requests_in_flight: 16 });
      const result = await ws.runToFile(catalogFor(scale));
      assert.equal(result.code, 0, result.stderr.slice(-2000));
      const check = await checkOutput(result.file);
      assert.deepEqual(check.invalid, []);
      const streams = scale === 'small' ? STREAMS.map((s) => s.name) : [...check.schemas.keys()];
      if (scale === 'small') assert.deepEqual([...check.schemas.keys()].sort(), [...streams].sort());
      const total = [...check.records.values()].reduce((a, b) => a + b, 0);
      assert.ok(total > (scale === 'small' ? 5_000 : 150_000), `${total} records`);
      for (const stream of streams) assert.ok((check.records.get(stream) ?? 0) > 0, `${stream} sent records`);
    });
  });
}
