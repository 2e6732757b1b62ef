// Reporting API streams under a daily quota of 225 requests per endpoint: each run plans its requests (whole-day
// windows) before sending any, sends at most what is left of `report_daily_budget` today (counted in the state,
// across runs, retries included), leaves the rest to the next run (a series stream's bookmark is where it resumes)
// and takes a daily 429 as "no more reports today": a warning, and the run goes on with the other streams.
import { ENDPOINTS } from '../../generated/endpoints.js';
import type { DataProbe, ReportStream, ReportWindow } from './report-stream.js';
import type { ConversionChoice } from '../account/account-names.js';
import { FatalApiError, QuotaExhaustedError } from '../shared/errors.js';
import { renderFilters } from '../engine/filters.js';
import type { SeenKeys } from '../state/deletes.js';
import { labelled } from '../account/scopes.js';
import { log } from '../shared/log.js';
import { budgetOf } from '../http/endpoint-facts.js';
import type { StreamRuntime } from '../engine/stream-types.js';
import { writeRecords } from '../engine/write-records.js';
import type { SelectedStream, StreamSummary, SyncDeps } from '../engine/sync-types.js';
import { fromMicros, toMicros } from '../shared/time.js';
import { dailyAllowance, reportWindows, startOfDay, usedToday } from './report-windows.js';

/** What a query stream's records get: `account_id` (null: none), and the keys a full read notes (deletes.ts). */
export interface RecordOptions {
  accountId: string | null;
  seen: SeenKeys | null;
}

/** Sends the report's requests that today's budget allows; resolves whether every request it needs was sent. */
export async function syncReport(s: SelectedStream, deps: SyncDeps, rt: StreamRuntime, summary: StreamSummary, options: RecordOptions): Promise<boolean> {
  const stream = s.stream as ReportStream;
  const { config, store, writer } = deps;
  const today = startOfDay(deps.startedAt);
  const day = fromMicros(today).slice(0, 10);
  const saved = store.get(stream.name, {});
  const windows = reportWindows(stream, config, saved ? toMicros(saved.replication_key_value) : null, today);
  const allowance = dailyAllowance(stream.report.rateLimit.perDay, config.report_daily_budget);
  let used = usedToday(store, stream.name, day);
  const planned = windows.slice(0, Math.max(0, allowance - used));
  log.info(`stream ${stream.name}: report plan`, { requests: windows.length, sending: planned.length, sent_today: used, daily_budget: allowance });
  if (planned.length < windows.length) {
    log.warn(`stream ${stream.name}: ${windows.length - planned.length} of ${windows.length} report requests wait for a later run: today's report_daily_budget (${allowance} of ${stream.report.rateLimit.perDay} a day) is spent`);
  }
  const conversion = planned.length > 0 ? await stream.conversion(rt) : null;
  // The account has no metric at all: no message was sent, no report has rows (warned before the sync): read in full.
  if (planned.length > 0 && stream.needsConversionMetric && conversion === null) return true;
  for (const window of planned) {
    // Retries count too: once they have used up the allowance, the rest waits like any unplanned request.
    if (used >= allowance) {
      log.warn(`stream ${stream.name}: retries used up today's report_daily_budget (${allowance}); the rest waits for a later run`);
      return false;
    }
    const attempts = { sent: 0 };
    try {
      const doc = await rt.client.post(stream.path, stream.body(window, conversion), budgetOf(stream.facts), attempts);
      const records = stream.toReportRecords(doc, window);
      summary.pages++;
      await writeRecords(s, deps, records, summary, options.accountId, options.seen);
      if (records.length === 0) await warnIfEmpty(stream, stream.probe(window), rt, window);
    } catch (err) {
      used += attempts.sent;
      if (refusedStandIn(err, conversion)) {
        log.warn(`stream ${stream.name}: Klaviyo refused ${conversion?.id ?? ''} as the stand-in conversion_metric_id (${(err as Error).message}); the stream is skipped: set conversion_metric`);
        return false;
      }
      if (!(err instanceof QuotaExhaustedError)) throw labelled(err, stream);
      log.warn(`stream ${stream.name}: Klaviyo's daily quota for ${stream.path} is spent; no more report requests today (${err.message})`);
      store.setReportQuota(stream.name, { day, requests: Math.max(used, allowance) });
      await writer.state(store.snapshot());
      return false;
    }
    used += attempts.sent;
    store.setReportQuota(stream.name, { day, requests: used });
    if (stream.replicationKey) store.set(stream.name, {}, { replication_key: stream.replicationKey, replication_key_value: fromMicros(window.end) });
    await writer.state(store.snapshot());
  }
  return planned.length === windows.length;
}

/**
 * A 400 about `conversion_metric_id` while a stand-in was sent (the account lacks the default conversion metric):
 * should Klaviyo take only some metrics as conversion metrics, the report is skipped rather than the run stopped.
 */
function refusedStandIn(err: unknown, conversion: ConversionChoice | null): boolean {
  if (conversion === null || conversion.counted || !(err instanceof FatalApiError) || err.detail.status !== 400) return false;
  return `${err.detail.parameter ?? ''} ${err.detail.detail ?? ''}`.includes('conversion_metric_id');
}

/** A report without rows where the account had data (e.g. campaigns sent in the timeframe) is a warning. */
export async function warnIfEmpty(stream: ReportStream, probe: DataProbe | null, rt: StreamRuntime, window: ReportWindow): Promise<void> {
  const range = `${fromMicros(window.start)}..${fromMicros(window.end)}`;
  if (probe === null) {
    log.info(`stream ${stream.name}: the report for ${range} has no rows`);
    return;
  }
  const filter = renderFilters(probe.filters) ?? '';
  const facts = ENDPOINTS[probe.path];
  if (!facts) return;
  const doc = await rt.client.get(filter === '' ? probe.path : `${probe.path}?filter=${encodeURIComponent(filter)}`, budgetOf(facts));
  const found = Array.isArray(doc.data) ? doc.data.length : 0;
  if (found > 0) log.warn(`stream ${stream.name}: the report for ${range} has no rows, yet the account has ${probe.what} in it (${found}+ on the first page): check ${stream.report.conversionMetric ? 'conversion_metric and ' : ''}the key's scopes`);
}
