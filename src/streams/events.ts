// https://developers.klaviyo.com/en/reference/get_events
import { schemaProperties, streamSchema } from '../tap/singer/catalog.js';
import { eventLane, propertyAt, type Derived } from '../tap/fast-paths/event-lane.js';
import type { Resource } from '../tap/http/json-api.js';
import type { JsonSchema, SingerRecord } from '../tap/singer/messages.js';
import type { Page } from '../tap/http/paginate.js';
import { flatten } from '../tap/engine/records.js';
import { KlaviyoStream } from '../tap/engine/stream.js';
import type { Lane, Partition, StreamRuntime } from '../tap/engine/stream-types.js';

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
    for (const d of DERIVED) {
      if (rt.selected.has(d.field)) record[d.field] = d.from === 'metric' ? d.value(record['metric_id'], page) : propertyAt(record['event_properties'], d.paths);
    }
    return [record];
  }

  /** Records written straight from each event's bytes, in any layout (fast-paths/event-lane.ts). */
  override lane(_rt: StreamRuntime, schema: JsonSchema): Lane | null {
    return eventLane(schema, new Set(schemaProperties(streamSchema(this))), DERIVED);
  }
}

/** The name of the event's metric, from the sideloaded metrics. */
function metricName(page: Page, metricId: unknown): string | null {
  const name = page.included.get(`metric:${String(metricId)}`)?.attributes?.['name'];
  return typeof name === 'string' ? name : null;
}

/**
 * What the stream adds to each event's record, in this order (the general path and the lane both write them). A
 * message event (Received/Opened/Clicked Email, ...) names its message at the top of its properties; a conversion
 * Klaviyo credits to a message (Placed Order) names it inside `$attribution`.
 */
const DERIVED: readonly Derived[] = [
  { field: 'metric_name', from: 'metric', types: ['string', 'null'], value: (metricId, page) => metricName(page, metricId) },
  { field: 'attributed_message_id', from: 'properties', types: ['string', 'null'], paths: [['$message'], ['$attribution', '$message']] },
  { field: 'attributed_flow_id', from: 'properties', types: ['string', 'null'], paths: [['$flow'], ['$attribution', '$flow']] },
];
