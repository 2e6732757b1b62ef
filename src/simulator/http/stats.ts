// Counters served by GET /__admin/stats.
import { FAULT_KINDS, type FaultKind } from './faults.js';

export interface SimulatorStats {
  total: number;
  requests: Record<string, number>;
  statuses: Record<string, number>;
  throttled: number;
  faults: Record<FaultKind, number>;
  inFlight: number;
  maxConcurrent: number;
  /** Bytes of response bodies sent (what a client receives and reads, whatever the layout). */
  bodyBytes: number;
}

function emptyFaults(): Record<FaultKind, number> {
  return Object.fromEntries(FAULT_KINDS.map((kind) => [kind, 0])) as Record<FaultKind, number>;
}

export class StatsRecorder {
  private stats: SimulatorStats = StatsRecorder.empty();

  private static empty(): SimulatorStats {
    return { total: 0, requests: {}, statuses: {}, throttled: 0, faults: emptyFaults(), inFlight: 0, maxConcurrent: 0, bodyBytes: 0 };
  }

  /** A request started; returns the function to call once when it is over. */
  begin(operationId: string): () => void {
    const s = this.stats;
    s.total++;
    s.requests[operationId] = (s.requests[operationId] ?? 0) + 1;
    s.inFlight++;
    s.maxConcurrent = Math.max(s.maxConcurrent, s.inFlight);
    let done = false;
    return () => {
      if (done) return;
      done = true;
      this.stats.inFlight = Math.max(0, this.stats.inFlight - 1);
    };
  }

  status(status: number): void {
    this.stats.statuses[String(status)] = (this.stats.statuses[String(status)] ?? 0) + 1;
    if (status === 429) this.stats.throttled++;
  }

  /** A response body of `bytes` bytes was sent. */
  sent(bytes: number): void {
    this.stats.bodyBytes += bytes;
  }

  fault(kind: FaultKind): void {
    this.stats.faults[kind]++;
  }

  snapshot(): SimulatorStats {
    return structuredClone(this.stats);
  }

  reset(): void {
    const inFlight = this.stats.inFlight;
    this.stats = StatsRecorder.empty();
    this.stats.inFlight = inFlight;
  }
}
