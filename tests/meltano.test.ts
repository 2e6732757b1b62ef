// Meltano: the example project (meltano.yml) and the Hub-style plugin definition say what `--about --format
// json` says (every setting, its kind, default and description; the capabilities; the `test` command), and settings
// arrive as Meltano passes them: a config file plus TAP_KLAVIYO_<SETTING> environment variables, all strings, and
// the variables alone where Meltano runs a command (`meltano test`) without --config. The Meltano SDK's mapper
// settings are refused with a pointer to a mapper plugin.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { load as parseYaml } from 'js-yaml';
import nock from 'nock';
import { HUB_FILE, meltanoKind, type SettingSchema } from '../scripts/gen/meltano.js';
import { builtInStreams } from '../src/streams/registry.js';
import { envName, loadConfig, SDK_SETTINGS } from '../src/tap/config/config.js';
import { ConfigError } from '../src/tap/shared/errors.js';
import { API_KEY, BASE } from './helpers/fake-klaviyo.js';
import { BASE_CONFIG, runTap } from './helpers/run-tap.js';
import { tempFile } from './helpers/temp-files.js';

interface MeltanoSetting {
  name: string;
  kind?: string;
  value?: unknown;
  description?: string;
  sensitive?: boolean;
  options?: Array<{ label: string; value: string }>;
}
interface Extractor {
  name: string;
  namespace: string;
  executable: string;
  capabilities: string[];
  commands?: Record<string, { args: string; description?: string }>;
  settings: MeltanoSetting[];
  select?: string[];
}
interface About {
  capabilities: string[];
  settings: { properties: Record<string, SettingSchema> };
}

async function about(): Promise<About> {
  const run = await runTap({ args: ['--about', '--format', 'json'] });
  assert.equal(run.code, 0, run.stderr);
  return JSON.parse(run.stdout) as About;
}

const project = parseYaml(readFileSync('meltano.yml', 'utf8')) as { plugins: { extractors: Extractor[]; loaders: Array<{ name: string }> } };
const hub = parseYaml(readFileSync(HUB_FILE, 'utf8')) as Extractor;
const extractor = project.plugins.extractors.find((e) => e.name === 'tap-klaviyo');

function sameSettings(what: string, settings: readonly MeltanoSetting[], props: Record<string, SettingSchema>): void {
  assert.deepEqual(settings.map((s) => s.name).sort(), Object.keys(props).sort(), `${what}: the settings of --about, no more, no fewer`);
  for (const [name, p] of Object.entries(props)) {
    const s = settings.find((x) => x.name === name);
    assert.equal(s?.kind, meltanoKind(name, p), `${what}: kind of ${name}`);
    assert.deepEqual(s?.value, p.default, `${what}: default of ${name}`);
    assert.equal(s?.description, p.description, `${what}: description of ${name} (meltano config list shows it)`);
    if (p.enum) assert.deepEqual(s?.options?.map((o) => o.value), p.enum, `${what}: options of ${name}`);
  }
  assert.equal(settings.find((s) => s.name === 'api_key')?.sensitive, true, `${what}: api_key is a secret`);
}

/** `meltano test tap-klaviyo` runs the plugin's `test` command: the tap's --test, without --config. */
function assertTestCommand(what: string, plugin: Extractor | undefined): void {
  assert.equal(plugin?.commands?.['test']?.args, '--test', `${what}: a test command`);
  assert.ok(plugin?.capabilities.includes('activate-version'), `${what}: the activate-version capability`);
}

