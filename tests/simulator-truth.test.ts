// Ground truth agrees with what paging the API returns, in the tap's record shape; same seed, same bytes.
import assert from 'node:assert/strict';
import { pageAll, simGet, type JsonApiResource } from '../src/simulator/client.js';
import { GROUND_TRUTH_STREAMS, METRIC_STREAMS, nestedDatetimeRewriter } from '../src/simulator/ground-truth.js';
import { REPORT_STREAMS } from '../src/simulator/report-truth.js';
import { startSimulator, type Simulator } from '../src/simulator/server.js';
import { PINNED_WORLD } from './helpers/clock.js';

type Row = Record<string, unknown>;
const PROFILE_EXTRAS = 'additional-fields[profile]=subscriptions,predictive_analytics';
const REASONS = ['HARD_BOUNCE', 'INVALID_EMAIL', 'SPAM_COMPLAINT', 'UNSUBSCRIBE', 'USER_SUPPRESSED'];

/**
 * The tap's flattening: id, attributes hoisted (top-level `+00:00` -> `Z`), to-one relationships as <rel>_id;
 * nested datetimes the stream's schema types are rewritten by the ground truth's own rewriter (below); tags sent
 * with `include=tags` as sorted `tag_ids`.
 */
function flatten(resource: JsonApiResource, extra: Row = {}): Row {
  const record: Row = { id: resource.id };
  for (const [key, value] of Object.entries(resource.attributes)) {
    record[key] = typeof value === 'string' && /^\d{4}-\d\d-\d\dT[\d:.]+\+00:00$/.test(value) ? value.replace('+00:00', 'Z') : value;
  }
  for (const [name, rel] of Object.entries(resource.relationships ?? {})) {
    const data = rel.data as { id: string } | { id: string }[] | undefined;
    if (data && !Array.isArray(data)) record[`${name.replace(/-/g, '_')}_id`] = data.id;
    if (name === 'tags' && Array.isArray(data)) record['tag_ids'] = data.map((tag) => tag.id).sort();
  }
  return { ...record, ...extra };
}

