// Events of one Klaviyo metric, found by name: https://developers.klaviyo.com/en/reference/get_events
import { accountNames } from '../tap/account/account-names.js';
import type { MetricLookup } from '../tap/engine/stream-types.js';
import { f, type Filter } from '../tap/engine/filters.js';
import type { Partition, StreamRuntime } from '../tap/engine/stream-types.js';
import { Events } from './events.js';

/**
 * The events of the metric(s) named `metricName`, or named by one of its earlier names (metric-names.ts). An
 * account can have several metrics of one name (one per integration): each is a partition with its own bookmark,
 * and records carry their metric_id. An account without the metric yields no records (a warning before the sync,
 * or a config error for a `metric_streams` entry: account-names.ts).
 */
export class MetricEvents extends Events {
  override readonly description: string;
  /** Every event stream has the events schema. */
  override readonly schemaName = 'events';
  override readonly metricLookup: MetricLookup;

  constructor(
    override readonly name: string,
    readonly metricName: string,
    /** The config entry that named the metric (`metric_streams.<id>`); null for a built-in stream. */
    setting: string | null = null,
  ) {
    super();
    this.description = `Events of the metric "${metricName}"`;
    this.metricLookup = { name: metricName, setting };
  }

  /** The metric is looked up by name in /api/metrics first. */
  override get scopes(): string[] {
    return [...new Set([...super.scopes, 'metrics:read'])].sort();
  }

  override async *partitions(rt: StreamRuntime): AsyncGenerator<Partition> {
    for (const id of (await accountNames(rt)).metric(this.metricName).ids) yield { context: { metric_id: id }, pathParams: {} };
  }

  override async filters(partition: Partition): Promise<Filter[]> {
    return [f.equals('metric_id', partition.context['metric_id'] ?? '')];
  }
}
