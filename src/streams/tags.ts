// https://developers.klaviyo.com/en/reference/get_tags
import { KlaviyoStream } from '../tap/engine/stream.js';

/** Tags (no time field: full table) */
export class Tags extends KlaviyoStream {
  readonly name = 'tags';
  readonly path = '/api/tags';
  readonly description = 'Tags (no time field: full table)';
  override readonly smallTable = true;
}
