// https://developers.klaviyo.com/en/reference/get_flows
import { KlaviyoStream } from '../tap/stream.js';
import { TAG_FIELDS, TAG_IDS } from './tagged.js';

/** Flows with their trigger and status */
export class Flows extends KlaviyoStream {
  readonly name = 'flows';
  readonly path = '/api/flows';
  readonly description = 'Flows with their trigger and status';
  override readonly replicationKey = 'updated';
  override readonly relatedIdFields = TAG_IDS;
  override readonly costlyFields = TAG_FIELDS;
}
