// A page's resources parsed one at a time (lean-page.ts) are exactly what parsing the whole page gives.
import assert from 'node:assert/strict';
import { decodeBody, parseJsonApiBody } from '../../src/tap/http/body.js';
import { LEAN_PAGE_MIN_BYTES, LeanResources, parseJsonApiPage } from '../../src/tap/http/lean-page.js';
import { toPage } from '../../src/tap/http/paginate.js';
import { API, apiEvent } from '../helpers/api-event.js';

/** An event with Klaviyo's links, its attributes after the timestamp and datetime. */
function event(id: string, attributes: Record<string, unknown>): Record<string, unknown> {
  return apiEvent(id, { timestamp: 1730419398, datetime: '2024-11-01T00:03:18+00:00', ...attributes });
}

function page(attributes: Array<Record<string, unknown>>): Record<string, unknown> {
  return {
    data: attributes.map((a, i) => event(`E${i}`, a)),
    links: { self: `${API}/events`, next: `${API}/events?page%5Bcursor%5D=abc` },
    included: [{ type: 'metric', id: 'gUUB9Q', attributes: { name: 'Placed Order' }, links: { self: `${API}/metrics/gUUB9Q/` } }],
  };
}

type Doc = { data: unknown; included?: Array<Record<string, unknown>>; links?: unknown };

/** The document without the links of resources and relationships (which the lean parse may replace). */
function withoutResourceLinks(doc: Doc): Doc {
  const copy = structuredClone(doc) as { data: unknown; included?: Array<Record<string, unknown>> };
  const data = (Array.isArray(copy.data) ? copy.data : [copy.data]) as Array<Record<string, unknown>>;
  for (const r of [...data, ...(copy.included ?? [])]) {
    if (typeof r !== 'object' || r === null) continue;
    delete r['links'];
    for (const rel of Object.values((r['relationships'] ?? {}) as Record<string, Record<string, unknown>>)) delete rel['links'];
  }
  return copy;
}

/** The page read lean: whether its data came one resource at a time, and the document with data as an array. */
function readLean(body: Buffer): { lean: boolean; doc: Doc } {
  const doc = parseJsonApiPage(body, 0) as Doc;
  const lean = doc.data instanceof LeanResources;
  return { lean, doc: { ...doc, data: lean ? [...(doc.data as LeanResources)] : doc.data } };
}

/** parseJsonApiPage gives what parseJsonApiBody gives, hence JSON.parse but for links; says whether it went lean. */
function same(body: Buffer): boolean {
  const { lean, doc } = readLean(body);
  const plain = JSON.parse(decodeBody(body) as string) as Doc;
  assert.deepEqual(withoutResourceLinks(doc), withoutResourceLinks(plain));
  assert.deepEqual(withoutResourceLinks(doc), withoutResourceLinks(parseJsonApiBody(body) as Doc));
  return lean;
}

const text = (doc: unknown): Buffer => Buffer.from(JSON.stringify(doc));

/** User data in attributes shaped like the API's links: it must come out exactly as sent. */
const HOSTILE: Record<string, Record<string, unknown>> = {
  'a property named links, shaped like a resource link': { event_properties: { links: { self: `${API}/events/E0/` } } },
  'an attribute named links (the last member before relationships)': { links: { self: `${API}/events/E0/` } },
  'links in a list of objects, then another object (a cut inside the resource)': { items: [{ links: { self: 'u' } }, { sku: 'b' }] },
  'links in a list of objects, then an object that starts with type (a cut inside the resource)': { items: [{ links: { self: 'u' } }, { type: 'b' }] },
  'links last in a list (a cut that would end data early)': { items: [{ sku: 'a' }, { links: { self: 'u', related: 'v' } }] },
  'a key ending in an escaped quote before links': { 'say \\"links': { self: 'u' }, 'q"links': { self: 'u' } },
  'an object shaped like a whole resource in a list': { items: [{ type: 'event', id: 'X', attributes: {}, relationships: {}, links: { self: 'u' } }, { id: 'Y' }] },
};