describe('Meltano', () => {
  it('the kinds Meltano knows: password, date_iso8601, decimal, integer, options, object, boolean', () => {
    const cases: Array<[string, SettingSchema, string]> = [
      ['api_key', { type: 'string' }, 'password'],
      ['start_date', { type: 'string' }, 'date_iso8601'],
      ['lookback_days', { type: 'number' }, 'decimal'],
      ['max_retries', { type: 'integer' }, 'integer'],
      ['log_level', { type: 'string', enum: ['info'] }, 'options'],
      ['streams', { type: 'object' }, 'object'],
      ['account_id_column', { type: 'boolean' }, 'boolean'],
      ['base_url', { type: 'string' }, 'string'],
    ];
    for (const [name, schema, kind] of cases) assert.equal(meltanoKind(name, schema), kind, name);
  });

  it('meltano.yml: a custom extractor with every setting, kind and default of --about, and the same capabilities', async () => {
    const a = await about();
    assert.ok(extractor, 'meltano.yml has the tap-klaviyo extractor');
    assert.equal(extractor.namespace, 'tap_klaviyo');
    assert.ok(existsSync(extractor.executable), `the executable ${extractor.executable} exists (after npm run build)`);
    assert.deepEqual(extractor.capabilities, a.capabilities);
    sameSettings('meltano.yml', extractor.settings, a.settings.properties);
    assertTestCommand('meltano.yml', extractor);
    const streams = builtInStreams().map((s) => s.name);
    for (const pattern of extractor.select ?? []) {
      const stream = pattern.replace(/^!/, '').split('.')[0] ?? '';
      assert.ok(stream === '*' || streams.includes(stream), `select ${pattern} names a stream`);
    }
    assert.deepEqual(project.plugins.loaders.map((l) => l.name).sort(), ['target-jsonl', 'target-postgres']);
  });

  it(`${HUB_FILE}: the same settings, kinds, defaults and capabilities`, async () => {
    const a = await about();
    assert.equal(hub.name, 'tap-klaviyo');
    assert.equal(hub.namespace, extractor?.namespace);
    assert.deepEqual(hub.capabilities, a.capabilities);
    sameSettings(HUB_FILE, hub.settings, a.settings.properties);
    assertTestCommand(HUB_FILE, hub);
  });

  it('every setting can arrive as Meltano passes it: a TAP_KLAVIYO_<SETTING> string, read by its type (objects with dotted keys too); the file wins', async () => {
    const props = (await about()).settings.properties;
    const samples: Record<string, [string, unknown]> = {
      api_key: [API_KEY, API_KEY],
      start_date: ['2024-01-01T00:00:00Z', '2024-01-01T00:00:00Z'],
      end_date: ['2024-06-01T00:00:00Z', '2024-06-01T00:00:00Z'],
      revision: ['2026-07-15.pre', '2026-07-15.pre'],
      base_url: ['https://eu.example.com', 'https://eu.example.com'],
      metric_streams: ['{"placed_order": "Placed Order"}', { placed_order: 'Placed Order' }],
      streams: ['{"events": {"page_size": 50}}', { events: { page_size: 50 } }],
      conversion_metric: ['Ordered Product', 'Ordered Product'],
      report_reread_days: ['14', 14],
      report_daily_budget: ['0.25', 0.25],
    };
    const env: NodeJS.ProcessEnv = {};
    const expected: Record<string, unknown> = {};
    for (const [name, p] of Object.entries(props)) {
      const byType: [string, unknown] | undefined =
        p.enum ? [p.enum.find((v) => v !== p.default) ?? '', p.enum.find((v) => v !== p.default)]
        : p.type === 'integer' || p.type === 'number' ? ['3', 3]
        : p.type === 'boolean' ? ['True', true]
        : undefined;
      const sample = samples[name] ?? byType;
      assert.ok(sample, `a Meltano-style sample value for ${name} (${p.type}): add one to this test`);
      env[envName(name)] = sample[0];
      expected[name] = sample[1];
    }
    const config = loadConfig(tempFile('config.json', { max_retries: 5 }), env) as unknown as Record<string, unknown>;
    assert.deepEqual(config, { ...expected, max_retries: 5 });
    // Meltano 4 flattens an object setting's nested keys with dots in the variable (checked with meltano invoke).
    const flat = { [envName('api_key')]: API_KEY, [envName('streams')]: '{"metric_aggregates.start_date": "2026-10-28", "events.page_size": 50, "events.lookback_days": 2}' };
    assert.deepEqual(loadConfig(null, flat).streams, { metric_aggregates: { start_date: '2026-10-28' }, events: { page_size: 50, lookback_days: 2 } });
    const bad = { [envName('lookback_days')]: 'three', [envName('api_key')]: API_KEY };
    assert.throws(() => loadConfig(tempFile('config.json', {}), bad), (err: unknown) => err instanceof ConfigError && /^TAP_KLAVIYO_LOOKBACK_DAYS: not a number: "three"; give JSON/.test(err.message));
  });

  describe('without --config (how Meltano runs commands), the settings come from TAP_KLAVIYO_*', () => {
    const env = { TAP_KLAVIYO_API_KEY: API_KEY, TAP_KLAVIYO_ACCOUNT_ID_COLUMN: 'true', TAP_KLAVIYO_METRIC_STREAMS: '{"placed_order": "Placed Order"}' };
    const { api_key: _key, ...fileSettings } = { ...BASE_CONFIG, account_id_column: true, metric_streams: { placed_order: 'Placed Order' } };

    it('--discover reads them as a config file would give them; --config ENV (the Meltano SDK spelling) too', async () => {
      const withFile = await runTap({ config: fileSettings, args: ['--discover'], env: { TAP_KLAVIYO_API_KEY: API_KEY } });
      assert.equal(withFile.code, 0, withFile.stderr);
      for (const args of [['--discover'], ['--config', 'ENV', '--discover']]) {
        const run = await runTap({ args, env });
        assert.deepEqual([run.code, run.stderr], [0, ''], args.join(' '));
        assert.equal(run.stdout, withFile.stdout, `${args.join(' ')}: the catalog of the same settings`);
      }
      assert.match(withFile.stdout, /"placed_order"/);
      assert.match(withFile.stdout, /"key_properties": \[\s*"account_id"/);
    });

    it('--test (meltano test tap-klaviyo) uses the key from the environment', async () => {
      nock.disableNetConnect();
      const scope = nock(BASE).get(() => true).query(true).matchHeader('authorization', `Klaviyo-API-Key ${API_KEY}`).reply(200, { data: [], links: { next: null } }).persist();
      try {
        const run = await runTap({ args: ['--test'], env: { TAP_KLAVIYO_API_KEY: API_KEY } });
        assert.equal(run.code, 0, run.stderr);
        assert.match(run.stdout, /^ok: /);
        assert.ok(scope.isDone(), 'the key was tried');
      } finally {
        nock.cleanAll();
        nock.enableNetConnect();
      }
    });

    it('no --config and no TAP_KLAVIYO_* setting: one line saying both ways (exit 2)', async () => {
      const run = await runTap({ args: ['--discover'], env: { TAP_KLAVIYO_UNRELATED: 'x' } });
      assert.equal(run.code, 2);
      assert.match(run.stderr, /^tap-klaviyo: --config is required .*TAP_KLAVIYO_<SETTING> environment variables .*--config ENV.*\n$/);
    });
  });

  it('the Meltano SDK settings (stream maps, flattening, faker, batch) are refused with what to use instead', async () => {
    for (const name of Object.keys(SDK_SETTINGS)) {
      const run = await runTap({ config: { ...BASE_CONFIG, [name]: name === 'flattening_enabled' ? true : {} }, args: ['--discover'] });
      assert.deepEqual([run.code, run.stdout], [2, ''], name);
      const line = new RegExp(`^tap-klaviyo: config: "${name}" is ${name === 'batch_config' ? "the Meltano SDK's BATCH message setting" : 'a Meltano SDK mapper feature.* meltano-map-transformer'}[^\n]*\n$`);
      assert.match(run.stderr, line, name);
    }
  });
});
