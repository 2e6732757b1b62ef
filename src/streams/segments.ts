// https://developers.klaviyo.com/en/reference/get_segments
import { KlaviyoStream } from '../tap/engine/stream.js';
import { TAG_FIELDS, TAG_IDS } from './tagged.js';

/** Segments with their definitions; `updated` is greater-than only, like lists. */
export class Segments extends KlaviyoStream {
  readonly name = 'segments';
  readonly path = '/api/segments';
  readonly description = 'Segments with their definitions';
  override readonly replicationKey = 'updated';
  override readonly relatedIdFields = TAG_IDS;
  override readonly costlyFields = TAG_FIELDS;
}