describe('lean pages: resources parsed one at a time', () => {
  it('a page of events: read lean, the same document as the whole parse, links.next kept', () => {
    const body = text(page([{ a: 1 }, { b: 'two' }, { c: [3] }]));
    assert.equal(same(body), true);
    const p = toPage(parseJsonApiPage(body, 0) as never, 'u');
    assert.equal(p.hasNext, true);
    assert.equal(p.included.get('metric:gUUB9Q')?.attributes?.['name'], 'Placed Order');
    assert.deepEqual(p.data.map((r) => r.id), ['E0', 'E1', 'E2']);
    assert.deepEqual([...(p.resources ?? [])].map((r) => r.id), ['E0', 'E1', 'E2'], 'each iteration reads the resources again');
  });

  it('a page below LEAN_PAGE_MIN_BYTES is parsed whole; one above it is cut', () => {
    const small = text(page([{ a: 1 }]));
    assert.equal((parseJsonApiPage(small) as Doc).data instanceof LeanResources, false);
    const large = text(page(Array.from({ length: Math.ceil(LEAN_PAGE_MIN_BYTES / 500) }, (_, i) => ({ i }))));
    assert.ok(large.length >= LEAN_PAGE_MIN_BYTES);
    assert.equal((parseJsonApiPage(large) as Doc).data instanceof LeanResources, true);
  });

  it('an empty page, a page of one, and non-ASCII text in a UTF-8 page', () => {
    assert.equal(same(text(page([]))), true);
    assert.equal(same(text(page([{}]))), true);
    assert.equal(same(text(page([{ name: 'José 🎉 中文' }, { 'clé é': ['ÿ', { deep: '\u2028' }] }]))), true);
    assert.equal(same(text(page([{ name: 'é' }, { links: { self: 'ü' } }, { items: [{ links: { self: 'u' } }, { sku: 'ß' }] }]))), true);
  });

  for (const [name, attributes] of Object.entries(HOSTILE)) {
    it(`${name}: every value comes out as JSON.parse gives it`, () => {
      const body = text(page([{ a: 1 }, attributes, { b: 2 }, { c: 3 }]));
      same(body);
      const { doc } = readLean(body);
      assert.deepEqual((doc.data as Array<Record<string, unknown>>)[1]?.['attributes'], event('E1', attributes)['attributes']);
    });
  }

  it('a resource whose last member is an escaped-quote key ending in links (no links of its own): read as sent', () => {
    const doc = page([{ a: 1 }, { b: 2 }]) as { data: Array<Record<string, unknown>> };
    const first = doc.data[0] as Record<string, unknown>;
    delete first['links'];
    first['x\\"links'] = { self: 'u' };
    same(text(doc));
  });

  it('a later duplicate "data" key wins, as in JSON.parse', () => {
    const body = Buffer.from(`${JSON.stringify(page([{ a: 1 }])).slice(0, -1)},"data":[]}`);
    assert.deepEqual((JSON.parse(body.toString()) as Doc).data, []);
    assert.equal(same(body), false);
  });

  it('any layout is read lean: whitespace, data not first, no links of its own, links first, members after data', () => {
    assert.equal(same(Buffer.from(JSON.stringify(page([{ a: 1 }, { b: 2 }]), null, 2))), true);
    assert.equal(same(Buffer.from(`\ufeff \n${JSON.stringify(page([{ a: 1 }, { b: 2 }]), null, '\t')}\n `)), true);
    const { data, ...rest } = page([{ a: 1 }]);
    assert.equal(same(text({ ...rest, data })), true);
    const noLinks = page([{ a: 1 }, { b: 2 }]) as { data: Array<Record<string, unknown>> };
    for (const r of noLinks.data) delete r['links'];
    assert.equal(same(text(noLinks)), true);
    for (const order of [['data', 'links', 'included'], ['data', 'included', 'links'], ['included', 'data', 'links']]) {
      const doc = page([{ a: 1 }, { b: 2 }]) as Record<string, unknown> & { data: Array<Record<string, unknown>> };
      doc.data = doc.data.map(({ links, ...r }) => ({ links, ...r, more: [{ x: 1 }], z: 0 }));
      assert.equal(same(text(Object.fromEntries(order.map((k) => [k, doc[k]])))), true, order.join());
    }
  });

  it('what is not a document with data an array of objects is parsed whole', () => {
    assert.equal(same(Buffer.from('{"data":[1,2],"links":{"self":"u","next":"n"}}')), false);
    assert.equal(same(Buffer.from('{"data":{"type":"account","id":"A","links":{"self":"u"}},"links":{"self":"u","next":"n"}}')), false);
    assert.equal(same(Buffer.from('{"links":{"self":"u","next":"n"},"data":null}')), false);
    assert.equal(same(Buffer.from('{"data":[{"type":"x","id":"1"},2],"links":{"self":"u","next":"n"}}')), false);
  });

  it('resources whose own links are not last are still exact', () => {
    const doc = page([{ a: 1 }, { b: 2 }, { c: 3 }]) as { data: Array<Record<string, unknown>> };
    doc.data = doc.data.map(({ links, ...r }) => ({ links, ...r }));
    same(text(doc));
  });

  it('text that is not JSON fails before any resource is read, as the whole parse fails', () => {
    const whole = JSON.stringify(page([{ a: 1 }, { b: 2 }]));
    for (const bad of [whole.slice(0, -10), whole.slice(0, whole.indexOf('"E1"')), '<html>links</html>', '']) {
      assert.throws(() => parseJsonApiBody(Buffer.from(bad)), SyntaxError);
      assert.throws(() => parseJsonApiPage(Buffer.from(bad), 0), SyntaxError);
    }
  });

  it('a body broken only inside a middle resource yields the resources before it, then fails', () => {
    const whole = JSON.stringify(page([{ a: 1 }, { b: 2 }, { c: 3 }]));
    const bad = whole.replace('"b":2', '"b":2,,');
    assert.notEqual(bad, whole);
    const doc = parseJsonApiPage(Buffer.from(bad), 0) as Doc;
    assert.ok(doc.data instanceof LeanResources);
    const seen: string[] = [];
    assert.throws(() => {
      for (const r of doc.data as LeanResources) seen.push(r.id);
    }, SyntaxError);
    assert.deepEqual(seen, ['E0']);
  });
});
