// page[size] caps, sort, sparse fieldsets, additional fields and includes.
import assert from 'node:assert/strict';
import { simGet, type JsonApiResource } from '../src/simulator/client.js';
import { startSimulator, type Simulator } from '../src/simulator/server.js';

interface Doc {
  data: JsonApiResource[];
  included?: JsonApiResource[];
  links: { self: string; next?: string };
}

describe('simulator: parameters', function () {
  let sim: Simulator;

  before(async () => {
    sim = await startSimulator({ rateLimits: false });
  });
  after(async () => sim.close());

  async function doc(path: string): Promise<Doc> {
    const response = await simGet(sim.url, path);
    assert.equal(response.status, 200, `${path}: ${response.text.slice(0, 300)}`);
    return response.body as Doc;
  }

  async function status(path: string): Promise<[number, string]> {
    const response = await simGet(sim.url, path);
    const body = response.body as { errors?: { source?: { parameter?: string } }[] };
    return [response.status, body.errors?.[0]?.source?.parameter ?? ''];
  }

  describe('page[size]', () => {
    const table: [string, number | string, number][] = [
      ['/api/events', 0, 400], ['/api/events', 1, 200], ['/api/events', 1000, 200], ['/api/events', 1001, 400],
      ['/api/events', 'abc', 400], ['/api/events', '2.5', 400], ['/api/profiles', 100, 200], ['/api/profiles', 101, 400],
      ['/api/lists', 10, 200], ['/api/lists', 11, 400], ['/api/flows', 51, 400], ['/api/tags', 50, 200],
      ['/api/templates', 11, 400], ['/api/forms', 100, 200], ['/api/metrics', 5, 400], ['/api/accounts', 1, 400],
    ];
    for (const [path, size, expected] of table) {
      it(`${path} page[size]=${size} -> ${expected}`, async () => {
        const [got, parameter] = await status(`${path}?page[size]=${size}`);
        assert.equal(got, expected);
        if (expected === 400) assert.equal(parameter, 'page[size]');
      });
    }

    const defaults: [string, number][] = [['/api/events', 200], ['/api/profiles', 20], ['/api/lists', 10], ['/api/images', 20], ['/api/catalog-variants', 100]];
    for (const [path, size] of defaults) {
      it(`${path} defaults to ${size} per page`, async () => {
        const page = await doc(path);
        assert.equal(page.data.length, size);
        assert.ok(page.links.next?.startsWith(`${sim.url}${path}?page%5Bcursor%5D=`), page.links.next);
      });
    }

    it('metrics come on one page (up to 200) and campaign messages are unpaginated', async () => {
      const metrics = await doc('/api/metrics');
      assert.equal(metrics.data.length, sim.world.metrics.size());
      assert.equal(metrics.links.next, undefined);
      const campaign = sim.world.campaigns.id(0);
      const messages = await doc(`/api/campaigns/${campaign}/campaign-messages`);
      assert.ok(messages.data.length >= 1);
      assert.equal(messages.links.next, undefined);
      assert.deepEqual((await status(`/api/campaigns/${campaign}/campaign-messages?page[size]=1`))[0], 400);
    });
  });

  describe('sort', () => {
    const table: [string, string, (r: JsonApiResource) => string | number][] = [
      ['/api/events?page[size]=500', 'datetime', (r) => String(r.attributes['datetime'])],
      ['/api/events?page[size]=500', '-datetime', (r) => String(r.attributes['datetime'])],
      ['/api/events?page[size]=500', '-timestamp', (r) => Number(r.attributes['timestamp'])],
      ['/api/profiles?page[size]=100', 'updated', (r) => String(r.attributes['updated'])],
      ['/api/profiles?page[size]=100', '-email', (r) => String(r.attributes['email'] ?? '')],
      ['/api/tags?page[size]=50', 'name', (r) => String(r.attributes['name'])],
      ['/api/images?page[size]=100', '-size', (r) => Number(r.attributes['size'])],
      ['/api/flows?page[size]=50', 'trigger_type', (r) => String(r.attributes['trigger_type'])],
    ];
    for (const [path, sort, key] of table) {
      it(`${path} sort=${sort}`, async () => {
        const page = await doc(`${path}&sort=${sort}`);
        const keys = page.data.map(key);
        const sorted = [...keys].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
        assert.deepEqual(keys, sort.startsWith('-') ? sorted.reverse() : sorted);
      });
    }

    const invalid: string[] = ['/api/events?sort=updated', '/api/events?sort=bogus', '/api/coupons?sort=id', '/api/lists/X/profiles?sort=email'];
    for (const path of invalid) {
      it(`rejects ${path}`, async () => {
        assert.deepEqual(await status(path.replace('/X/', `/${sim.world.lists.id(0)}/`)), [400, 'sort']);
      });
    }

    it('breaks ties by id', async () => {
      const page = await doc('/api/events?page[size]=1000&sort=datetime');
      for (let i = 1; i < page.data.length; i++) {
        const [a, b] = [page.data[i - 1] as JsonApiResource, page.data[i] as JsonApiResource];
        if (a.attributes['datetime'] === b.attributes['datetime']) assert.ok(a.id < b.id, `${a.id} before ${b.id}`);
      }
    });
  });

  describe('fields, additional-fields and include', () => {
    it('returns only the requested attributes, including nested paths', async () => {
      const events = await doc('/api/events?fields[event]=datetime,uuid');
      assert.deepEqual(Object.keys(events.data[0]?.attributes ?? {}), ['datetime', 'uuid']);
      const profiles = await doc('/api/profiles?fields[profile]=email,location.city,subscriptions.email.marketing.suppression&additional-fields[profile]=subscriptions');
      const attributes = profiles.data[0]?.attributes ?? {};
      assert.deepEqual(Object.keys(attributes).sort(), ['email', 'location', 'subscriptions']);
      assert.deepEqual(Object.keys(attributes['location'] as object), ['city']);
      assert.deepEqual(Object.keys(attributes['subscriptions'] as object), ['email']);
    });

    it('returns additional fields only when asked for', async () => {
      const plain = await doc('/api/profiles');
      assert.ok(plain.data.every((p) => !('subscriptions' in p.attributes) && !('predictive_analytics' in p.attributes)));
      const both = await doc('/api/profiles?additional-fields[profile]=subscriptions,predictive_analytics');
      assert.ok(both.data.every((p) => 'subscriptions' in p.attributes && 'predictive_analytics' in p.attributes));
      const members = await doc(`/api/lists/${sim.world.lists.id(0)}/profiles?additional-fields[profile]=subscriptions`);
      assert.ok(members.data.every((p) => 'subscriptions' in p.attributes && !('predictive_analytics' in p.attributes) && 'joined_group_at' in p.attributes));
    });

    it('sideloads includes and keeps to-one relationship data without them', async () => {
      const events = await doc('/api/events?include=metric,profile&page[size]=50');
      const included = new Set((events.included ?? []).map((r) => `${r.type}:${r.id}`));
      for (const event of events.data) {
        for (const rel of ['metric', 'profile']) {
          const data = event.relationships?.[rel]?.data as { type: string; id: string };
          assert.ok(included.has(`${data.type}:${data.id}`), `${rel} ${data.id} included`);
        }
      }
      const campaigns = await doc("/api/campaigns?filter=equals(messages.channel,'email')&include=campaign-messages");
      const messageIds = new Set((campaigns.included ?? []).map((r) => r.id));
      for (const campaign of campaigns.data) {
        const data = campaign.relationships?.['campaign-messages']?.data as { id: string }[];
        assert.ok(data.length >= 1 && data.every((m) => messageIds.has(m.id)));
      }
      const plain = await doc("/api/campaigns?filter=equals(messages.channel,'email')");
      assert.equal(plain.included, undefined);
      assert.equal(plain.data[0]?.relationships?.['campaign-messages']?.data, undefined);
    });

    const invalid: [string, string][] = [
      ['/api/events?fields[event]=bogus', 'fields[event]'],
      ['/api/events?fields[bogus]=x', 'fields[bogus]'],
      ['/api/profiles?additional-fields[profile]=bogus', 'additional-fields[profile]'],
      ['/api/events?additional-fields[profile]=subscriptions', 'additional-fields[profile]'],
      ['/api/events?include=bogus', 'include'],
      ['/api/coupons?include=coupon-codes', 'include'],
    ];
    for (const [path, parameter] of invalid) {
      it(`rejects ${path}`, async () => {
        assert.deepEqual(await status(path), [400, parameter]);
      });
    }
  });
});
