// Request validation and query semantics: auth, revision, scopes, filters, page sizes, sort, sparse
// fieldsets, additional fields and includes — mostly as tables.
import assert from 'node:assert/strict';
import { simGet, type JsonApiResource } from '../src/simulator/client.js';
import { startSimulator, type Simulator } from '../src/simulator/server.js';

interface ErrorBody {
  errors: { id: string; status: number; code: string; detail: string; source?: { parameter?: string } }[];
}

describe('simulator: requests', function () {
  let sim: Simulator;
  let receivedId = '';
  let listId = '';

  before(async () => {
    sim = await startSimulator({ rateLimits: false });
    receivedId = sim.world.metrics.id(0);
    listId = sim.world.lists.id(0);
    sim.addKey('pk_events_only', ['events:read']);
    sim.addKey('pk_lists_only', ['lists:read']);
  });
  after(async () => sim.close());

  async function expectError(path: string, status: number, code: string, mentions: string, options = {}): Promise<ErrorBody> {
    const response = await simGet(sim.url, path, options);
    assert.equal(response.status, status, `${path}: ${response.text.slice(0, 300)}`);
    assert.equal(response.headers.get('content-type'), 'application/vnd.api+json');
    const body = response.body as ErrorBody;
    const [error] = body.errors;
    assert.ok(error, response.text);
    assert.equal(error.code, code);
    assert.equal(error.status, status);
    assert.match(error.id, /^[0-9a-f-]{36}$/);
    assert.ok(error.detail.includes(mentions), `detail '${error.detail}' should mention '${mentions}'`);
    return body;
  }

  describe('auth, revision, scopes and routing', () => {
    const table: [string, string, Record<string, unknown>, number, string][] = [
      ['no Authorization', '/api/events', { apiKey: '' }, 401, 'not_authenticated'],
      ['Bearer scheme', '/api/events', { apiKey: '', headers: { authorization: 'Bearer pk_sim_demo' } }, 401, 'authentication_failed'],
      ['unknown key', '/api/events', { apiKey: 'pk_nope' }, 401, 'authentication_failed'],
      ['no revision', '/api/events', { revision: null }, 400, 'invalid'],
      ['old revision', '/api/events', { revision: '2024-10-15' }, 400, 'invalid'],
      ['missing scope', '/api/profiles', { apiKey: 'pk_events_only' }, 403, 'permission_denied'],
      ['one of two scopes', `/api/lists/LIST/profiles`, { apiKey: 'pk_lists_only' }, 403, 'permission_denied'],
      ['unknown path', '/api/nothing-here', {}, 404, 'not_found'],
      ['unknown parent', '/api/lists/NOPE00/profiles', {}, 404, 'not_found'],
      ['unknown flow', '/api/flows/NOPE00/flow-actions', {}, 404, 'not_found'],
    ];
    for (const [name, path, options, status, code] of table) {
      it(`${name} -> ${status} ${code}`, async () => {
        await expectError(path.replace('LIST', listId), status, code, '', options);
      });
    }

    const ok: [string, string, Record<string, unknown>][] = [
      ['restricted key with the scope', '/api/events', { apiKey: 'pk_events_only' }],
      ['beta revision', '/api/events', { revision: '2026-07-15.pre' }],
      ['trailing slash', '/api/metrics/', {}],
      ['child trailing slash', `/api/lists/LIST/profiles/`, {}],
    ];
    for (const [name, path, options] of ok) {
      it(`${name} -> 200`, async () => {
        const response = await simGet(sim.url, path.replace('LIST', listId), options);
        assert.equal(response.status, 200, response.text.slice(0, 200));
      });
    }
  });

  describe('filter grammar', () => {
    const valid: [string, string][] = [
      ['/api/events', "equals(metric_id,'RECEIVED')"],
      ['/api/events', 'equals(metric_id,"RECEIVED")'],
      ['/api/events', 'greater-or-equal(datetime,2025-06-01)'],
      ['/api/events', 'greater-than(datetime,2025-06-01T00:00:00Z)'],
      ['/api/events', 'less-than(datetime,2025-06-01T00:00:00.123456Z)'],
      ['/api/events', 'less-or-equal(datetime,2025-06-01T02:00:00%2B02:00)'],
      ['/api/events', 'greater-than(datetime,2025-06-01T00:00:00)'],
      ['/api/events', "and(equals(metric_id,'RECEIVED'),greater-than(datetime,2025-06-01))"],
      ['/api/events', "equals(metric_id,'RECEIVED'),less-than(datetime,2025-06-01)"],
      ['/api/events', 'has(profile)'],
      ['/api/events', 'greater-than(timestamp,1748736000)'],
      ['/api/profiles', "any(email,['a@example.org','b@example.org'])"],
      ['/api/profiles', "equals(subscriptions.email.marketing.suppression.reason,'HARD_BOUNCE')"],
      ['/api/profiles', 'greater-than(updated,2025-01-01T00:00:00Z),less-than(created,2026-01-01)'],
      ['/api/profiles', 'equals(external_id,null)'],
      ['/api/images', "greater-than(size,1000),equals(hidden,false),starts-with(name,'hero')"],
      ['/api/images', "any(format,['png','gif']),ends-with(name,'.png')"],
      ['/api/flows', "equals(archived,true),contains(name,'Welcome')"],
      ['/api/coupon-codes', "any(coupon.id,['WELCOME10','SUMMER20']),equals(status,'USED')"],
      ['/api/campaigns', "and(equals(messages.channel,'sms'),greater-than(updated_at,2025-01-01T00:00:00Z))"],
    ];
    for (const [path, filter] of valid) {
      it(`accepts ${path} ${filter}`, async () => {
        const response = await simGet(sim.url, `${path}?filter=${filter.replace('RECEIVED', receivedId)}`);
        assert.equal(response.status, 200, response.text.slice(0, 300));
      });
    }

    const invalid: [string, string, string][] = [
      ['/api/events', "equals(bogus,'x')", 'bogus'],
      ['/api/events', "contains(metric_id,'x')", 'contains'],
      ['/api/events', "any(metric_id,['x'])", 'any'],
      ['/api/events', "greater-than(datetime,'2025-01-01')", 'quoted'],
      ['/api/events', 'greater-than(datetime,2025-13-01)', '2025-13-01'],
      ['/api/events', 'greater-than(datetime,2025-01-01T00:00:00+02:00)', '2025-01-01T00:00:00 02:00'],
      ['/api/events', 'equals(metric_id,abc)', 'abc'],
      ['/api/events', "equals(metric_id,'abc'", 'expected'],
      ['/api/events', "or(equals(metric_id,'a'),equals(metric_id,'b'))", 'or'],
      ['/api/events', "has(profile,'x')", 'has'],
      ['/api/events', "equals(metric_id,'a'))", 'unexpected'],
      ['/api/lists', 'greater-or-equal(updated,2025-01-01)', 'greater-or-equal'],
      ['/api/profiles', 'greater-or-equal(updated,2025-01-01)', 'greater-or-equal'],
      ['/api/images', "greater-than(size,'big')", 'number'],
      ['/api/flows', "equals(archived,'yes')", 'boolean'],
      ['/api/coupons', "equals(id,'x')", 'filter'],
      ['/api/campaigns', "equals(status,'Sent')", 'messages.channel'],
      ['/api/coupon-codes', "equals(status,'USED')", 'coupon.id'],
    ];
    for (const [path, filter, mentions] of invalid) {
      it(`rejects ${path} ${filter}`, async () => {
        const body = await expectError(`${path}?filter=${filter}`, 400, 'invalid', mentions);
        assert.equal(body.errors[0]?.source?.parameter, 'filter');
      });
    }

    it('requires the filter on /api/campaigns and /api/coupon-codes', async () => {
      await expectError('/api/campaigns', 400, 'invalid', 'messages.channel');
      await expectError('/api/coupon-codes', 400, 'invalid', 'coupon.id');
    });

    it('compares datetimes at microsecond precision', async () => {
      const row = 42;
      const updated = sim.world.profiles.value(row, 'updated') as number;
      const iso = (micros: number): string => `${new Date(Math.floor(micros / 1000)).toISOString().slice(0, 19)}.${String(micros % 1_000_000).padStart(6, '0')}Z`;
      const ids = async (filter: string): Promise<string[]> => {
        const response = await simGet(sim.url, `/api/profiles?page[size]=100&filter=${filter}`);
        return (response.body as { data: JsonApiResource[] }).data.map((r) => r.id);
      };
      const id = sim.world.profiles.id(row);
      assert.ok(!(await ids(`and(greater-than(updated,${iso(updated)}),less-than(updated,${iso(updated + 2)}))`)).includes(id));
      assert.ok((await ids(`and(greater-than(updated,${iso(updated - 1)}),less-than(updated,${iso(updated + 1)}))`)).includes(id));
    });
  });
});
