// https://developers.klaviyo.com/en/reference/get_segments
import { KlaviyoStream } from '../tap/stream.js';

/** Segments with their definitions; `updated` is greater-than only, like lists. */
export class Segments extends KlaviyoStream {
  readonly name = 'segments';
  readonly path = '/api/segments';
  readonly description = 'Segments with their definitions';
  override readonly replicationKey = 'updated';
}
