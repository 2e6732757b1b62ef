// https://developers.klaviyo.com/en/reference/get_lists
import { KlaviyoStream } from '../tap/engine/stream.js';
import { TAG_FIELDS, TAG_IDS } from './tagged.js';

/** Lists; the API filters `updated` with greater-than only, so the engine overlaps one second and dedupes. */
export class Lists extends KlaviyoStream {
  readonly name = 'lists';
  readonly path = '/api/lists';
  readonly description = 'Lists';
  override readonly replicationKey = 'updated';
  override readonly relatedIdFields = TAG_IDS;
  override readonly costlyFields = TAG_FIELDS;
}
