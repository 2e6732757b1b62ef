// What hangs off metrics: the event properties seen per metric, custom metrics and mapped metrics.
import { uuidFrom, numericId } from '../ids.js';
import { formatSeconds, randomStamps, ref, rngFor, secondsValue, type BuildContext } from './context.js';
import { StaticTable, type StaticRow } from './static-table.js';

type Sample = string | number | boolean;

/** Properties Klaviyo infers for every email metric and for the other metrics: [property, inferred type, samples]. */
const EMAIL_PROPERTIES: readonly [string, string, Sample[]][] = [
  ['Subject', 'String', ['Spring Sale is here', 'Your cart misses you']],
  ['Campaign Name', 'String', ['Spring Sale', 'Weekly Digest']],
  ['$message', 'String', ['01J8Y2K3M4', '01J8Y2K3M9']],
  ['Email Domain', 'String', ['gmail.com', 'outlook.com']],
];
const OTHER_PROPERTIES: readonly [string, string, Sample[]][] = [
  ['$value', 'Number', [19.99, 54.5, 120]],
  ['Categories', 'List', ['Apparel', 'Home']],
  ['ProductName', 'String', ['Classic Hoodie', 'Trail Backpack']],
  ['IsGift', 'Boolean', [true, false]],
];

export function buildMetricProperties(ctx: BuildContext, metrics: StaticTable): StaticTable {
  const rows: StaticRow[] = [];
  metrics.rows.forEach((metric, metricIndex) => {
    const email = ctx.metricDefs[metricIndex]?.email ?? false;
    const properties = (email ? EMAIL_PROPERTIES : OTHER_PROPERTIES).slice(0, 2 + (metricIndex % 3));
    properties.forEach(([property, inferredType, samples], index) => {
      rows.push({
        id: uuidFrom(ctx.seed, 61, metricIndex, index).replace(/-/g, ''),
        attributes: { label: property.replace(/^\$/, ''), property, inferred_type: inferredType },
        extras: { sample_values: samples },
        toOne: { metric: ref('metric', metric.id) },
        parentId: metric.id,
      });
    });
  });
  return new StaticTable('metric-property', {}, [], rows);
}

const CUSTOM_METRICS: readonly { name: string; method: 'count' | 'value'; metrics: string[] }[] = [
  { name: 'All Revenue', method: 'value', metrics: ['Placed Order', 'Loyalty Points Earned'] },
  { name: 'Any Engagement', method: 'count', metrics: ['Opened Email', 'Clicked Email', 'Active on Site'] },
  { name: 'Support Load', method: 'count', metrics: ['Support Ticket Opened'] },
  { name: 'Shopping Intent', method: 'count', metrics: ['Viewed Product', 'Active on Site'] },
  { name: 'Email Health', method: 'count', metrics: ['Bounced Email', 'Dropped Email', 'Marked Email as Spam'] },
  { name: 'Order Value', method: 'value', metrics: ['Placed Order'] },
];

export function buildCustomMetrics(ctx: BuildContext, metrics: StaticTable): StaticTable {
  const rng = rngFor(ctx, 'custom-metrics');
  const rows: StaticRow[] = CUSTOM_METRICS.flatMap((custom, index) => {
    const { createdSec, updatedSec } = randomStamps(rng, ctx.startSec, ctx.endSec);
    // Only the metrics the account has (an account without orders has no revenue custom metric).
    const ids = custom.metrics.flatMap((name) => metricRow(ctx, metrics, name)?.id ?? []);
    if (ids.length === 0) return [];
    return {
      id: numericId(7, ctx.seed, 62, index),
      attributes: {
        name: custom.name,
        created: formatSeconds(createdSec),
        updated: formatSeconds(updatedSec),
        definition: {
          aggregation_method: custom.method,
          metric_groups: ids.map((id) => ({ metric_id: id, metric_filters: [], value_property: custom.method === 'value' ? '$value' : null })),
        },
      },
      values: { created: secondsValue(createdSec), updated: secondsValue(updatedSec) },
      toMany: { metrics: ids.map((id) => ref('metric', id)) },
    };
  });
  return new StaticTable('custom-metric', {}, ['metrics'], rows);
}

/** The account's first metric that is `name` (by Klaviyo's current name), if it has one. */
function metricRow(ctx: BuildContext, metrics: StaticTable, name: string): StaticRow | undefined {
  return metrics.rows[ctx.metricDefs.findIndex((def) => def.name === name)];
}

/** Mapping id -> the metric it maps by default (Klaviyo's own ids). */
const MAPPINGS: readonly [string, string][] = [
  ['revenue', 'Placed Order'],
  ['ordered_product', 'Placed Order'],
  ['viewed_product', 'Viewed Product'],
  ['added_to_cart', 'Viewed Product'],
  ['started_checkout', 'Active on Site'],
  ['cancelled_sales', 'Placed Order'],
  ['refunded_sales', 'Placed Order'],
];

/** Every mapping names a metric and, where the account made one, the custom metric that stands in for it. */
export function buildMappedMetrics(ctx: BuildContext, metrics: StaticTable, customMetrics: StaticTable): StaticTable {
  const rng = rngFor(ctx, 'mapped-metrics');
  const rows: StaticRow[] = MAPPINGS.map(([id, metricName], index) => {
    const updatedSec = ctx.startSec + rng.int(ctx.endSec - ctx.startSec);
    const metric = metricRow(ctx, metrics, metricName);
    const custom = customMetrics.rows[index % customMetrics.rows.length];
    // A mapping whose metric or custom metric the account lacks has no such relationship.
    const toOne = { ...(metric ? { metric: ref('metric', metric.id) } : {}), ...(custom ? { 'custom-metric': ref('custom-metric', custom.id) } : {}) };
    return { id, attributes: { updated: formatSeconds(updatedSec) }, values: { updated: secondsValue(updatedSec) }, toOne };
  });
  return new StaticTable('mapped-metric', {}, [], rows);
}