describe('simulator: ground truth', function () {
  let sim: Simulator;
  const ids = (resources: Row[]): string[] => resources.map((r) => String(r['id'])).sort();

  before(async () => {
    sim = await startSimulator({ rateLimits: false });
  });
  after(async () => sim.close());

  /** A listing that hides archived records unless asked (campaigns, flows): its default side, then its archived side. */
  async function bothSides(path: string, filter = ''): Promise<JsonApiResource[]> {
    const sep = path.includes('?') ? '&' : '?';
    const archived = encodeURIComponent([filter, 'equals(archived,true)'].filter(Boolean).join(','));
    return [...(await pageAll(sim.url, filter ? `${path}${sep}filter=${encodeURIComponent(filter)}` : path)), ...(await pageAll(sim.url, `${path}${sep}filter=${archived}`))];
  }

  async function children(parents: string | JsonApiResource[], child: (id: string) => string, key: string): Promise<Row[]> {
    const out: Row[] = [];
    for (const parent of typeof parents === 'string' ? await pageAll(sim.url, parents) : parents) {
      for (const r of await pageAll(sim.url, child(parent.id))) out.push(flatten(r, { [key]: parent.id }));
    }
    return out;
  }

  async function metricNames(): Promise<Map<string, string>> {
    return new Map((await pageAll(sim.url, '/api/metrics')).map((m) => [m.id, String(m.attributes['name'])]));
  }

  async function events(filter: string): Promise<Row[]> {
    const names = await metricNames();
    const resources = await pageAll(sim.url, `/api/events?page[size]=1000&sort=datetime${filter}`);
    return resources.map((r) => {
      const record = flatten(r);
      return { ...record, metric_name: names.get(String(record['metric_id'])), ...attribution(record['event_properties']) };
    });
  }

  /** Message events name their message (`$message`, `$flow`) at the top; attributed orders inside `$attribution`. */
  function attribution(properties: unknown): Row {
    const own = properties as Record<string, unknown>;
    const source = typeof own['$attribution'] === 'object' ? (own['$attribution'] as Record<string, unknown>) : own;
    return { attributed_message_id: source['$message'] ?? null, attributed_flow_id: source['$flow'] ?? null };
  }

  const plain: Record<string, string> = {
    metrics: '/api/metrics', lists: '/api/lists?include=tags', segments: '/api/segments?include=tags', tags: '/api/tags',
    templates: '/api/templates?additional-fields[template]=definition', coupons: '/api/coupons', images: '/api/images?page[size]=100',
    forms: '/api/forms', catalog_items: '/api/catalog-items', catalog_variants: '/api/catalog-variants',
    catalog_categories: '/api/catalog-categories', profiles: `/api/profiles?page[size]=100&${PROFILE_EXTRAS}`,
    accounts: '/api/accounts', tag_groups: '/api/tag-groups', custom_metrics: '/api/custom-metrics', mapped_metrics: '/api/mapped-metrics',
    push_tokens: '/api/push-tokens?page[size]=100', reviews: '/api/reviews?page[size]=100', universal_content: '/api/template-universal-content',
    webhooks: '/api/webhooks', web_feeds: '/api/web-feeds',
  };

  async function viaApi(stream: string): Promise<Row[]> {
    const path = plain[stream];
    if (path) return (await pageAll(sim.url, path)).map((r) => flatten(r));
    const metric = METRIC_STREAMS[stream];
    if (metric) {
      const id = [...(await metricNames())].find(([, name]) => name === metric)?.[0];
      return events(`&filter=equals(metric_id,'${id}')`);
    }
    switch (stream) {
      case 'events':
        return events('');
      case 'campaigns': {
        const all: Row[] = [];
        for (const channel of ['email', 'sms', 'mobile_push']) all.push(...(await bothSides('/api/campaigns?include=tags', `equals(messages.channel,'${channel}')`)).map((r) => flatten(r, { channel })));
        return all;
      }
      case 'flows':
        return (await bothSides('/api/flows?include=tags')).map((r) => flatten(r));
      case 'campaign_messages': {
        const campaigns = (await viaApi('campaigns')).map((c) => String(c['id']));
        const all: Row[] = [];
        for (const id of campaigns) all.push(...(await pageAll(sim.url, `/api/campaigns/${id}/campaign-messages`)).map((r) => flatten(r)));
        return all;
      }
      case 'flow_actions':
        return children(await bothSides('/api/flows'), (id) => `/api/flows/${id}/flow-actions`, 'flow_id');
      case 'flow_messages': {
        const actions = await viaApi('flow_actions');
        const all: Row[] = [];
        for (const action of actions) all.push(...(await pageAll(sim.url, `/api/flow-actions/${String(action['id'])}/flow-messages`)).map((r) => flatten(r)));
        return all;
      }
      case 'metric_properties':
        return children('/api/metrics', (id) => `/api/metrics/${id}/metric-properties?additional-fields[metric-property]=sample_values`, 'metric_id');
      case 'form_versions':
        return children('/api/forms', (id) => `/api/forms/${id}/form-versions`, 'form_id');
      case 'coupon_codes': {
        const coupons = (await pageAll(sim.url, '/api/coupons')).map((c) => `'${c.id}'`).join(',');
        return (await pageAll(sim.url, `/api/coupon-codes?filter=any(coupon.id,[${coupons}])`)).map((r) => flatten(r));
      }
      case 'list_members':
        return children('/api/lists', (id) => `/api/lists/${id}/profiles?page[size]=100&${PROFILE_EXTRAS}`, 'list_id');
      case 'segment_members':
        return children('/api/segments', (id) => `/api/segments/${id}/profiles?page[size]=100&${PROFILE_EXTRAS}`, 'segment_id');
      case 'global_exclusions':
        return exclusions();
    }
    throw new Error(`no API recipe for ${stream}`);
  }

  async function exclusions(): Promise<Row[]> {
    const out: Row[] = [];
    for (const reason of REASONS) {
      const path = `/api/profiles?page[size]=100&additional-fields[profile]=subscriptions&filter=equals(subscriptions.email.marketing.suppression.reason,'${reason}')`;
      for (const p of await pageAll(sim.url, path)) {
        const marketing = (p.attributes['subscriptions'] as { email: { marketing: { suppression: { reason: string; timestamp: string }[] } } }).email.marketing;
        for (const entry of marketing.suppression.filter((s) => s.reason === reason)) {
          const a = p.attributes;
          out.push({ id: p.id, email: a['email'], phone_number: a['phone_number'], external_id: a['external_id'], reason, timestamp: entry.timestamp.replace('+00:00', 'Z') });
        }
      }
    }
    return out;
  }

  // Report streams are compared with what the tap extracts through the API in tests/reports-e2e.test.ts.
  for (const stream of GROUND_TRUTH_STREAMS.filter((name) => !(name in REPORT_STREAMS) && name !== 'metric_aggregates')) {
    it(`${stream}: ground truth equals a full extraction through the API`, async function () {
      this.timeout(30_000);
      const truth = [...sim.groundTruth(stream)];
      const api = (await viaApi(stream)).map(nestedDatetimeRewriter(stream));
      assert.ok(truth.length > 0, `${stream} has records`);
      assert.equal(truth.length, api.length);
      const key = (r: Row): string => `${String(r['id'])}|${String(r['reason'] ?? '')}|${String(r['list_id'] ?? r['segment_id'] ?? '')}`;
      const byKey = new Map(api.map((r) => [key(r), r]));
      for (const record of truth) assert.deepEqual(record, byKey.get(key(record)), `${stream} ${key(record)}`);
    });
  }

  it('covers every suppression reason, double reasons and list suppressions', () => {
    const exclusionsTruth = [...sim.groundTruth('global_exclusions')];
    assert.deepEqual([...new Set(exclusionsTruth.map((r) => r['reason']))].sort(), REASONS);
    assert.ok(ids(exclusionsTruth).some((id, i, all) => all[i + 1] === id), 'some profile has two reasons');
    const profiles = [...sim.groundTruth('profiles')];
    assert.ok(profiles.some((p) => ((p['subscriptions'] as { email: { marketing: { list_suppressions: unknown[] } } }).email.marketing.list_suppressions.length > 0)));
    const members = [...sim.groundTruth('list_members')];
    assert.ok(members.length > new Set(members.map((m) => m['id'])).size, 'some profile is in several lists');
  });

  it('leaves out events dated after asOf, over HTTP too', async () => {
    const before = [...sim.groundTruth('events')].length;
    const { events: future } = sim.mutate({ futureEvents: 3 });
    assert.equal([...sim.groundTruth('events')].length, before);
    const later = [...sim.groundTruth('events', { asOf: '2099-01-01T00:00:00Z' })];
    assert.equal(later.length, before + 3);
    assert.ok(future.every((id) => later.some((r) => r['id'] === id)));
    const response = await fetch(`${sim.url}/__admin/ground-truth/events?asOf=2099-01-01T00:00:00Z`);
    assert.equal((await response.text()).trim().split('\n').length, before + 3);
    assert.equal((await fetch(`${sim.url}/__admin/ground-truth/nope`)).status, 404);
  });

  it('same seed -> same bytes; another seed -> other data', async () => {
    const first = await startSimulator({ rateLimits: false, ...PINNED_WORLD });
    const twin = await startSimulator({ rateLimits: false, ...PINNED_WORLD });
    const other = await startSimulator({ rateLimits: false, seed: 43, ...PINNED_WORLD });
    try {
      const paths = ['/api/events?page[size]=300&include=metric,profile', `/api/profiles?page[size]=50&${PROFILE_EXTRAS}`, '/api/flows?include=flow-actions', "/api/campaigns?filter=equals(messages.channel,'sms')", '/api/catalog-items?include=variants'];
      for (const path of paths) {
        const [a, b, c] = await Promise.all([first, twin, other].map(async (s) => (await simGet(s.url, path)).text.split(s.url).join('ORIGIN')));
        assert.equal(a, b, path);
        assert.notEqual(a, c, path);
      }
    } finally {
      await first.close();
      await twin.close();
      await other.close();
    }
  });
});
