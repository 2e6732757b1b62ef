// https://developers.klaviyo.com/en/reference/get_events
import type { Resource } from '../tap/http.js';
import type { SingerRecord } from '../tap/messages.js';
import type { Page } from '../tap/paginate.js';
import { flatten } from '../tap/records.js';
import { KlaviyoStream, type Partition, type StreamRuntime } from '../tap/stream.js';

/** Every event of every metric, with its metric and profile ids (and the metric's name when selected). */
export class Events extends KlaviyoStream {
  readonly name: string = 'events';
  readonly path = '/api/events';
  readonly description: string = 'Every event of every metric, with metric_id, profile_id and metric_name';
  override readonly replicationKey = 'datetime';
  override readonly lateArriving = true;
  override readonly extraFields = { metric_name: { type: ['string', 'null'], description: "The event's metric name" } };

  /** `metric_name` comes from the sideloaded metric, asked for only when that field is selected. */
  override params(rt: StreamRuntime): Record<string, string> {
    return rt.selected.has('metric_name') ? { include: 'metric', 'fields[metric]': 'name' } : {};
  }

  override toRecords(resource: Resource, page: Page, _partition: Partition, rt: StreamRuntime): SingerRecord[] {
    const record = flatten(resource);
    if (rt.selected.has('metric_name')) {
      const metric = page.included.get(`metric:${String(record['metric_id'])}`);
      record['metric_name'] = typeof metric?.attributes?.['name'] === 'string' ? metric.attributes['name'] : null;
    }
    return [record];
  }
}
