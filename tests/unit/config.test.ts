// loadConfig: defaults, the key from the environment, base_url rules; checkStreamNames.
import assert from 'node:assert/strict';
import { builtInStreams } from '../../src/streams/registry.js';
import { API_KEY_ENV, checkStreamNames, CONFIG_SCHEMA, loadConfig, settingsDescription, type TapConfig } from '../../src/tap/config/config.js';
import { ConfigError } from '../../src/tap/shared/errors.js';
import { API_KEY } from '../helpers/fake-klaviyo.js';
import { tempFile } from '../helpers/temp-files.js';

const DEFAULTS: Omit<TapConfig, 'api_key'> = {
  start_date: '2012-01-01T00:00:00Z',
  revision: '2026-07-15',
  lookback_days: 1,
  full_reread_days: 7,
  full_refresh_days: 7,
  emit_deleted_records: false,
  max_tracked_ids: 2000,
  audit: false,
  report_days: 365,
  report_reread_days: 30,
  report_daily_budget: 0.5,
  request_timeout_s: 60,
  max_retries: 8,
  initial_retry_wait_s: 1,
  max_retry_wait_s: 60,
  max_requests_in_flight: 128,
  base_url: 'https://a.klaviyo.com',
  metric_streams: {},
  streams: {},
  schema_mismatch: 'warn',
  missing_scopes: 'fail',
  account_id_column: false,
  log_level: 'info',
  progress_interval_s: 10,
  metrics_log_level: 'info',
  metrics_interval_s: 60,
};

function load(content: unknown, env: NodeJS.ProcessEnv = {}): TapConfig {
  return loadConfig(tempFile('config.json', content), env);
}

function refuses(content: unknown, field: string | undefined, message: RegExp, env: NodeJS.ProcessEnv = {}): void {
  assert.throws(
    () => load(content, env),
    (err: unknown) => {
      assert.ok(err instanceof ConfigError, String(err));
      assert.match(err.message, message);
      if (field !== undefined) assert.equal(err.field, field);
      return true;
    },
  );
}

