// https://developers.klaviyo.com/en/reference/get_webhooks
import { KlaviyoStream } from '../tap/engine/stream.js';

/** Webhooks of the account. No filter, sort or page size exists: full table, one request. */
export class Webhooks extends KlaviyoStream {
  readonly name = 'webhooks';
  readonly path = '/api/webhooks';
  readonly description = 'Webhooks (endpoint URLs come truncated by Klaviyo)';
  override readonly smallTable = true;
}
