// https://developers.klaviyo.com/en/reference/get_coupons
import { KlaviyoStream } from '../tap/engine/stream.js';

/** Coupons (no time field: full table) */
export class Coupons extends KlaviyoStream {
  readonly name = 'coupons';
  readonly path = '/api/coupons';
  readonly description = 'Coupons (no time field: full table)';
  override readonly smallTable = true;
}
