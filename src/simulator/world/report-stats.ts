// The Reporting API's statistics, counted from the world's email events: per campaign or flow message (channel
// email), over a range of seconds, as one bucket (values reports) or one bucket per day (series reports).
// Conversions are the conversion metric's events credited to the message ($attribution, or the message itself).
import type { EmailSource } from './event-properties.js';
import { scanEvents } from './event-scan.js';
import type { World } from './world.js';

export type Family = 'campaign' | 'flow';

interface Counter {
  recipients: number;
  bounced: number;
  failed: number;
  opens: number;
  clicks: number;
  unsubscribes: number;
  spam: number;
  conversions: number;
  value: number;
  opened: Set<number>;
  clicked: Set<number>;
  unsubscribed: Set<number>;
  converted: Set<number>;
}

export interface ReportGroup {
  groupings: Record<string, string>;
  /** One counter per bucket. */
  buckets: Counter[];
}

const COUNTED: Record<string, 'recipients' | 'bounced' | 'failed' | 'opens' | 'clicks' | 'unsubscribes' | 'spam'> = {
  'Received Email': 'recipients',
  'Bounced Email': 'bounced',
  'Dropped Email': 'failed',
  'Opened Email': 'opens',
  'Clicked Email': 'clicks',
  'Unsubscribed from Email Marketing': 'unsubscribes',
  'Marked Email as Spam': 'spam',
};

const UNIQUE = { opens: 'opened', clicks: 'clicked', unsubscribes: 'unsubscribed' } as const;

function newCounter(): Counter {
  const sets = { opened: new Set<number>(), clicked: new Set<number>(), unsubscribed: new Set<number>(), converted: new Set<number>() };
  return { recipients: 0, bounced: 0, failed: 0, opens: 0, clicks: 0, unsubscribes: 0, spam: 0, conversions: 0, value: 0, ...sets };
}

function groupingsOf(family: Family, source: EmailSource): Record<string, string> | null {
  if (family === 'campaign') return source.campaignId ? { campaign_id: source.campaignId, campaign_message_id: source.messageId, send_channel: 'email' } : null;
  return source.flowId ? { flow_id: source.flowId, flow_message_id: source.messageId, send_channel: 'email' } : null;
}

/**
 * Groups with at least one counted event in [lowSec, highSec), in first-seen order. `bucketSec`: the bucket length
 * (a day for daily series), or null for one bucket over the whole range.
 */
export function reportGroups(world: World, family: Family, conversionMetricId: string, lowSec: number, highSec: number, bucketSec: number | null): ReportGroup[] {
  const events = world.events;
  const bucketCount = bucketSec === null ? 1 : Math.ceil((highSec - lowSec) / bucketSec);
  const groups = new Map<string, ReportGroup>();
  for (const row of scanEvents(events, false, null, { low: lowSec, high: highSec })) {
    const sec = events.secOf(row);
    if (sec < lowSec || sec >= highSec) continue;
    const conversion = events.metricId(row) === conversionMetricId;
    const counted = COUNTED[events.metricKind(row)];
    if (!conversion && !counted) continue;
    const source = conversion ? (events.attributionOf(row) ?? events.emailSourceOf(row)) : events.emailSourceOf(row);
    const groupings = source ? groupingsOf(family, source) : null;
    if (!source || !groupings) continue;
    let group = groups.get(source.messageId);
    if (!group) groups.set(source.messageId, (group = { groupings, buckets: Array.from({ length: bucketCount }, newCounter) }));
    const counter = group.buckets[bucketSec === null ? 0 : Math.floor((sec - lowSec) / bucketSec)];
    if (!counter) continue;
    const profile = events.profileOf(row);
    if (counted) {
      counter[counted]++;
      if (counted in UNIQUE) counter[UNIQUE[counted as keyof typeof UNIQUE]].add(profile);
    }
    if (conversion) {
      counter.conversions++;
      counter.converted.add(profile);
      const value = (events.attributes(row)['event_properties'] as Record<string, unknown>)['$value'];
      counter.value += typeof value === 'number' ? value : 0;
    }
  }
  return [...groups.values()];
}

const ratio = (a: number, b: number): number => (b > 0 ? Math.round((a / b) * 1e6) / 1e6 : 0);

/** The value of every statistic `names` lists, from one counter (statistics the world has no data for are 0). */
export function statisticsOf(c: Counter, names: readonly string[]): Record<string, number> {
  const delivered = Math.max(0, c.recipients - c.bounced - c.failed);
  const value = Math.round(c.value * 100) / 100;
  const all: Record<string, number> = {
    recipients: c.recipients,
    delivered,
    bounced: c.bounced,
    failed: c.failed,
    bounced_or_failed: c.bounced + c.failed,
    delivery_rate: ratio(delivered, c.recipients),
    bounce_rate: ratio(c.bounced, c.recipients),
    failed_rate: ratio(c.failed, c.recipients),
    bounced_or_failed_rate: ratio(c.bounced + c.failed, c.recipients),
    opens: c.opens,
    opens_unique: c.opened.size,
    open_rate: ratio(c.opened.size, delivered),
    clicks: c.clicks,
    clicks_unique: c.clicked.size,
    click_rate: ratio(c.clicked.size, delivered),
    click_to_open_rate: ratio(c.clicked.size, c.opened.size),
    unsubscribes: c.unsubscribes,
    unsubscribe_uniques: c.unsubscribed.size,
    unsubscribe_rate: ratio(c.unsubscribed.size, delivered),
    spam_complaints: c.spam,
    spam_complaint_rate: ratio(c.spam, delivered),
    conversions: c.conversions,
    conversion_uniques: c.converted.size,
    conversion_rate: ratio(c.converted.size, delivered),
    conversion_value: value,
    average_order_value: ratio(value, c.conversions),
    revenue_per_recipient: ratio(value, delivered),
  };
  return Object.fromEntries(names.map((name) => [name, all[name] ?? 0]));
}
