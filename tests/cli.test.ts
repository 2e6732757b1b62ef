// The command line: every bad input ends with one clear, secret-free stderr line and nothing on stdout; the
// informational commands (--about, --version, --help) and discovery print exactly what users and Meltano expect.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import nock from 'nock';
import { API_KEY } from './helpers/fake-klaviyo.js';
import { BASE_CONFIG, runTap, type TapInput, type TapRun } from './helpers/run-tap.js';

const ROOT = new URL('../../', import.meta.url);
const readJson = (name: string): unknown => JSON.parse(readFileSync(new URL(name, ROOT), 'utf8'));
const PACKAGE = readJson('package.json') as { name: string; version: string };
const CONFIG_SCHEMA = readJson('schemas/config.json') as { properties: Record<string, unknown> };
const SETTINGS = Object.keys(CONFIG_SCHEMA.properties);
const EXAMPLE_CATALOG = readJson('catalog.example.json');

interface Metadata {
  breadcrumb: string[];
  metadata: Record<string, unknown>;
}
interface Entry {
  tap_stream_id: string;
  stream: string;
  schema: { properties: Record<string, unknown> };
  key_properties: string[];
  replication_method: string;
  replication_key?: string;
  metadata: Metadata[];
}

const C = BASE_CONFIG;
const selected = (id: string) => ({ tap_stream_id: id, metadata: [{ breadcrumb: [], metadata: { selected: true } }] });
const notSelected = (id: string) => ({ tap_stream_id: id, metadata: [{ breadcrumb: [], metadata: { selected: false } }] });

/** One line on stderr, `tap-klaviyo: ...`, exit 2, nothing on stdout, no secret. */
function assertBadInput(run: TapRun, field: RegExp): void {
  assert.equal(run.code, 2, `exit code (stderr: ${run.stderr})`);
  assert.equal(run.stdout, '');
  assert.ok(run.stderr.endsWith('\n'), 'stderr ends its line');
  const lines = run.stderr.slice(0, -1).split('\n');
  assert.equal(lines.length, 1, `exactly one stderr line, got: ${run.stderr}`);
  assert.match(lines[0] ?? '', /^tap-klaviyo: \S/);
  assert.match(lines[0] ?? '', field);
  assert.ok(!run.stderr.includes(API_KEY), 'the API key is not in stderr');
}

