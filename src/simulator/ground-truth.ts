// The records a correct full extraction must produce now, in the tap's record shape:
// { id, ...attributes, <rel>_id for each to-one relationship, parent key for child streams }, with
// API datetimes rewritten from `+00:00` to `Z` at the top level and wherever the stream's published schema
// types a nested datetime (its JSON columns pass through as sent).
import { MICROS_PER_SECOND, toRecordDatetime } from './datetime.js';
import type { Table } from './types.js';
import { aggregateTruthRecords, REPORT_STREAMS, reportTruthRecords } from './report-truth.js';
import type { MembersTable } from './world/members.js';
import type { World } from './world/world.js';
import { builtInStreams, METRIC_STREAMS } from '../streams/registry.js';
import { streamSchema } from '../tap/singer/catalog.js';
import { datetimePaths } from '../tap/singer/fit-value.js';

export type GroundTruthRecord = Record<string, unknown>;

/** Event streams of one metric (stream id -> metric name): the tap's own list, a contract both sides share. */
export { METRIC_STREAMS };

const PROFILE_EXTRAS: ReadonlySet<string> = new Set(['subscriptions', 'predictive_analytics']);
const NO_EXTRAS: ReadonlySet<string> = new Set();

type TableStream = [stream: string, table: (w: World) => Table, extras: ReadonlySet<string>];

const TABLE_STREAMS: readonly TableStream[] = [
  ['metrics', (w) => w.metrics, NO_EXTRAS],
  ['lists', (w) => w.lists, NO_EXTRAS],
  ['segments', (w) => w.segments, NO_EXTRAS],
  ['campaign_messages', (w) => w.campaignMessages, NO_EXTRAS],
  ['flows', (w) => w.flows, NO_EXTRAS],
  ['flow_actions', (w) => w.flowActions, NO_EXTRAS],
  ['flow_messages', (w) => w.flowMessages, NO_EXTRAS],
  ['templates', (w) => w.templates, new Set(['definition'])],
  ['tags', (w) => w.tags, NO_EXTRAS],
  ['coupons', (w) => w.coupons, NO_EXTRAS],
  ['coupon_codes', (w) => w.couponCodes, NO_EXTRAS],
  ['catalog_items', (w) => w.catalogItems, NO_EXTRAS],
  ['catalog_variants', (w) => w.catalogVariants, NO_EXTRAS],
  ['catalog_categories', (w) => w.catalogCategories, NO_EXTRAS],
  ['images', (w) => w.images, NO_EXTRAS],
  ['forms', (w) => w.forms, NO_EXTRAS],
  ['profiles', (w) => w.profiles, PROFILE_EXTRAS],
  ['accounts', (w) => w.account, NO_EXTRAS],
  ['tag_groups', (w) => w.tagGroups, NO_EXTRAS],
  ['metric_properties', (w) => w.metricProperties, new Set(['sample_values'])],
  ['form_versions', (w) => w.formVersions, NO_EXTRAS],
  ['custom_metrics', (w) => w.customMetrics, NO_EXTRAS],
  ['mapped_metrics', (w) => w.mappedMetrics, NO_EXTRAS],
  ['push_tokens', (w) => w.pushTokens, NO_EXTRAS],
  ['reviews', (w) => w.reviews, NO_EXTRAS],
  ['universal_content', (w) => w.universalContent, NO_EXTRAS],
  ['webhooks', (w) => w.webhooks, NO_EXTRAS],
  ['web_feeds', (w) => w.webFeeds, NO_EXTRAS],
];

export const GROUND_TRUTH_STREAMS: readonly string[] = [
  'events',
  ...Object.keys(METRIC_STREAMS),
  ...TABLE_STREAMS.map(([stream]) => stream),
  'campaigns',
  'list_members',
  'segment_members',
  'global_exclusions',
  ...Object.keys(REPORT_STREAMS),
  'metric_aggregates',
];

/** One resource as the tap flattens it. */
export function flatRecord(table: Table, row: number, extras: ReadonlySet<string>): GroundTruthRecord {
  const record: GroundTruthRecord = { id: table.id(row) };
  for (const [name, value] of Object.entries(table.attributes(row, extras))) record[name] = toRecordDatetime(value);
  for (const [name, ref] of Object.entries(table.toOne(row))) record[`${name.replace(/-/g, '_')}_id`] = ref.id;
  return record;
}

function* eventRecords(world: World, asOfMicros: number, metricName: string | null): Generator<GroundTruthRecord> {
  const events = world.events;
  for (const row of events.scan({ field: 'datetime', descending: false }, null, [])) {
    if (events.secOf(row) * MICROS_PER_SECOND > asOfMicros) break;
    // A metric stream reads its metric under any name the account gives it, and every metric of that name.
    if (metricName !== null && events.metricKind(row) !== metricName) continue;
    const message = events.emailSourceOf(row) ?? events.attributionOf(row);
    yield {
      ...flatRecord(events, row, NO_EXTRAS),
      metric_name: events.metricName(row),
      attributed_message_id: message?.messageId ?? null,
      attributed_flow_id: message?.flowId ?? null,
    };
  }
}

