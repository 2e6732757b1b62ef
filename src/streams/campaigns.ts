// https://developers.klaviyo.com/en/reference/get_campaigns
import { f, renderFilter, type Filter } from '../tap/engine/filters.js';
import type { Resource } from '../tap/http/json-api.js';
import type { SingerRecord } from '../tap/singer/messages.js';
import type { Page } from '../tap/http/paginate.js';
import { KlaviyoStream } from '../tap/engine/stream.js';
import type { ParentSpec, Partition, StreamRuntime } from '../tap/engine/stream-types.js';
import { TAG_FIELDS, TAG_IDS } from './tagged.js';

/** The API requires a channel filter, so each channel is a partition with its own bookmark. */
const CHANNELS = ['email', 'sms', 'mobile_push'] as const;

/** Campaigns as the parent of a child stream: listed one channel at a time, archived ones too. */
export const CAMPAIGNS_PARENT: ParentSpec = {
  stream: 'campaigns',
  path: '/api/campaigns',
  resourceType: 'campaign',
  cheapField: 'name',
  key: 'campaign_id',
  changedField: 'updated_at',
  listFilters: CHANNELS.map((channel) => renderFilter(f.equals('messages.channel', channel))),
  archivedSide: true,
};

export class Campaigns extends KlaviyoStream {
  readonly name = 'campaigns';
  readonly path = '/api/campaigns';
  readonly description = 'Campaigns on every channel (email, sms, mobile_push), with the channel';
  override readonly replicationKey = 'updated_at';
  /** Klaviyo lists archived campaigns only when asked for them (see the simulator's README, "Default visibility"). */
  override readonly archivedSide = true;
  override readonly relatedIdFields = TAG_IDS;
  override readonly costlyFields = TAG_FIELDS;
  override readonly extraFields = { channel: { type: 'string', description: 'email, sms or mobile_push' } };

  override async *partitions(): AsyncGenerator<Partition> {
    for (const channel of CHANNELS) yield { context: { channel }, pathParams: {} };
  }

  override async filters(partition: Partition): Promise<Filter[]> {
    return [f.equals('messages.channel', partition.context['channel'] ?? '')];
  }

  override toRecords(resource: Resource, page: Page, partition: Partition, rt: StreamRuntime): SingerRecord[] {
    return super.toRecords(resource, page, partition, rt).map((record) => ({ ...record, channel: partition.context['channel'] }));
  }
}
