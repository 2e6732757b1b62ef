// A worker for the bridge test: it says on stderr (through the bridge) when it is ready and when it got a signal,
// and then never finishes, as a run whose graceful stop takes long.
import { workerPort } from '../../../src/tap/cli/worker-bridge.js';

const bridge = workerPort();
bridge.signals.on('SIGTERM', () => bridge.stderr('worker: SIGTERM received\n'));
bridge.stderr('worker: ready\n');
setInterval(() => undefined, 60_000);
