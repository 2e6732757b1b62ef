// Scenario 7, the target goes away: the tap's stdout is closed mid-run (after the first line, after the first
// STATE, and while the tap waits for a full pipe to drain). The tap must exit non-zero soon after and never hang
// (the bound is generous: a hang check, not a speed test). What the target did receive stays correct: a run
// resumed from the last STATE it got completes the ground truth without loss.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { TAP_BIN } from '../../scripts/lib/processes.js';
import { startSimulator, type Simulator, type SimulatorOptions } from '../../src/simulator/server.js';
import { toMicros } from '../../src/tap/shared/time.js';
import { E2eWorkspace, SIM_KEY, STREAMS, truth, type Row } from '../helpers/e2e.js';
import { assertComplete, assertNoSecret, catalogOf, covers, sumTallies, tally, tapConfig, type StateValue, type Tally } from '../helpers/reliability.js';
import { report } from './report.js';
import { CHILD_ENV } from '../helpers/child-env.js';

/** The most the tap may take to exit after its stdout closes: far beyond a normal exit, far below a hang. */
const HANG_BOUND_MS = 5000;
const STREAM_NAMES = ['events', 'profiles'];
const CATALOG = catalogOf(STREAM_NAMES);

interface Variant {
  name: string;
  seed: number;
  knobs: Partial<SimulatorOptions>;
  config: Record<string, unknown>;
  /** Whether to close stdout once these complete lines have arrived. */
  closeAfter: (lines: readonly string[]) => boolean;
  /** Stop reading (so the pipe fills and the tap waits for drain) this long before closing. */
  stallMs?: number;
}

/** Small pages, two requests at a time (with the simulator's latency): the run outlasts the close by far. */
const SLOW = { max_requests_in_flight: 2, streams: { events: { page_size: 5 } } };
const isState = (line: string): boolean => line.startsWith('{"type":"STATE"');

const VARIANTS: Variant[] = [
  { name: 'after the first line', seed: 71, knobs: { latencyMs: 30 }, config: SLOW, closeAfter: (lines) => lines.length >= 1 },
  { name: 'after the first STATE', seed: 72, knobs: { latencyMs: 30 }, config: SLOW, closeAfter: (lines) => lines.some(isState) },
  // One request at a time, each taking 1.5 s: the tap has nothing to write for a while after the close.
  {
    name: 'while requests are slow (1.5 s each, one at a time)',
    seed: 74,
    knobs: { latencyMs: 1500 },
    config: { max_requests_in_flight: 1, streams: { events: { page_size: 5 } } },
    closeAfter: (lines) => lines.length >= 1,
  },
  {
    name: 'while the tap waits for a full pipe',
    seed: 73,
    knobs: {},
    config: { start_date: '2012-01-01T00:00:00Z', streams: { events: { page_size: 1000 } } },
    closeAfter: (lines) => lines.length >= 1,
    stallMs: 400,
  },
];

interface Closed {
  lines: string[];
  stderr: string;
  code: number | null;
  signal: NodeJS.Signals | null;
  /** Milliseconds from closing stdout to the tap's exit. */
  gapMs: number;
}

/** Runs the built tap, closes its stdout as the variant says, and waits (bounded) for it to exit. */
function runAndClose(ws: E2eWorkspace, variant: Variant): Promise<Closed> {
  const config = ws.write(`epipe-config-${variant.seed}.json`, tapConfig(ws, variant.config));
  const catalog = ws.write(`epipe-catalog-${variant.seed}.json`, CATALOG);
  const child = spawn(process.execPath, [TAP_BIN, '--config', config, '--catalog', catalog], { stdio: ['ignore', 'pipe', 'pipe'], env: CHILD_ENV });
  return new Promise((resolve, reject) => {
    const lines: string[] = [];
    let partial = '';
    let stderr = '';
    /** Set once the close is decided (reading stops); `closedAt` once stdout is actually destroyed. */
    let closing = false;
    let closedAt: number | null = null;
    // Whatever happens, the child does not outlive the test: a run that never reaches the close is a failure too.
    const guard = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error('the run never reached the point where its stdout is closed'));
    }, 60_000);
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    let hang: NodeJS.Timeout | undefined;
    const close = (): void => {
      closedAt = performance.now();
      child.stdout.destroy();
      clearTimeout(guard);
      hang = setTimeout(() => {
        child.kill('SIGKILL');
        reject(new Error(`the tap did not exit within ${HANG_BOUND_MS * 2} ms of its stdout closing: it hangs`));
      }, HANG_BOUND_MS * 2);
    };
    child.stdout.on('data', (chunk: Buffer) => {
      if (closing) return;
      const parts = (partial + chunk.toString()).split('\n');
      partial = parts.pop() ?? '';
      lines.push(...parts);
      if (!variant.closeAfter(lines)) return;
      closing = true;
      if (variant.stallMs === undefined) return close();
      child.stdout.pause();
      setTimeout(close, variant.stallMs);
    });
    child.once('error', reject);
    child.once('exit', (code, signal) => {
      clearTimeout(guard);
      clearTimeout(hang);
      if (closedAt === null) return reject(new Error(`the tap exited (${code}) before its stdout was closed: ${stderr.slice(-500)}`));
      resolve({ lines, stderr, code, signal, gapMs: performance.now() - closedAt });
    });
  });
}

