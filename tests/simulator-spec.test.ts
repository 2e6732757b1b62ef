// Every endpoint the simulator serves returns bodies that validate against the official OpenAPI spec's
// 200 response schema for that operation (with and without include / additional-fields). The schemas come from
// src/generated/openapi-responses.json, the spec's part for these endpoints (npm run generate; checked for
// staleness against the full spec by tests/generated.test.ts), so this runs without the spec beside the project.
import assert from 'node:assert/strict';
import type { ValidateFunction } from 'ajv';
import { pageAll, simGet } from '../src/simulator/client.js';
import { startSimulator, type Simulator } from '../src/simulator/server.js';
import { specValidators, toJsonSchema, type Json, type SpecValidators } from './helpers/spec-validators.js';

interface Case {
  path: string;
  query?: string;
}

function cases(sim: Simulator): Case[] {
  const w = sim.world;
  const list = w.lists.id(0);
  const segment = w.segments.id(0);
  const out: Case[] = [
    { path: '/api/accounts' },
    { path: '/api/events', query: 'page[size]=1000' },
    { path: '/api/events', query: 'page[size]=300&include=metric,profile,attributions' },
    { path: '/api/metrics' },
    { path: '/api/metrics', query: 'include=flow-triggers' },
    { path: '/api/profiles', query: 'page[size]=100' },
    { path: '/api/profiles', query: 'page[size]=100&additional-fields[profile]=subscriptions,predictive_analytics&include=push-tokens,conversations' },
    { path: '/api/lists', query: 'page[size]=10&include=tags,flow-triggers' },
    { path: '/api/lists' },
    { path: `/api/lists/${list}/profiles`, query: 'page[size]=100' },
    { path: `/api/lists/${list}/profiles`, query: 'page[size]=100&additional-fields[profile]=subscriptions,predictive_analytics' },
    { path: '/api/segments', query: 'include=tags,flow-triggers' },
    { path: `/api/segments/${segment}/profiles`, query: 'additional-fields[profile]=subscriptions,predictive_analytics' },
    { path: `/api/segments/${segment}/profiles` },
    { path: '/api/flows', query: 'include=flow-actions,tags' },
    { path: '/api/flows' },
    { path: '/api/templates', query: 'additional-fields[template]=definition' },
    { path: '/api/templates' },
    { path: '/api/tags', query: 'include=tag-group' },
    { path: '/api/coupons' },
    { path: '/api/coupon-codes', query: `filter=equals(coupon.id,'${w.coupons.id(0)}')&include=coupon` },
    { path: '/api/catalog-items', query: 'include=variants' },
    { path: '/api/catalog-variants' },
    { path: '/api/catalog-categories' },
    { path: '/api/images', query: 'page[size]=100' },
    { path: '/api/forms', query: 'page[size]=100' },
    { path: '/api/tag-groups', query: 'page[size]=25' },
    { path: '/api/custom-metrics', query: 'include=metrics' },
    { path: '/api/custom-metrics' },
    { path: '/api/mapped-metrics', query: 'include=metric,custom-metric' },
    { path: '/api/push-tokens', query: 'page[size]=100&include=profile' },
    { path: '/api/reviews', query: 'page[size]=100' },
    { path: '/api/template-universal-content', query: 'page[size]=100' },
    { path: '/api/webhooks', query: 'include=webhook-topics' },
    { path: '/api/web-feeds', query: 'page[size]=20' },
  ];
  for (const channel of ['email', 'sms', 'mobile_push']) {
    out.push({ path: '/api/campaigns', query: `filter=equals(messages.channel,'${channel}')` });
    out.push({ path: '/api/campaigns', query: `filter=equals(messages.channel,'${channel}')&include=campaign-messages,tags` });
  }
  for (let row = 0; row < w.campaigns.size(); row += 5) out.push({ path: `/api/campaigns/${w.campaigns.id(row)}/campaign-messages`, query: 'include=campaign,template,image' });
  for (let row = 0; row < w.flows.size(); row++) out.push({ path: `/api/flows/${w.flows.id(row)}/flow-actions` });
  for (let row = 0; row < w.flowActions.size(); row++) out.push({ path: `/api/flow-actions/${w.flowActions.id(row)}/flow-messages` });
  for (let row = 0; row < w.metrics.size(); row++) out.push({ path: `/api/metrics/${w.metrics.id(row)}/metric-properties`, query: 'additional-fields[metric-property]=sample_values' });
  for (let row = 0; row < w.forms.size(); row++) out.push({ path: `/api/forms/${w.forms.id(row)}/form-versions`, query: 'page[size]=100' });
  return out;
}

