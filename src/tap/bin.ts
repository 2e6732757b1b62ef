#!/usr/bin/env node
// Entry point: runs the CLI on the real process.
import { run } from './cli.js';
import { STOP_EXIT_CODES } from './stop.js';

process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  process.stderr.write(`tap-klaviyo: stdout closed (${err.code ?? 'error'}): the target stopped reading; exiting\n`);
  process.exit(1);
});

const code = await run(process.argv.slice(2), process.env, process.stdout, process.stderr);
// A stopped run exits now: requests it no longer waits for must not hold the process past its last STATE.
if (Object.values(STOP_EXIT_CODES).includes(code)) process.exit(code);
process.exitCode = code;
