// https://developers.klaviyo.com/en/reference/get_flow_action_messages
import { KlaviyoStream } from '../tap/engine/stream.js';
import { FLOWS_PARENT } from './flows.js';

/** The messages of every flow action (flows -> actions -> messages): one partition per action. */
export class FlowMessages extends KlaviyoStream {
  readonly name = 'flow_messages';
  readonly path = '/api/flow-actions/{id}/flow-messages';
  readonly description = 'Flow messages (content of each message step)';
  override readonly replicationKey = 'updated';
  override readonly parent = {
    stream: 'flow_actions',
    path: '/api/flows/{id}/flow-actions',
    resourceType: 'flow-action',
    cheapField: 'created',
    key: 'flow_action_id',
    changedField: 'updated',
    parent: FLOWS_PARENT,
  };
}
