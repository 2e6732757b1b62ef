// https://developers.klaviyo.com/en/reference/get_accounts
import { KlaviyoStream } from '../tap/engine/stream.js';

/** The account the key belongs to: one row (timezone, currency, sender details), so records can be attributed. */
export class Accounts extends KlaviyoStream {
  readonly name = 'accounts';
  readonly path = '/api/accounts';
  readonly description = 'The account of the API key (one row: timezone, currency, contact details)';
  override readonly smallTable = true;
}
