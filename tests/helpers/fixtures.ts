// A small Klaviyo account for the nock tests: every collection the tap reads, with timestamp ties that
// straddle page boundaries, and a `grow` step that adds records tied with, and newer than, the newest ones.
import { METRIC_STREAMS } from '../../src/streams/registry.js';
import { FakeKlaviyo, type FakeResource } from './fake-klaviyo.js';

const T0 = Date.parse('2025-01-01T00:00:00Z');
const REASONS = ['HARD_BOUNCE', 'INVALID_EMAIL', 'SPAM_COMPLAINT', 'UNSUBSCRIBE', 'USER_SUPPRESSED'];
const CHANNELS = ['email', 'sms', 'mobile_push'];
export const METRIC_NAMES = [...Object.values(METRIC_STREAMS), 'Placed Order'];

/** Three records share each minute, so ties cross pages of 2, 3 or 4. */
export function at(i: number, micro = false): string {
  const iso = new Date(T0 + Math.floor(i / 3) * 60_000).toISOString().slice(0, 19);
  return micro ? `${iso}.123456+00:00` : `${iso}+00:00`;
}

function rel(type: string, id: string): { data: { type: string; id: string } } {
  return { data: { type, id } };
}

function event(i: number, metric: number, id: string): FakeResource {
  const datetime = at(i);
  return {
    type: 'event',
    id: `ev${metric}-${id}`,
    attributes: { timestamp: Math.floor(Date.parse(datetime) / 1000), datetime, uuid: `uuid-${metric}-${i}`, event_properties: { $value: i, nested: { a: [1, 2] } } },
    relationships: { metric: rel('metric', `M${metric}`), profile: rel('profile', `P${i % 7}`) },
  };
}

function profile(i: number, id: string, extra: Record<string, unknown> = {}): FakeResource {
  const suppression = i % 2 === 0 ? [{ reason: REASONS[i % 5], timestamp: at(i) }, ...(i % 4 === 0 && REASONS[i % 5] !== 'UNSUBSCRIBE' ? [{ reason: 'UNSUBSCRIBE', timestamp: at(i + 1) }] : [])] : [];
  return {
    type: 'profile',
    id: `P${id}`,
    attributes: {
      email: `p${i}@example.com`,
      phone_number: null,
      external_id: null,
      first_name: `First${i}`,
      created: at(0, true),
      updated: at(i, true),
      properties: { tier: i % 3 },
      location: { city: 'Boston', latitude: 42.3 },
      subscriptions: { email: { marketing: { can_receive_email_marketing: suppression.length === 0, consent: 'SUBSCRIBED', suppression } } },
      predictive_analytics: { historic_clv: i * 1.5 },
      ...extra,
    },
  };
}

function named(type: string, id: string, i: number, timeField: string, extra: Record<string, unknown> = {}): FakeResource {
  return { type, id, attributes: { name: `${type} ${id}`, created: at(0), [timeField]: at(i), ...extra } };
}

type Row = Record<string, unknown>;

/** The keys a full extraction of `stream` must produce (primary key values joined by `|`). */
export function expectedKeys(stream: string, account: Account): string[] {
  const c = (path: string): FakeResource[] => account.fake.collections.get(path) ?? [];
  const metricStream = METRIC_STREAMS[stream];
  if (metricStream) {
    const metricId = c('/api/metrics').find((m) => m.attributes['name'] === metricStream)?.id;
    return c('/api/events').filter((e) => e.relationships?.['metric']?.data?.id === metricId).map((e) => e.id);
  }
  const members = (kind: string): string[] =>
    [...account.fake.collections.entries()]
      .filter(([path]) => path.startsWith(`/api/${kind}/`))
      .flatMap(([path, rows]) => rows.map((r) => `${path.split('/')[3]}|${r.id}`));
  switch (stream) {
    case 'list_members':
      return members('lists');
    case 'segment_members':
      return members('segments');
    case 'flow_actions':
      return members('flows');
    case 'flow_messages':
      return members('flow-actions');
    case 'campaign_messages':
      return members('campaigns');
    case 'metric_properties':
      return members('metrics');
    case 'form_versions':
      return members('forms');
    case 'universal_content':
      return c('/api/template-universal-content').map((r) => r.id);
    case 'coupon_codes':
      return c('/api/coupon-codes').map((r) => `${String(r.filterValues?.['coupon.id'])}|${r.id}`);
    case 'global_exclusions':
      return c('/api/profiles').flatMap((p) => {
        const subs = p.attributes['subscriptions'] as { email: { marketing: { suppression: Row[] } } };
        return subs.email.marketing.suppression.map((s) => `${p.id}|${String(s['reason'])}`);
      });
    default:
      return c(`/api/${stream.replace(/_/g, '-')}`).map((r) => r.id);
  }
}