function* memberRecords(groups: Map<string, MembersTable>, parentKey: string): Generator<GroundTruthRecord> {
  for (const [groupId, members] of groups) {
    for (let row = 0; row < members.size(); row++) yield { ...flatRecord(members, row, PROFILE_EXTRAS), [parentKey]: groupId };
  }
}

function* globalExclusions(world: World): Generator<GroundTruthRecord> {
  const profiles = world.profiles;
  for (let row = 0; row < profiles.size(); row++) {
    const reasons = profiles.value(row, 'subscriptions.email.marketing.suppression.reason') as string[];
    if (reasons.length === 0) continue;
    const attributes = profiles.attributes(row, new Set(['subscriptions']));
    const marketing = (attributes['subscriptions'] as { email: { marketing: { suppression: { reason: string; timestamp: string }[] } } }).email.marketing;
    for (const entry of marketing.suppression) {
      yield {
        id: profiles.id(row),
        email: attributes['email'],
        phone_number: attributes['phone_number'],
        external_id: attributes['external_id'],
        reason: entry.reason,
        timestamp: toRecordDatetime(entry.timestamp),
      };
    }
  }
}

/** The stream's related-id fields (`tag_ids`), sorted as the tap sends them, from the world's relationships. */
function relatedIdsOf(stream: string): (table: Table, row: number) => GroundTruthRecord {
  const fields = Object.entries(builtInStreams().find((s) => s.name === stream)?.relatedIdFields ?? {});
  return (table, row) => Object.fromEntries(fields.map(([field, rel]) => [field, table.toMany(row, rel).map((ref) => ref.id).sort()]));
}

/** Campaigns carry the channel they are listed under (the tap reads one channel at a time). */
function* campaignRecords(world: World): Generator<GroundTruthRecord> {
  const campaigns = world.campaigns;
  const related = relatedIdsOf('campaigns');
  for (let row = 0; row < campaigns.size(); row++) {
    yield { ...flatRecord(campaigns, row, NO_EXTRAS), ...related(campaigns, row), channel: campaigns.value(row, 'messages.channel') };
  }
}

function* tableRecords(stream: string, table: Table, extras: ReadonlySet<string>): Generator<GroundTruthRecord> {
  const related = relatedIdsOf(stream);
  for (let row = 0; row < table.size(); row++) yield { ...flatRecord(table, row, extras), ...related(table, row) };
}

/** Rewrites the datetimes at `path` (`*`: every array item) below `node`, in place. */
function rewriteNested(node: unknown, path: readonly string[]): void {
  const [step, ...rest] = path;
  if (step === undefined || typeof node !== 'object' || node === null) return;
  const holder = node as Record<string, unknown>;
  const keys = step === '*' ? (Array.isArray(node) ? node.keys() : []) : step in holder ? [step] : [];
  for (const key of keys) {
    if (rest.length === 0) holder[key] = toRecordDatetime(holder[key]);
    else rewriteNested(holder[key], rest);
  }
}

/** A copy of a stream's record with the nested datetimes its schema types rewritten (the world's objects stay). */
export function nestedDatetimeRewriter(stream: string): (record: GroundTruthRecord) => GroundTruthRecord {
  const definition = builtInStreams().find((s) => s.name === stream);
  const nested = definition ? datetimePaths(streamSchema(definition)).filter((p) => p.length > 1) : [];
  if (nested.length === 0) return (record) => record;
  return (record) => {
    const copy = structuredClone(record);
    for (const path of nested) rewriteNested(copy, path);
    return copy;
  };
}

function* withNestedDatetimes(stream: string, records: Generator<GroundTruthRecord>): Generator<GroundTruthRecord> {
  const rewrite = nestedDatetimeRewriter(stream);
  for (const record of records) yield rewrite(record);
}

/** The records of one stream, excluding events dated after `asOfMicros`. Throws on an unknown stream. */
export function groundTruthRecords(world: World, stream: string, asOfMicros: number): Generator<GroundTruthRecord> {
  return withNestedDatetimes(stream, flatRecords(world, stream, asOfMicros));
}

function flatRecords(world: World, stream: string, asOfMicros: number): Generator<GroundTruthRecord> {
  if (stream === 'events') return eventRecords(world, asOfMicros, null);
  const metric = METRIC_STREAMS[stream];
  if (metric !== undefined) return eventRecords(world, asOfMicros, metric);
  if (stream === 'list_members') return memberRecords(world.listMembers, 'list_id');
  if (stream === 'segment_members') return memberRecords(world.segmentMembers, 'segment_id');
  if (stream === 'global_exclusions') return globalExclusions(world);
  if (stream === 'campaigns') return campaignRecords(world);
  if (stream in REPORT_STREAMS) return reportTruthRecords(world, stream, asOfMicros);
  if (stream === 'metric_aggregates') return aggregateTruthRecords(world, asOfMicros);
  const entry = TABLE_STREAMS.find(([name]) => name === stream);
  if (!entry) throw new Error(`unknown stream '${stream}' (known: ${GROUND_TRUTH_STREAMS.join(', ')})`);
  return tableRecords(stream, entry[1](world), entry[2]);
}
