// The config and catalog validators generated ahead of time (src/generated/validators.ts) judge exactly as ajv
// compiling the committed schemas at run time would: the same verdict, the same first error, and the same
// defaults filled in, on real configs and catalogs and on the mistakes people make in them. (That the file is
// what the generator makes today is checked in generated.test.ts.)
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as generated from '../../src/generated/validators.js';
import { newAjv, readSchemaFile, type Validator } from '../../src/tap/shared/json.js';

const BASE = { api_key: 'pk_test_validators_0000', start_date: '2024-01-01T00:00:00Z' };
const EXAMPLE_CATALOG = JSON.parse(readFileSync(new URL('../../../catalog.example.json', import.meta.url), 'utf8')) as { streams: unknown[] };

const CONFIGS: Array<[string, unknown]> = [
  ['a minimal config (defaults filled in)', BASE],
  ['the bench config', { ...BASE, base_url: 'http://127.0.0.1:8080', lookback_days: 0 }],
  [
    'every kind of setting',
    {
      ...BASE,
      end_date: '2024-06-01',
      revision: '2024-10-15.pre',
      max_requests_in_flight: 16,
      request_timeout_s: 30.5,
      schema_mismatch: 'fail',
      log_level: 'debug',
      metric_streams: { placed_order: 'Placed Order' },
      streams: { events: { page_size: 500, start_date: '2024-02-01' } },
    },
  ],
  ['an unknown key', { ...BASE, api_keys: 'x' }],
  ['a number as a string', { ...BASE, lookback_days: '7' }],
  ['an integer setting with a fraction', { ...BASE, max_retries: 2.5 }],
  ['a log level not in the list', { ...BASE, log_level: 'verbose' }],
  ['a revision that does not match its pattern', { ...BASE, revision: '2024/10/15' }],
  ['an empty api_key', { ...BASE, api_key: '' }],
  ['an unknown stream override key', { ...BASE, streams: { events: { pagesize: 10 } } }],
  ['a metric stream name in upper case', { ...BASE, metric_streams: { PlacedOrder: 'Placed Order' } }],
  ['not an object', ['pk_x']],
  ['null', null],
];

const CATALOGS: Array<[string, unknown]> = [
  ['catalog.example.json', EXAMPLE_CATALOG],
  ['an empty catalog', { streams: [] }],
  ['no streams', {}],
  ['a stream without metadata', { streams: [{ tap_stream_id: 'events' }] }],
  ['an empty tap_stream_id', { streams: [{ tap_stream_id: '', metadata: [] }] }],
  ['selected as a string', { streams: [{ tap_stream_id: 'events', metadata: [{ breadcrumb: [], metadata: { selected: 'true' } }] }] }],
  ['an inclusion not in the list', { streams: [{ tap_stream_id: 'events', metadata: [{ breadcrumb: [], metadata: { inclusion: 'always' } }] }] }],
  ['a breadcrumb of numbers', { streams: [{ tap_stream_id: 'events', metadata: [{ breadcrumb: [1], metadata: {} }] }] }],
];

/** The verdict, every error and the value afterwards (defaults are written into it). */
function judge(validate: Validator, input: unknown): { valid: boolean; errors: unknown; value: unknown } {
  const value = structuredClone(input);
  const valid = validate(value);
  return { valid, errors: JSON.parse(JSON.stringify(validate.errors ?? null)) as unknown, value };
}

function sameAsAjv(schemaFile: string, validate: Validator, cases: Array<[string, unknown]>): void {
  const runtime = newAjv().compile(readSchemaFile(schemaFile));
  for (const [name, input] of cases) {
    it(name, () => {
      const expected = judge(runtime, input);
      assert.deepEqual(judge(validate, input), expected);
    });
  }
}

describe('generated validators', () => {
  describe('config: as ajv compiling schemas/config.json', () => sameAsAjv('config.json', generated.config as Validator, CONFIGS));
  describe('catalog: as ajv compiling schemas/catalog.json', () => sameAsAjv('catalog.json', generated.catalog as Validator, CATALOGS));

  it('the cases cover both verdicts and the filled-in defaults', () => {
    const verdicts = CONFIGS.map(([, input]) => judge(generated.config as Validator, input).valid);
    assert.ok(verdicts.includes(true) && verdicts.includes(false));
    const filled = judge(generated.config as Validator, BASE).value as Record<string, unknown>;
    assert.ok(Object.keys(filled).length > Object.keys(BASE).length, 'defaults were written into the config');
  });
});
