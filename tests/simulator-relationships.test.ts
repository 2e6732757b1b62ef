// The simulator's `/relationships/` endpoints (ids only) and trailing slashes: every relationship path it serves is
// a GET of the spec and answers bodies valid against it; the ids agree with the related collections (the paged
// sibling, `include=tags`, the reverse relationship); they take the sibling's paging and filter rules, their own
// rate tier and scopes; `/api/lists/` is `/api/lists`, and the relationship links the API sends can be followed.
import assert from 'node:assert/strict';
import { pageAll, simGet, type SimResponse } from '../src/simulator/client.js';
import { RELATIONSHIP_PATHS, singular } from '../src/simulator/api/relationships.js';
import { ENDPOINTS } from '../src/generated/endpoints.js';
import { startSimulator, type Simulator } from '../src/simulator/server.js';
import { specValidators, type SpecValidators } from './helpers/spec-validators.js';

type Ref = { type: string; id: string };
interface IdsBody {
  data: Ref[] | Ref | null;
  links: { self: string; next?: string };
}

const body = (response: SimResponse): IdsBody => response.body as IdsBody;
const idsOf = (response: SimResponse): string[] => {
  const data = body(response).data;
  return (Array.isArray(data) ? data : data ? [data] : []).map((ref) => ref.id);
};

/** Every id a relationship endpoint lists, following links.next. */
async function allIds(sim: Simulator, path: string): Promise<string[]> {
  const out: string[] = [];
  for (let next: string | undefined = path; next; ) {
    const response = await simGet(sim.url, next);
    assert.equal(response.status, 200, `${next}: ${response.text.slice(0, 200)}`);
    out.push(...idsOf(response));
    next = body(response).links.next;
  }
  return out;
}

