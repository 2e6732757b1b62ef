// https://developers.klaviyo.com/en/reference/get_lists
import { KlaviyoStream } from '../tap/stream.js';

/** Lists; the API filters `updated` with greater-than only, so the engine overlaps one second and dedupes. */
export class Lists extends KlaviyoStream {
  readonly name = 'lists';
  readonly path = '/api/lists';
  readonly description = 'Lists';
  override readonly replicationKey = 'updated';
}
