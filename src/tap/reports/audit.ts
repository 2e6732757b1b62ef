// The completeness audit (`audit: true` or --audit): the events each event stream sent this run, counted per
// metric and UTC day, against Klaviyo's own count (POST /api/metric-aggregates, one request per metric per year of
// days). Only whole UTC days inside a partition's synced range [lower, upper) are audited; a day the run covered
// in part is named "partial, not audited". A failed audit is a warning: the sync itself stands.
import { Events } from '../../streams/events.js';
import { accountNames } from '../account/account-names.js';
import { MetricAggregates } from '../../streams/metric_aggregates.js';
import { forEachConcurrent } from '../shared/concurrency.js';
import { log, writeRaw } from '../shared/log.js';
import { dayWindows } from './report-windows.js';
import { budgetOf } from '../http/endpoint-facts.js';
import type { KlaviyoStream } from '../engine/stream.js';
import type { StreamRuntime } from '../engine/stream-types.js';
import { daysToMicros, fromMicros, MICROS_PER_DAY, toMicros } from '../shared/time.js';

/** One partition's synced range and the events it sent: metric id -> UTC day number -> count. */
export interface AuditPart {
  stream: string;
  /** The partition's metric (metric streams); null: every metric (the events stream). */
  metricId: string | null;
  lower: number;
  upper: number;
  counts: Map<string, Map<number, number>>;
}

interface Row {
  metric: string;
  day: number;
  klaviyo: number;
  sent: number;
}

const METRICS_AT_ONCE = 3;
const day = (n: number): string => fromMicros(n * MICROS_PER_DAY).slice(0, 10);

export class EventAudit {
  readonly parts: AuditPart[] = [];
  private readonly aggregates = new MetricAggregates();

  /** Whether the audit counts this stream's records (event streams only). */
  static tracks(stream: KlaviyoStream): boolean {
    return stream instanceof Events;
  }

  /** A partition about to sync [lower, upper): its counter. */
  cover(stream: string, context: Record<string, string>, lower: number, upper: number): AuditPart {
    const part: AuditPart = { stream, metricId: context['metric_id'] ?? null, lower, upper, counts: new Map() };
    this.parts.push(part);
    return part;
  }

  /** Counts one event sent (or sent by an earlier run at the bookmark) at `micros`. */
  static count(part: AuditPart, metricId: unknown, micros: number): void {
    const metric = String(metricId);
    let days = part.counts.get(metric);
    if (!days) part.counts.set(metric, (days = new Map()));
    const n = Math.floor(micros / MICROS_PER_DAY);
    days.set(n, (days.get(n) ?? 0) + 1);
  }

  /** Audits every partition covered; prints the table on stderr. Never throws. */
  async run(rt: StreamRuntime): Promise<void> {
    for (const part of this.parts) {
      try {
        await this.audit(part, rt);
      } catch (err) {
        log.warn(`audit: stream ${part.stream}: not completed (${(err as Error).message.split('\n')[0]}); the sync itself is complete`);
      }
    }
  }