function expectedFrom(sim: Simulator, start: string): Map<string, Row[]> {
  const from = toMicros(start) ?? 0;
  return new Map(STREAM_NAMES.map((s) => {
    const rk = STREAMS.find((x) => x.name === s)?.replicationKey ?? '';
    return [s, truth(sim, s).filter((r) => (toMicros(String(r[rk])) ?? 0) >= from)];
  }));
}

describe('reliability: the target goes away (stdout closed mid-run)', function () {
  const outcomes: Array<Tally & { gapMs: number; received: number }> = [];
  after(() => {
    if (outcomes.length === 0) return;
    const t = sumTallies(outcomes);
    const gaps = outcomes.map((o) => `${Math.round(o.gapMs)}`).join('/');
    const lines = outcomes.map((o) => o.received).join('/');
    report({ scenario: '7. target goes away: stdout closed', runs: 2 * outcomes.length, expected: t.expected, lost: t.lost, duplicates: t.duplicates, note: `exit after ${gaps} ms (bound ${HANG_BOUND_MS}), ${lines} lines received` });
  });

  for (const variant of VARIANTS) {
    it(`${variant.name}: exits non-zero without hanging; the last STATE received is correct`, async () => {
      const sim = await startSimulator({ seed: variant.seed, scale: 'small', apiKey: SIM_KEY, rateLimits: false, refuseFutureBounds: true, ...variant.knobs });
      try {
        const base = truth(sim, 'events');
        const start = String(base[base.length - 200]?.['datetime']);
        const ws = new E2eWorkspace(sim, { start_date: start, ...variant.config });
        const closed = await runAndClose(ws, variant);
        const received = { lines: closed.lines, stderr: closed.stderr };
        assertNoSecret(received);
        assert.notEqual(closed.code, 0, `exit code ${closed.code} (signal ${closed.signal})`);
        assert.equal(closed.signal, null, 'the tap exits by itself');
        assert.ok(closed.gapMs < HANG_BOUND_MS, `exited ${Math.round(closed.gapMs)} ms after stdout closed`);
        assert.match(closed.stderr, /stdout closed/);

        // Resume from the last STATE the target got (or from scratch when it got none), at full speed.
        sim.configure({ latencyMs: 0 });
        const messages = closed.lines.map((l) => JSON.parse(l) as { type: string; stream?: string; record?: Row; value?: StateValue });
        const lastState = messages.map((m, i) => [m, i] as const).filter(([m]) => m.type === 'STATE').pop();
        const resumed = await ws.run(lastState?.[0].value, CATALOG);
        assert.equal(resumed.code, 0, resumed.stderr.slice(-2000));
        assertNoSecret(resumed);
        const expected = expectedFrom(sim, String((ws.config as { start_date: string }).start_date));
        const t = sumTallies(
          STREAM_NAMES.map((s) => {
            const before = messages.filter((m, i) => m.type === 'RECORD' && m.stream === s && i < (lastState?.[1] ?? 0)).map((m) => m.record ?? {});
            const sent = resumed.records.get(s) ?? [];
            const whole = tally(s, expected.get(s) ?? [], [...before, ...sent]);
            const again = sent.filter((r) => covers(lastState?.[0].value, s, r)).map((r) => String(r['id']));
            const twice = tally(s, [], sent);
            return { ...whole, duplicates: again.length + twice.duplicates, duplicated: [...again, ...twice.duplicated] };
          }),
        );
        outcomes.push({ ...t, gapMs: closed.gapMs, received: closed.lines.length });
        assertComplete(t, 'what the target got up to its last STATE, plus the resumed run');
      } finally {
        await sim.close();
      }
    });
  }
});
