// --sample N against the simulator (the built tap): the first N records of each selected stream on stderr, as an
// aligned table or JSON lines, equal to the ground truth; stdout empty (no Singer message, no STATE), a few
// requests per stream, bad values refused with one line.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runTapProcess } from '../scripts/lib/processes.js';
import { startSimulator, type Simulator } from '../src/simulator/server.js';
import { canonical, SIM_KEY, truth, type Row } from './helpers/e2e.js';
import { catalogOfStreams, CHILD_ENV, TapFiles } from './helpers/tap-files.js';

const STREAMS = ['events', 'lists', 'list_members', 'tags', 'profiles'];
const N = 3;
/** One or two pages per stream, plus a parent listing for a child stream and the account/metric lookups. */
const MAX_REQUESTS_PER_STREAM = 4;

describe('--sample N: a preview on stderr', function () {
  this.timeout(60_000);
  let sim: Simulator;
  let files: TapFiles;
  let base: string[];
  let runs = 0;
  before(async () => {
    sim = await startSimulator({ seed: 23, scale: 'small', apiKey: SIM_KEY });
    files = new TapFiles('tap-klaviyo-sample-');
    const config = { api_key: SIM_KEY, base_url: sim.url, start_date: '2020-01-01T00:00:00Z', request_timeout_s: 5 };
    base = ['--config', files.write('config.json', config), '--catalog', files.write('catalog.json', catalogOfStreams(STREAMS))];
  });
  after(() => sim.close());

  async function sample(...args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
    const out = join(files.dir, `out-${++runs}.txt`);
    const result = await runTapProcess([...base, ...args], out, CHILD_ENV);
    return { code: result.code, stdout: readFileSync(out, 'utf8'), stderr: result.stderr };
  }

  it(`--format json: at most ${N} records per stream, each equal to its ground-truth record; nothing on stdout; a few requests per stream`, async () => {
    sim.resetStats();
    const state = files.write('state.json', { bookmarks: { events: { replication_key: 'datetime', replication_key_value: '2099-01-01T00:00:00Z' } } });
    const run = await sample('--sample', String(N), '--format', 'json', '--state', state);
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.stdout, '', 'stdout stays empty');
    assert.equal(readFileSync(state, 'utf8').includes('2099'), true, 'the state file is left alone');
    const lines = run.stderr.split('\n').filter((l) => l.startsWith('{"stream"'));
    const byStream = new Map<string, Row[]>();
    for (const line of lines) {
      const { stream, record } = JSON.parse(line) as { stream: string; record: Row };
      byStream.set(stream, [...(byStream.get(stream) ?? []), record]);
    }
    for (const stream of STREAMS) {
      const rows = byStream.get(stream) ?? [];
      assert.equal(rows.length, N, `${stream}: ${N} records (read from start_date, whatever the state says)`);
      const want = canonical(truth(sim, stream), stream);
      for (const [key, form] of canonical(rows, stream)) assert.equal(form, want.get(key), `${stream} ${key} equals the ground truth`);
    }
    const requests = sim.stats().total;
    assert.ok(requests <= STREAMS.length * MAX_REQUESTS_PER_STREAM, `${requests} requests for ${STREAMS.length} streams`);
  });

  it('a table per stream: a heading, the key first, aligned columns, long values cut short', async () => {
    const run = await sample('--sample', '2');
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.stdout, '');
    for (const stream of STREAMS) {
      const at = run.stderr.indexOf(`${stream}: 2 record(s)\n`);
      assert.ok(at >= 0, `${stream} heading`);
      const [header = '', rule = '', ...rows] = run.stderr.slice(at).split('\n').slice(1, 5);
      assert.ok(header.startsWith(stream === 'list_members' ? 'list_id' : 'id'), `${stream}: key first (${header.slice(0, 20)})`);
      assert.match(rule, /^-+( +-+)*$/);
      const starts = [...rule.matchAll(/-+/g)].map((m) => m.index);
      for (const row of rows.slice(0, 2)) {
        for (const start of starts.slice(1)) assert.equal(row[start - 1] === ' ' || row[start - 1] === undefined, true, `${stream}: aligned at ${start}`);
      }
      for (const cell of rows.slice(0, 2).flatMap((r) => r.split(/ {2,}/))) assert.ok(cell.length <= 28, `${stream}: cell cut short (${cell.length})`);
    }
  });

  for (const [args, pattern] of [
    [['--sample', '0'], /--sample must be a whole number from 1 to 100 \(got 0\)/],
    [['--sample', 'ten'], /--sample must be a whole number/],
    [['--sample', '2', '--format', 'csv'], /--format with --sample must be table or json \(got csv\)/],
  ] as const) {
    it(`${args.join(' ')}: exit 2 with one line`, async () => {
      const run = await sample(...args);
      assert.equal(run.code, 2);
      assert.match(run.stderr.trim(), pattern);
      assert.equal(run.stderr.trim().split('\n').length, 1);
    });
  }
});
