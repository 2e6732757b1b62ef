// The tap runs in a worker thread, the process's main thread only relays: it writes the worker's output to stdout
// and its log lines to stderr, forwards SIGTERM/SIGINT, and exits with the worker's code. Why: a worker's V8 heap
// takes size limits at creation (resourceLimits), so its young generation can be kept small; the process's own
// heap is sized before any of our code runs. One process, so its RSS is the whole cost.
//
// Messages, in order on the worker's port (so log lines and output keep their order):
//   worker -> main: { t: 'out', bytes, length } a chunk of stdout (its first `length` bytes of an ArrayBuffer, transferred); { t: 'err', text } stderr;
//                   { t: 'done', code } the run's exit code, after every chunk it wrote.
//   main -> worker: { t: 'ack', bytes } one chunk is out of stdout's buffer (credit; its bytes come back); { t: 'signal', signal }.
import { EventEmitter } from 'node:events';
import { setFlagsFromString } from 'node:v8';
import { Writable } from 'node:stream';
import { parentPort, Worker, type MessagePort } from 'node:worker_threads';
import { redact } from '../shared/log.js';
import { isStopExit, stopExitCode } from '../engine/stop.js';

export type ToMain = { t: 'out'; bytes: ArrayBuffer; length: number } | { t: 'err'; text: string } | { t: 'done'; code: number };
export type ToWorker = { t: 'ack'; bytes: ArrayBuffer } | { t: 'signal'; signal: NodeJS.Signals };

/**
 * The worker's young generation (MB; V8 makes it three semi-spaces): a quarter of Node's default. Since large pages
 * are parsed one resource at a time (lean-page.ts), what survives a young collection is little more than the
 * resource being written, so a small one promotes hardly any page data. Events at scale large, alternating runs:
 * 24 MB gave 146-160 MB peak RSS at 12.4-14.0 us per event, 16 MB 150-152 at 12.5-12.6, 12 MB 132-134 at 14.0-14.8:
 * the memory goal (150 MB) with room to spare, for about 1 us per event of more frequent collections.
 */
export const YOUNG_GENERATION_MB = 12;
/**
 * After a full collection V8 lets the old generation grow to (1 + this/100) x what survived; with its default
 * (a factor up to 4 on a large machine) 15-20 MB of live pages became 50-65 MB before the next collection.
 * Events at scale large (1,050,000), alternating runs once pages were parsed lean: 150 gave 155-161 MB peak RSS,
 * 125 gave 151-155 MB at no visible CPU cost, 100 gave 147-151 MB for about 5-10% more CPU (more full collections).
 * Since events are written from their text (little is live), alternating runs: 125 gave 127-144 MB at 9.4-11.0 µs
 * per event (about 120 full collections), 175 gave 134-135 MB at 9.5-9.6 (against 10.2-10.4), 200 gave 139-148
 * MB, 300 gave 158-160 MB at 8.0-8.6 (about 50 full collections).
 */
const HEAP_GROWING_PERCENT = 175;

/** Chunks handed to the main thread and not yet out of its stdout buffer: two, so one is written while one waits. */
const CHUNKS_IN_FLIGHT = 2;
/** Bytes the worker's stdout stream buffers before `write` asks its caller to wait for `drain`. */
const WORKER_HIGH_WATER = 512 * 1024;
/** A buffer that starts an ArrayBuffer this large owns it (Node's pool slices are at most 4 KB): it can be transferred. */
const TRANSFER_MIN_BYTES = 64 * 1024;

/** Main thread: runs `script` in a worker with `argv`; relays its output; exits the process with its code. */
export function runInWorker(script: URL, argv: string[]): void {
  // A V8 flag for every heap, read at each full collection: this thread's heap hardly grows anyway.
  setFlagsFromString(`--heap-growing-percent=${HEAP_GROWING_PERCENT}`);
  const worker = new Worker(script, { argv, stdout: false, stderr: false, resourceLimits: { maxYoungGenerationSizeMb: YOUNG_GENERATION_MB } });
  const send = (message: ToWorker): void => worker.postMessage(message);
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals): void => {
    // The worker may be busy for a while; a second signal must not wait for it.
    if (stopping) process.exit(stopExitCode(signal));
    stopping = true;
    send({ t: 'signal', signal });
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  worker.on('message', (message: ToMain) => {
    if (message.t === 'out') {
      // Credit once the chunk is out of stdout's buffer; its memory goes back with it (this thread's heap is
      // nearly idle and would collect it late), to be freed by the worker's frequent collections.
      const { bytes } = message;
      process.stdout.write(new Uint8Array(bytes, 0, message.length), () => worker.postMessage({ t: 'ack', bytes } satisfies ToWorker, [bytes]));
    } else if (message.t === 'err') {
      process.stderr.write(message.text);
    } else {
      finish(message.code);
    }
  });
  const finish = (code: number): void => {
    worker.removeAllListeners('exit');
    // A stopped run exits now: requests it no longer waits for must not hold the process past its last STATE.
    if (isStopExit(code)) process.exit(code);
    process.exitCode = code;
    process.off('SIGTERM', onSignal);
    process.off('SIGINT', onSignal);
    void worker.terminate();
  };
  worker.on('error', (err) => {
    process.stderr.write(`tap-klaviyo: ${redact(String(err instanceof Error ? err.message : err)).replace(/\s*\n\s*/g, ' ')}\n`);
    process.exit(1);
  });
  // Only reached when the worker ends without a `done` (process.exit inside it, e.g. a second signal).
  worker.on('exit', (code) => process.exit(code));
}

/** Worker side: stdout as a Writable whose chunks go to the main thread, which gives credit back once they are out. */
export class PortOutput extends Writable {
  private unacked = 0;
  private waiting: (() => void) | null = null;
  private unbounded = false;

  constructor(private readonly port: MessagePort) {
    super({ highWaterMark: WORKER_HIGH_WATER, decodeStrings: true });
    port.on('message', (message: ToWorker) => {
      if (message.t !== 'ack') return;
      this.unacked--;
      const next = this.waiting;
      this.waiting = null;
      next?.();
    });
  }

  /** From now on chunks go to the main thread without waiting for credit (the run is over). */
  ignoreCredit(): void {
    this.unbounded = true;
    const next = this.waiting;
    this.waiting = null;
    next?.();
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, done: (error?: Error | null) => void): void {
    // A chunk of its own ArrayBuffer (the message writer's) moves without a copy; anything else is copied out.
    const whole = chunk.buffer;
    const owned = whole instanceof ArrayBuffer && chunk.byteOffset === 0 && whole.byteLength >= TRANSFER_MIN_BYTES;
    const bytes = owned ? whole : new Uint8Array(chunk).buffer;
    this.port.postMessage({ t: 'out', bytes, length: chunk.byteLength } satisfies ToMain, [bytes]);
    this.unacked++;
    if (this.unbounded || this.unacked < CHUNKS_IN_FLIGHT) done();
    else this.waiting = () => done();
  }
}

/** Worker side: the stderr text sink, the signals forwarded by the main thread, and the final exit code. */
export function workerPort(): { port: MessagePort; stderr: (text: string) => void; signals: EventEmitter; done: (code: number) => void } {
  const port = parentPort;
  if (!port) throw new Error('worker-bridge: not inside a worker thread');
  const signals = new EventEmitter();
  port.on('message', (message: ToWorker) => {
    if (message.t === 'signal') signals.emit(message.signal, message.signal);
  });
  return {
    port,
    stderr: (text) => port.postMessage({ t: 'err', text } satisfies ToMain),
    signals,
    done: (code) => port.postMessage({ t: 'done', code } satisfies ToMain),
  };
}
