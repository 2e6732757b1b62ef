// The simulator writes pages as JSON text directly (resource by resource, into UTF-8 bytes). These tests hold
// that text byte for byte to what the former renderer gave: the resource objects built in full and passed to
// JSON.stringify (rebuilt below from the same tables), over realistic pages: events with their metric included
// (half carry an em dash), profiles with nested and additional fields, sparse fieldsets, filters, sorts, page
// cursors, relationship endpoints, off-spec values. The cheaper date, UUID and string helpers are held to the
// built-ins they replace.
import assert from 'node:assert/strict';
import { hostileAttributes } from '../src/simulator/api/hostile.js';
import { ApiHandler } from '../src/simulator/api/handler.js';
import { jsonString, pickPaths } from '../src/simulator/api/document.js';
import { matchRoute } from '../src/simulator/api/routes.js';
import { formatDate, formatMicros, formatSeconds } from '../src/simulator/datetime.js';
import { KeyRing } from '../src/simulator/http/keys.js';
import { RateLimiter } from '../src/simulator/http/ratelimit.js';
import { uuidFrom } from '../src/simulator/ids.js';
import { Rng, hash32 } from '../src/simulator/rng.js';
import type { Table } from '../src/simulator/types.js';
import { buildWorld, type World } from '../src/simulator/world/world.js';

type Json = Record<string, unknown>;
const BASE = 'http://127.0.0.1:9';
const SECRET = hash32(42, 0xc0de);

/** What a page's request asks to render (read from its URL as the API reads it). */
interface Asked {
  fields: Map<string, string[]>;
  extras: Set<string>;
  includes: string[];
  hostileRate: number;
  parentId: string;
}

function plural(type: string): string {
  return type.endsWith('y') ? `${type.slice(0, -1)}ies` : `${type}s`;
}

/** The former renderer: one resource object in full. */
function resourceObject(world: World, table: Table, row: number, asked: Asked, primary: boolean): Json {
  const id = table.id(row);
  const self = `${BASE}/api/${plural(table.type)}/${encodeURIComponent(id)}/`;
  const all = table.attributes(row, primary ? asked.extras : new Set());
  const sparse = asked.fields.get(table.type);
  const picked = sparse ? pickPaths(all, sparse) : all;
  const attributes = primary ? hostileAttributes(picked, table.type, id, asked.hostileRate, SECRET) : picked;
  const rels: Json = {};
  const links = (name: string): Json => ({ self: `${self}relationships/${name}/`, related: `${self}${name}/` });
  for (const [name, ref] of Object.entries(table.toOne(row))) rels[name] = { data: { type: ref.type, id: ref.id }, links: links(name) };
  for (const name of table.toManyNames) {
    const data = primary && asked.includes.includes(name) ? { data: table.toMany(row, name).map((r) => ({ type: r.type, id: r.id })) } : {};
    rels[name] = { ...data, links: links(name) };
  }
  const resource: Json = { type: table.type, id, attributes };
  if (Object.keys(rels).length > 0) resource['relationships'] = rels;
  resource['links'] = { self };
  return resource;
}

/** The former renderer's whole page, for the rows and links the new one chose. */
function formerPage(world: World, table: Table, rows: number[], links: Json, asked: Asked): string {
  const doc: Json = { data: rows.map((row) => resourceObject(world, table, row, asked, true)), links };
  if (asked.includes.length > 0) {
    const seen = new Set<string>();
    const included: Json[] = [];
    for (const row of rows) {
      for (const name of asked.includes) {
        const toOne = table.toOne(row)[name];
        for (const ref of toOne ? [toOne] : table.toMany(row, name)) {
          const target = world.byType.get(ref.type);
          const targetRow = target?.rowOf(ref.id);
          if (seen.has(`${ref.type}:${ref.id}`) || !target || targetRow === undefined) continue;
          seen.add(`${ref.type}:${ref.id}`);
          included.push(resourceObject(world, target, targetRow, asked, false));
        }
      }
    }
    doc['included'] = included;
  }
  return JSON.stringify(doc);
}