export class Account {
  readonly fake = new FakeKlaviyo();
  private next = 0;

  constructor(readonly size = 8) {
    const metrics = METRIC_NAMES.map((name, m) => ({
      type: 'metric',
      id: `M${m}`,
      attributes: { name, created: at(0), updated: at(0), integration: { name: 'Klaviyo' } },
    }));
    this.fake.set('/api/metrics', metrics);
    this.fake.set('/api/events', []);
    this.fake.set('/api/profiles', []);
    this.fake.set('/api/lists', [0, 1].map((l) => named('list', `L${l}`, l, 'updated', { opt_in_process: 'single_opt_in' })));
    this.fake.set('/api/segments', [0, 1].map((s) => named('segment', `S${s}`, s, 'updated', { is_active: true })));
    for (const group of ['lists/L0', 'lists/L1', 'segments/S0', 'segments/S1']) this.fake.set(`/api/${group}/profiles`, []);
    this.fake.set('/api/campaigns', []);
    for (const path of ['/api/flows', '/api/templates', '/api/images', '/api/forms', '/api/coupon-codes', '/api/template-universal-content', '/api/web-feeds']) this.fake.set(path, []);
    const fullTable = (path: string, type: string, count: number): void => {
      this.fake.set(path, Array.from({ length: count }, (_v, i) => ({ type, id: `${type}-${i}`, attributes: { name: `${type} ${i}`, created: at(0) } })));
    };
    fullTable('/api/tags', 'tag', 5);
    fullTable('/api/coupons', 'coupon', 3);
    fullTable('/api/catalog-items', 'catalog-item', 5);
    fullTable('/api/catalog-variants', 'catalog-variant', 5);
    fullTable('/api/catalog-categories', 'catalog-category', 5);
    // Accounts, webhooks and metric properties sit on Klaviyo's slowest tier (1/s, 15/min): a few pages only.
    fullTable('/api/accounts', 'account', 4);
    fullTable('/api/tag-groups', 'tag-group', 5);
    fullTable('/api/custom-metrics', 'custom-metric', 4);
    fullTable('/api/mapped-metrics', 'mapped-metric', 4);
    fullTable('/api/push-tokens', 'push-token', 5);
    fullTable('/api/reviews', 'review', 5);
    fullTable('/api/webhooks', 'webhook', 4);
    metrics.forEach((metric, m) => {
      const properties = Array.from({ length: m === 0 ? 4 : m % 3 }, (_v, k) => ({
        type: 'metric-property',
        id: `MP${m}-${k}`,
        attributes: { label: `Property ${k}`, property: `Property ${k}`, inferred_type: 'String', sample_values: ['a', 1, true] },
        relationships: { metric: rel('metric', metric.id) },
      }));
      this.fake.set(`/api/metrics/${metric.id}/metric-properties`, properties);
    });
    for (const coupon of ['coupon-0', 'coupon-1', 'coupon-2']) {
      for (let k = 0; k < 3; k++) {
        this.fake.collections.get('/api/coupon-codes')?.push({
          type: 'coupon-code',
          id: `${coupon}-code-${k}`,
          attributes: { unique_code: `CODE${k}`, expires_at: null, status: 'UNASSIGNED' },
          relationships: { coupon: rel('coupon', coupon) },
          filterValues: { 'coupon.id': coupon },
        });
      }
    }
    this.add(size);
  }

