// A graceful stop (SIGTERM, SIGINT): no new request starts, pages already being written finish, pages fetched
// after the stop are dropped, no ACTIVATE_VERSION goes out for an interrupted full read, and the run ends with
// one STATE that covers exactly the records written (the store only ever holds bookmarks over written records).
import { once } from '../shared/concurrency.js';

/** Exit codes of a stopped run: 128 + the signal's number, as shells report it. */
export const STOP_EXIT_CODES: Readonly<Record<string, number>> = { SIGINT: 130, SIGTERM: 143 };

/** The exit code of a run stopped by `signal` (1 for a signal without one). */
export function stopExitCode(signal: string): number {
  return STOP_EXIT_CODES[signal] ?? 1;
}

/** Whether `code` is the exit code of a stopped run. */
export function isStopExit(code: number): boolean {
  return Object.values(STOP_EXIT_CODES).includes(code);
}

/** Raised inside the sync once a stop is requested, so that nothing after it runs (no ACTIVATE_VERSION). */
export class StopRequested extends Error {
  override readonly name: string = 'StopRequested';
}

export class StopSignal {
  private reasonSeen: string | null = null;
  /** Pages between their fetch and their STATE. */
  private writing = 0;
  private idleWaiters: Array<() => void> = [];
  private stopWaiters: Array<(reason: string) => void> = [];

  /** The signal that asked for the stop; null while running. */
  get reason(): string | null {
    return this.reasonSeen;
  }

  get requested(): boolean {
    return this.reasonSeen !== null;
  }

  request(reason: string): void {
    if (this.reasonSeen !== null) return;
    this.reasonSeen = reason;
    for (const w of this.stopWaiters.splice(0)) w(reason);
  }

  /** Resolves with the reason once a stop is requested. */
  whenRequested(): Promise<string> {
    if (this.reasonSeen !== null) return Promise.resolve(this.reasonSeen);
    return new Promise((resolve) => this.stopWaiters.push(resolve));
  }

  /** Throws StopRequested once a stop is requested (between pages and streams, never per record). */
  check(): void {
    if (this.reasonSeen !== null) throw new StopRequested(`stopped by ${this.reasonSeen}`);
  }

  /** A page starts being written; call the returned function once its records and STATE are out. */
  writingPage(): () => void {
    this.writing++;
    return once(() => {
      this.writing--;
      if (this.writing === 0) for (const w of this.idleWaiters.splice(0)) w();
    });
  }

  /** Resolves once no page is being written, or after `timeoutMs`. */
  async pagesWritten(timeoutMs: number): Promise<void> {
    if (this.writing === 0) return;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([new Promise<void>((resolve) => this.idleWaiters.push(resolve)), new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMs)))]);
    clearTimeout(timer);
  }
}