describe('simulator: responses validate against the OpenAPI spec', function () {
  let sim: Simulator;
  let spec: Json | undefined;
  let validators: SpecValidators;

  before(async function () {
    validators = specValidators();
    spec = validators.spec;
    sim = await startSimulator({ rateLimits: false });
  });

  after(async () => {
    await sim?.close();
  });

  function validatorFor(template: string): ValidateFunction {
    return validators.validatorFor(template);
  }

  function templateOf(path: string): string {
    return path.replace(/^\/api\/(lists|segments|campaigns|flows|flow-actions|metrics|forms)\/[^/]+\//, '/api/$1/{id}/');
  }

  it('every served endpoint, with and without include/additional-fields', async function () {
    this.timeout(120_000);
    let validated = 0;
    for (const { path, query } of cases(sim)) {
      const response = await simGet(sim.url, query ? `${path}?${query}` : path);
      assert.equal(response.status, 200, `${path}?${query ?? ''}: ${response.text.slice(0, 300)}`);
      const validate = validatorFor(templateOf(path));
      const ok = validate(response.body);
      assert.ok(ok, `${path}?${query ?? ''} does not match the spec:\n${JSON.stringify(validate.errors?.slice(0, 5), null, 1)}`);
      validated++;
    }
    assert.ok(validated > 60);
  });

  it('the validator is not vacuous: broken bodies fail', async function () {
    const response = await simGet(sim.url, '/api/events?page[size]=2&include=metric');
    const validate = validatorFor('/api/events');
    const broken = [
      (b: Json): void => void (((b['data'] as Json[])[0] as Json)['type'] = 'metric'),
      (b: Json): void => void ((((b['data'] as Json[])[0] as Json)['attributes'] as Json)['datetime'] = 5),
      (b: Json): void => void delete (b['links'] as Json)['self'],
      (b: Json): void => void ((((b['included'] as Json[])[0] as Json)['attributes'] as Json)['name'] = 7),
    ];
    for (const breakIt of broken) {
      const body = structuredClone(response.body) as Json;
      breakIt(body);
      assert.equal(validate(body), false, JSON.stringify(body).slice(0, 200));
    }
    const campaign = await simGet(sim.url, "/api/campaigns?filter=equals(messages.channel,'sms')&page[size]=1");
    const body = structuredClone(campaign.body) as Json;
    (((body['data'] as Json[])[0] as Json)['attributes'] as Json)['status'] = 'Exploded';
    assert.equal(validatorFor('/api/campaigns')(body), false);
  });

  it('serves exactly the attributes and relationships (to-one with data) the spec declares', async function () {
    const schemas = (spec?.['components'] as Json)['schemas'] as Record<string, Json>;
    const deref = (node: unknown): Json => {
      let out = node as Json;
      while (typeof out['$ref'] === 'string') out = schemas[(out['$ref'] as string).split('/').pop() ?? ''] as Json;
      return out;
    };
    const parts = (node: unknown): Json[] => {
      const d = deref(node);
      return Array.isArray(d['allOf']) ? (d['allOf'] as unknown[]).flatMap(parts) : [d];
    };
    const declared = (item: unknown, member: 'attributes' | 'relationships'): Map<string, Json> => {
      const out = new Map<string, Json>();
      for (const part of parts(item)) {
        const block = (part['properties'] as Json | undefined)?.[member];
        for (const p of block ? parts(block) : []) for (const [k, v] of Object.entries((p['properties'] ?? {}) as Json)) out.set(k, deref(v));
      }
      return out;
    };
    const seen = new Set<string>();
    for (const { path, query } of cases(sim)) {
      const template = templateOf(path);
      if (seen.has(template)) continue;
      const schema = deref((((((spec?.['paths'] as Json)[template] as Json)['get'] as Json)['responses'] as Json)['200'] as Json)['content']);
      const item = ((deref((schema['application/vnd.api+json'] as Json)['schema'])['properties'] as Json)['data'] as Json)['items'];
      const wideQuery = template.includes('profiles') ? 'additional-fields[profile]=subscriptions,predictive_analytics&' : template === '/api/templates' ? 'additional-fields[template]=definition&' : '';
      const response = await simGet(sim.url, `${path}?${wideQuery}${query ?? ''}`);
      const resources = (response.body as { data: { attributes: Json; relationships?: Record<string, Json> }[] }).data;
      if (resources.length === 0) continue;
      seen.add(template);
      const attributes = new Set(resources.flatMap((r) => Object.keys(r.attributes)));
      assert.deepEqual([...attributes].sort(), [...declared(item, 'attributes').keys()].sort(), `${template} attributes`);
      for (const [name, rel] of declared(item, 'relationships')) {
        const toOne = deref((rel['properties'] as Json)['data'])['type'] === 'object';
        for (const r of resources) {
          const served = r.relationships?.[name];
          assert.ok(served, `${template}: relationship ${name}`);
          if (toOne) assert.ok(served['data'] && !Array.isArray(served['data']), `${template}: ${name} carries data`);
        }
      }
    }
    assert.ok(seen.size >= 20);
  });

  it('error bodies match the spec error shape', async function () {
    const errorSchema = (spec?.['components'] as Json)['responses'] as Json;
    const schema = toJsonSchema(((errorSchema['ClientError'] as Json)['content'] as Json)['application/vnd.api+json']) as Json;
    const validate = validators.ajv.compile(schema['schema'] as Json);
    for (const path of ['/api/events?filter=nope(', '/api/nowhere', '/api/events?page[size]=0']) {
      const response = await simGet(sim.url, path);
      assert.ok(response.status >= 400);
      assert.ok(validate(response.body), JSON.stringify(validate.errors));
    }
  });

  it('pages of every member endpoint validate too (all lists, first page)', async function () {
    const validate = validatorFor('/api/lists/{id}/profiles');
    for (const list of await pageAll(sim.url, '/api/lists')) {
      const response = await simGet(sim.url, `/api/lists/${list.id}/profiles?additional-fields[profile]=subscriptions`);
      assert.ok(validate(response.body), JSON.stringify(validate.errors?.slice(0, 3)));
    }
  });
});
