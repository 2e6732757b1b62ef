// SIGTERM and SIGINT during a sync: no new request, the pages being written finish, the last STATE is flushed, and
// the run exits 143 or 130 (a second signal exits at once).
import { log } from '../shared/log.js';
import type { MessageWriter } from '../singer/messages.js';
import type { StateStore } from '../state/state.js';
import { stopExitCode, type StopSignal } from '../engine/stop.js';

/** Pages being written may finish within this; the whole stop stays well under 2 s. */
const STOP_PAGES_MS = 1000;
const STOP_FLUSH_MS = 600;

/** SIGTERM/SIGINT: the first asks the sync to stop (stopGracefully), a second one exits at once. */
export function stopOnSignals(stop: StopSignal, signals: SignalSource): () => void {
  const onSignal = (signal: NodeJS.Signals): void => {
    if (stop.requested) process.exit(stopExitCode(signal));
    log.warn(`${signal} received: stopping (no new request; the last STATE will cover every record written); a second signal exits at once`);
    stop.request(signal);
  };
  signals.on('SIGTERM', onSignal);
  signals.on('SIGINT', onSignal);
  return () => {
    signals.off('SIGTERM', onSignal);
    signals.off('SIGINT', onSignal);
  };
}

/** After a stop: the pages being written finish, then one last STATE (over exactly what was written) and the exit code. */
export async function stopGracefully(stop: StopSignal, writer: MessageWriter, store: StateStore): Promise<number> {
  await stop.pagesWritten(STOP_PAGES_MS);
  await writer.finalState(store.snapshot(), STOP_FLUSH_MS);
  const signal = stop.reason ?? 'SIGTERM';
  const code = stopExitCode(signal);
  log.warn(`stopped by ${signal}: the last STATE covers every record written; pass it with --state to resume; exit ${code}`);
  return code;
}
/** Where SIGTERM/SIGINT come from: the process, or in a worker thread the signals its main thread forwards. */
export interface SignalSource {
  on(signal: 'SIGTERM' | 'SIGINT', listener: (signal: NodeJS.Signals) => void): unknown;
  off(signal: 'SIGTERM' | 'SIGINT', listener: (signal: NodeJS.Signals) => void): unknown;
}
