// The tap's main thread (as bin.ts runs it) around a worker that never finishes its stop.
import { runInWorker } from '../../../src/tap/cli/worker-bridge.js';

runInWorker(new URL('./slow-stop-worker.js', import.meta.url), []);
