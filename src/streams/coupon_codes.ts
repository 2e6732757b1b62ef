// https://developers.klaviyo.com/en/reference/get_coupon_codes
import { f, type Filter } from '../tap/engine/filters.js';
import { KlaviyoStream } from '../tap/engine/stream.js';
import type { Partition } from '../tap/engine/stream-types.js';

/**
 * The codes of every coupon: one partition per coupon, read from /api/coupon-codes filtered on the coupon
 * (the XL tier, 3500/min, where /api/coupons/{id}/coupon-codes allows 750/min). No time field: full table.
 */
export class CouponCodes extends KlaviyoStream {
  readonly name = 'coupon_codes';
  readonly path = '/api/coupon-codes';
  readonly description = 'Coupon codes of every coupon (full table)';
  override readonly parent = { stream: 'coupons', path: '/api/coupons', resourceType: 'coupon', cheapField: 'external_id', key: 'coupon_id' };

  override async filters(partition: Partition): Promise<Filter[]> {
    return [f.equals('coupon.id', partition.context['coupon_id'] ?? '')];
  }
}
