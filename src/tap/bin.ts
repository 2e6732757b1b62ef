#!/usr/bin/env node
// Entry point: runs the CLI on the real process.
import { run } from './cli.js';

process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  process.stderr.write(`tap-klaviyo: stdout closed (${err.code ?? 'error'}): the target stopped reading; exiting\n`);
  process.exit(1);
});

process.exitCode = await run(process.argv.slice(2), process.env, process.stdout, process.stderr);
