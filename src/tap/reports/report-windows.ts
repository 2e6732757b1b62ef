// The days a report run asks for, and the Reporting API's daily budget as the state counts it.
import type { ReportStream, ReportWindow } from './report-stream.js';
import type { TapConfig } from '../config/config.js';
import type { StateStore } from '../state/state.js';
import { MICROS_PER_DAY, parseUserDate } from '../shared/time.js';

/** Midnight UTC of the day `micros` falls on. */
export function startOfDay(micros: number): number {
  return Math.floor(micros / MICROS_PER_DAY) * MICROS_PER_DAY;
}

/**
 * The windows a run needs, oldest first, up to `today` (midnight UTC, exclusive): values reports one timeframe of
 * `report_days`; series reports from their bookmark less `report_reread_days` (or `report_days` back on a first
 * run), cut into windows of at most `maxDays` days. Never before `start_date`.
 */
export function reportWindows(stream: Pick<ReportStream, 'maxDays' | 'replicationKey'>, config: TapConfig, bookmark: number | null, today: number): ReportWindow[] {
  const floor = Math.max(today - config.report_days * MICROS_PER_DAY, startOfDay(parseUserDate(config.start_date) ?? 0));
  if (stream.replicationKey === null) return floor < today ? [{ start: floor, end: today }] : [];
  const resume = bookmark === null ? floor : Math.max(floor, startOfDay(Math.min(bookmark, today)) - config.report_reread_days * MICROS_PER_DAY);
  return dayWindows(resume, today, stream.maxDays);
}

/** [from, today) cut into windows of at most `maxDays` days, oldest first. */
export function dayWindows(from: number, today: number, maxDays: number): ReportWindow[] {
  const windows: ReportWindow[] = [];
  for (let start = from; start < today; start += maxDays * MICROS_PER_DAY) windows.push({ start, end: Math.min(today, start + maxDays * MICROS_PER_DAY) });
  return windows;
}

/** Requests the tap may send to one report endpoint per UTC day. */
export function dailyAllowance(perDay: number, share: number): number {
  return Math.floor(perDay * share);
}

/** The requests already sent today by this stream, from the state. */
export function usedToday(store: StateStore, stream: string, day: string): number {
  const quota = store.reportQuota(stream);
  return quota?.day === day ? quota.requests : 0;
}
