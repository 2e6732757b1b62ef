// --plan's table: one row per stream (requests, pages, the span a run reads and the time its tier allows), and the
// total.
import type { BudgetKey } from '../http/json-api.js';
import { secondsFor, type StreamEstimate } from './plan.js';

/** The table --plan prints: one row per stream and a total, where endpoints run side by side. */
export function planTable(estimates: readonly StreamEstimate[]): string {
  const header = ['stream', 'partitions', 'requests', 'tier (burst/steady)', 'time at the limit', 'basis'];
  const rows = estimates.map((e) => {
    const own = e.counts[e.counts.length - 1];
    const requests = e.counts.reduce((n, c) => n + c.requests, 0);
    const seconds = Math.max(0, ...e.counts.map((c) => secondsFor(c.requests, c.budget.tier)));
    const tier = own ? `${own.budget.tier.perSecond}/s, ${own.budget.tier.perMinute}/min` : '';
    const floor = e.atLeast ? '>=' : '';
    return [e.stream, String(e.partitions), `${floor}${requests}`, tier, `${floor}${formatDuration(seconds)}`, e.basis];
  });
  const byBudget = new Map<string, { requests: number; tier: BudgetKey['tier'] }>();
  for (const c of estimates.flatMap((e) => e.counts)) {
    const b = byBudget.get(c.budget.id) ?? { requests: 0, tier: c.budget.tier };
    b.requests += c.requests;
    byBudget.set(c.budget.id, b);
  }
  const total = [...byBudget.values()].reduce((n, b) => n + b.requests, 0);
  const slowest = Math.max(0, ...[...byBudget.values()].map((b) => secondsFor(b.requests, b.tier)));
  const floor = estimates.some((e) => e.atLeast) ? '>=' : '';
  rows.push(['total', '', `${floor}${total}`, '', `${floor}${formatDuration(slowest)}`, 'endpoints run side by side: the slowest endpoint sets the time']);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]): string => cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  ').trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n') + '\n';
}

function formatDuration(seconds: number): string {
  if (seconds < 90) return `${Math.ceil(seconds)}s`;
  if (seconds < 5400) return `${Math.ceil(seconds / 60)}min`;
  return `${(seconds / 3600).toFixed(1)}h`;
}
