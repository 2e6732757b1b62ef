// https://developers.klaviyo.com/en/reference/get_web_feeds
import { KlaviyoStream } from '../tap/engine/stream.js';

/** Web feeds used in templates */
export class WebFeeds extends KlaviyoStream {
  readonly name = 'web_feeds';
  readonly path = '/api/web-feeds';
  readonly description = 'Web feeds (external data pulled into messages)';
  override readonly replicationKey = 'updated';
}
