// https://developers.klaviyo.com/en/reference/get_custom_metrics
import { KlaviyoStream } from '../tap/engine/stream.js';

/** Custom metrics (combinations of metrics). No filter or sort exists: full table. */
export class CustomMetrics extends KlaviyoStream {
  readonly name = 'custom_metrics';
  readonly path = '/api/custom-metrics';
  readonly description = 'Custom metrics (metrics combined from other metrics)';
  override readonly smallTable = true;
}