describe('config', () => {
  describe('loadConfig', () => {
    it('applies every default of schemas/config.json', () => {
      assert.deepEqual(load({ api_key: API_KEY }), { api_key: API_KEY, ...DEFAULTS });
      const schemaDefaults = Object.entries(CONFIG_SCHEMA['properties'] as Record<string, { default?: unknown }>)
        .filter(([, p]) => p.default !== undefined)
        .map(([name, p]) => [name, p.default]);
      assert.deepEqual(Object.fromEntries(schemaDefaults), DEFAULTS, 'the table above matches the schema');
    });

    it('keeps the values it is given', () => {
      const given = {
        api_key: API_KEY,
        start_date: '2024-01-01',
        end_date: '2024-06-01T00:00:00Z',
        revision: '2025-10-15.pre',
        lookback_days: 0,
        full_reread_days: 3,
        full_refresh_days: 0,
        emit_deleted_records: true,
        max_tracked_ids: 50_000,
        audit: true,
        conversion_metric: 'Ordered Product',
        report_days: 90,
        report_reread_days: 14,
        report_daily_budget: 0.25,
        request_timeout_s: 0.5,
        max_retries: 0,
        initial_retry_wait_s: 0,
        max_retry_wait_s: 0,
        max_requests_in_flight: 1,
        base_url: 'https://a.klaviyo.com',
        metric_streams: { placed_order: 'Placed Order' },
        streams: { events: { start_date: '2024-03-01', page_size: 100, lookback_days: 2 }, list_members: { full_refresh_days: 30 } },
        schema_mismatch: 'fail',
        missing_scopes: 'skip',
        account_id_column: true,
        log_level: 'debug',
        progress_interval_s: 0,
        metrics_log_level: 'warn',
        metrics_interval_s: 5,
      };
      assert.deepEqual(load(given), given);
    });

    const env: Array<[string, unknown, NodeJS.ProcessEnv, string]> = [
      ['the environment key when api_key is absent', { start_date: '2024-01-01' }, { [API_KEY_ENV]: 'pk_from_env_123456' }, 'pk_from_env_123456'],
      ['the config key over the environment', { api_key: API_KEY }, { [API_KEY_ENV]: 'pk_from_env_123456' }, API_KEY],
    ];
    for (const [name, content, vars, expected] of env) it(`uses ${name}`, () => assert.equal(load(content, vars).api_key, expected));

    it('requires a key from one place or the other, naming both', () => {
      refuses({ start_date: '2024-01-01' }, 'api_key', /"api_key" is required.*TAP_KLAVIYO_API_KEY/);
      refuses({ start_date: '2024-01-01' }, 'api_key', /"api_key" is required/, { [API_KEY_ENV]: '' });
    });

    const urls: Array<[string, string]> = [
      ['https://a.klaviyo.com/', 'https://a.klaviyo.com'],
      ['https://a.klaviyo.com', 'https://a.klaviyo.com'],
      ['http://localhost:8080', 'http://localhost:8080'],
      ['http://127.0.0.1:3000/', 'http://127.0.0.1:3000'],
      ['http://[::1]:3000', 'http://[::1]:3000'],
      ['https://klaviyo.internal.example:8443', 'https://klaviyo.internal.example:8443'],
    ];
    for (const [given, expected] of urls) it(`base_url ${given} -> ${expected}`, () => assert.equal(load({ api_key: API_KEY, base_url: given }).base_url, expected));

    const badUrls: Array<[string, RegExp]> = [
      ['http://a.klaviyo.com', /must use https/],
      ['http://localhost.evil.example', /must use https/],
      ['http://127.0.0.1.evil.example', /must use https/],
      ['ftp://a.klaviyo.com', /must use https/],
      ['https://a.klaviyo.com/api', /origin only/],
      ['https://a.klaviyo.com/?x=1', /origin only/],
      ['https://user:pass@a.klaviyo.com', /origin only/],
      ['a.klaviyo.com', /not a URL/],
    ];
    for (const [given, message] of badUrls) it(`refuses base_url ${given}`, () => refuses({ api_key: API_KEY, base_url: given }, 'base_url', message));

    it('checks dates of the config and of stream overrides against each other', () => {
      refuses({ api_key: API_KEY, start_date: 'soon' }, 'start_date', /"start_date" is not a date/);
      refuses({ api_key: API_KEY, start_date: '2024-02-01', end_date: '2024-01-01' }, 'end_date', /must be after/);
      refuses({ api_key: API_KEY, start_date: '2024-01-01', end_date: '2024-01-01' }, 'end_date', /must be after/);
      refuses({ api_key: API_KEY, end_date: '2024-06-01', streams: { events: { start_date: '2024-07-01' } } }, 'end_date', /streams\.events.*must be after/);
      refuses({ api_key: API_KEY, streams: { events: { end_date: '2024-02-30' } } }, 'end_date', /streams\.events: "end_date" is not a date/);
    });

    it('refuses an unknown key with a hint', () => refuses({ api_key: API_KEY, start_dat: '2024-01-01' }, 'start_dat', /unknown key "start_dat": did you mean "start_date"\?/));
  });

  describe('checkStreamNames', () => {
    const builtIn = builtInStreams().map((s) => s.name);
    const base = load({ api_key: API_KEY });
    it('accepts overrides of built-in and configured metric streams', () => {
      assert.doesNotThrow(() => checkStreamNames({ ...base, metric_streams: { placed_order: 'Placed Order' }, streams: { placed_order: { page_size: 10 }, events: {} } }, builtIn));
    });
    it('refuses a metric stream that clashes with a built-in one', () => {
      assert.throws(() => checkStreamNames({ ...base, metric_streams: { open: 'Opened Email' } }, builtIn), /metric_streams\.open clashes/);
    });
    it('refuses overrides of a stream that does not exist, with a guess', () => {
      assert.throws(() => checkStreamNames({ ...base, streams: { event: {} } }, builtIn), /streams\.event names no stream; did you mean "events"\?/);
    });
  });

  it('settingsDescription lists every setting with a description', () => {
    const settings = settingsDescription();
    assert.deepEqual(settings.map((s) => s.name), Object.keys(CONFIG_SCHEMA['properties'] as object));
    for (const s of settings) assert.ok(s.description.length > 10, s.name);
  });
});