describe('simulator: /relationships/ endpoints and trailing slashes', function () {
  this.timeout(60_000);
  let sim: Simulator;
  let validators: SpecValidators;

  before(async () => {
    validators = specValidators();
    sim = await startSimulator({ rateLimits: false });
  });
  after(async () => sim.close());

  /** Up to `n` ids of the owner type of a relationship path. */
  function ownerIds(template: string, n: number): string[] {
    const table = sim.world.byType.get(singular(template.split('/')[2] ?? ''));
    assert.ok(table, `owner of ${template}`);
    return Array.from({ length: Math.min(n, table.size()) }, (_, row) => table.id(row));
  }

  it('serves relationship paths the spec declares (GET), the list other taps read included', () => {
    for (const path of RELATIONSHIP_PATHS) assert.ok(ENDPOINTS[path], `${path} is a GET of the spec`);
    for (const path of ['/api/lists/{id}/relationships/profiles', '/api/segments/{id}/relationships/profiles', '/api/campaigns/{id}/relationships/campaign-messages',
      '/api/flows/{id}/relationships/flow-actions', '/api/flow-actions/{id}/relationships/flow-messages', '/api/metrics/{id}/relationships/metric-properties',
      ...['campaigns', 'flows', 'lists', 'segments'].map((owner) => `/api/${owner}/{id}/relationships/tags`)]) {
      assert.ok(RELATIONSHIP_PATHS.includes(path), path);
    }
  });

  it('answers bodies valid against the spec, ids only, for several owners of every path', async () => {
    let nonEmpty = 0;
    for (const template of RELATIONSHIP_PATHS) {
      const validate = validators.validatorFor(template);
      for (const id of ownerIds(template, 4)) {
        const path = template.replace('{id}', id);
        const response = await simGet(sim.url, path);
        assert.equal(response.status, 200, `${path}: ${response.text.slice(0, 200)}`);
        assert.ok(validate(response.body), `${path}: ${JSON.stringify(validate.errors?.slice(0, 3))}`);
        const data = body(response).data;
        for (const ref of Array.isArray(data) ? data : data ? [data] : []) assert.deepEqual(Object.keys(ref).sort(), ['id', 'type']);
        if (idsOf(response).length > 0) nonEmpty++;
      }
    }
    assert.ok(nonEmpty > RELATIONSHIP_PATHS.length, `most answers list something (${nonEmpty})`);
    const broken = structuredClone((await simGet(sim.url, `/api/lists/${sim.world.lists.id(0)}/relationships/tags`)).body) as { data: unknown[] };
    broken.data.push({ type: 'list', id: 'x' });
    assert.equal(validators.validatorFor('/api/lists/{id}/relationships/tags')(broken), false, 'the validator is not vacuous');
  });

  it('to-many ids equal the sibling collection, page for page, with the same filter and page size', async () => {
    const list = sim.world.lists.id(0);
    const siblingPages: string[][] = [];
    const relationshipPages: string[][] = [];
    const query = `page[size]=7&sort=-joined_group_at&filter=greater-than(joined_group_at,2020-01-01T00:00:00Z)`;
    for (const [path, pages] of [[`/api/lists/${list}/profiles?${query}`, siblingPages], [`/api/lists/${list}/relationships/profiles?${query}`, relationshipPages]] as const) {
      for (let next: string | undefined = path; next; ) {
        const response = await simGet(sim.url, next);
        assert.equal(response.status, 200, response.text.slice(0, 200));
        pages.push(idsOf(response));
        next = body(response).links.next;
      }
    }
    assert.ok(siblingPages.length > 2, 'several pages');
    assert.deepEqual(relationshipPages, siblingPages);
    for (const row of [0, 1, 2]) {
      const flow = sim.world.flows.id(row);
      const actions = (await pageAll(sim.url, `/api/flows/${flow}/flow-actions`)).map((r) => r.id);
      assert.deepEqual(await allIds(sim, `/api/flows/${flow}/relationships/flow-actions`), actions);
    }
  });

  it('tag ids agree with include=tags and with the reverse relationship (tag -> lists)', async () => {
    const lists = await pageAll(sim.url, '/api/lists?include=tags');
    const tagged = new Map<string, string[]>();
    for (const list of lists) {
      const ids = ((list.relationships?.['tags']?.data ?? []) as Ref[]).map((ref) => ref.id);
      assert.deepEqual((await allIds(sim, `/api/lists/${list.id}/relationships/tags`)).sort(), [...ids].sort(), list.id);
      for (const tag of ids) tagged.set(tag, [...(tagged.get(tag) ?? []), list.id]);
    }
    assert.ok(tagged.size > 0, 'some list is tagged');
    for (const [tag, owners] of tagged) assert.deepEqual((await allIds(sim, `/api/tags/${tag}/relationships/lists`)).sort(), owners.sort(), tag);
  });

  it('relationships held by the other side agree with it (coupon codes of a coupon, push tokens of a profile)', async () => {
    for (const row of [0, 1]) {
      const coupon = sim.world.coupons.id(row);
      const codes = (await pageAll(sim.url, `/api/coupon-codes?filter=equals(coupon.id,'${coupon}')`)).map((r) => r.id).sort();
      assert.ok(codes.length > 0, coupon);
      assert.deepEqual((await allIds(sim, `/api/coupons/${coupon}/relationships/coupon-codes?page[size]=3`)).sort(), codes);
    }
    const byProfile = new Map<string, string[]>();
    for (const token of await pageAll(sim.url, '/api/push-tokens?page[size]=100')) {
      const profile = (token.relationships?.['profile']?.data as Ref | undefined)?.id ?? '';
      byProfile.set(profile, [...(byProfile.get(profile) ?? []), token.id]);
    }
    assert.ok(byProfile.size > 0);
    for (const [profile, tokens] of [...byProfile].slice(0, 5)) assert.deepEqual((await allIds(sim, `/api/profiles/${profile}/relationships/push-tokens`)).sort(), tokens.sort(), profile);
  });

  it('to-one answers the related id (or null)', async () => {
    const tags = await pageAll(sim.url, '/api/tags?include=tag-group');
    for (const tag of tags.slice(0, 5)) {
      const group = (tag.relationships?.['tag-group']?.data ?? null) as Ref | null;
      const response = await simGet(sim.url, `/api/tags/${tag.id}/relationships/tag-group`);
      assert.deepEqual(body(response).data, group ? { type: 'tag-group', id: group.id } : null);
    }
  });

  it('keeps the request validation, scopes, rate tiers and faults of their own operation; unknown owners are 404', async () => {
    const list = sim.world.lists.id(0);
    const cases: [string, number][] = [
      [`/api/lists/${list}/relationships/tags?page[size]=5`, 400],
      [`/api/lists/${list}/relationships/tags?include=tags`, 400],
      [`/api/lists/${list}/relationships/profiles?page[size]=101`, 400],
      [`/api/lists/${list}/relationships/profiles?sort=email`, 400],
      [`/api/lists/${list}/relationships/profiles?filter=equals(nope,'x')`, 400],
      ['/api/lists/NOPE/relationships/tags', 404],
      ['/api/lists/NOPE/relationships/profiles', 404],
      [`/api/lists/${list}/relationships/nothing`, 404],
    ];
    for (const [path, status] of cases) assert.equal((await simGet(sim.url, path)).status, status, path);
    sim.addKey('pk_rel_lists_flows', ['lists:read', 'flows:read']);
    const tags = await simGet(sim.url, `/api/lists/${list}/relationships/tags`, { apiKey: 'pk_rel_lists_flows' });
    assert.equal(tags.status, 403, 'tags:read is needed too');
    assert.equal((await simGet(sim.url, `/api/lists/${list}/relationships/flow-triggers`, { apiKey: 'pk_rel_lists_flows' })).status, 200);
    const limited = await startSimulator({ seed: 3, scale: 'small' });
    try {
      const path = '/api/lists/{id}/relationships/flow-triggers';
      const response = await simGet(limited.url, path.replace('{id}', limited.world.lists.id(0)));
      assert.equal(response.status, 200, response.text.slice(0, 200));
      assert.equal(response.headers.get('ratelimit-limit'), String(ENDPOINTS[path]?.rateLimit.perMinute));
      assert.notEqual(ENDPOINTS[path]?.rateLimit.perMinute, ENDPOINTS['/api/lists']?.rateLimit.perMinute, 'a tier of its own');
      limited.configure({ errorRate: 1 });
      assert.ok((await simGet(limited.url, path.replace('{id}', limited.world.lists.id(0)))).status >= 500, 'faults apply too');
    } finally {
      await limited.close();
    }
  });

  it('a trailing slash is the same endpoint; the relationship links resources carry can be followed', async () => {
    for (const path of ['/api/lists', '/api/tags', `/api/lists/${sim.world.lists.id(0)}/profiles`, `/api/flows/${sim.world.flows.id(0)}/relationships/flow-actions`]) {
      assert.deepEqual(await allIds(sim, `${path}/`), await allIds(sim, path), path);
    }
    const withQuery = await simGet(sim.url, '/api/lists/?page[size]=2&sort=name');
    assert.equal(withQuery.status, 200);
    assert.deepEqual(idsOf(withQuery), idsOf(await simGet(sim.url, '/api/lists?page[size]=2&sort=name')));
    assert.equal((await simGet(sim.url, '/api/lists//')).status, 404, 'one trailing slash only');
    const [list] = await pageAll(sim.url, '/api/lists?include=tags');
    const self = (list?.relationships?.['tags'] as { links?: { self?: string } } | undefined)?.links?.self ?? '';
    assert.ok(self.endsWith('/relationships/tags/'), self);
    const followed = await simGet(sim.url, self);
    assert.equal(followed.status, 200, followed.text.slice(0, 200));
    assert.deepEqual(idsOf(followed).sort(), ((list?.relationships?.['tags']?.data ?? []) as Ref[]).map((r) => r.id).sort());
  });
});
