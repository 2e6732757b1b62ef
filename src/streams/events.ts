// https://developers.klaviyo.com/en/reference/get_events
import type { Resource } from '../tap/http/http.js';
import type { SingerRecord } from '../tap/messages.js';
import type { Page } from '../tap/http/paginate.js';
import { flatten } from '../tap/records.js';
import { KlaviyoStream, type Partition, type StreamRuntime } from '../tap/stream.js';

/** Every event of every metric, with its metric and profile ids (and the metric's name when selected). */
export class Events extends KlaviyoStream {
  readonly name: string = 'events';
  readonly path = '/api/events';
  readonly description: string = 'Every event of every metric, with metric_id, profile_id, metric_name and attributed message/flow';
  override readonly replicationKey = 'datetime';
  override readonly lateArriving = true;
  override readonly extraFields = {
    metric_name: { type: ['string', 'null'], description: "The event's metric name" },
    attributed_message_id: {
      type: ['string', 'null'],
      description: 'Campaign or flow message the event is about or credited to ($message)',
    },
    attributed_flow_id: {
      type: ['string', 'null'],
      description: 'Flow of that message ($flow)',
    },
  };

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
    for (const field in ATTRIBUTION) {
      if (rt.selected.has(field)) record[field] = attributed(record['event_properties'], ATTRIBUTION[field as keyof typeof ATTRIBUTION]);
    }
    return [record];
  }
}

/** Record field -> the event property Klaviyo records it in. */
const ATTRIBUTION = { attributed_message_id: '$message', attributed_flow_id: '$flow' } as const;

/**
 * A message event (Received/Opened/Clicked Email, ...) names its message at the top of its properties; a conversion
 * Klaviyo credits to a message (Placed Order) names it inside `$attribution`.
 */
function attributed(properties: unknown, key: string): string | null {
  if (typeof properties !== 'object' || properties === null) return null;
  const own = (properties as Record<string, unknown>)[key];
  if (typeof own === 'string') return own;
  const credit = (properties as Record<string, unknown>)['$attribution'];
  const value = typeof credit === 'object' && credit !== null ? (credit as Record<string, unknown>)[key] : undefined;
  return typeof value === 'string' ? value : null;
}
