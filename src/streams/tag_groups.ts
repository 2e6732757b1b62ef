// https://developers.klaviyo.com/en/reference/get_tag_groups
import { KlaviyoStream } from '../tap/engine/stream.js';

/** Tag groups (no time field: full table) */
export class TagGroups extends KlaviyoStream {
  readonly name = 'tag_groups';
  readonly path = '/api/tag-groups';
  readonly description = 'Tag groups (no time field: full table)';
  override readonly smallTable = true;
}
