// https://developers.klaviyo.com/en/reference/get_push_tokens
import { KlaviyoStream } from '../tap/engine/stream.js';

/** Mobile push tokens of profiles. No time filter and no sort exist: full table. */
export class PushTokens extends KlaviyoStream {
  readonly name = 'push_tokens';
  readonly path = '/api/push-tokens';
  readonly description = 'Mobile push tokens of profiles';
}
