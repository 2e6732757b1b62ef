// The tap's worker thread (see worker-bridge.ts): the whole CLI runs here, its stdout, stderr and signals go
// through the main thread.
import { run } from './cli.js';
import { setLogSink } from '../shared/log.js';
import { isStopExit } from '../engine/stop.js';
import { PortOutput, workerPort } from './worker-bridge.js';

const bridge = workerPort();
const stdout = new PortOutput(bridge.port);
const stderr = { write: bridge.stderr };
setLogSink(bridge.stderr);
const code = await run(process.argv.slice(2), process.env, stdout, stderr, bridge.signals);
// Every chunk is posted before the code: the main thread writes them all, in order, before it exits. A stopped
// run has waited for its last STATE as long as it may: what is left goes at once (as today's stdout would keep it).
if (isStopExit(code)) stdout.ignoreCredit();
await new Promise<void>((resolve) => stdout.end(resolve));
bridge.done(code);