const BAD_INPUTS: Array<[string, TapInput, RegExp]> = [
  // flags
  ['no --config', { args: [] }, /--config is required/],
  ['an unknown flag', { config: C, args: ['--bogus'] }, /--bogus/],
  ['a positional argument', { config: C, args: ['extra'] }, /'extra'/],
  ['--audit with --plan', { config: C, args: ['--audit', '--plan'] }, /--audit applies to a sync only; drop it or --plan/],
  ['--audit with --discover', { config: C, args: ['--discover', '--audit'] }, /--audit applies to a sync only; drop it or --discover/],
  ['--audit with a value', { config: C, args: ['--audit=yes'] }, /--audit/],
  ['audit as a string', { config: { ...C, audit: 'yes' } }, /"audit" must be boolean/],
  ['--about --format xml', { args: ['--about', '--format', 'xml'] }, /--format must be json or markdown \(got xml\)/],
  // config file
  ['a config file that does not exist', { args: ['--config', '/nonexistent/tap-klaviyo/config.json'] }, /--config \/nonexistent\/tap-klaviyo\/config\.json: cannot read/],
  ['a config that is not JSON', { config: '{"api_key": ' }, /--config \S+config\.json: not valid JSON/],
  ['a config that is an array', { config: '[{"api_key": "x"}]' }, /--config \S+config\.json: expected a JSON object/],
  ['a config that is a string', { config: '"api_key"' }, /--config \S+: expected a JSON object/],
  ['an unknown key', { config: { ...C, start_dat: '2024-01-01' } }, /unknown key "start_dat": did you mean "start_date"\?/],
  ['a misspelt api key setting', { config: { ...C, apikey: 'pk_x' } }, /unknown key "apikey": did you mean "api_key"\?/],
  ['max_retries as a string', { config: { ...C, max_retries: '3' } }, /"max_retries" must be integer/],
  ['max_requests_in_flight 0', { config: { ...C, max_requests_in_flight: 0 } }, /"max_requests_in_flight" must be >= 1/],
  ['negative lookback_days', { config: { ...C, lookback_days: -1 } }, /"lookback_days" must be >= 0/],
  ['a log_level that does not exist', { config: { ...C, log_level: 'verbose' } }, /"log_level"/],
  ['an unparseable start_date', { config: { ...C, start_date: 'last tuesday' } }, /"start_date" is not a date: "last tuesday"/],
  ['an impossible start_date (Feb 30)', { config: { ...C, start_date: '2024-02-30' } }, /"start_date" is not a date/],
  ['end_date before start_date', { config: { ...C, start_date: '2024-01-01', end_date: '2023-01-01' } }, /"end_date" \(2023-01-01\) must be after "start_date"/],
  ['a stream override end_date before the start_date', { config: { ...C, streams: { events: { end_date: '2020-01-01' } } } }, /streams\.events: "end_date" .* must be after/],
  ['http base_url to a non-loopback host', { config: { ...C, base_url: 'http://a.klaviyo.com' } }, /"base_url" must use https/],
  ['http base_url to a host that only starts like localhost', { config: { ...C, base_url: 'http://localhost.evil.example' } }, /"base_url" must use https/],
  ['base_url with a path', { config: { ...C, base_url: 'https://a.klaviyo.com/api' } }, /"base_url" must be an origin only/],
  ['base_url that is not a URL', { config: { ...C, base_url: 'a.klaviyo.com' } }, /"base_url" is not a URL/],
  ['no api_key and no environment key', { config: { start_date: '2024-01-01' } }, /"api_key" is required.*TAP_KLAVIYO_API_KEY/],
  ['an empty api_key', { config: { ...C, api_key: '' } }, /"api_key"/],
  ['a malformed revision', { config: { ...C, revision: 'v3' } }, /"revision" must match pattern/],
  ['a metric stream id that is not snake case ("Placed Order")', { config: { ...C, metric_streams: { 'Placed Order': 'Placed Order' } } }, /key "metric_streams.Placed Order" is not allowed: use lower snake case/],
  ['a metric stream with an empty metric name', { config: { ...C, metric_streams: { placed_order: '' } } }, /metric_streams\.placed_order/],
  ['a metric stream clashing with a built-in one (events)', { config: { ...C, metric_streams: { events: 'Placed Order' } } }, /metric_streams\.events clashes with a built-in stream/],
  ['an override for a stream that does not exist', { config: { ...C, streams: { evnts: { page_size: 10 } } } }, /streams\.evnts names no stream; did you mean "events"\?/],
  ['an override with an unknown key', { config: { ...C, streams: { events: { page_sise: 10 } } } }, /unknown key "streams\.events\.page_sise"/],
  ['an override with a bad page_size', { config: { ...C, streams: { events: { page_size: 0 } } } }, /"streams\.events\.page_size" must be >= 1/],
  // the API key pasted into another field is still masked
  ['the API key pasted into end_date', { config: { ...C, end_date: API_KEY } }, /"end_date" is not a date: "\*\*\*"/],
  ['a key from the environment pasted into start_date', { config: { start_date: API_KEY }, env: { TAP_KLAVIYO_API_KEY: API_KEY } }, /"start_date" is not a date/],
  // catalog
  ['a catalog that is not JSON', { config: C, catalog: 'nope' }, /--catalog \S+catalog\.json: not valid JSON/],
  ['a catalog without streams', { config: C, catalog: {} }, /--catalog \S+: "streams" is required/],
  ['a catalog whose streams is not an array', { config: C, catalog: { streams: {} } }, /--catalog \S+: "streams" must be array/],
  ['a catalog stream without metadata', { config: C, catalog: { streams: [{ tap_stream_id: 'events' }] } }, /--catalog \S+: "streams\.0\.metadata" is required/],
  ['a catalog with an unknown stream id', { config: C, catalog: { streams: [selected('evnts')] } }, /--catalog: stream "evnts" is not a tap-klaviyo stream; did you mean "events"\?/],
  ['a catalog with a stream twice', { config: C, catalog: { streams: [selected('metrics'), selected('metrics')] } }, /--catalog: stream "metrics" appears twice/],
  // state
  ['a state that is not JSON', { config: C, state: '{' }, /--state \S+state\.json: not valid JSON/],
  ['a state that is an array', { config: C, state: [] }, /--state \S+: expected a JSON object/],
  ['state bookmarks that are not an object', { config: C, state: { bookmarks: [] } }, /"bookmarks" must be an object/],
  ['a state from another tap', { config: C, state: { bookmarks: { orders: { replication_key: 'updated_at', replication_key_value: '2024-01-01' } } } }, /no bookmark names a tap-klaviyo stream \(orders\); is this another tap's state\?/],
  ['a state replication_key_value that is not a date', { config: C, state: { bookmarks: { events: { replication_key: 'datetime', replication_key_value: 'soon' } } } }, /bookmarks\.events\.replication_key_value is not a datetime: "soon"/],
  ['a state replication_key of another field', { config: C, state: { bookmarks: { events: { replication_key: 'timestamp', replication_key_value: '2024-01-01' } } } }, /bookmarks\.events\.replication_key is "timestamp" but this stream replicates on "datetime"/],
  ['state partitions that are not an array', { config: C, state: { bookmarks: { list_members: { partitions: {} } } } }, /bookmarks\.list_members\.partitions must be an array/],
  ['a state partition without context', { config: C, state: { bookmarks: { list_members: { partitions: [{ replication_key: 'joined_group_at', replication_key_value: '2024-01-01' }] } } } }, /bookmarks\.list_members\.partitions\[0\] needs a "context"/],
];

describe('cli', () => {
  before(() => nock.disableNetConnect());
  afterEach(() => nock.cleanAll());
  after(() => nock.enableNetConnect());

  describe('bad input: exit 2, nothing on stdout, one stderr line naming the problem, no secret', () => {
    assert.ok(BAD_INPUTS.length >= 20);
    for (const [name, input, field] of BAD_INPUTS) {
      it(name, async () => assertBadInput(await runTap(input), field));
    }

    it('a revision past its retirement: its warning waits for the input checks, so bad input still gets one line', async () => {
      // 2024-02-15 retired on 2026-02-15: the tap would warn about it on any date this suite runs.
      const retired = { ...C, revision: '2024-02-15' };
      for (const [, input, field] of BAD_INPUTS.filter(([, i]) => i.config === C)) {
        assertBadInput(await runTap({ ...input, config: retired }), field);
      }
    });

    it('a catalog with a stream twice, the first entry unselected', async () => {
      assertBadInput(await runTap({ config: C, catalog: { streams: [notSelected('metrics'), selected('metrics')] } }), /stream "metrics" appears twice/);
    });

    it('a bad metric_streams key is named in the message', async () => {
      assertBadInput(await runTap({ config: { ...C, metric_streams: { placed_order: 'Placed Order', 'Viewed Product': 'Viewed Product' } } }), /Viewed Product/);
    });

    it('malformed JSON next to the key shows no part of it (only where the error is)', async () => {
      for (const text of [`{"api_key": ${API_KEY}}`, `{"api_key": "${API_KEY}",}`, `{"api_key": "${API_KEY}"`]) {
        const run = await runTap({ config: text });
        assertBadInput(run, /--config \S+: not valid JSON \((error at line 1, column \d+|unexpected end or token)\); fix the file/);
        assert.ok(!run.stderr.includes(API_KEY.slice(0, 8)), `no part of the key in: ${run.stderr}`);
      }
    });

    it('an unknown key in a stream override gets a hint from the override keys', async () => {
      assertBadInput(await runTap({ config: { ...C, streams: { events: { page_sise: 10 } } } }), /did you mean "page_size"\?/);
    });
  });

  describe('informational commands', () => {
    it('--about --format json: capabilities, every setting of schemas/config.json, every stream', async () => {
      const run = await runTap({ args: ['--about', '--format', 'json'] });
      assert.equal(run.code, 0);
      assert.equal(run.stderr, '');
      const about = JSON.parse(run.stdout) as { name: string; version: string; capabilities: string[]; api_revision: unknown; settings: { properties: Record<string, unknown> }; streams: Array<{ name: string }> };
      assert.equal(about.name, PACKAGE.name);
      assert.equal(about.version, PACKAGE.version);
      for (const c of ['catalog', 'discover', 'state', 'about', 'test']) assert.ok(about.capabilities.includes(c), c);
      assert.deepEqual(Object.keys(about.settings.properties), SETTINGS);
      assert.deepEqual(about.settings, CONFIG_SCHEMA);
      assert.deepEqual(about.api_revision, { revision: '2026-07-15', released: '2026-07-15', deprecated: '2027-07-15', retired: '2028-07-15' });
      const catalogIds = (EXAMPLE_CATALOG as { streams: Entry[] }).streams.map((s) => s.tap_stream_id);
      assert.deepEqual(about.streams.map((s) => s.name), catalogIds);
    });

    it('--about defaults to JSON', async () => {
      const run = await runTap({ args: ['--about'] });
      assert.equal(run.code, 0);
      assert.deepEqual(JSON.parse(run.stdout), JSON.parse((await runTap({ args: ['--about', '--format', 'json'] })).stdout));
    });

    it('--about --format markdown: a settings table row per setting, a row per stream', async () => {
      const run = await runTap({ args: ['--about', '--format', 'markdown'] });
      assert.equal(run.code, 0);
      assert.equal(run.stderr, '');
      assert.match(run.stdout, new RegExp(`^# ${PACKAGE.name} ${PACKAGE.version.replace(/\./g, '\\.')}\n`));
      assert.match(run.stdout, /Capabilities: catalog, discover, state, about, test/);
      assert.match(run.stdout, /^Klaviyo API revision: 2026-07-15 \(deprecated from 2027-07-15, retired on 2028-07-15\)$/m);
      for (const setting of SETTINGS) assert.match(run.stdout, new RegExp(`^\\| \`${setting}\` \\|`, 'm'), setting);
      for (const s of (EXAMPLE_CATALOG as { streams: Entry[] }).streams) assert.match(run.stdout, new RegExp(`^\\| \`${s.tap_stream_id}\` \\|`, 'm'), s.tap_stream_id);
      assert.doesNotMatch(run.stdout, /^\s*[{[]/, 'not JSON');
    });

    it('--version prints the package name and version', async () => {
      const run = await runTap({ args: ['--version'] });
      assert.deepEqual([run.code, run.stdout, run.stderr], [0, `${PACKAGE.name} ${PACKAGE.version}\n`, '']);
    });

    it('--help prints the usage with every flag, on stdout', async () => {
      const run = await runTap({ args: ['--help'] });
      assert.equal(run.code, 0);
      assert.equal(run.stderr, '');
      assert.match(run.stdout, /^Usage: tap-klaviyo /);
      for (const flag of ['--config', '--catalog', '--properties', '--state', '--discover', '--test', '--plan', '--audit', '--about', '--format', '--version', '--help']) assert.ok(run.stdout.includes(flag), flag);
    });
  });

  describe('--discover', () => {
    async function discover(config: Record<string, unknown>): Promise<{ streams: Entry[] }> {
      const run = await runTap({ config, args: ['--discover'] });
      assert.equal(run.code, 0, run.stderr);
      assert.equal(run.stderr, '');
      return JSON.parse(run.stdout) as { streams: Entry[] };
    }
    const streamMeta = (entry: Entry): Record<string, unknown> => entry.metadata.find((m) => m.breadcrumb.length === 0)?.metadata ?? {};
    const fieldMeta = (entry: Entry, field: string): Record<string, unknown> | undefined => entry.metadata.find((m) => m.breadcrumb.join('/') === `properties/${field}`)?.metadata;

    it('without metric_streams, prints exactly the committed catalog.example.json', async () => {
      assert.deepEqual(await discover(C), EXAMPLE_CATALOG);
    });

    it('needs no API request and works with the key from the environment', async () => {
      const { api_key: _key, ...withoutKey } = C;
      const run = await runTap({ config: withoutKey, args: ['--discover'], env: { TAP_KLAVIYO_API_KEY: API_KEY } });
      assert.equal(run.code, 0, run.stderr);
      assert.deepEqual(JSON.parse(run.stdout), EXAMPLE_CATALOG);
    });

    it('metric_streams {"placed_order": "Placed Order"} adds a placed_order stream shaped like events', async () => {
      const catalog = await discover({ ...C, metric_streams: { placed_order: 'Placed Order' } });
      const ids = catalog.streams.map((s) => s.tap_stream_id);
      assert.deepEqual(ids, [...(EXAMPLE_CATALOG as { streams: Entry[] }).streams.map((s) => s.tap_stream_id), 'placed_order']);
      const placed = catalog.streams.find((s) => s.tap_stream_id === 'placed_order');
      const events = catalog.streams.find((s) => s.tap_stream_id === 'events');
      assert.ok(placed && events);
      assert.equal(placed.stream, 'placed_order');
      assert.deepEqual(placed.schema, events.schema);
      assert.deepEqual([placed.key_properties, placed.replication_method, placed.replication_key], [['id'], 'INCREMENTAL', 'datetime']);
      assert.deepEqual(streamMeta(placed)['valid-replication-keys'], ['datetime']);
    });

    describe('metadata', () => {
      let catalog: { streams: Entry[] };
      before(async () => {
        catalog = await discover(C);
      });

      it('every stream: table-key-properties; forced-replication-method FULL_TABLE without a key, valid-replication-keys with one', () => {
        for (const entry of catalog.streams) {
          const meta = streamMeta(entry);
          assert.equal(entry.stream, entry.tap_stream_id);
          assert.deepEqual(meta['table-key-properties'], entry.key_properties, entry.tap_stream_id);
          assert.ok(entry.key_properties.length > 0, entry.tap_stream_id);
          // A stream with a replication key offers both methods (chosen with replication-method): nothing forced.
          assert.equal(meta['forced-replication-method'], entry.replication_method === 'FULL_TABLE' ? 'FULL_TABLE' : undefined, entry.tap_stream_id);
          assert.ok(['INCREMENTAL', 'FULL_TABLE'].includes(entry.replication_method));
          if (entry.replication_method === 'INCREMENTAL') {
            assert.ok(entry.replication_key, entry.tap_stream_id);
            assert.deepEqual(meta['valid-replication-keys'], [entry.replication_key], entry.tap_stream_id);
          } else {
            assert.equal(entry.replication_key, undefined);
            assert.equal(meta['valid-replication-keys'], undefined, entry.tap_stream_id);
          }
        }
        assert.equal(catalog.streams.find((s) => s.tap_stream_id === 'metrics')?.replication_method, 'FULL_TABLE');
      });

      const parents: Array<[string, string | undefined, string[]]> = [
        ['list_members', 'lists', ['list_id', 'id']],
        ['segment_members', 'segments', ['segment_id', 'id']],
        ['lists', undefined, ['id']],
        ['events', undefined, ['id']],
      ];
      for (const [stream, parent, key] of parents) {
        it(`${stream}: parent-tap-stream-id ${parent ?? 'absent'}, key [${key.join(', ')}]`, () => {
          const entry = catalog.streams.find((s) => s.tap_stream_id === stream);
          assert.ok(entry);
          assert.equal(streamMeta(entry)['parent-tap-stream-id'], parent);
          assert.deepEqual(entry.key_properties, key);
        });
      }

      it('keys and replication keys are automatic; every field has metadata, and only schema fields do', () => {
        for (const entry of catalog.streams) {
          const fields = Object.keys(entry.schema.properties);
          const described = entry.metadata.filter((m) => m.breadcrumb.length > 0).map((m) => m.breadcrumb[1]);
          assert.deepEqual([...described].sort(), [...fields].sort(), entry.tap_stream_id);
          const automatic = new Set([...entry.key_properties, ...(entry.replication_key ? [entry.replication_key] : [])]);
          for (const field of fields) {
            const meta = fieldMeta(entry, field);
            assert.equal(meta?.['inclusion'], automatic.has(field) ? 'automatic' : 'available', `${entry.tap_stream_id}.${field}`);
          }
          for (const field of automatic) assert.ok(fields.includes(field), `${entry.tap_stream_id}: ${field} is in the schema`);
        }
      });

      const costly: Array<[string, string, boolean]> = [
        ['profiles', 'subscriptions', false],
        ['profiles', 'predictive_analytics', false],
        ['profiles', 'email', true],
        ['list_members', 'subscriptions', false],
        ['segment_members', 'predictive_analytics', false],
        ['events', 'event_properties', true],
      ];
      for (const [stream, field, byDefault] of costly) {
        it(`${stream}.${field}: selected-by-default ${byDefault}`, () => {
          const entry = catalog.streams.find((s) => s.tap_stream_id === stream);
          assert.ok(entry);
          assert.equal(fieldMeta(entry, field)?.['selected-by-default'], byDefault);
        });
      }
    });
  });
});
