// https://developers.klaviyo.com/en/reference/get_flow_actions_for_flow
import { KlaviyoStream } from '../tap/engine/stream.js';
import { FLOWS_PARENT } from './flows.js';

/** The actions (steps) of every flow, archived flows included: one partition per flow, incremental on `updated`. */
export class FlowActions extends KlaviyoStream {
  readonly name = 'flow_actions';
  readonly path = '/api/flows/{id}/flow-actions';
  readonly description = 'Flow actions (the steps of each flow)';
  override readonly replicationKey = 'updated';
  override readonly parent = FLOWS_PARENT;
}