function askedBy(url: URL, primaryType: string, hostileRate: number, parentId: string): Asked {
  const fields = new Map<string, string[]>();
  const extras = new Set<string>();
  for (const [name, value] of url.searchParams) {
    const type = /^fields\[(.+)\]$/.exec(name)?.[1];
    if (type) fields.set(type, value.split(','));
    if (name === `additional-fields[${primaryType}]`) value.split(',').forEach((x) => extras.add(x));
  }
  const includes = (url.searchParams.get('include') ?? '').split(',').filter((x) => x);
  return { fields, extras, includes, hostileRate, parentId };
}

describe('simulator: pages written as text', function () {
  this.timeout(120_000);
  const world = buildWorld(42, 'small', Math.floor(Date.parse('2026-11-01T00:00:00Z') / 1000));
  const limiter = new RateLimiter();
  limiter.enabled = false;
  const api = new ApiHandler(world, new KeyRing('pk_render'), limiter, SECRET);
  const headers = { authorization: 'Klaviyo-API-Key pk_render', revision: '2026-07-15' };

  /** Walks up to `pages` pages from `path`, comparing each with the former renderer; returns the records seen. */
  function compare(path: string, pages: number, hostileRate = 0): { records: number; nonAscii: number } {
    let next: string | undefined = path;
    let records = 0;
    let nonAscii = 0;
    for (let n = 0; next && n < pages; n++) {
      const url: URL = new URL(next, BASE);
      const response = api.handle({ method: 'GET', url, headers, base: BASE, hostileRate });
      assert.equal(response.status, 200, `${next}: ${String(response.body).slice(0, 300)}`);
      const bytes = Buffer.isBuffer(response.body) ? response.body : Buffer.from(response.body);
      const text = bytes.toString('utf8');
      const doc = JSON.parse(text) as { data: { id: string }[] | { id: string } | null; links: Json & { next?: string } };
      const match = matchRoute(url.pathname);
      const table = match?.route.table(world, match.parentId);
      assert.ok(match && table, next);
      if (!match.route.relationship) {
        const data = doc.data as { id: string }[];
        const rows = data.map((resource) => table.rowOf(resource.id) ?? -1);
        const former = formerPage(world, table, rows, doc.links, askedBy(url, match.route.primaryType, hostileRate, match.parentId));
        assert.ok(bytes.equals(Buffer.from(former)), `${next}: differs from the former rendering`);
        records += rows.length;
      } else {
        assert.equal(text, JSON.stringify(doc), next);
      }
      if (bytes.some((byte) => byte > 0x7f)) nonAscii++;
      next = doc.links.next?.slice(BASE.length);
    }
    return { records, nonAscii };
  }

  it('events, with the metric included, byte for byte (non-ASCII pages, filters, sorts, cursors)', () => {
    const metric = world.metrics.id(2);
    const profile = world.profiles.id(3);
    let seen = compare('/api/events?include=metric&fields[metric]=name&sort=datetime&page[size]=1000', 3);
    assert.equal(seen.records, 3000);
    assert.ok(seen.nonAscii > 0, 'some event pages carry non-ASCII text');
    seen = compare('/api/events?include=metric,profile,attributions&sort=-datetime&page[size]=200', 3);
    assert.equal(seen.records, 600);
    compare(`/api/events?filter=${encodeURIComponent('greater-or-equal(datetime,2025-03-01T00:00:00Z),less-than(datetime,2025-03-08T00:00:00Z)')}&page[size]=100`, 3);
    compare(`/api/events?filter=${encodeURIComponent(`equals(metric_id,"${metric}")`)}&sort=-timestamp&page[size]=50&fields[event]=datetime,event_properties`, 3);
    compare(`/api/events?filter=${encodeURIComponent(`equals(profile_id,"${profile}")`)}&include=profile&fields[profile]=email,location.city`, 2);
  });

  it('profiles with nested and additional fields, sparse fieldsets and filters, byte for byte', () => {
    const seen = compare('/api/profiles?additional-fields[profile]=subscriptions,predictive_analytics&page[size]=100', 10);
    assert.equal(seen.records, world.profiles.size());
    compare('/api/profiles?additional-fields[profile]=subscriptions&fields[profile]=email,location.city,subscriptions.email.marketing.suppression,properties&page[size]=100', 3);
    compare(`/api/profiles?filter=${encodeURIComponent('greater-than(updated,2025-01-01T00:00:00Z)')}&sort=-updated&page[size]=100`, 3);
    compare(`/api/lists/${encodeURIComponent(world.lists.id(0))}/profiles?page[size]=100&fields[profile]=email,joined_group_at`, 3);
  });

  it('other collections with their includes, relationship endpoints and off-spec values, byte for byte', () => {
    compare(`/api/campaigns?filter=${encodeURIComponent("equals(messages.channel,'email')")}&include=campaign-messages,tags`, 3);
    compare('/api/flows?include=flow-actions,tags', 3);
    compare('/api/catalog-items?include=variants', 3);
    compare(`/api/coupon-codes?filter=${encodeURIComponent(`equals(coupon.id,"${world.coupons.id(0)}")`)}&include=coupon`, 3);
    compare('/api/tags?include=tag-group', 3);
    compare('/api/metrics', 2);
    compare(`/api/lists/${encodeURIComponent(world.lists.id(0))}/relationships/profiles`, 2);
    compare(`/api/events/${world.events.id(5)}/relationships/metric`, 1);
    const hostile = compare('/api/profiles?additional-fields[profile]=subscriptions&page[size]=100', 2, 0.2);
    assert.equal(hostile.records, 200);
    compare('/api/events?include=metric&page[size]=500', 2, 0.2);
  });

  it('formats dates as toISOString does, at any instant (negative, fractional, day edges)', () => {
    const rng = new Rng(3, 4);
    const cases = [0, -1, -0.0001, 0.9999999, 86_399, 86_400, -86_400, -86_401, 1_700_000_000.5, 253_402_300_799, -62_135_596_800];
    for (let i = 0; i < 20_000; i++) cases.push((rng.next() - 0.3) * 4e9, Math.floor(rng.next() * 2e9), rng.next() * 1e5);
    for (const seconds of cases) {
      const iso = new Date(seconds * 1000).toISOString().slice(0, 19);
      assert.equal(formatSeconds(seconds), `${new Date(Math.floor(seconds) * 1000).toISOString().slice(0, 19)}+00:00`, String(seconds));
      assert.equal(formatDate(seconds), iso.slice(0, 10), String(seconds));
    }
    assert.equal(formatMicros(1_730_481_915_000_123), '2024-11-01T17:25:15.000123+00:00');
    assert.throws(() => formatSeconds(NaN), RangeError);
    assert.throws(() => formatSeconds(9e12), RangeError);
  });

  it('makes UUIDs as the hex of four hashes cut into a version-4 shape', () => {
    for (let row = 0; row < 5_000; row++) {
      const hex = [0, 1, 2, 3].map((i) => hash32(42, 502, row, i).toString(16).padStart(8, '0')).join('');
      const former = `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
      assert.equal(uuidFrom(42, 502, row), former);
    }
  });

  it('writes strings as JSON.stringify does', () => {
    const strings = ['', 'plain', 'H00000XG0', 'a"b', 'back\\slash', 'tab\there', '\u0000\u001f', 'em — dash', 'émoji 😀', '\ud800 lone', 'lone \udc00', '\u2028\u2029', '\u007f'];
    for (const text of strings) assert.equal(jsonString(text), JSON.stringify(text), text);
  });
});
