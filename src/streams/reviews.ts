// https://developers.klaviyo.com/en/reference/get_reviews
import { KlaviyoStream } from '../tap/engine/stream.js';

/**
 * Product and store reviews. Full table: the API filters on `created` only (not `updated`), and a review changes
 * after it is created (moderation status, public reply), so a created-based bookmark would miss those changes.
 */
export class Reviews extends KlaviyoStream {
  readonly name = 'reviews';
  readonly path = '/api/reviews';
  readonly description = 'Reviews (full table: moderation and replies change old reviews)';
}
