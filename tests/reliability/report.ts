// The reliability suite's summary: one row per scenario (runs, records expected, lost, duplicates), printed
// once after all tests. Scenario files call `report(...)` with what they measured.

export interface ScenarioRow {
  scenario: string;
  runs: number;
  expected: number;
  lost: number;
  duplicates: number;
  /** Why duplicates are allowed here (only the lookback window allows them). */
  note?: string;
}

const rows: ScenarioRow[] = [];

export function report(row: ScenarioRow): void {
  const existing = rows.find((r) => r.scenario === row.scenario);
  if (!existing) {
    rows.push({ ...row });
    return;
  }
  existing.runs += row.runs;
  existing.expected += row.expected;
  existing.lost += row.lost;
  existing.duplicates += row.duplicates;
}

export function formatTable(list: readonly ScenarioRow[]): string {
  const header = ['scenario', 'runs', 'records expected', 'records lost', 'duplicates', 'note'];
  const body = list.map((r) => [r.scenario, String(r.runs), String(r.expected), String(r.lost), String(r.duplicates), r.note ?? '']);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((b) => (b[i] ?? '').length)));
  const line = (cells: string[]): string => cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  ').trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...body.map(line)].join('\n');
}

after(function printReliabilityTable() {
  if (rows.length > 0) console.log(`\n  Reliability scenarios\n\n${formatTable(rows).replace(/^/gm, '  ')}\n`);
});
