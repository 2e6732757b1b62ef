// The tap runs in a worker thread and its main thread relays stdout (worker-bridge.ts). Its output must keep
// stdout's backpressure: the worker holds at most two chunks unacknowledged, and a tap whose reader stops
// reading stops fetching pages, then completes once the reader reads again.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { MessageChannel, type MessagePort } from 'node:worker_threads';
import { TAP_BIN } from '../scripts/lib/processes.js';
import { startSimulator } from '../src/simulator/server.js';
import { MessageWriter } from '../src/tap/singer/messages.js';
import { PortOutput, type ToMain, type ToWorker } from '../src/tap/cli/worker-bridge.js';
import { SIM_KEY, truth } from './helpers/e2e.js';
import { catalogOfStreams, CHILD_ENV, TapFiles } from './helpers/tap-files.js';

const settle = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 20));

/** The main thread's side of a port: keeps what arrives, acknowledges only when told to. */
class Receiver {
  readonly chunks: Array<{ bytes: ArrayBuffer; length: number }> = [];
  private acked = 0;

  constructor(private readonly port: MessagePort) {
    port.on('message', (message: ToMain) => {
      if (message.t === 'out') this.chunks.push({ bytes: message.bytes, length: message.length });
    });
  }

  /** Acknowledges every chunk received so far (their bytes go back, as the main thread's do). */
  ackAll(): void {
    for (; this.acked < this.chunks.length; this.acked++) {
      const copy = this.chunks[this.acked];
      if (!copy) continue;
      const kept = new Uint8Array(copy.bytes, 0, copy.length).slice().buffer;
      this.port.postMessage({ t: 'ack', bytes: copy.bytes } satisfies ToWorker, [copy.bytes]);
      this.chunks[this.acked] = { bytes: kept, length: copy.length };
    }
  }

  text(): string {
    return Buffer.concat(this.chunks.map((c) => new Uint8Array(c.bytes, 0, c.length))).toString('utf8');
  }
}

