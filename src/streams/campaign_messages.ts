// https://developers.klaviyo.com/en/reference/get_messages_for_campaign
import { KlaviyoStream } from '../tap/engine/stream.js';
import { CAMPAIGNS_PARENT } from './campaigns.js';

/**
 * The messages of every campaign (subject, content, sender per channel): one partition per campaign, listed
 * one channel at a time as the API requires. Unpaginated and unfiltered, so `updated_at` is bounded here, per
 * campaign; only campaigns whose `updated_at` moved since the last run are read again, archived ones included
 * (see tap/engine/parents.ts).
 */
export class CampaignMessages extends KlaviyoStream {
  readonly name = 'campaign_messages';
  readonly path = '/api/campaigns/{id}/campaign-messages';
  readonly description = 'Campaign messages (content and sender per channel) of every campaign';
  override readonly replicationKey = 'updated_at';
  override readonly parent = CAMPAIGNS_PARENT;
}
