// Builds the whole simulated account from a seed: every table the API serves.
import type { Table } from '../types.js';
import { CHANNELS, buildCampaigns } from './campaigns.js';
import { buildCatalog } from './catalog.js';
import { buildImages, buildTemplates } from './content.js';
import { createContext, rngFor, type BuildContext } from './context.js';
import { buildCoupons } from './coupons.js';
import { generateEvents, type Cluster } from './event-gen.js';
import type { EmailSource, Product } from './event-properties.js';
import { EventTable } from './events.js';
import { buildFlows } from './flows.js';
import { buildLists, buildSegments } from './groups.js';
import { buildMembers, type MembersTable } from './members.js';
import { buildCustomMetrics, buildMappedMetrics, buildMetricProperties } from './metric-objects.js';
import { buildMetrics } from './metrics.js';
import { accountCounts, accountMetrics, finishAccount, type AccountName } from './accounts.js';
import { attachTags, buildAccount, buildForms, buildTagGroups, buildTags } from './misc.js';
import { buildFormVersions, buildPushTokens, buildReviews, buildUniversalContent, buildWebFeeds, buildWebhooks } from './objects.js';
import { ProfileTable } from './profiles.js';
import { SCALES, type ScaleName } from './scale.js';
import type { StaticTable } from './static-table.js';

export interface World {
  ctx: BuildContext;
  account: StaticTable;
  metrics: StaticTable;
  profiles: ProfileTable;
  events: EventTable;
  lists: StaticTable;
  segments: StaticTable;
  listMembers: Map<string, MembersTable>;
  segmentMembers: Map<string, MembersTable>;
  campaigns: StaticTable;
  campaignMessages: StaticTable;
  flows: StaticTable;
  flowActions: StaticTable;
  flowMessages: StaticTable;
  templates: StaticTable;
  tags: StaticTable;
  tagGroups: StaticTable;
  coupons: StaticTable;
  couponCodes: StaticTable;
  catalogItems: StaticTable;
  catalogVariants: StaticTable;
  catalogCategories: StaticTable;
  images: StaticTable;
  forms: StaticTable;
  formVersions: StaticTable;
  metricProperties: StaticTable;
  customMetrics: StaticTable;
  mappedMetrics: StaticTable;
  pushTokens: StaticTable;
  reviews: StaticTable;
  universalContent: StaticTable;
  webhooks: StaticTable;
  webFeeds: StaticTable;
  /** Tables by JSON:API type, for resolving `include`. */
  byType: Map<string, Table>;
}

/** Campaign sources sorted by send time, then flow sources (whose send time is NaN). */
function emailSources(campaigns: StaticTable, messages: StaticTable, flowActions: StaticTable, flowMessages: StaticTable): { sources: EmailSource[]; sendSecs: number[] } {
  const sent: { source: EmailSource; sec: number }[] = [];
  for (const message of messages.rows) {
    const campaign = campaigns.rows[campaigns.rowOf(message.toOne?.['campaign']?.id ?? '') ?? -1];
    const definition = message.attributes['definition'] as { channel?: string; content?: { subject?: string } };
    const sendTime = campaign?.attributes['send_time'];
    if (!campaign || definition.channel !== 'email' || typeof sendTime !== 'string' || !String(campaign.attributes['status']).includes('Sent')) continue;
    const source = { messageId: message.id, subject: definition.content?.subject ?? '', campaignId: campaign.id, campaignName: String(campaign.attributes['name']), flowId: null, sendSec: Date.parse(sendTime) / 1000 };
    sent.push({ source, sec: source.sendSec });
  }
  sent.sort((a, b) => a.sec - b.sec);
  const sources = sent.map((s) => s.source);
  const sendSecs = sent.map((s) => s.sec);
  for (const message of flowMessages.rows) {
    if (message.attributes['channel'] !== 'email') continue;
    const definition = message.attributes['definition'] as { subject_line?: string };
    const action = flowActions.rows[flowActions.rowOf(message.toOne?.['flow-action']?.id ?? '') ?? -1];
    sources.push({ messageId: message.id, subject: definition.subject_line ?? '', campaignId: null, campaignName: null, flowId: action?.toOne?.['flow']?.id ?? null, sendSec: NaN });
    sendSecs.push(NaN);
  }
  return { sources, sendSecs };
}

function tieClusters(ctx: BuildContext, sendSecs: number[]): Cluster[] {
  const rng = rngFor(ctx, 'tie-clusters');
  const candidates = sendSecs.flatMap((sec, index) => (sec >= ctx.startSec && sec < ctx.endSec ? [index] : []));
  return rng.sample(candidates.length, ctx.counts.tieClusters).map((pick) => {
    const index = candidates[pick] ?? 0;
    return { sec: sendSecs[index] ?? ctx.startSec, size: Math.round(ctx.counts.tieClusterSize * (0.7 + 0.6 * rng.next())), source: index + 1 };
  });
}

