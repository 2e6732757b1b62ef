#!/usr/bin/env node
// Runs the Klaviyo simulator until SIGINT/SIGTERM. First stdout line: `listening on http://127.0.0.1:PORT`.
import { CliError, USAGE, parseCliArgs, type CliOptions } from './cli-args.js';
import { startSimulator } from './server.js';

async function main(options: CliOptions): Promise<void> {
  const simulator = await startSimulator(options.simulator);
  const stop = (): void => {
    simulator.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  // Installed before the listening line, so a signal sent as soon as it is read is handled.
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  if (options.groundTruthDir !== null) {
    const counts = await simulator.writeGroundTruth(options.groundTruthDir);
    const total = Object.values(counts).reduce((a, b) => a + b, 0);
    process.stderr.write(`ground truth: ${total} records in ${Object.keys(counts).length} files under ${options.groundTruthDir}\n`);
  }
  process.stdout.write(`listening on ${simulator.url}\n`);
}

let options: CliOptions;
try {
  options = parseCliArgs(process.argv.slice(2));
} catch (error) {
  if (!(error instanceof CliError)) throw error;
  process.stderr.write(`simulator: ${error.message}\n`);
  process.exit(2);
}
if (options.help) {
  process.stdout.write(`${USAGE}\n`);
  process.exit(0);
}
main(options).catch((error: unknown) => {
  process.stderr.write(`simulator: ${(error as Error).message}\n`);
  process.exit(1);
});
