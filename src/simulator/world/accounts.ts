// Account shapes: the same generator, bent into the accounts a tap meets besides a busy store (the `account` knob).
// Each shape changes what is generated (counts, metrics) or marks rows afterwards; ground truth follows the world.
import { rngFor, type BuildContext } from './context.js';
import { METRIC_DEFS } from './metrics.js';
import type { MetricDef } from './metric-def.js';
import type { ScaleCounts } from './scale.js';
import type { StaticTable } from './static-table.js';

export const ACCOUNT_NAMES = ['standard', 'empty', 'no-orders', 'renamed-metrics', 'duplicate-metrics', 'archived'] as const;
export type AccountName = (typeof ACCOUNT_NAMES)[number];

export function isAccountName(value: unknown): value is AccountName {
  return typeof value === 'string' && (ACCOUNT_NAMES as readonly string[]).includes(value);
}

interface AccountShape {
  /** The counts to generate instead of the scale's. */
  counts?: (scale: ScaleCounts) => ScaleCounts;
  /** The account's metrics instead of METRIC_DEFS (order matters: index 0 must stay "Received Email"). */
  metrics?: (defs: readonly MetricDef[]) => MetricDef[];
  /** Marks rows once everything is built. */
  finish?: (ctx: BuildContext, tables: { campaigns: StaticTable; flows: StaticTable }) => void;
}

/** A new account: nothing but itself (no metrics, profiles, lists, segments, campaigns, flows, catalog...). */
function nothing(scale: ScaleCounts): ScaleCounts {
  const zero = Object.fromEntries(Object.keys(scale).map((key) => [key, 0])) as unknown as ScaleCounts;
  return { ...zero, campaigns: { email: 0, sms: 0, mobile_push: 0 } };
}

/** Half the campaigns and flows archived (the standard account archives about one in ten). */
function archiveHalf(ctx: BuildContext, tables: { campaigns: StaticTable; flows: StaticTable }): void {
  const rng = rngFor(ctx, 'archived-account');
  for (const table of [tables.campaigns, tables.flows]) {
    for (const row of table.rows) if (rng.chance(0.5)) row.attributes['archived'] = true;
    table.touch();
  }
}

const SHAPES: Readonly<Record<AccountName, AccountShape>> = {
  standard: {},
  empty: { counts: nothing, metrics: () => [] },
  // No store connected: no "Placed Order" metric, no orders (the default conversion metric is absent).
  'no-orders': { metrics: (defs) => defs.filter((def) => def.name !== 'Placed Order') },
  // An older account whose built-in metrics kept their earlier names (src/streams/metric-names.ts cites each).
  'renamed-metrics': { metrics: (defs) => defs.map((def) => (def.name === 'Unsubscribed from Email Marketing' ? { ...def, label: 'Unsubscribed' } : def)) },
  // Two stores on two integrations: two "Placed Order" metrics, one per integration.
  'duplicate-metrics': { metrics: (defs) => [...defs, { name: 'Placed Order', integration: 'woocommerce', weight: 2, email: false }] },
  archived: { finish: archiveHalf },
};

export function accountCounts(account: AccountName, scale: ScaleCounts): ScaleCounts {
  return SHAPES[account].counts?.(scale) ?? scale;
}

export function accountMetrics(account: AccountName): readonly MetricDef[] {
  return SHAPES[account].metrics?.(METRIC_DEFS) ?? METRIC_DEFS;
}

export function finishAccount(account: AccountName, ctx: BuildContext, tables: { campaigns: StaticTable; flows: StaticTable }): void {
  SHAPES[account].finish?.(ctx, tables);
}
