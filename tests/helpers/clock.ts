// Dates in tests. The tap, the simulator and the tests all read the real clock (so a suite run under faketime
// moves all three together); the simulator's world ends at the start of today (UTC) unless a test pins it.
export const DAY_MS = 86_400_000;

/**
 * Simulator options for a world whose dates are the same whatever today is (its history ends 2026-11-01): for
 * tests that compare worlds byte for byte or name fixed dates. A test that runs the tap uses today's world instead.
 */
export const PINNED_WORLD = { dataEnd: '2026-11-01T00:00:00Z' } as const;

/** The start of the UTC day `days` before today, as `YYYY-MM-DDT00:00:00Z`. */
export function daysAgo(days: number, nowMs: number = Date.now()): string {
  return `${new Date((Math.floor(nowMs / DAY_MS) - days) * DAY_MS).toISOString().slice(0, 10)}T00:00:00Z`;
}

/** Today's UTC date, `YYYY-MM-DD`. */
export function utcToday(nowMs: number = Date.now()): string {
  return new Date(nowMs).toISOString().slice(0, 10);
}

/**
 * For a test whose expectations name today's date (report windows, audited days, a daily quota): when less than
 * `ms` is left of the UTC day, waits until the next one has begun, so the tap and the test agree on "today"
 * for the next `ms`. Give the test's timeout room for the wait.
 */
export async function holdOneUtcDay(ms: number): Promise<void> {
  const left = DAY_MS - (Date.now() % DAY_MS);
  if (left < ms) await new Promise((resolve) => setTimeout(resolve, left + 1000));
}