function products(items: StaticTable, categories: StaticTable): Product[] {
  return items.rows.map((item) => ({
    id: String(item.attributes['external_id']),
    sku: String(item.attributes['external_id']),
    title: String(item.attributes['title']),
    price: Number(item.attributes['price']),
    url: String(item.attributes['url']),
    image: String(item.attributes['image_full_url']),
    categories: ((item.values?.['category.id'] ?? []) as string[]).map((id) => String(categories.rows[categories.rowOf(id) ?? -1]?.attributes['name'] ?? '')),
  }));
}

function tagEverything(ctx: BuildContext, tags: StaticTable, owners: [StaticTable, string, string][]): void {
  const rng = rngFor(ctx, 'tagging');
  for (const [table, type, relation] of owners) {
    for (const row of table.rows) attachTags(tags, row, type, relation, rng.sample(tags.rows.length, rng.between(0, 2)));
  }
}

type LaterObjects = Pick<World, 'formVersions' | 'metricProperties' | 'customMetrics' | 'mappedMetrics' | 'pushTokens' | 'reviews' | 'universalContent' | 'webhooks' | 'webFeeds'>;

/** Tables added after the first release of the simulator: built last, so the older tables keep their ids. */
function laterObjects(ctx: BuildContext, from: { metrics: StaticTable; profiles: ProfileTable; items: StaticTable; forms: StaticTable }): LaterObjects {
  const { metrics, profiles, items, forms } = from;
  const customMetrics = buildCustomMetrics(ctx, metrics);
  return {
    formVersions: buildFormVersions(ctx, forms),
    metricProperties: buildMetricProperties(ctx, metrics),
    customMetrics,
    mappedMetrics: buildMappedMetrics(ctx, metrics, customMetrics),
    pushTokens: buildPushTokens(ctx, profiles),
    reviews: buildReviews(ctx, items),
    universalContent: buildUniversalContent(ctx),
    webhooks: buildWebhooks(ctx),
    webFeeds: buildWebFeeds(ctx),
  };
}

export function buildWorld(seed: number, scale: ScaleName, endSec: number, accountName: AccountName = 'standard'): World {
  const ctx = createContext(seed, accountCounts(accountName, SCALES[scale]), endSec, accountMetrics(accountName));
  const account = buildAccount(ctx);
  const metrics = buildMetrics(ctx);
  const templates = buildTemplates(ctx);
  const images = buildImages(ctx, account.id(0));
  const lists = buildLists(ctx);
  const segments = buildSegments(ctx, lists);
  const flows = buildFlows(ctx, { metrics, lists, templates });
  const campaigns = buildCampaigns(ctx, { lists, segments, templates, images });
  const tagGroups = buildTagGroups(ctx);
  const tags = buildTags(ctx, tagGroups);
  tagEverything(ctx, tags, [[lists, 'list', 'lists'], [segments, 'segment', 'segments'], [campaigns.campaigns, 'campaign', 'campaigns'], [flows.flows, 'flow', 'flows']]);
  const catalog = buildCatalog(ctx);
  const profiles = new ProfileTable(ctx, lists.rows.map((row) => row.id));
  const listMembers = buildMembers(ctx, lists, profiles, 'list-members', 0.9);
  const segmentMembers = buildMembers(ctx, segments, profiles, 'segment-members', 0.6);
  const coupons = buildCoupons(ctx, profiles);
  const { sources, sendSecs } = emailSources(campaigns.campaigns, campaigns.messages, flows.actions, flows.messages);
  const mix = {
    metricWeights: ctx.metricDefs.map((def) => def.weight),
    emailMetric: ctx.metricDefs.map((def) => def.email),
    receivedMetric: 0,
    campaignSendSecs: sendSecs.filter((sec) => !Number.isNaN(sec)),
    sourceCount: sources.length,
    profileCount: profiles.size(),
  };
  const columns = generateEvents(ctx, mix, tieClusters(ctx, sendSecs));
  const events = new EventTable(seed, columns, { metrics, kinds: ctx.metricDefs.map((def) => def.name), profiles, sources, products: products(catalog.items, catalog.categories) });
  const forms = buildForms(ctx);
  const world: World = {
    ctx, account, metrics, profiles, events, lists, segments, listMembers, segmentMembers,
    campaigns: campaigns.campaigns, campaignMessages: campaigns.messages,
    flows: flows.flows, flowActions: flows.actions, flowMessages: flows.messages,
    templates, tags, tagGroups, coupons: coupons.coupons, couponCodes: coupons.codes,
    catalogItems: catalog.items, catalogVariants: catalog.variants, catalogCategories: catalog.categories,
    images, forms, byType: new Map(), ...laterObjects(ctx, { metrics, profiles, items: catalog.items, forms }),
  };
  finishAccount(accountName, ctx, { campaigns: world.campaigns, flows: world.flows });
  for (const table of [account, metrics, profiles, events, lists, segments, world.campaigns, world.campaignMessages, world.flows, world.flowActions, world.flowMessages, templates, tags, tagGroups, world.coupons, world.couponCodes, world.catalogItems, world.catalogVariants, world.catalogCategories, images, world.forms,
    world.formVersions, world.metricProperties, world.customMetrics, world.mappedMetrics, world.pushTokens, world.reviews, world.universalContent, world.webhooks, world.webFeeds]) {
    world.byType.set(table.type, table);
  }
  return world;
}

export { CHANNELS };