describe('worker bridge: stdout through the main thread', () => {
  it('a writer whose chunks are not acknowledged waits after two; acknowledged, every line arrives in order', async () => {
    const { port1, port2 } = new MessageChannel();
    const receiver = new Receiver(port2);
    const writer = new MessageWriter(new PortOutput(port1));
    const record = { id: 'x', note: 'é'.repeat(500), n: 0 };
    let written = 0;
    // Far more than the two chunks in flight and the stream's own buffer (about 1 MB in all): ~5 MB of lines.
    const writing = (async () => {
      for (let n = 0; n < 5000; n++) {
        await writer.record('events', { ...record, n }, '2024-01-01T00:00:00.000000Z');
        written = n + 1;
      }
      await writer.state({ done: true });
    })();
    // However busy the machine: wait (not a fixed time) until the writer has stopped, then look at what went out.
    let before = -1;
    for (const deadline = Date.now() + 20_000; (receiver.chunks.length < 2 || written !== before) && Date.now() < deadline; ) {
      before = written;
      await settle();
    }
    assert.equal(receiver.chunks.length, 2, 'two chunks go out before any credit');
    assert.ok(written < 5000, `without credit the writer waits (${written} records written)`);
    let finished = false;
    void writing.then(() => (finished = true));
    while (!finished) {
      receiver.ackAll();
      await settle();
    }
    await writing;
    const lines = receiver.text().split('\n');
    assert.equal(lines.pop(), '', 'the output ends with a newline');
    assert.equal(lines.length, 5001);
    lines.slice(0, 5000).forEach((line, n) => assert.equal((JSON.parse(line) as { record: { n: number } }).record.n, n));
    assert.deepEqual(JSON.parse(lines[5000] ?? ''), { type: 'STATE', value: { done: true } });
    port1.close();
  });

  it('a chunk that shares its memory (a string, a pooled buffer) is copied; the writer keeps its own', async () => {
    const { port1, port2 } = new MessageChannel();
    const receiver = new Receiver(port2);
    const out = new PortOutput(port1);
    const pooled = Buffer.from('pooled\n');
    out.write('text\n');
    out.write(pooled);
    await settle();
    receiver.ackAll();
    await settle();
    assert.equal(receiver.text(), 'text\npooled\n');
    assert.equal(pooled.toString(), 'pooled\n', 'the pooled buffer is intact (not transferred away)');
    port1.close();
  });

  it('the built tap: a reader that stops reading stops the requests; reading again, the run completes', async function () {
    this.timeout(120_000);
    // 100,000 events (about 100 MB of output) in pages of 100: far more than the tap may hold while stdout is full.
    const sim = await startSimulator({ seed: 81, scale: 'medium', apiKey: SIM_KEY, rateLimits: false });
    const files = new TapFiles('tap-klaviyo-bridge-');
    let child: ReturnType<typeof spawn> | undefined;
    try {
      const config = files.write('config.json', {
        api_key: SIM_KEY,
        base_url: sim.url,
        start_date: '2000-01-01T00:00:00Z',
        lookback_days: 0,
        // Pages held: at most this + 2 page slots, plus what stdout's buffers hold (a few pages).
        max_requests_in_flight: 16,
        streams: { events: { page_size: 100 } },
      });
      const catalog = files.write('catalog.json', catalogOfStreams(['events']));
      const expected = truth(sim, 'events').length;
      const pages = Math.ceil(expected / 100);
      const tap = spawn(process.execPath, [TAP_BIN, '--config', config, '--catalog', catalog], { stdio: ['ignore', 'pipe', 'pipe'], env: CHILD_ENV });
      child = tap;
      let stderr = '';
      tap.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      const exited = new Promise<number | null>((resolve) => tap.once('close', (code) => resolve(code)));
      // Nobody reads stdout yet: once it has started, wait until the tap has made no request for two seconds. Its
      // requests are bounded by design (the page slots, and stdout's buffers), so a slow machine can only make the
      // count smaller, never larger.
      let seen = 0;
      for (let quiet = 0; quiet < 8; ) {
        await new Promise((resolve) => setTimeout(resolve, 250));
        const total = sim.stats().total;
        quiet = total > 0 && total === seen ? quiet + 1 : 0;
        seen = total;
      }
      assert.ok(seen < pages / 4, `with stdout unread the tap stopped after ${seen} requests (the run needs ${pages} pages)`);
      let records = 0;
      let partial = '';
      tap.stdout.on('data', (chunk: Buffer) => {
        const lines = (partial + chunk.toString()).split('\n');
        partial = lines.pop() ?? '';
        for (const line of lines) if (line.startsWith('{"type":"RECORD"')) records++;
      });
      assert.equal(await exited, 0, stderr);
      assert.equal(records, expected);
      assert.equal(partial, '');
    } finally {
      if (child?.exitCode === null) child.kill('SIGKILL');
      await sim.close();
    }
  });

  it('a second SIGTERM exits at once while the worker is still stopping (143, the worker never finishing)', async function () {
    this.timeout(30_000);
    const child = spawn(process.execPath, [fileURLToPath(new URL('./helpers/bridge/slow-stop-main.js', import.meta.url))], { stdio: ['ignore', 'ignore', 'pipe'], env: CHILD_ENV });
    let stderr = '';
    const seen = (text: string): Promise<void> =>
      new Promise((resolve) => {
        const look = (): void => {
          if (!stderr.includes(text)) return;
          child.stderr.off('data', look);
          resolve();
        };
        child.stderr.on('data', look);
        look();
      });
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));
    await seen('worker: ready');
    child.kill('SIGTERM');
    // The first signal reached the worker (relayed by the main thread); the worker will never end its stop.
    await seen('worker: SIGTERM received');
    child.kill('SIGTERM');
    assert.equal(await exited, 143, stderr);
  });
});
