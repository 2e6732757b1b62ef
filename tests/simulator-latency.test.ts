// With latency on, the simulator renders a page as soon as its request arrives and sends it once the latency
// has run (rendering included). What it sends must not change: the same bytes as without latency, and a
// mutation or a new setting that comes while a request waits is in its response, as when pages were rendered
// after the wait.
import assert from 'node:assert/strict';
import { ByteWriter, releaseBody } from '../src/simulator/api/byte-writer.js';
import { simGet } from '../src/simulator/client.js';
import { FaultInjector } from '../src/simulator/http/faults.js';
import { DEFAULT_KNOBS } from '../src/simulator/http/knobs.js';
import { TurnQueue } from '../src/simulator/http/turns.js';
import { startSimulator, type Simulator } from '../src/simulator/server.js';

const PATHS = [
  '/api/events?include=metric&fields[metric]=name&sort=datetime&page[size]=1000',
  '/api/profiles?additional-fields[profile]=subscriptions,predictive_analytics&page[size]=100',
  '/api/lists?include=tags',
  '/api/profiles?page[cursor]=not-a-cursor',
];

async function bytes(sim: Simulator, path: string): Promise<{ status: number; text: string }> {
  const response = await simGet(sim.url, path);
  // Error documents carry a fresh id each time.
  return { status: response.status, text: response.text.replace(/"id":"[0-9a-f-]{36}"/g, '"id":"-"') };
}

/** Sends a request, and once the simulator holds it (waiting out its latency) runs `meanwhile`. */
async function whileWaiting(sim: Simulator, path: string, meanwhile: () => void): Promise<{ status: number; text: string }> {
  const pending = bytes(sim, path);
  while (sim.stats().inFlight === 0) await new Promise((resolve) => setTimeout(resolve, 2));
  meanwhile();
  return pending;
}

describe('simulator: latency with pages rendered on arrival', function () {
  this.timeout(60_000);
  let sim: Simulator;

  beforeEach(async () => {
    sim = await startSimulator({ seed: 9, scale: 'small', rateLimits: false });
  });
  afterEach(async () => sim.close());

  it('sends the same bytes with latency as without', async () => {
    for (const path of PATHS) {
      sim.configure({ latencyMs: 0, jitterMs: 0 });
      const direct = await bytes(sim, path);
      sim.configure({ latencyMs: 40, jitterMs: 30 });
      assert.deepEqual(await bytes(sim, path), direct, path);
    }
  });

  it('answers with the world as it is once the latency has run (a mutation meanwhile)', async () => {
    const path = '/api/profiles?sort=-updated&page[size]=20';
    const before = await bytes(sim, path);
    sim.configure({ latencyMs: 300 });
    const during = await whileWaiting(sim, path, () => sim.mutate({ updatedProfiles: 5, newProfiles: 3 }));
    sim.configure({ latencyMs: 0 });
    const after = await bytes(sim, path);
    assert.notEqual(after.text, before.text, 'the mutation shows on the first page');
    assert.deepEqual(during, after);
  });

  it('answers with the settings as they are once the latency has run', async () => {
    const path = '/api/events?page[size]=5';
    sim.configure({ latencyMs: 300 });
    const during = await whileWaiting(sim, path, () => sim.configure({ nextOrigin: 'http://127.0.0.1:1' }));
    const next = (JSON.parse(during.text) as { links: { next: string } }).links.next;
    assert.ok(next.startsWith('http://127.0.0.1:1/api/events?'), next);
  });

  it('still decides the rate limit when the response goes out', async () => {
    sim.configure({ rateLimits: true, rateLimitFactor: 0.01, latencyMs: 100 });
    // The accounts tier allows 1 a second at most: of three at once, the ones after the first are refused.
    const statuses = await Promise.all([0, 1, 2].map(async () => (await simGet(sim.url, '/api/accounts')).status));
    assert.deepEqual(statuses.sort(), [200, 429, 429]);
  });

  it('keeps each body whole while buffers of bodies already sent serve later pages', async () => {
    // Pages of 1,000 events (hundreds of kilobytes, so their buffers go back for later pages), at once.
    const paths = Array.from({ length: 12 }, (_, i) => `/api/events?sort=datetime&page[size]=${1000 - i}&fields[event]=datetime,event_properties`);
    sim.configure({ latencyMs: 0, jitterMs: 0 });
    const direct: { status: number; text: string }[] = [];
    for (const path of paths) direct.push(await bytes(sim, path));
    sim.configure({ latencyMs: 60, jitterMs: 50 });
    for (let round = 0; round < 3; round++) assert.deepEqual(await Promise.all(paths.map((path) => bytes(sim, path))), direct);
  });
});

describe('simulator: body buffers used again', () => {
  it('writes a later body into the buffer of one given back, and never into one still held', () => {
    const write = (text: string): Buffer => {
      const out = new ByteWriter(text.length);
      out.write(text);
      return out.bytes();
    };
    const sent = write('a'.repeat(100_000));
    const held = write('b'.repeat(100_000));
    releaseBody(sent);
    const next = write('c'.repeat(90_000));
    assert.equal(next.buffer, sent.buffer, 'the buffer given back is used again');
    assert.notEqual(write('d'.repeat(90_000)).buffer, held.buffer);
    assert.equal(held.toString('latin1'), 'b'.repeat(100_000));
    assert.equal(next.toString('latin1'), 'c'.repeat(90_000));
  });
});

describe('simulator: latency and its spread', () => {
  it('draws each delay evenly over latency ± jitter, never below zero', () => {
    const injector = new FaultInjector(3);
    const delays = Array.from({ length: 20_000 }, () => injector.draw({ ...DEFAULT_KNOBS, latencyMs: 500, jitterMs: 200 }).delayMs);
    assert.ok(Math.min(...delays) >= 300 && Math.max(...delays) <= 700, 'within 500 ± 200');
    const mean = delays.reduce((a, b) => a + b, 0) / delays.length;
    assert.ok(Math.abs(mean - 500) < 5, `mean ${mean.toFixed(1)} ms: the latency asked for, not above it`);
    assert.ok(delays.filter((d) => d < 400).length > 4_000 && delays.filter((d) => d >= 600).length > 4_000, 'both ends reached');
    const short = Array.from({ length: 2_000 }, () => injector.draw({ ...DEFAULT_KNOBS, latencyMs: 10, jitterMs: 30 }).delayMs);
    assert.ok(Math.min(...short) === 0 && Math.max(...short) <= 40, 'a jitter above the latency: zero at the least');
  });

  it('gives each render an event-loop turn of its own, so what falls due meanwhile runs between them', async () => {
    const turns = new TurnQueue();
    const order: string[] = [];
    const renders = [1, 2, 3].map((n) =>
      turns.next().then(() => {
        order.push(`render ${n}`);
        // A response that falls due while the others wait their turn.
        if (n === 1) setImmediate(() => order.push('due after render 1'));
      }),
    );
    await Promise.all(renders);
    assert.deepEqual(order, ['render 1', 'due after render 1', 'render 2', 'render 3']);
  });
});
