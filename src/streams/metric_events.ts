// Events of one Klaviyo metric, found by name: https://developers.klaviyo.com/en/reference/get_events
import { f, type Filter } from '../tap/filters.js';
import { log } from '../tap/log.js';
import type { Partition, StreamRuntime } from '../tap/stream.js';
import { Events } from './events.js';
import { metricIdsByName } from './metric-directory.js';

/**
 * The events of the metric(s) named `metricName`. An account can have several metrics of one name (one per
 * integration): each is a partition with its own bookmark. An account without the metric yields no records.
 */
export class MetricEvents extends Events {
  override readonly description: string;
  /** Every event stream has the events schema. */
  override readonly schemaName = 'events';

  constructor(
    override readonly name: string,
    readonly metricName: string,
  ) {
    super();
    this.description = `Events of the metric "${metricName}"`;
  }

  /** The metric is looked up by name in /api/metrics first. */
  override get scopes(): string[] {
    return [...new Set([...super.scopes, 'metrics:read'])].sort();
  }

  override async *partitions(rt: StreamRuntime): AsyncGenerator<Partition> {
    const ids = (await metricIdsByName(rt)).get(this.metricName) ?? [];
    if (ids.length === 0) log.warn(`stream ${this.name}: the account has no metric named "${this.metricName}"; no records`);
    for (const id of ids) yield { context: { metric_id: id }, pathParams: {} };
  }

  override async filters(partition: Partition): Promise<Filter[]> {
    return [f.equals('metric_id', partition.context['metric_id'] ?? '')];
  }
}
