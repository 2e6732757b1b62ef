// https://developers.klaviyo.com/en/reference/get_flows
import { KlaviyoStream } from '../tap/stream.js';

/** Flows with their trigger and status */
export class Flows extends KlaviyoStream {
  readonly name = 'flows';
  readonly path = '/api/flows';
  readonly description = 'Flows with their trigger and status';
  override readonly replicationKey = 'updated';
}
