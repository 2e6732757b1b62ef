// https://developers.klaviyo.com/en/reference/get_metrics
import { KlaviyoStream } from '../tap/engine/stream.js';

/** Every metric (event type) of the account. No time filter exists: full table. */
export class Metrics extends KlaviyoStream {
  readonly name = 'metrics';
  readonly path = '/api/metrics';
  readonly description = 'Metrics (event types) with their integration';
  override readonly smallTable = true;
}
