// https://developers.klaviyo.com/en/reference/get_forms
import { KlaviyoStream } from '../tap/engine/stream.js';

/** Sign-up forms */
export class Forms extends KlaviyoStream {
  readonly name = 'forms';
  readonly path = '/api/forms';
  readonly description = 'Sign-up forms';
  override readonly replicationKey = 'updated_at';
}