  private async audit(part: AuditPart, rt: StreamRuntime): Promise<void> {
    const first = Math.ceil(part.lower / MICROS_PER_DAY);
    const last = Math.floor(part.upper / MICROS_PER_DAY);
    const where = part.metricId ? `stream ${part.stream} (metric ${part.metricId})` : `stream ${part.stream}`;
    const edges = part.lower < part.upper ? [part.lower, part.upper].filter((t) => t % MICROS_PER_DAY !== 0) : [];
    const partialDays = [...new Set(edges.map((t) => Math.floor(t / MICROS_PER_DAY)))];
    if (partialDays.length > 0) writeRaw(`audit: ${where}: partial, not audited: ${partialDays.map(day).join(', ')}`);
    if (first >= last) return;
    const names = new Map((await accountNames(rt)).metrics.map((m) => [m.id, m.name] as const));
    const metrics = part.metricId ? [part.metricId] : [...names.keys()].sort();
    const rows: Row[] = [];
    let requests = 0;
    await forEachConcurrent(metrics, METRICS_AT_ONCE, async (metricId) => {
      const klaviyo = new Map<number, number>();
      for (const window of dayWindows(first * MICROS_PER_DAY, last * MICROS_PER_DAY, this.aggregates.maxDays)) {
        const doc = await rt.client.post(this.aggregates.path, this.aggregates.body(metricId, window), budgetOf(this.aggregates.facts));
        requests++;
        for (const r of this.aggregates.toAggregateRecords(doc, metricId, window)) {
          klaviyo.set(Math.floor((toMicros(String(r['date'])) ?? 0) / MICROS_PER_DAY), Number(r['count'] ?? 0));
        }
      }
      const sent = part.counts.get(metricId) ?? new Map<number, number>();
      for (let d = first; d < last; d++) {
        const k = klaviyo.get(d) ?? 0;
        const s = sent.get(d) ?? 0;
        if (k !== s) rows.push({ metric: names.get(metricId) ?? metricId, day: d, klaviyo: k, sent: s });
      }
    });
    const span = `${day(first)} to ${day(last - 1)}`;
    if (rows.length === 0) {
      writeRaw(`audit: ${where}: all ${last - first} day(s) x ${metrics.length} metric(s) match Klaviyo's counts (${span}, ${requests} request(s))`);
      return;
    }
    rows.sort((a, b) => a.day - b.day || a.metric.localeCompare(b.metric));
    printTable(where, rows, span, requests);
    this.warn(part, rt, rows);
  }

  /** Differences the next run's lookback re-reads are noted; older ones are a warning naming the days and the fix. */
  private warn(part: AuditPart, rt: StreamRuntime, rows: Row[]): void {
    const overrides = rt.config.streams[part.stream] ?? {};
    const lookbackDays = overrides.lookback_days ?? rt.config.lookback_days;
    // Days wholly inside the next run's lookback (it starts at most `lookback_days` before this run's end).
    const reread = Math.ceil((part.upper - daysToMicros(lookbackDays)) / MICROS_PER_DAY);
    const days = [...new Set(rows.map((r) => r.day))].sort((a, b) => a - b);
    const old = days.filter((d) => d < reread);
    const recent = days.filter((d) => d >= reread);
    if (recent.length > 0) writeRaw(`audit: stream ${part.stream}: ${recent.map(day).join(', ')} inside the ${lookbackDays}-day lookback: the next run reads them again`);
    if (old.length === 0) return;
    const from = fromMicros((old[0] ?? 0) * MICROS_PER_DAY);
    const to = fromMicros(((old[old.length - 1] ?? 0) + 1) * MICROS_PER_DAY);
    log.warn(
      `audit: stream ${part.stream}: events missing or extra on ${old.map(day).join(', ')} (outside the ${lookbackDays}-day lookback); re-sync them: ` +
        `run once with "streams": {"${part.stream}": {"start_date": "${from}", "end_date": "${to}"}} and a state without ${part.stream}'s bookmark`,
    );
  }
}

function printTable(where: string, rows: Row[], span: string, requests: number): void {
  const head = ['metric', 'day', 'klaviyo', 'sent', 'difference'];
  const cells = rows.map((r) => [r.metric, day(r.day), String(r.klaviyo), String(r.sent), String(r.sent - r.klaviyo)]);
  const widths = head.map((h, i) => Math.max(h.length, ...cells.map((c) => (c[i] ?? '').length)));
  const line = (c: string[]): string => c.map((v, i) => v.padEnd(widths[i] ?? 0)).join('  ').trimEnd();
  writeRaw(`audit: ${where}: ${rows.length} metric-day(s) differ from Klaviyo's counts (${span}, ${requests} request(s)):`);
  writeRaw(line(head));
  for (const c of cells) writeRaw(line(c));
}
