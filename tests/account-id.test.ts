// account_id_column: the discovered catalog keys every stream by account, and a sync against the simulator
// gives every record the account's id (read once), otherwise equal to the ground truth, with state unchanged.
import assert from 'node:assert/strict';
import { startSimulator, type Simulator } from '../src/simulator/server.js';
import { allStreams, builtInStreams } from '../src/streams/registry.js';
import { discover } from '../src/tap/singer/catalog.js';
import { canonical, E2eWorkspace, isQueryStream, SIM_KEY, STREAMS, truth, type Row } from './helpers/e2e.js';
import { BASE_CONFIG, runTap } from './helpers/run-tap.js';

interface Entry {
  tap_stream_id: string;
  key_properties: string[];
  schema: { properties: Record<string, unknown>; required?: string[] };
  metadata: Array<{ breadcrumb: string[]; metadata: Record<string, unknown> }>;
}

async function discovered(config: Record<string, unknown>): Promise<Entry[]> {
  const run = await runTap({ config: { ...BASE_CONFIG, ...config }, args: ['--discover'] });
  assert.equal(run.code, 0, run.stderr);
  return (JSON.parse(run.stdout) as { streams: Entry[] }).streams;
}

describe('account_id_column', () => {
  it('--discover leads every key with account_id, an automatic required field, only when set', async () => {
    const scoped = await discovered({ account_id_column: true, metric_streams: { placed_order: 'Placed Order' } });
    assert.equal(scoped.length, builtInStreams().length + 1);
    for (const entry of scoped) {
      const own = builtInStreams().find((s) => s.name === entry.tap_stream_id)?.primaryKey ?? ['id'];
      assert.deepEqual(entry.key_properties, ['account_id', ...own], entry.tap_stream_id);
      assert.deepEqual(entry.metadata.find((m) => m.breadcrumb.length === 0)?.metadata['table-key-properties'], entry.key_properties);
      assert.deepEqual(entry.schema.properties['account_id'], { type: 'string', description: 'The Klaviyo account the record was read from (account_id_column)' });
      assert.ok(entry.schema.required?.includes('account_id'));
      assert.equal(entry.metadata.find((m) => m.breadcrumb.join('/') === 'properties/account_id')?.metadata['inclusion'], 'automatic');
    }
    for (const entry of await discovered({})) {
      assert.ok(!entry.key_properties.includes('account_id') && !('account_id' in entry.schema.properties), entry.tap_stream_id);
    }
  });

  describe('against the simulator', function () {
    this.timeout(240_000);
    let sim: Simulator;
    before(async () => {
      sim = await startSimulator({ seed: 11, scale: 'small', apiKey: SIM_KEY, rateLimitSpeedup: 4 });
    });
    after(async () => sim.close());

    it('every record carries the account id and is otherwise the ground truth; SCHEMA keys lead with it', async () => {
      // The report streams (their quota needs a simulated day) have their own end-to-end test.
      const catalog = discover(allStreams({}, true).filter((s) => !isQueryStream(s)));
      for (const s of catalog.streams) for (const m of s.metadata) m.metadata['selected'] = true;
      const ws = new E2eWorkspace(sim, { account_id_column: true });
      const run = await ws.run(undefined, catalog);
      assert.equal(run.code, 0, run.stderr.slice(-2000));
      const [account] = truth(sim, 'accounts');
      const accountId = account?.['id'];
      assert.equal(typeof accountId, 'string');
      assert.equal(sim.stats().requests['get_accounts'], 3, 'the scope check (accounts:read), one read for account_id, one for the accounts stream');

      const schemas = run.lines.map((l) => JSON.parse(l) as { type: string; stream: string; key_properties?: string[] }).filter((m) => m.type === 'SCHEMA');
      for (const stream of STREAMS) {
        assert.deepEqual(schemas.find((m) => m.stream === stream.name)?.key_properties, ['account_id', ...stream.primaryKey], stream.name);
        const got = run.records.get(stream.name) ?? [];
        assert.ok(got.every((r) => r['account_id'] === accountId), `${stream.name}: every record has the account id`);
        const stripped = got.map(({ account_id: _, ...rest }): Row => rest);
        assert.deepEqual(canonical(stripped, stream.name), canonical(truth(sim, stream.name), stream.name), stream.name);
      }
      assert.ok(!JSON.stringify(run.state).includes('account_id'), 'state is the same shape as without the setting');
    });
  });
});
