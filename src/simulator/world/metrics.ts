// Metrics: Klaviyo's built-in email metrics, e-commerce metrics and a couple of custom ones.
import { shortId } from '../ids.js';
import { formatSeconds, rngFor, secondsValue, type BuildContext } from './context.js';
import { StaticTable, type StaticRow } from './static-table.js';
import type { MetricDef } from './metric-def.js';

export const METRIC_DEFS: readonly MetricDef[] = [
  { name: 'Received Email', integration: 'klaviyo', weight: 30, email: true },
  { name: 'Opened Email', integration: 'klaviyo', weight: 17, email: true },
  { name: 'Clicked Email', integration: 'klaviyo', weight: 6, email: true },
  { name: 'Bounced Email', integration: 'klaviyo', weight: 1.2, email: true },
  { name: 'Dropped Email', integration: 'klaviyo', weight: 0.7, email: true },
  { name: 'Marked Email as Spam', integration: 'klaviyo', weight: 0.4, email: true },
  { name: 'Unsubscribed from Email Marketing', integration: 'klaviyo', weight: 0.8, email: true },
  { name: 'Placed Order', integration: 'shopify', weight: 4, email: false },
  { name: 'Viewed Product', integration: 'shopify', weight: 15, email: false },
  { name: 'Active on Site', integration: 'api', weight: 20, email: false },
  { name: 'Loyalty Points Earned', integration: 'api', weight: 2, email: false },
  { name: 'Support Ticket Opened', integration: 'api', weight: 0.9, email: false },
];

const INTEGRATIONS = {
  klaviyo: { object: 'integration', id: '0rG4eQ', key: 'klaviyo', name: 'Klaviyo', category: 'Internal' },
  shopify: { object: 'integration', id: '0eMvjm', key: 'shopify', name: 'Shopify', category: 'eCommerce' },
  api: { object: 'integration', id: '7FtS4J', key: 'api', name: 'API', category: 'API' },
  woocommerce: { object: 'integration', id: '0wCmrc', key: 'woocommerce', name: 'WooCommerce', category: 'eCommerce' },
} as const;

export function buildMetrics(ctx: BuildContext): StaticTable {
  const rng = rngFor(ctx, 'metrics');
  const rows: StaticRow[] = ctx.metricDefs.map((def, index) => {
    const createdSec = ctx.startSec - rng.between(30, 400) * 86_400 + rng.int(86_400);
    const updatedSec = createdSec + rng.int(86_400 * 30);
    const integration = INTEGRATIONS[def.integration];
    return {
      id: ctx.ids.issue((attempt) => shortId(ctx.seed, 11, index, attempt)),
      attributes: { name: def.label ?? def.name, created: formatSeconds(createdSec), updated: formatSeconds(updatedSec), integration: { ...integration } },
      values: {
        'integration.name': integration.name,
        'integration.category': integration.category,
        created: secondsValue(createdSec),
        updated: secondsValue(updatedSec),
      },
      toMany: { 'flow-triggers': [] },
    };
  });
  return new StaticTable('metric', { 'integration.name': 'string', 'integration.category': 'string' }, ['flow-triggers'], rows);
}
