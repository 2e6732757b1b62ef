// Singer metrics as the Meltano SDK writes them: one stderr line `METRIC: {...}` per point, so Meltano's and
// other log tooling parse them. Counters (`record_count`, per stream and partition) are added per page and
// written every `metrics_interval_s` and at the end, each with the count since its last line; timers
// (`http_request_duration` per request attempt, `sync_duration` per stream) are written as they end.
import { writeRaw } from '../shared/log.js';
import type { Context } from '../state/state.js';

export type MetricStatus = 'succeeded' | 'failed';

export interface MetricPoint {
  type: 'counter' | 'timer';
  metric: string;
  value: number;
  tags: Record<string, unknown>;
}

/** What the HTTP client reports per request attempt (kept apart so http.ts needs no more than this). */
export interface RequestTimer {
  request(endpoint: string, httpStatus: number, seconds: number, status: MetricStatus): void;
}

interface Counter {
  stream: string;
  context: Context;
  value: number;
}

const METRIC_LEVELS = ['debug', 'info', 'warn', 'error'] as const;
export type MetricsLevel = (typeof METRIC_LEVELS)[number];

/** The SDK logs metrics at INFO: a `metrics_log_level` above info (warn, error) silences them. */
export function metricsEnabled(level: MetricsLevel): boolean {
  return METRIC_LEVELS.indexOf(level) <= METRIC_LEVELS.indexOf('info');
}

export function metricLine(point: MetricPoint): string {
  return `INFO METRIC: ${JSON.stringify(point)}`;
}

export class Metrics implements RequestTimer {
  /** Counters by stream, then by partition (the context object itself: the sync holds one per partition). */
  private readonly counters = new Map<string, Map<Context, Counter>>();
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly enabled: boolean,
    private readonly intervalS: number,
    private readonly write: (line: string) => void = writeRaw,
  ) {}

  /** Adds `n` records to the stream's partition counter (called once per page, never per record). */
  count(stream: string, context: Context, n: number): void {
    if (!this.enabled || n === 0) return;
    let byContext = this.counters.get(stream);
    if (!byContext) this.counters.set(stream, (byContext = new Map()));
    const counter = byContext.get(context);
    if (counter) counter.value += n;
    else byContext.set(context, { stream, context, value: n });
  }

  request(endpoint: string, httpStatus: number, seconds: number, status: MetricStatus): void {
    this.point({ type: 'timer', metric: 'http_request_duration', value: round(seconds), tags: { endpoint, http_status_code: httpStatus, status } });
  }

  syncDuration(stream: string, seconds: number, status: MetricStatus): void {
    this.flush(stream);
    this.point({ type: 'timer', metric: 'sync_duration', value: round(seconds), tags: { stream, context: {}, status } });
  }

  /** Writes every counter (or only `stream`'s) with its count since its last line, and forgets it. */
  flush(stream?: string): void {
    for (const [name, byContext] of this.counters) {
      if (stream !== undefined && name !== stream) continue;
      for (const counter of byContext.values()) {
        this.point({ type: 'counter', metric: 'record_count', value: counter.value, tags: { stream: counter.stream, context: counter.context } });
      }
      this.counters.delete(name);
    }
  }

  /** Writes the counters every `intervalS` seconds until the returned stop is called (which writes the rest). */
  start(): () => void {
    if (this.enabled && this.intervalS > 0) {
      this.timer = setInterval(() => this.flush(), this.intervalS * 1000);
      this.timer.unref();
    }
    return () => {
      if (this.timer) clearInterval(this.timer);
      this.timer = null;
      this.flush();
    };
  }

  private point(point: MetricPoint): void {
    if (this.enabled) this.write(metricLine(point));
  }
}

function round(seconds: number): number {
  return Math.round(seconds * 1e4) / 1e4;
}
