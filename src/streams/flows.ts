// https://developers.klaviyo.com/en/reference/get_flows
import { KlaviyoStream } from '../tap/engine/stream.js';
import type { ParentSpec } from '../tap/engine/stream-types.js';
import { TAG_FIELDS, TAG_IDS } from './tagged.js';

/** Flows as the parent (or grandparent) of a child stream: archived ones listed too. */
export const FLOWS_PARENT: ParentSpec = { stream: 'flows', path: '/api/flows', resourceType: 'flow', cheapField: 'name', key: 'flow_id', changedField: 'updated', archivedSide: true };

/** Flows with their trigger and status */
export class Flows extends KlaviyoStream {
  readonly name = 'flows';
  readonly path = '/api/flows';
  readonly description = 'Flows with their trigger and status';
  override readonly replicationKey = 'updated';
  /** Klaviyo lists archived flows only when asked for them (see the simulator's README, "Default visibility"). */
  override readonly archivedSide = true;
  override readonly relatedIdFields = TAG_IDS;
  override readonly costlyFields = TAG_FIELDS;
}
