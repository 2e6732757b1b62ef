// https://developers.klaviyo.com/en/reference/get_mapped_metrics
import { KlaviyoStream } from '../tap/engine/stream.js';

/** Which metric or custom metric Klaviyo uses for revenue, viewed product, ... No filter or sort exists: full table. */
export class MappedMetrics extends KlaviyoStream {
  readonly name = 'mapped_metrics';
  readonly path = '/api/mapped-metrics';
  readonly description = 'Mapped metrics (the metric behind revenue, viewed product, ...)';
  override readonly smallTable = true;
}
