// Scale "large" stays lazy (compact columns, pages rendered on demand) and the CLI behaves.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { simGet, type JsonApiResource } from '../src/simulator/client.js';
import { GROUND_TRUTH_STREAMS } from '../src/simulator/ground-truth.js';
import { startSimulator, type Simulator } from '../src/simulator/server.js';
import { PINNED_WORLD } from './helpers/clock.js';

const CLI = join(process.cwd(), 'dist/src/simulator/cli.js');

describe('simulator: scale large', function () {
  this.timeout(60_000);
  let sim: Simulator;

  before(async () => {
    sim = await startSimulator({ scale: 'large', rateLimits: false, ...PINNED_WORLD });
  });
  after(async () => sim?.close());

  it('holds at least a million events and 100k profiles in modest memory', async () => {
    assert.ok(sim.world.events.size() >= 1_000_000);
    assert.ok(sim.world.profiles.size() >= 100_000);
    const response = await simGet(sim.url, '/api/events?page[size]=1000&filter=greater-or-equal(datetime,2025-07-01T00:00:00Z)&include=metric,profile');
    assert.equal(response.status, 200);
    const events = (response.body as { data: JsonApiResource[] }).data;
    assert.equal(events.length, 1000);
    assert.ok(String(events[0]?.attributes['datetime']) >= '2025-07-01T00:00:00+00:00');
    const memory = process.memoryUsage();
    assert.ok(memory.heapUsed + memory.arrayBuffers < 700e6, `heap ${memory.heapUsed} + buffers ${memory.arrayBuffers}`);
  });

  it('serves filtered, sorted and mutated pages', async () => {
    const { events } = sim.mutate({ newEvents: 5, lateEvents: 5, updatedProfiles: 10 });
    assert.equal(events.length, 10);
    const latest = await simGet(sim.url, '/api/events?page[size]=5&sort=-datetime');
    assert.ok((latest.body as { data: JsonApiResource[] }).data.some((e) => events.includes(e.id)));
    const metric = sim.world.metrics.id(2);
    const filtered = await simGet(sim.url, `/api/events?page[size]=100&filter=equals(metric_id,'${metric}')`);
    assert.ok((filtered.body as { data: JsonApiResource[] }).data.every((e) => (e.relationships?.['metric']?.data as { id: string }).id === metric));
    const updated = await simGet(sim.url, '/api/profiles?page[size]=10&sort=-updated');
    assert.equal((updated.body as { data: JsonApiResource[] }).data.length, 10);
  });
});

describe('simulator: CLI', function () {
  this.timeout(30_000);

  it('prints the listening line first, serves, and stops on SIGTERM', async () => {
    const child = spawn(process.execPath, [CLI, '--port', '0', '--seed', '7', '--latency-ms=1', '--no-rate-limits'], { stdio: ['ignore', 'pipe', 'pipe'] });
    const first = await firstLine(child);
    assert.match(first, /^listening on http:\/\/127\.0\.0\.1:\d+$/);
    const url = first.slice('listening on '.length);
    assert.equal((await simGet(url, '/api/accounts')).status, 200);
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    assert.equal(await exited, 0);
  });

  const bad: string[][] = [['--bogus'], ['--scale', 'huge'], ['--error-rate', '1.5'], ['--port'], ['--data-end', 'yesterday']];
  for (const args of bad) {
    it(`exits 2 with one stderr line for ${args.join(' ')}`, () => {
      const result = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8' });
      assert.equal(result.status, 2);
      assert.equal(result.stderr.trim().split('\n').length, 1, result.stderr);
      assert.equal(result.stdout, '');
    });
  }

  it('--ground-truth DIR writes one JSONL file per stream', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sim-truth-'));
    try {
      const child = spawn(process.execPath, [CLI, '--port', '0', '--ground-truth', dir], { stdio: ['ignore', 'pipe', 'pipe'] });
      assert.match(await firstLine(child), /^listening on /);
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGINT');
      assert.equal(await exited, 0);
      const files = readdirSync(dir).sort();
      assert.deepEqual(files, GROUND_TRUTH_STREAMS.map((s) => `${s}.jsonl`).sort());
      const sim = await startSimulator({});
      try {
        for (const stream of ['events', 'list_members', 'global_exclusions']) {
          const lines = readFileSync(join(dir, `${stream}.jsonl`), 'utf8').trim().split('\n');
          assert.equal(lines.length, [...sim.groundTruth(stream)].length, stream);
        }
      } finally {
        await sim.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

function firstLine(child: ReturnType<typeof spawn>): Promise<string> {
  return new Promise((resolve, reject) => {
    let buffered = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      buffered += chunk.toString('utf8');
      const end = buffered.indexOf('\n');
      if (end >= 0) resolve(buffered.slice(0, end));
    });
    child.once('exit', (code) => reject(new Error(`exited ${code} before printing a line`)));
  });
}