  /** Adds `count` records to every incremental collection, at times after everything so far. */
  add(count: number): void {
    for (let k = 0; k < count; k++) this.addOne(this.next++);
  }

  /** Adds one record tied with the newest (same timestamp, new id), then two newer ones. */
  grow(): void {
    const newest = this.next - 1;
    this.addOne(newest, `${newest}b`);
    this.next = newest + 3 - (newest % 3); // the first index of the following minute
    this.add(2);
  }

  private addOne(i: number, id = String(i)): void {
    const push = (path: string, r: FakeResource): void => {
      this.fake.collections.get(path)?.push(r);
    };
    METRIC_NAMES.forEach((_n, m) => push('/api/events', event(i, m, id)));
    push('/api/profiles', profile(i, id));
    for (const group of ['lists/L0', 'lists/L1', 'segments/S0', 'segments/S1']) {
      push(`/api/${group}/profiles`, profile(i, id, { joined_group_at: at(i, true) }));
    }
    push('/api/lists', named('list', `LX${id}`, i, 'updated', { opt_in_process: 'double_opt_in' }));
    this.fake.set(`/api/lists/LX${id}/profiles`, []);
    push('/api/segments', named('segment', `SX${id}`, i, 'updated', { is_active: false }));
    this.fake.set(`/api/segments/SX${id}/profiles`, []);
    // Flows and forms sit on Klaviyo's slowest tier (3/s): few of them keep the suite quick.
    if (i % 5 === 0 || id.endsWith('b')) {
      push('/api/flows', named('flow', `F${id}`, i, 'updated', { status: 'live', archived: false, trigger_type: 'Metric' }));
      this.fake.set(`/api/flows/F${id}/flow-actions`, [0, 1, 2].map((k) => ({ ...named('flow-action', `FA${id}-${k}`, i, 'updated'), relationships: { flow: rel('flow', `F${id}`) } })));
      for (const k of [0, 1, 2]) {
        this.fake.set(`/api/flow-actions/FA${id}-${k}/flow-messages`, (k === 0 ? [0, 1, 2] : [0]).map((m) => ({ ...named('flow-message', `FM${id}-${k}-${m}`, i, 'updated'), relationships: { 'flow-action': rel('flow-action', `FA${id}-${k}`) } })));
      }
      push('/api/forms', named('form', `FO${id}`, i, 'updated_at', { status: 'live' }));
      this.fake.set(`/api/forms/FO${id}/form-versions`, [0, 1, 2].map((k) => ({ ...named('form-version', `FV${id}-${k}`, i, 'updated_at', { status: 'live' }), relationships: { form: rel('form', `FO${id}`) } })));
      push('/api/web-feeds', named('web-feed', `WF${id}`, i, 'updated', { url: 'https://feeds.example/x.json' }));
    }
    push('/api/templates', named('template', `T${id}`, i, 'updated', { editor_type: 'CODE', html: '<p>hi</p>' }));
    push('/api/images', named('image', `I${id}`, i, 'updated_at'));
    push('/api/template-universal-content', named('template-universal-content', `U${id}`, i, 'updated'));
    CHANNELS.forEach((channel, c) => {
      // email campaigns carry four variants, so their messages span pages
      const messages = Array.from({ length: channel === 'email' ? 4 : 1 }, (_v, m) => ({
        type: 'campaign-message',
        id: `CM${c}-${id}-${m}`,
        attributes: { created_at: at(i), updated_at: at(i) },
        relationships: { campaign: rel('campaign', `C${c}-${id}`) },
      }));
      this.fake.set(`/api/campaigns/C${c}-${id}/campaign-messages`, messages);
      push('/api/campaigns', {
        ...named('campaign', `C${c}-${id}`, i, 'updated_at', { status: 'Sent', archived: false, created_at: at(0) }),
        filterValues: { 'messages.channel': channel },
      });
    });
  }
}
