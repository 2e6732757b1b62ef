// https://developers.klaviyo.com/en/reference/get_properties_for_metric
import { KlaviyoStream } from '../tap/engine/stream.js';

/** The event properties Klaviyo has seen for each metric: one partition per metric, no time field (full table). */
export class MetricProperties extends KlaviyoStream {
  readonly name = 'metric_properties';
  readonly path = '/api/metrics/{id}/metric-properties';
  readonly description = 'Event properties of each metric, with sample values (one request per metric)';
  override readonly parent = { stream: 'metrics', path: '/api/metrics', resourceType: 'metric', cheapField: 'name', key: 'metric_id' };
  override readonly additionalFields = { sample_values: 'metric-property' };
}
