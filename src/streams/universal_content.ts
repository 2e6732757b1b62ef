// https://developers.klaviyo.com/en/reference/get_all_universal_content
import { KlaviyoStream } from '../tap/engine/stream.js';

/** Universal content blocks shared by templates */
export class UniversalContent extends KlaviyoStream {
  readonly name = 'universal_content';
  readonly path = '/api/template-universal-content';
  readonly description = 'Universal content (template blocks shared across templates)';
  override readonly replicationKey = 'updated';
}
