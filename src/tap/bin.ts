#!/usr/bin/env node
// Entry point: runs the CLI in a worker thread, this thread relays its output (worker-bridge.ts).
import { runInWorker } from './cli/worker-bridge.js';

process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  process.stderr.write(`tap-klaviyo: stdout closed (${err.code ?? 'error'}): the target stopped reading; exiting\n`);
  process.exit(1);
});

runInWorker(new URL('./cli/worker.js', import.meta.url), process.argv.slice(2));
