// One human line per long-running stream on stderr every `progress_interval_s` (INFO, so `log_level: warn` hides
// it): records, pages, requests/min and the share of the endpoint's rate tier they use, the bookmark reached,
// and an ETA where the stream's range is known. It reads counters the sync keeps anyway (per page): no
// per-record work.
import { log } from '../shared/log.js';
import type { Tier } from '../http/ratelimit.js';
import { toMicros } from '../shared/time.js';

export interface ProgressSource {
  /** Counted by the sync, per page. */
  summary: { records: number; pages: number };
  /** The endpoint's budget: its tier, and the requests it started in the last minute. */
  budget: { tier: Tier; startsInLastMinute(): number };
  /** The stream's single bookmark value now (RFC 3339), or null (none yet, or one per partition). */
  bookmark(): string | null;
  /** Bookmark values (micros) this run goes from and to, where known (an unpartitioned incremental stream). */
  range: { from: number; to: number } | null;
}

interface Watched extends ProgressSource {
  since: number;
}

export class Progress {
  private readonly streams = new Map<string, Watched>();
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly intervalS: number,
    private readonly now: () => number = Date.now,
    private readonly write: (line: string) => void = (line) => log.info(line),
  ) {}

  watch(stream: string, source: ProgressSource): void {
    this.streams.set(stream, { ...source, since: this.now() });
  }

  unwatch(stream: string): void {
    this.streams.delete(stream);
  }

  /** Writes a line for every stream running for at least one interval (short streams never print one). */
  tick(): void {
    const now = this.now();
    for (const [stream, watched] of this.streams) {
      if (now - watched.since >= this.intervalS * 1000) this.write(progressLine(stream, watched, now - watched.since));
    }
  }

  /** Ticks every interval until the returned stop is called; an interval of 0 writes nothing. */
  start(): () => void {
    if (this.intervalS > 0) {
      this.timer = setInterval(() => this.tick(), this.intervalS * 1000);
      this.timer.unref();
    }
    return () => {
      if (this.timer) clearInterval(this.timer);
      this.timer = null;
    };
  }
}

/** e.g. `stream events: 120000 records, 1200 pages, 1750 requests/min (50% of the tier's 3500/min), bookmark 2024-01-01T04:00:00Z (40%), ETA 3m00s` */
export function progressLine(stream: string, source: ProgressSource, elapsedMs: number): string {
  // The endpoint's starts in the last minute (every stream on it), against its steady limit: how much of the
  // minute's budget is used. Not extrapolated: in a stream's first minute the burst tier allows more than a
  // steady minute, and a rate scaled up from a few seconds would read over 100%.
  const starts = source.budget.startsInLastMinute();
  const tier = source.budget.tier.perMinute;
  const window = elapsedMs >= 60_000 ? '/min' : ` in ${Math.round(elapsedMs / 1000)}s`;
  const parts = [
    `${source.summary.records} records`,
    `${source.summary.pages} pages`,
    `${starts} requests${window} (${Math.round((100 * starts) / tier)}% of the tier's ${tier}/min)`,
  ];
  const bookmark = source.bookmark();
  const done = bookmark !== null && source.range ? share(toMicros(bookmark), source.range) : null;
  if (bookmark !== null) parts.push(`bookmark ${bookmark}${done !== null ? ` (${Math.round(done * 100)}%)` : ''}`);
  if (done !== null && done > 0 && done < 1) parts.push(`ETA ${duration((elapsedMs * (1 - done)) / done)}`);
  return `stream ${stream}: ${parts.join(', ')}`;
}

function share(value: number | null, range: { from: number; to: number }): number | null {
  if (value === null || range.to <= range.from) return null;
  return Math.min(Math.max((value - range.from) / (range.to - range.from), 0), 1);
}

/** 45s, 3m10s, 2h05m. */
export function duration(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}
