// https://developers.klaviyo.com/en/reference/get_images
import { KlaviyoStream } from '../tap/engine/stream.js';

/** Images in the asset library */
export class Images extends KlaviyoStream {
  readonly name = 'images';
  readonly path = '/api/images';
  readonly description = 'Images in the asset library';
  override readonly replicationKey = 'updated_at';
}
