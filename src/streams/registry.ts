// Every stream the tap has. Adding a stream: one class file, its schema (npm run generate), one line here.
import type { KlaviyoStream } from '../tap/engine/stream.js';
import { CampaignMessages } from './campaign_messages.js';
import { Campaigns } from './campaigns.js';
import { FlowMessages } from './flow_messages.js';
import { Flows } from './flows.js';
import { FlowActions } from './flow_actions.js';
import { Templates } from './templates.js';
import { Images } from './images.js';
import { Forms } from './forms.js';
import { Tags } from './tags.js';
import { Coupons } from './coupons.js';
import { CouponCodes } from './coupon_codes.js';
import { CatalogItems } from './catalog_items.js';
import { CatalogVariants } from './catalog_variants.js';
import { CatalogCategories } from './catalog_categories.js';
import { Events } from './events.js';
import { GlobalExclusions } from './global_exclusions.js';
import { ListMembers } from './list_members.js';
import { Lists } from './lists.js';
import { MetricEvents } from './metric_events.js';
import { Metrics } from './metrics.js';
import { Profiles } from './profiles.js';
import { SegmentMembers } from './segment_members.js';
import { Segments } from './segments.js';
import { Accounts } from './accounts.js';
import { TagGroups } from './tag_groups.js';
import { MetricProperties } from './metric_properties.js';
import { FormVersions } from './form_versions.js';
import { CustomMetrics } from './custom_metrics.js';
import { MappedMetrics } from './mapped_metrics.js';
import { PushTokens } from './push_tokens.js';
import { Reviews } from './reviews.js';
import { UniversalContent } from './universal_content.js';
import { Webhooks } from './webhooks.js';
import { WebFeeds } from './web_feeds.js';
import { CampaignValuesReports } from './campaign_values_reports.js';
import { FlowValuesReports } from './flow_values_reports.js';
import { FlowSeriesReports } from './flow_series_reports.js';
import { FormValuesReports } from './form_values_reports.js';
import { FormSeriesReports } from './form_series_reports.js';
import { SegmentValuesReports } from './segment_values_reports.js';
import { SegmentSeriesReports } from './segment_series_reports.js';
import { MetricAggregates } from './metric_aggregates.js';

/** Built-in metric streams: stream id -> Klaviyo metric name. */
export const METRIC_STREAMS: Readonly<Record<string, string>> = {
  receive: 'Received Email',
  open: 'Opened Email',
  click: 'Clicked Email',
  bounce: 'Bounced Email',
  dropped_email: 'Dropped Email',
  mark_as_spam: 'Marked Email as Spam',
  unsubscribe: 'Unsubscribed from Email Marketing',
};

export function builtInStreams(): KlaviyoStream[] {
  return [
    new Events(),
    ...Object.entries(METRIC_STREAMS).map(([name, metric]) => new MetricEvents(name, metric)),
    new Metrics(),
    new Lists(),
    new ListMembers(),
    new Segments(),
    new SegmentMembers(),
    new Campaigns(),
    new CampaignMessages(),
    new Profiles(),
    new GlobalExclusions(),
    new Flows(),
    new FlowActions(),
    new FlowMessages(),
    new Templates(),
    new Tags(),
    new Coupons(),
    new CouponCodes(),
    new CatalogItems(),
    new CatalogVariants(),
    new CatalogCategories(),
    new Images(),
    new Forms(),
    new Accounts(),
    new TagGroups(),
    new MetricProperties(),
    new FormVersions(),
    new CustomMetrics(),
    new MappedMetrics(),
    new PushTokens(),
    new Reviews(),
    new UniversalContent(),
    new Webhooks(),
    new WebFeeds(),
    new CampaignValuesReports(),
    new FlowValuesReports(),
    new FlowSeriesReports(),
    new FormValuesReports(),
    new FormSeriesReports(),
    new SegmentValuesReports(),
    new SegmentSeriesReports(),
    new MetricAggregates(),
  ];
}

/**
 * The built-in streams plus one event stream per `metric_streams` entry of the config (events schema); with
 * `accountIdColumn` (`account_id_column`), every one keyed by account too.
 */
export function allStreams(metricStreams: Readonly<Record<string, string>> = {}, accountIdColumn = false): KlaviyoStream[] {
  const streams = [...builtInStreams(), ...Object.entries(metricStreams).map(([name, metric]) => new MetricEvents(name, metric, `metric_streams.${name}`))];
  for (const stream of streams) stream.accountIdColumn = accountIdColumn;
  return streams;
}
